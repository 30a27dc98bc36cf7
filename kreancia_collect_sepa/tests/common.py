import base64
from datetime import timedelta

from lxml import etree

from odoo import Command, fields
from odoo.tests import new_test_user

from odoo.addons.kreancia_collect.tests.common import KreanciaCommon


class KreanciaSepaCommon(KreanciaCommon):
    """A euro company that collects by SEPA direct debit, set up as OCA's own tests do.

    OCA's ``account_banking_sepa_direct_debit/tests/test_sdd.py`` (``TestSDDBase``)
    builds its own company and switches the test user to it, which would leave
    the scenario of ``KreanciaCommon`` behind: its fixture (creditor identifier,
    bank journal with the SEPA direct debit method, fixed-journal payment mode,
    customer IBAN with a valid recurrent mandate) is repeated here, on the
    suite's company, in euros. ``cls.usd`` is a foreign currency beside it.
    """

    @classmethod
    def setup_independent_company(cls, **kwargs):
        cls.env.ref("base.EUR").active = True
        return super().setup_independent_company(currency_id=cls.env.ref("base.EUR").id, **kwargs)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.usd = cls.setup_other_currency("USD")
        cls.sdd_method = cls.env.ref("account_banking_sepa_direct_debit.sepa_direct_debit")
        cls.sdd_method.pain_version = "pain.008.001.02"
        cls.company.write({"sepa_creditor_identifier": "FR78ZZZ424242", "country_id": cls.env.ref("base.fr").id})
        cls.bank = cls.env["res.bank"].create({"name": "La Banque Postale", "bic": "PSSTFRPPXXX"})
        cls.company_bank = (
            cls.env["res.partner.bank"]
            .sudo()
            .create(
                {
                    "acc_number": "FR76 3000 6000 0112 3456 7890 189",
                    "bank_id": cls.bank.id,
                    "partner_id": cls.company.partner_id.id,
                    "company_id": cls.company.id,
                }
            )
        )
        cls.bank_journal = cls.company_data["default_journal_bank"]
        cls.bank_journal.sudo().write(
            {
                "bank_account_id": cls.company_bank.id,
                "inbound_payment_method_line_ids": [Command.create({"payment_method_id": cls.sdd_method.id})],
            }
        )
        cls.payment_mode = cls.env["account.payment.mode"].create(
            {
                "name": "SEPA Direct Debit of customers",
                "company_id": cls.company.id,
                "payment_method_id": cls.sdd_method.id,
                "bank_account_link": "fixed",
                "fixed_journal_id": cls.bank_journal.id,
            }
        )
        cls.mandate = cls.make_mandate(cls.customer, "FR14 2004 1010 0505 0001 3M02 606", "KC-SDD-0001")
        cls.accountant = new_test_user(
            cls.env,
            login="kc_sepa_accountant",
            name="Payment Accountant",
            groups="account.group_account_manager,account_payment_order.group_account_payment",
            company_id=cls.company.id,
        )

    @classmethod
    def make_mandate(cls, partner, iban, reference):
        partner_bank = (
            cls.env["res.partner.bank"]
            .sudo()
            .create(
                {"acc_number": iban, "bank_id": cls.bank.id, "partner_id": partner.id, "company_id": cls.company.id}
            )
        )
        return (
            cls.env["account.banking.mandate"]
            .sudo()
            .create(
                {
                    "format": "sepa",
                    "type": "recurrent",
                    "recurrent_sequence_type": "first",
                    "signature_date": fields.Date.context_today(partner) - timedelta(days=30),
                    "partner_bank_id": partner_bank.id,
                    "company_id": cls.company.id,
                    "state": "valid",
                    "unique_mandate_reference": reference,
                }
            )
        )

    @classmethod
    def real_day(cls, count):
        """The real date ``count`` days on: instalments are dated from it (no instalment in the past)."""
        return fields.Date.context_today(cls.customer) + timedelta(days=count)

    def make_plan(self, invoices, *instalments, user=None):
        """An open commitment on ``invoices``: ``instalments`` are ``(days from the real date, amount)``."""
        env = self.env(user=user) if user else self.env
        return env["kreancia.commitment"].create(
            {
                "partner_id": invoices.partner_id.id,
                "move_ids": [Command.set(invoices.ids)],
                "amount_total": sum(amount for _days, amount in instalments),
                "line_ids": [
                    Command.create({"date": self.real_day(days), "amount": amount}) for days, amount in instalments
                ],
            }
        )

    def collect(self, days):
        """The daily action as of the real date ``days`` on."""
        return self.env["kreancia.commitment"]._cron_auto_collect(today=self.real_day(days))

    def send_to_bank(self, order):
        """What the accountant does with the order: confirm, generate the pain.008 file, mark it uploaded.

        Returns the file's XML root.
        """
        order = order.with_user(self.accountant)
        order.draft2open()
        action = order.open2generated()
        attachment = self.env["ir.attachment"].browse(action["res_id"])
        order.generated2uploaded()
        return etree.fromstring(base64.b64decode(attachment.datas))

    def return_debit(self, payment):
        """The bank returned the debit: the accountant resets the payment and cancels it (OCA's 19.0 way)."""
        payment = payment.with_user(self.accountant)
        payment.action_draft()
        payment.action_cancel()
