import contextlib
import subprocess
import tempfile
from datetime import date, timedelta

from odoo import SUPERUSER_ID, Command, api, fields
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, get_db_name, new_test_user

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


def pdf_text(raw):
    """Text of a PDF, read back with poppler's pdftotext."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(raw)
        handle.flush()
        return subprocess.run(
            ["pdftotext", "-layout", handle.name, "-"], capture_output=True, text=True, check=True
        ).stdout


class KreanciaAssertions:
    """What a user would notice after a run: the mails sent, the tasks planned, the letters printed.

    Mixed into ``KreanciaCommon``; every assertion returns what it found, for
    the checks particular to a test.
    """

    @contextlib.contextmanager
    def refused(self, exception, text):
        """Expect ``exception`` mentioning ``text``; the savepoint undoes what was written."""
        with self.assertRaises(exception) as caught:
            yield
        self.assertIn(text, str(caught.exception))

    def mails_to(self, partner):
        """The e-mails queued about ``partner`` (sent to its contacts), whatever their state."""
        return self.env["mail.mail"].search([("model", "=", "res.partner"), ("res_id", "=", partner.id)])

    def assertMailTo(self, partner_or_email, subject=None, body_contains=()):
        """The one e-mail queued to a partner (or one of its contacts) or an address, with that subject and body.

        ``subject`` is a part of the subject; ``body_contains`` parts of the body.
        Returns the ``mail.mail``.
        """
        if isinstance(partner_or_email, str):
            domain = ["|", ("email_to", "ilike", partner_or_email), ("recipient_ids.email", "=ilike", partner_or_email)]
        else:
            partners = partner_or_email | partner_or_email.child_ids
            domain = [
                "|",
                ("recipient_ids", "in", partners.ids),
                "&",
                ("model", "=", "res.partner"),
                ("res_id", "=", partner_or_email.id),
            ]
        if subject:
            domain.append(("subject", "ilike", subject))
        mails = self.env["mail.mail"].sudo().search(domain)
        mails = mails.filtered(lambda mail: all(part in (mail.body_html or "") for part in body_contains))
        self.assertEqual(len(mails), 1, f"one e-mail to {partner_or_email} ({subject=}, {body_contains=})")
        return mails

    def assertTask(self, record, user=None, summary=None):
        """The one activity planned on ``record`` (for ``user``, with ``summary`` in its summary).

        Returns the ``mail.activity``.
        """
        domain = [("res_model", "=", record._name), ("res_id", "=", record.id)]
        if user:
            domain.append(("user_id", "=", user.id))
        if summary:
            domain.append(("summary", "ilike", summary))
        tasks = self.env["mail.activity"].sudo().search(domain)
        self.assertEqual(len(tasks), 1, f"one task on {record.display_name} ({user=}, {summary=})")
        return tasks

    def assertLetterText(self, intervention, *fragments):
        """The text of the intervention's PDF, blanks collapsed to one space, holds every fragment.

        Returns that text.
        """
        self.assertTrue(intervention.attachment_id, f"{intervention.name} has its PDF")
        text = " ".join(pdf_text(intervention.attachment_id.raw).split())
        for fragment in fragments:
            self.assertIn(fragment, text)
        return text

    def manager_todos(self, user=None, summary="Late-payment rate of half-year"):
        """The to-dos asking ``user`` (the manager) to record a missing late-payment rate."""
        user = user or self.manager
        return self.env["mail.activity"].search(
            [
                ("user_id", "=", user.id),
                ("res_model", "=", "res.partner"),
                ("res_id", "=", user.company_id.partner_id.id),
                ("summary", "like", summary),
            ]
        )

    def notice_for(self, customer, *invoices, days=0):
        """The formal notice the run sends ``customer`` once ``invoices`` stand at ``self.letter_step``."""
        for invoice in invoices:
            self.at_step(invoice, self.letter_step)
        self.run_escalation(days=days)
        return self.interventions(customer).filtered(lambda i: i.channel == "formal_notice")


class KreanciaCommon(KreanciaAssertions, AccountTestInvoicingCommon):
    """Shared builders: a company with a four-step scenario and French customers.

    ``make_invoice(partner, days_late)`` posts an invoice due ``days_late``
    days before ``cls.today``; ``run(days=0)`` runs the escalation as of
    ``cls.today + days``. ``cls.today`` is the suite's one clock: a test
    takes its dates from it (``cls.days(n)``), not from the real date,
    unless what it checks follows the real date (a page, a wizard's default).
    """

    today = date(2026, 6, 15)

    @classmethod
    def days(cls, count):
        """The clock's date ``count`` days later (earlier when negative)."""
        return cls.today + timedelta(days=count)

    @classmethod
    def get_default_groups(cls):
        return super().get_default_groups() | cls.env.ref("kreancia_collect.kreancia_collect_group_manager")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # English unless a test says otherwise: the suite runs with French loaded
        cls.env.user.lang = "en_US"
        cls.env = cls.env(context=dict(cls.env.context, lang="en_US"))
        cls.company = cls.env.company
        cls.company.write({"email": "billing@creditor.example.com"})
        cls.template_courteous = cls.env.ref("kreancia_collect.mail_template_reminder_courteous")
        cls.template_firm = cls.env.ref("kreancia_collect.mail_template_reminder_firm")
        # the suite's dates run into the second half of 2026, whose rate the data does not ship
        cls.env["kreancia.interest.rate"].create({"date_start": date(2026, 7, 1), "ecb_rate": 2.15, "legal_rate": 2.62})
        cls.brand_address = cls.env["res.partner"].create(
            {
                "name": "Recouvrement Test SAS",
                "is_company": True,
                "street": "12 rue des Agences",
                "zip": "69002",
                "city": "Lyon",
                "country_id": cls.env.ref("base.fr").id,
            }
        )
        cls.brand = cls.env["kreancia.brand"].create(
            {
                "name": "Recouvrement Test",
                "is_third_party": True,
                "partner_id": cls.brand_address.id,
                "email": "relances@agency.example.com",
                "company_id": cls.company.id,
            }
        )
        cls.scenario = cls.env["kreancia.scenario"].create(
            {
                "name": "Test scenario",
                "company_id": cls.company.id,
                "min_gap_days": 3,
                "step_ids": [
                    Command.create(
                        {
                            "name": "Courteous",
                            "delay_days": 0,
                            "channel": "email",
                            "mail_template_id": cls.template_courteous.id,
                        }
                    ),
                    Command.create(
                        {"name": "Firm", "delay_days": 7, "channel": "email", "mail_template_id": cls.template_firm.id}
                    ),
                    Command.create(
                        {
                            "name": "Agency",
                            "delay_days": 15,
                            "channel": "email",
                            "identity": "brand",
                            "brand_id": cls.brand.id,
                            "mail_template_id": cls.template_firm.id,
                        }
                    ),
                    Command.create(
                        {
                            "name": "Last call",
                            "delay_days": 30,
                            "channel": "email",
                            "manual": True,
                            "mail_template_id": cls.template_firm.id,
                        }
                    ),
                ],
            }
        )
        cls.scenario.is_default = True
        cls.step_courteous, cls.step_firm, cls.step_agency, cls.step_manual = cls.scenario.step_ids.sorted("delay_days")
        cls.customer = cls._make_customer("Boulangerie Test SARL", "compta@boulangerie.example.com")
        cls.customer_2 = cls._make_customer("Atelier Test SAS", "factures@atelier.example.com")
        cls.manager = new_test_user(
            cls.env,
            login="kc_manager",
            name="Collection Manager",
            email="manager@creditor.example.com",
            groups="kreancia_collect.kreancia_collect_group_manager",
            company_id=cls.company.id,
            lang="en_US",
        )
        cls.agent = new_test_user(
            cls.env,
            login="kc_agent",
            name="Collection Agent",
            email="agent@creditor.example.com",
            groups="kreancia_collect.kreancia_collect_group_agent",
            company_id=cls.company.id,
            lang="en_US",
        )

    @classmethod
    def _make_customer(cls, name, accounting_email, **values):
        customer = cls.env["res.partner"].create(
            {
                "name": name,
                "is_company": True,
                "lang": "en_US",
                "email": f"contact@{name.split()[0].lower()}.example.com",
                **values,
            }
        )
        cls.env["res.partner"].create(
            {
                "name": f"Accounting {name}",
                "parent_id": customer.id,
                "type": "invoice",
                "email": accounting_email,
                "lang": "en_US",
            }
        )
        return customer

    @classmethod
    def make_invoice(cls, partner, days_late, amount=1000.0, post=True, **values):
        due = cls.today - timedelta(days=days_late)
        return cls._create_invoice_one_line(
            price_unit=amount,
            tax_ids=[],
            partner_id=partner.id,
            invoice_date=due,
            invoice_payment_term_id=False,
            invoice_date_due=due,
            post=post,
            **values,
        )

    @classmethod
    def give_postal_addresses(cls, *customers):
        """A street and city on the customers and their contacts, so that letters can be addressed."""
        partners = cls.env["res.partner"].union(*customers)
        (partners | partners.child_ids).write({"street": "12 rue de la République", "zip": "69002", "city": "Lyon"})

    def at_step(self, invoice, step):
        """Place ``invoice`` at ``step`` as if an earlier run had sent it."""
        invoice._dunning_write({"dunning_step_id": step.id})
        return invoice

    def run_escalation(self, days=0, user=None):
        """The run's counts, zeros left out: ``{}`` when it did nothing."""
        env = self.env(user=user) if user else self.env
        counts = env["kreancia.escalation"].run(today=self.today + timedelta(days=days))
        return {key: value for key, value in counts.items() if value}

    def interventions(self, partner=None):
        domain = [("company_id", "=", self.company.id)]
        if partner:
            domain.append(("partner_id", "=", partner.id))
        return self.env["kreancia.intervention"].search(domain)


class SeparateConnectionsCase(BaseCase):
    """Real, separate database connections, as concurrent requests, crons or workers have.

    ``env_of(cr)`` is a superuser environment on a cursor of
    ``self.registry``; ``make_customer(env, name)`` commits nothing itself
    and returns a customer with five posted invoices 10 days late. Data a
    test commits is taken out of every later run at cleanup: list its ids
    in ``self.created`` (``{"partners": [...], "moves": [...]}``).
    """

    def setUp(self):
        super().setUp()
        self.registry = Registry(get_db_name())
        # the real date: what these tests commit is read by runs of other connections, as of the real today
        self.today = fields.Date.today()
        self.created = {}
        self.addCleanup(self.cleanup)

    def env_of(self, cr):
        return api.Environment(cr, SUPERUSER_ID, {"lang": "en_US"})

    def make_customer(self, env, name):
        customer = env["res.partner"].create({"name": name, "is_company": True, "email": f"{name[:5]}@example.com"})
        invoices = env["account.move"].create(
            [
                {
                    "move_type": "out_invoice",
                    "partner_id": customer.id,
                    "invoice_date": self.today - timedelta(days=10),
                    "invoice_date_due": self.today - timedelta(days=10),
                    "invoice_line_ids": [Command.create({"name": "Supplies", "quantity": 1, "price_unit": 100.0})],
                }
                for _ in range(5)
            ]
        )
        invoices.invoice_line_ids.tax_ids = False
        invoices.action_post()
        return customer, invoices

    def cleanup(self):
        """Committed data must not reach the other tests: take it out of every run and queue."""
        with self.registry.cursor() as cr:
            env = self.env_of(cr)
            partners = env["res.partner"].browse(self.created.get("partners", []))
            env["kreancia.intervention"].search([("partner_id", "in", partners.ids)]).mail_id.unlink()
            env["kreancia.intervention"].search([("partner_id", "in", partners.ids)]).unlink()
            moves = env["account.move"].browse(self.created.get("moves", []))
            moves.line_ids.write({"no_followup": True})


class KreanciaFiguresCommon(KreanciaCommon):
    """Builders for the figures: invoices with their own dates, payments and credit notes at a date.

    ``invoice_at(partner, invoice_date, due_date, amount)`` posts an invoice;
    ``pay_at(invoice, amount, day)`` registers a partial payment dated ``day``;
    ``refund_at(partner, day, amount, invoice=None)`` posts a credit note, reconciled
    with ``invoice`` when given; ``unallocated_payment(partner, day, amount)``
    posts a customer payment reconciled with nothing.
    """

    @classmethod
    def invoice_at(cls, partner, invoice_date, due_date, amount, move_type="out_invoice", **values):
        return cls._create_invoice_one_line(
            move_type=move_type,
            price_unit=amount,
            tax_ids=[],
            partner_id=partner.id,
            invoice_date=invoice_date,
            invoice_payment_term_id=False,
            invoice_date_due=due_date,
            post=True,
            **values,
        )

    @classmethod
    def pay_at(cls, invoice, amount, day):
        cls.env["account.payment.register"].with_context(active_model="account.move", active_ids=invoice.ids).create(
            {"amount": amount, "payment_date": day}
        )._create_payments()

    @classmethod
    def receivable_line(cls, move):
        return move.line_ids.filtered(lambda line: line.account_id.account_type == "asset_receivable")

    @classmethod
    def refund_at(cls, partner, day, amount, invoice=None, **values):
        refund = cls.invoice_at(partner, day, day, amount, move_type="out_refund", **values)
        if invoice:
            (cls.receivable_line(refund) | cls.receivable_line(invoice)).reconcile()
        return refund

    @classmethod
    def unallocated_payment(cls, partner, day, amount, company=None):
        """A customer's payment booked on its receivable account and reconciled with nothing."""
        company = company or cls.env.company
        journal = cls.env["account.journal"].search(
            [("company_id", "=", company.id), ("type", "=", "general")], limit=1
        )
        bank_account = cls.env["account.account"].search(
            [("company_ids", "in", company.id), ("account_type", "=", "asset_cash")], limit=1
        )
        receivable = partner.with_company(company).property_account_receivable_id
        move = cls.env["account.move"].create(
            {
                "move_type": "entry",
                "date": day,
                "journal_id": journal.id,
                "company_id": company.id,
                "line_ids": [
                    Command.create({"name": "Payment", "account_id": bank_account.id, "debit": amount}),
                    Command.create(
                        {"name": "Payment", "account_id": receivable.id, "credit": amount, "partner_id": partner.id}
                    ),
                ],
            }
        )
        move.action_post()
        return move
