"""Every money path with the company's currency beside a foreign invoice currency.

One EUR is worth 1.25 USD: an amount read in the wrong currency is off by a
quarter, which no rounding hides. The same tests run for a company keeping
EUR with an invoice in USD, and for a company keeping USD with an invoice in
EUR.
"""

import re
from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tests import HttpCase, tagged
from odoo.tools import format_amount

from .common import KreanciaCommon, pdf_text


def digits(text):
    """The figures of an amount as printed, whatever the currency sign and separators: ``1.090,27 €`` -> ``109027``."""
    return re.sub(r"\D", "", text)


class CurrencyMatrixMixin:
    """A customer owing one foreign-currency invoice, 40 days late, under a brand's formal notice step.

    ``invoiced`` is the invoice total in its own currency, ``owed`` the same in
    the company's; ``rate`` is the units of the invoice currency for one unit
    of the company's.
    """

    company_code = invoice_code = None
    rate = None
    invoiced = None
    recovered = None  # a first recovery, in the company's currency

    @classmethod
    def setup_independent_company(cls, **kwargs):
        currency = cls.env.ref(f"base.{cls.company_code}")
        currency.active = True
        return super().setup_independent_company(currency_id=currency.id, **kwargs)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("en_US")
        cls.foreign = cls.setup_other_currency(cls.invoice_code, rounding=0.01, rates=[("2020-01-01", cls.rate)])
        cls.owed = round(cls.invoiced / cls.rate, 2)
        cls.agency = cls.env["res.partner"].create(
            {
                "name": "Étude Huissier Test",
                "is_company": True,
                "email": "etude@huissier.example.com",
                "dunning_case_role": "bailiff",
                "dunning_commission_rate": 10.0,
            }
        )
        cls.notices = cls.env["kreancia.scenario"].create(
            {
                "name": "Notice then hand-over",
                "company_id": cls.company.id,
                "min_gap_days": 1,
                "plan_max_instalments": 3,
                "plan_max_days": 90,
                "plan_min_first_percent": 20.0,
                "step_ids": [
                    Command.create(
                        {
                            "name": "Agency notice",
                            "delay_days": 10,
                            "channel": "formal_notice",
                            "identity": "brand",
                            "brand_id": cls.brand.id,
                            "deadline_days": 8,
                        }
                    ),
                    Command.create({"name": "Bailiff", "delay_days": 90, "channel": "handover"}),
                ],
            }
        )
        cls.customer.dunning_scenario_id = cls.notices
        cls.give_postal_addresses(cls.customer)
        cls.invoice = cls.make_invoice(cls.customer, 40, cls.invoiced, currency_id=cls.foreign.id)

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def in_company_currency(self, amount_in_invoice_currency):
        return round(amount_in_invoice_currency / self.rate, 2)

    def euros_in(self, currency, amount=40.0):
        """``amount`` EUR in ``currency`` at the test's rate."""
        if currency.name == "EUR":
            return amount
        return round(amount * self.rate, 2) if currency == self.foreign else round(amount / self.rate, 2)

    def money(self, amount):
        return format_amount(self.env, amount, self.company.currency_id)

    def pay_in_invoice_currency(self, amount, day):
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=self.invoice.ids
        ).create({"amount": amount, "payment_date": day})._create_payments()

    def open_case(self):
        action = (
            self.env["kreancia.case.create"]
            .with_user(self.manager)
            .with_context(active_model="account.move", active_ids=self.invoice.ids)
            .create({"agency_id": self.agency.id, "date_handover": self.today})
            .action_confirm()
        )
        return self.env["kreancia.case"].browse(action["res_id"])

    def register_recovery(self, case, amount):
        self.env["kreancia.case.recovery.register"].with_user(self.manager).create(
            {"case_id": case.id, "amount": amount, "date": self.today}
        ).action_confirm()

    def formal_notice(self):
        self.run_escalation()
        notice = self.interventions(self.customer)
        self.assertEqual((notice.channel, notice.state), ("formal_notice", "to_send"), notice.error)
        return notice

    def aged_net(self):
        result = self.env["kreancia.aged.balance"].aged_balance(
            self.today, company_ids=self.company.ids, group_by=("partner_id",)
        )[self.company.id]
        line = result.lines.get((self.customer.id,))
        return line.net if line else 0.0

    # ------------------------------------------------------------------
    # The hand-over case
    # ------------------------------------------------------------------

    def test_case_totals_are_in_the_company_currency(self):
        self.assertEqual(self.company.currency_id.name, self.company_code)
        case = self.open_case()
        line = case.line_ids
        self.assertEqual(line.currency_id, self.foreign)
        self.assertAlmostEqual(line.amount_principal, self.invoiced)
        self.assertAlmostEqual(line.amount_indemnity, self.euros_in(self.foreign))
        self.assertGreater(line.amount_interest, 0.0)
        self.assertAlmostEqual(case.amount_principal, self.owed)
        self.assertAlmostEqual(case.amount_indemnity, self.euros_in(self.company.currency_id))
        self.assertAlmostEqual(case.amount_interest, self.in_company_currency(line.amount_interest), delta=0.01)
        self.assertAlmostEqual(
            case.amount_claimed, self.owed + case.amount_interest + case.amount_indemnity, delta=0.001
        )
        self.assertAlmostEqual(case.amount_residual, self.owed)

    def test_a_recovery_is_booked_in_the_company_currency(self):
        case = self.open_case()
        self.register_recovery(case, self.recovered)
        rest = self.owed - self.recovered
        self.assertAlmostEqual(self.invoice.amount_residual_signed, rest, msg="the customer owes the rest, no more")
        self.assertAlmostEqual(self.invoice.amount_residual, round(rest * self.rate, 2))
        self.assertAlmostEqual(case.amount_residual, rest)
        self.assertAlmostEqual(case.amount_recovered, self.recovered)
        payments = case.recovery_ids.payment_ids
        self.assertEqual(payments.currency_id, self.company.currency_id)
        self.assertAlmostEqual(sum(payments.mapped("amount")), self.recovered)
        bill = case.recovery_ids.bill_id
        self.assertEqual(bill.currency_id, self.company.currency_id)
        self.assertAlmostEqual(bill.amount_total, round(self.recovered / 10, 2), msg="10 % of what was recovered")
        self.assertAlmostEqual(self.aged_net(), rest, msg="the aged balance drops by the amount recovered")

        with self.assertRaisesRegex(UserError, "more than the invoices of the case still owe"):
            self.register_recovery(case, rest + 1.0)
        self.register_recovery(case, rest)
        self.assertIn(self.invoice.payment_state, ("paid", "in_payment"), "the rest recovered settles the invoice")
        self.assertAlmostEqual(self.invoice.amount_residual, 0.0)
        self.assertAlmostEqual(self.aged_net(), 0.0)

    # ------------------------------------------------------------------
    # The letter and the debtor's page
    # ------------------------------------------------------------------

    def test_letter_totals_are_in_the_company_currency(self):
        notice = self.formal_notice()
        line = notice.line_ids
        self.assertAlmostEqual(line.amount_residual, self.invoiced)
        self.assertAlmostEqual(line.indemnity_amount, self.euros_in(self.foreign))
        self.assertAlmostEqual(notice.amount_total, self.owed)
        self.assertAlmostEqual(notice.amount_interest, self.in_company_currency(line.interest_amount), delta=0.01)
        self.assertAlmostEqual(notice.amount_indemnity, self.euros_in(self.company.currency_id))
        total = self.owed + notice.amount_interest + notice.amount_indemnity
        self.assertAlmostEqual(notice.amount_claimed, total, delta=0.001)
        text = " ".join(pdf_text(notice.attachment_id.raw).split())
        claimed = re.search(r"Total claimed (\S+(?: \S+)?)", text).group(1)
        self.assertEqual(digits(claimed), digits(self.money(total)))

    def test_page_claims_what_the_letter_claims_in_the_company_currency(self):
        notice = self.formal_notice()
        link = notice.debtor_link_id
        self.assertEqual(link._claimed_legal_amounts(self.invoice), {}, "a notice not yet posted claims nothing yet")
        self.env["kreancia.intervention.mark.posted"].with_user(self.manager).create(
            {"intervention_ids": notice.ids, "tracking_number": "1A 000 000 0000 1"}
        ).action_confirm()
        self.assertEqual(notice.state, "done")
        self.assertEqual(
            link._claimed_legal_amounts(self.invoice),
            {self.invoice.id: (notice.amount_interest, notice.amount_indemnity)},
        )
        response = self.url_open(f"/collect/{link.id}?access_token={link.access_token}")
        self.assertEqual(response.status_code, 200)
        total = re.search(r'o_debtor_total"[^>]*>(.*?)</td>', response.text, re.S).group(1)
        self.assertEqual(digits(total), digits(self.money(notice.amount_claimed)), "the page's total is the letter's")

    def test_page_payment_is_in_the_invoice_currency(self):
        link = self.env["kreancia.debtor.link"]._link_for(self.customer, self.company, self.brand, 90)
        self.assertAlmostEqual(link._check_payment_amount(self.invoice, self.invoiced), self.invoiced)
        with self.assertRaisesRegex(UserError, "does not match"):
            link._check_payment_amount(self.invoice, self.owed)

    # ------------------------------------------------------------------
    # Payment plans and commitments
    # ------------------------------------------------------------------

    def propose_plan(self, *amounts):
        link = self.env["kreancia.debtor.link"]._link_for(self.customer, self.company, self.brand, 90)
        today = fields.Date.context_today(link)  # the real date: the page refuses plans before the real today
        plan = [(today + timedelta(days=10 + 30 * index), amount) for index, amount in enumerate(amounts)]
        return link._propose_plan(self.invoice, plan, "", "127.0.0.1"), today

    def check(self, day):
        return self.env["kreancia.commitment"].with_user(self.manager).check_commitments(today=day.isoformat())

    def test_plan_and_kept_commitment_in_the_company_currency(self):
        with self.assertRaisesRegex(UserError, "must add up to the amount due"):
            self.propose_plan(self.invoiced / 2, self.invoiced / 2)
        half = round(self.owed / 2, 2)
        commitment, today = self.propose_plan(half, self.owed - half)
        self.assertEqual(commitment._name, "kreancia.commitment")
        self.assertEqual(commitment.currency_id, self.company.currency_id)
        self.assertAlmostEqual(commitment.amount_total, self.owed)
        self.assertAlmostEqual(commitment.residual_at_start, self.owed)
        self.pay_in_invoice_currency(self.invoiced / 2, today)
        self.assertAlmostEqual(commitment.amount_paid, half, delta=0.01)
        self.check(today + timedelta(days=11))
        self.assertEqual(commitment.line_ids.sorted("date").mapped("state"), ["kept", "open"])
        self.pay_in_invoice_currency(self.invoiced / 2, today + timedelta(days=30))
        self.check(today + timedelta(days=41))
        self.assertEqual(commitment.state, "kept")

    def test_broken_commitment_in_the_company_currency(self):
        half = round(self.owed / 2, 2)
        commitment, today = self.propose_plan(half, self.owed - half)
        self.pay_in_invoice_currency(self.invoiced / 2, today)
        self.assertEqual(self.check(today + timedelta(days=60)), {"checked": 1, "broken": 1})
        self.assertEqual(commitment.state, "broken")
        note = self.customer.message_ids.filtered(lambda message: "commitment broken" in (message.body or ""))[:1]
        self.assertIn(digits(self.money(half)), digits(note.body), "paid: half of the promise, in its currency")
        self.assertIn(digits(self.money(self.owed)), digits(note.body))


@tagged("post_install", "-at_install")
class TestEuroCompanyDollarInvoice(CurrencyMatrixMixin, KreanciaCommon, HttpCase):
    """A company keeping EUR, an invoice of 1,250 USD (1,000 EUR); 400 EUR recovered leaves 600 EUR."""

    company_code, invoice_code, rate = "EUR", "USD", 1.25
    invoiced, recovered = 1250.0, 400.0


@tagged("post_install", "-at_install")
class TestDollarCompanyEuroInvoice(CurrencyMatrixMixin, KreanciaCommon, HttpCase):
    """A company keeping USD, an invoice of 1,000 EUR (1,250 USD); 500 USD recovered leaves 750 USD."""

    company_code, invoice_code, rate = "USD", "EUR", 0.8
    invoiced, recovered = 1000.0, 500.0
