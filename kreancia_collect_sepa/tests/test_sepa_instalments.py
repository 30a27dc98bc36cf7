from urllib.parse import urlsplit

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import HttpCase, tagged

from .common import KreanciaSepaCommon

PAIN_NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.008.001.02"}


@tagged("post_install", "-at_install")
class TestSepaInstalments(KreanciaSepaCommon):
    """A plan collected by SEPA direct debit: each instalment in a payment order on its date, the pain.008
    file from OCA's module, a debit returned by the bank retried then breaking the plan."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.invoice = cls.make_invoice(cls.customer, 20, 900.0)

    def debit_plan(self, *instalments):
        commitment = self.make_plan(self.invoice, *instalments, user=self.agent)
        commitment.with_user(self.agent).action_collect_by_sepa()
        return commitment

    def order_lines(self, instalment):
        return instalment.sepa_payment_line_ids.sorted("id")

    def test_bridge_installs_by_itself(self):
        module = self.env["ir.module.module"].search([("name", "=", "kreancia_collect_sepa")])
        self.assertTrue(module.auto_install)
        self.assertEqual(module.state, "installed")

    def test_agent_collects_under_the_customers_valid_mandate(self):
        commitment = self.debit_plan((5, 300.0), (35, 600.0))

        self.assertEqual(commitment.auto_method, "sepa")
        self.assertEqual(commitment.mandate_id, self.mandate)
        self.assertEqual(commitment.mandate_state, "valid")

    def test_each_instalment_joins_the_draft_order_on_its_date(self):
        commitment = self.debit_plan((5, 300.0), (35, 600.0))
        first, second = commitment.line_ids.sorted("date")

        self.collect(4)
        self.assertFalse(first.sepa_payment_line_ids, "nothing debited before the instalment's date")

        self.collect(5)
        order = first.sepa_payment_line_ids.order_id
        self.assertEqual(order.payment_mode_id, self.payment_mode)
        self.assertEqual(order.state, "draft")
        self.assertEqual(first.charge_state, "pending")
        self.assertEqual(first.charge_reference, order.name)
        pline = first.sepa_payment_line_ids
        self.assertEqual(pline.amount_currency, 300.0)
        self.assertEqual(pline.currency_id, self.env.ref("base.EUR"))
        self.assertEqual(pline.mandate_id, self.mandate)
        self.assertEqual(pline.partner_bank_id, self.mandate.partner_bank_id)
        self.assertEqual(pline.move_line_id.move_id, self.invoice)
        self.assertFalse(second.sepa_payment_line_ids)

        self.collect(6)
        self.assertEqual(len(order.payment_line_ids), 1, "an instalment pending is never added twice")

        self.collect(35)
        self.assertEqual(second.sepa_payment_line_ids.order_id, order, "one draft order per payment mode")
        self.assertEqual(second.sepa_payment_line_ids.amount_currency, 600.0)

    def test_pain008_file_debits_the_instalment_under_its_mandate(self):
        commitment = self.debit_plan((5, 300.0), (35, 600.0))
        first = commitment.line_ids.sorted("date")[0]
        self.collect(5)

        root = self.send_to_bank(first.sepa_payment_line_ids.order_id)

        transactions = root.xpath("//p:DrctDbtTxInf", namespaces=PAIN_NS)
        self.assertEqual(len(transactions), 1)
        self.assertEqual(transactions[0].xpath("p:InstdAmt", namespaces=PAIN_NS)[0].text, "300.00")
        self.assertEqual(transactions[0].xpath("p:InstdAmt/@Ccy", namespaces=PAIN_NS), ["EUR"])
        self.assertEqual(transactions[0].xpath(".//p:MndtId", namespaces=PAIN_NS)[0].text, "KC-SDD-0001")
        self.assertEqual(root.xpath("//p:PmtInf/p:PmtMtd", namespaces=PAIN_NS)[0].text, "DD")
        # the debit sent: the instalment is charged and kept, the invoice paid by as much
        self.assertEqual(first.charge_state, "done")
        self.assertEqual(first.state, "kept")
        self.assertEqual(commitment.state, "open")
        self.assertAlmostEqual(self.invoice.amount_residual, 600.0)

    def test_returned_debit_is_retried_then_breaks_the_plan(self):
        commitment = self.debit_plan((5, 300.0), (35, 600.0))
        first = commitment.line_ids.sorted("date")[0]
        self.collect(5)
        self.send_to_bank(first.sepa_payment_line_ids.order_id)

        self.return_debit(first.sepa_payment_line_ids.payment_ids)

        self.assertEqual(first.charge_state, "failed")
        self.assertEqual(first.charge_attempts, 1)
        self.assertEqual(first.state, "open", "retried, not kept any more")
        self.assertIn("returned by the bank", first.charge_error)
        self.assertEqual(first.next_charge_date, self.real_day(3), "the scenario's 3 days between retries")
        self.assertAlmostEqual(self.invoice.amount_residual, 900.0, msg="the invoice owes the instalment again")
        self.assertTrue(self.mails_to(self.customer).filtered(lambda mail: "returned by the bank" in mail.body_html))

        # two retries (the scenario's), each in a new order, each returned: the plan breaks after the last
        for attempt, day in ((2, 3), (3, 6)):
            self.collect(day)
            retry = self.order_lines(first)[-1]
            self.assertNotEqual(retry.order_id, self.order_lines(first)[0].order_id)
            self.assertEqual(retry.amount_currency, 300.0)
            self.send_to_bank(retry.order_id)
            self.assertEqual(first.charge_state, "done")
            self.return_debit(retry.payment_ids)
            self.assertEqual(first.charge_attempts, attempt)

        self.assertEqual(first.state, "broken")
        self.assertEqual(commitment.state, "broken")
        self.assertTask(self.customer, summary="Broken payment commitment")
        self.assertEqual(self.invoice.dunning_gap_waived, True, "the invoice back in the scenario at once")

    def test_order_cancelled_before_the_bank_releases_the_instalment(self):
        commitment = self.debit_plan((5, 300.0))
        line = commitment.line_ids
        self.collect(5)
        order = line.sepa_payment_line_ids.order_id

        order.with_user(self.accountant).action_cancel()

        self.assertEqual(line.charge_state, "none")
        self.assertEqual(line.charge_attempts, 0, "not a failed debit: the bank never had it")
        self.collect(6)
        self.assertEqual(line.charge_state, "pending")
        self.assertNotEqual(self.order_lines(line)[-1].order_id, order)

    def test_foreign_currency_invoice_is_debited_in_euros(self):
        invoice = self.make_invoice(self.customer, 10, 1000.0, currency_id=self.usd.id)
        owed = invoice.amount_residual_signed  # in euros, what the plan promises
        commitment = self.make_plan(invoice, (5, owed), user=self.agent)
        commitment.with_user(self.agent).action_collect_by_sepa()

        self.collect(5)

        pline = commitment.line_ids.sepa_payment_line_ids
        self.assertEqual(pline.currency_id, self.env.ref("base.EUR"))
        self.assertAlmostEqual(pline.amount_currency, owed)

    def test_company_without_sepa_payment_mode_refused_in_the_agents_language(self):
        commitment = self.make_plan(self.invoice, (5, 300.0), user=self.agent)
        self.payment_mode.sudo().active = False
        self.agent.lang = "fr_FR"

        with self.refused(UserError, "n'a pas de mode de paiement par prélèvement SEPA"):
            commitment.with_user(self.agent).with_context(lang="fr_FR").action_collect_by_sepa()
        self.assertEqual(commitment.auto_method, "none")

    def test_instalment_without_a_valid_mandate_fails(self):
        commitment = self.debit_plan((5, 300.0))
        self.mandate.cancel()

        self.collect(5)

        self.assertEqual(commitment.line_ids.charge_state, "failed")
        self.assertEqual(commitment.line_ids.charge_error, "No valid SEPA direct debit mandate.")
        self.assertFalse(commitment.line_ids.sepa_payment_line_ids)


@tagged("post_install", "-at_install")
class TestSepaMandateRequest(KreanciaSepaCommon, HttpCase):
    """Without a mandate, the customer gets a mandate form through its debtor page; once signed, the plan debits."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.invoice = cls.make_invoice(cls.customer_2, 20, 500.0)

    def test_mandate_form_sent_through_the_debtor_page_then_debited_once_signed(self):
        commitment = self.make_plan(self.invoice, (5, 500.0), user=self.agent)

        commitment.with_user(self.agent).action_collect_by_sepa()

        mandate = commitment.mandate_id
        self.assertEqual(commitment.auto_method, "sepa")
        self.assertEqual(mandate.state, "draft")
        mail = self.assertMailTo(self.customer_2, subject="Your direct debit mandate", body_contains=["/mandate/"])
        self.assertIn(mandate.unique_mandate_reference, mail.body_html)
        url = commitment._mandate_request_url()
        self.assertIn(url, mail.body_html)

        parts = urlsplit(url)
        response = self.url_open(f"{parts.path}?{parts.query}")  # the test server's address, not web.base.url
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers["Content-Type"], "application/pdf")
        self.assertTrue(response.content.startswith(b"%PDF"))
        link = self.env["kreancia.debtor.link"].search([("partner_id", "=", self.customer_2.id)])
        self.assertIn(mandate.unique_mandate_reference, link.action_ids.mapped("description"))

        # nothing debited while the form is not back: the instalment fails (and is retried)
        self.collect(5)
        self.assertEqual(commitment.line_ids.charge_state, "failed")

        # the signed form is back: the accountant records the IBAN and the date, and validates
        bank = (
            self.env["res.partner.bank"]
            .sudo()
            .create({"acc_number": "FR76 1027 8060 6100 0123 4567 890", "partner_id": self.customer_2.id})
        )
        mandate.with_user(self.accountant).write(
            {"partner_bank_id": bank.id, "signature_date": fields.Date.context_today(mandate)}
        )
        mandate.with_user(self.accountant).validate()
        self.assertEqual(commitment.mandate_state, "valid")
        self.collect(8)
        self.assertEqual(commitment.line_ids.charge_state, "pending")
        self.assertEqual(commitment.line_ids.sepa_payment_line_ids.mandate_id, mandate)

    def test_another_customers_mandate_is_not_served(self):
        commitment = self.make_plan(self.invoice, (5, 500.0), user=self.agent)
        commitment.with_user(self.agent).action_collect_by_sepa()
        path = urlsplit(commitment._mandate_request_url())
        other = f"{path.path.rsplit('/', 1)[0]}/{self.mandate.id}?{path.query}"

        self.assertEqual(self.url_open(other).status_code, 404)

    def test_request_refused_when_the_customer_has_a_valid_mandate(self):
        commitment = self.make_plan(self.make_invoice(self.customer, 10, 200.0), (5, 200.0), user=self.agent)
        commitment.with_user(self.agent).action_collect_by_sepa()

        with self.refused(UserError, "has a valid mandate already"):
            commitment.with_user(self.agent).action_request_mandate()
