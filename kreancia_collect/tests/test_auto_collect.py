"""Instalments charged on their date with a saved payment method (issue #24), through Odoo's demo provider.

The company keeps EUR; one customer owes an invoice in USD (one EUR is worth
1.25 USD), the other an invoice in EUR. Commitment dates follow the real date
(an instalment may not be promised in the past); the daily action is run as of
each instalment's date.
"""

from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import JsonRpcException, tagged

from .common import KreanciaCommon
from .test_debtor_page import DebtorPageCommon


class AutoCollectCommon(KreanciaCommon):
    @classmethod
    def setup_independent_company(cls, **kwargs):
        currency = cls.env.ref("base.EUR")
        currency.active = True
        return super().setup_independent_company(currency_id=currency.id, **kwargs)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.usd = cls.setup_other_currency("USD", rounding=0.01, rates=[("2020-01-01", 1.25)])
        cls.real_today = fields.Date.context_today(cls.env["res.partner"])
        cls.provider = cls.demo_provider(cls.company)
        cls.invoice = cls.make_invoice(cls.customer, 20, 600.0)
        cls.usd_invoice = cls.make_invoice(cls.customer_2, 20, 500.0, currency_id=cls.usd.id)
        cls.customer.dunning_collector_id = cls.agent

    @classmethod
    def demo_provider(cls, company):
        provider = cls.env.ref("payment.payment_provider_demo").sudo().copy({"company_id": company.id})
        provider.write(
            {
                "state": "test",
                "is_published": True,
                "allow_tokenization": True,
                "payment_method_ids": [Command.set(cls.env.ref("payment_demo.payment_method_demo").ids)],
            }
        )
        return provider

    @classmethod
    def token(cls, partner, outcome="done", provider=None):
        """A card saved with the demo provider; every charge with it ends in ``outcome``."""
        return cls.env["payment.token"].create(
            {
                "provider_id": (provider or cls.provider).id,
                "payment_method_id": cls.env.ref("payment_demo.payment_method_demo").id,
                "partner_id": partner.id,
                "payment_details": "4242",
                "provider_ref": "fake provider reference",
                "demo_simulated_state": outcome,
            }
        )

    def commitment(self, partner, invoices, plan, token=None, company=None):
        """A plan of ``[(days from the real today, amount)]`` on ``invoices``, paid with ``token``."""
        company = company or self.company
        commitment = (
            self.env["kreancia.commitment"]
            .with_company(company)
            .create(
                {
                    "company_id": company.id,
                    "partner_id": partner.id,
                    "move_ids": [Command.set(invoices.ids)],
                    "amount_total": sum(amount for _days, amount in plan),
                    "user_id": self.agent.id,
                    "line_ids": [
                        Command.create({"date": self.real_today + timedelta(days=days), "amount": amount})
                        for days, amount in plan
                    ],
                }
            )
        )
        if token:
            commitment._auto_enable_token(
                token, commitment._mandate_text(token.display_name), fields.Datetime.now(), "203.0.113.7"
            )
        return commitment

    def collect(self, days):
        return self.env["kreancia.commitment"]._cron_auto_collect(today=self.real_today + timedelta(days=days))

    def charges(self, commitment):
        return self.env["payment.transaction"].search([("kreancia_commitment_id", "=", commitment.id)])


@tagged("post_install", "-at_install")
class TestAutoCollect(AutoCollectCommon):
    def test_instalment_charged_on_its_date_and_reconciled(self):
        token = self.token(self.customer)
        commitment = self.commitment(self.customer, self.invoice, [(0, 200.0), (30, 400.0)], token)
        self.assertEqual(commitment.auto_method, "token")
        self.assertIn("4242", commitment.payment_token_name)
        self.assertTrue(commitment.payment_token_active)
        self.assertIn("203.0.113.7", commitment.auto_mandate_ip)
        self.assertIn("cancel", commitment.auto_mandate_text)
        first, second = commitment.line_ids
        self.collect(0)
        tx = self.charges(commitment)
        self.assertRecordValues(
            tx,
            [{"operation": "offline", "state": "done", "amount": 200.0, "currency_id": self.company.currency_id.id}],
        )
        self.assertEqual(tx.invoice_ids, self.invoice)
        self.assertTrue(tx.payment_id, "a payment posted like any online payment")
        self.assertAlmostEqual(self.invoice.amount_residual, 400.0)
        self.assertEqual(self.invoice.payment_state, "partial")
        self.assertRecordValues(first, [{"charge_state": "done", "state": "kept"}])
        self.assertRecordValues(second, [{"charge_state": "none", "state": "open"}])
        # the same day again: nothing charged twice
        self.collect(0)
        self.assertEqual(len(self.charges(commitment)), 1)
        # the daily check agrees with the charge
        self.env["kreancia.commitment"]._cron_check_commitments(self.real_today + timedelta(days=1))
        self.assertEqual(commitment.state, "open")
        self.collect(30)
        self.assertEqual(second.charge_state, "done")
        self.assertEqual(commitment.state, "kept")
        self.assertIn(self.invoice.payment_state, ("paid", "in_payment"))

    def test_instalment_already_paid_by_hand_is_not_charged(self):
        token = self.token(self.customer)
        commitment = self.commitment(self.customer, self.invoice, [(0, 200.0), (30, 400.0)], token)
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=self.invoice.ids
        ).create({"amount": 250.0, "payment_date": self.real_today})._create_payments()
        self.collect(0)
        self.assertFalse(self.charges(commitment))
        self.assertEqual(commitment.line_ids[0].state, "kept")
        self.collect(30)
        self.assertEqual(self.charges(commitment).amount, 350.0, "only what the payment by hand left")

    def test_refused_charge_retried_then_commitment_breaks(self):
        self.scenario.write({"auto_retry_count": 2, "auto_retry_days": 3})
        token = self.token(self.customer, outcome="error")
        commitment = self.commitment(self.customer, self.invoice, [(0, 200.0), (30, 400.0)], token)
        line = commitment.line_ids[0]
        self.collect(0)
        self.assertRecordValues(
            line,
            [
                {
                    "charge_state": "failed",
                    "charge_attempts": 1,
                    "next_charge_date": self.real_today + timedelta(days=3),
                    "state": "open",
                }
            ],
        )
        self.assertIn("error", line.charge_error)
        notice = self.assertMailTo(self.customer, subject="could not be charged")
        self.assertIn("/collect/", notice.body_html, "a link to pay by hand")
        self.assertIn("try again", notice.body_html)
        self.collect(1)
        self.collect(2)
        self.assertEqual(len(self.charges(commitment)), 1, "no retry before its date")
        # the daily check does not break an instalment being retried
        self.env["kreancia.commitment"]._cron_check_commitments(self.real_today + timedelta(days=5))
        self.assertEqual(commitment.state, "open")
        self.collect(3)
        self.assertRecordValues(line, [{"charge_attempts": 2, "next_charge_date": self.real_today + timedelta(days=6)}])
        self.assertEqual(commitment.state, "open")
        self.collect(6)
        self.assertEqual(len(self.charges(commitment)), 3)
        self.assertRecordValues(line, [{"charge_attempts": 3, "state": "broken", "next_charge_date": False}])
        self.assertEqual(commitment.state, "broken")
        self.assertTrue(self.invoice.dunning_gap_waived, "the invoices are back in the scenario at once")
        self.assertTask(self.customer, user=self.agent, summary="Broken payment commitment")
        self.assertEqual(len(self.mails_to(self.customer).filtered(lambda m: "could not be charged" in m.subject)), 3)
        self.collect(9)
        self.assertEqual(len(self.charges(commitment)), 3, "a broken commitment is charged no more")
        self.assertEqual(self.invoice.amount_residual, 600.0)

    def test_pending_charge_blocks_a_new_one_until_it_ends(self):
        token = self.token(self.customer, outcome="pending")
        commitment = self.commitment(self.customer, self.invoice, [(0, 600.0)], token)
        self.collect(0)
        self.collect(1)
        tx = self.charges(commitment)
        self.assertEqual(len(tx), 1)
        self.assertEqual(commitment.line_ids.charge_state, "pending")
        self.env["kreancia.commitment"]._cron_check_commitments(self.real_today + timedelta(days=20))
        self.assertEqual(commitment.state, "open", "a charge under way is not a broken promise")
        # the provider's late answer
        tx.action_demo_set_done()
        tx._post_process()
        self.assertEqual(commitment.line_ids.charge_state, "done")
        self.assertEqual(commitment.state, "kept")
        self.assertIn(self.invoice.payment_state, ("paid", "in_payment"))

    def test_foreign_currency_invoice_charged_in_the_promised_currency(self):
        owed = self.usd_invoice.amount_residual_signed  # 400 EUR for 500 USD
        self.assertAlmostEqual(owed, 400.0)
        token = self.token(self.customer_2)
        commitment = self.commitment(self.customer_2, self.usd_invoice, [(0, 200.0), (30, 200.0)], token)
        self.collect(0)
        tx = self.charges(commitment)
        self.assertEqual(tx.currency_id, self.company.currency_id, "the instalment as promised, in EUR")
        self.assertEqual(tx.amount, 200.0)
        self.assertEqual(tx.payment_id.currency_id.name, "EUR")
        self.assertAlmostEqual(self.usd_invoice.amount_residual, 250.0, msg="half the USD invoice paid")
        self.assertAlmostEqual(self.usd_invoice.amount_residual_signed, 200.0)
        self.assertEqual(commitment.line_ids[0].state, "kept")

    def test_cancelled_automatic_payment_is_not_charged(self):
        token = self.token(self.customer)
        commitment = self.commitment(self.customer, self.invoice, [(0, 600.0)], token)
        commitment._auto_cancel("203.0.113.7")
        self.assertEqual(commitment.auto_method, "none")
        self.assertEqual(commitment.payment_token_id, token, "the history stays")
        self.assertTrue(commitment.auto_mandate_text)
        self.assertTask(self.customer, user=self.agent, summary="Automatic payment cancelled")
        self.collect(0)
        self.assertFalse(self.charges(commitment))

    def test_scenario_retry_settings_are_checked(self):
        with self.assertRaises(ValidationError):
            self.scenario.auto_retry_days = 0
        self.assertEqual((self.scenario.auto_retry_count, self.scenario.auto_retry_days), (2, 3))


@tagged("post_install", "-at_install")
class TestAutoCollectRoles(AutoCollectCommon):
    def test_agent_cannot_charge(self):
        token = self.token(self.customer)
        commitment = self.commitment(self.customer, self.invoice, [(0, 600.0)], token)
        as_agent = commitment.with_user(self.agent)
        self.assertEqual(as_agent.payment_token_name, commitment.payment_token_name, "the agent sees the method")
        self.assertEqual(as_agent.line_ids.charge_state, "none")
        with self.assertRaises(AccessError):
            as_agent.action_auto_collect_now()
        self.assertFalse(self.charges(commitment))
        commitment.with_user(self.manager).action_auto_collect_now()
        self.assertEqual(commitment.line_ids.charge_state, "done")
        with self.assertRaises(UserError):
            commitment.with_user(self.manager).action_auto_collect_now()

    def test_second_company_charged_with_its_own_provider(self):
        company_2 = self.setup_other_company(name="Collect Company 2")["company"]
        self.env.user.company_ids |= company_2
        provider_2 = self.demo_provider(company_2)
        customer_3 = self._make_customer("Fromagerie Test SARL", "compta@fromagerie.example.com")
        invoice_2 = self._create_invoice_one_line(
            price_unit=300.0,
            tax_ids=[],
            partner_id=customer_3.id,
            company_id=company_2.id,
            journal_id=self.env["account.journal"]
            .search([("company_id", "=", company_2.id), ("type", "=", "sale")], limit=1)
            .id,
            invoice_date=self.today,
            post=True,
        )
        token_2 = self.token(customer_3, provider=provider_2)
        with self.assertRaises(UserError):
            self.commitment(self.customer, self.invoice, [(0, 600.0)], token_2)
        commitment_2 = self.commitment(customer_3, invoice_2, [(0, 300.0)], token_2, company=company_2)
        commitment_1 = self.commitment(self.customer, self.invoice, [(0, 600.0)], self.token(self.customer))
        self.collect(0)
        tx_1, tx_2 = self.charges(commitment_1), self.charges(commitment_2)
        self.assertEqual((tx_1.company_id, tx_2.company_id), (self.company, company_2))
        self.assertEqual(tx_2.payment_id.journal_id.company_id, company_2)
        self.assertIn(invoice_2.payment_state, ("paid", "in_payment"))
        as_agent = (
            self.env["kreancia.commitment"].with_user(self.agent).with_context(allowed_company_ids=self.company.ids)
        )
        self.assertFalse(as_agent.search([("id", "=", commitment_2.id)]), "company 2's plans stay in company 2")


@tagged("post_install", "-at_install")
class TestAutoPayPage(DebtorPageCommon):
    """The debtor opts in, and out, on the page; the card is saved by the provider, never by the add-on."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.provider = cls.demo_provider(cls.env, cls.company)
        cls.provider.allow_tokenization = True
        today = fields.Date.context_today(cls.env["res.partner"])
        cls.plan = cls.link._create_commitment(
            cls.invoice_a, [(today + timedelta(days=5), 300.0), (today + timedelta(days=35), 300.0)], cls.agent
        )

    def save_card(self, commitment, details="4242"):
        processing = self.make_jsonrpc_request(
            f"/collect/{self.link.id}/auto/{commitment.id}/transaction",
            {
                "access_token": self.link.access_token,
                "provider_id": self.provider.id,
                "payment_method_id": self.env.ref("payment_demo.payment_method_demo").id,
                "token_id": None,
                "amount": None,
                "flow": "direct",
                "tokenization_requested": False,
                "landing_route": "/elsewhere",
                "is_validation": True,
            },
        )
        self.make_jsonrpc_request(
            "/payment/demo/simulate_payment",
            {"reference": processing["reference"], "payment_details": details, "simulated_state": "done"},
        )
        tx = self.env["payment.transaction"].search([("reference", "=", processing["reference"])])
        tx._post_process()
        return tx

    def test_debtor_saves_a_card_for_the_plan(self):
        page = self.open_page()
        self.assertIn("Pay automatically on each date", page.text)
        response = self.url_open(self.page_url(path=f"/auto/{self.plan.id}"))
        self.assertEqual(response.status_code, 200)
        self.assertIn('id="o_payment_form"', response.text)
        self.assertIn("I can cancel automatic payment at any time", response.text)
        self.assertIn('data-mode="validation"', response.text)
        tx = self.save_card(self.plan)
        self.assertRecordValues(
            tx, [{"operation": "validation", "state": "done", "kreancia_commitment_id": self.plan.id}]
        )
        self.assertTrue(tx.landing_route.startswith(f"/collect/{self.link.id}?"), "back to the page, not elsewhere")
        self.assertEqual(self.plan.auto_method, "token")
        self.assertEqual(self.plan.payment_token_id, tx.token_id)
        self.assertIn("4242", self.plan.payment_token_name)
        self.assertIn("I authorise Recouvrement Test", self.plan.auto_mandate_text)
        self.assertTrue(self.plan.auto_mandate_date)
        self.assertTrue(self.plan.auto_mandate_ip)
        self.assertEqual(self.requests_recorded().mapped("action"), ["auto_pay"])
        # what the add-on keeps of the card: the provider's token, four digits for the name, no card number
        self.assertNotIn("4242", str(self.plan.read()[0].get("auto_mandate_text")))
        page = self.open_page()
        self.assertIn("Paid automatically on each date with", page.text)
        self.assertNotIn("o_debtor_auto_optin", page.text)

    def test_debtor_stops_automatic_payment(self):
        self.save_card(self.plan)
        response = self.post_form(f"/auto/{self.plan.id}/cancel", {})
        self.assertEqual(response.status_code, 303)
        self.assertIn("done=auto_cancelled", response.headers["Location"])
        self.assertEqual(self.plan.auto_method, "none")
        self.assertTrue(self.plan.payment_token_id, "the history stays")
        self.assertTrue(self.plan.auto_cancel_date)
        self.assertTask(self.customer, user=self.agent, summary="Automatic payment cancelled")
        self.assertIn("auto_cancel", self.requests_recorded().mapped("action"))
        self.assertIn("o_debtor_auto_optin", self.open_page().text, "the debtor may opt in again")
        response = self.post_form(f"/auto/{self.plan.id}/cancel", {})
        self.assertEqual(response.status_code, 400)

    def test_another_customers_plan_is_not_found(self):
        today = fields.Date.context_today(self.env["res.partner"])
        other = self.link_2._create_commitment(self.foreign_invoice, [(today + timedelta(days=5), 900.0)], self.agent)
        response = self.url_open(self.page_url(path=f"/auto/{other.id}"))
        self.assertEqual(response.status_code, 404)
        with self.assertRaises(JsonRpcException):
            self.save_card(other)
        self.assertEqual(other.auto_method, "none")
        response = self.url_open(self.page_url(path=f"/auto/{self.plan.id}", token="wrong"))
        self.assertEqual(response.status_code, 404)
