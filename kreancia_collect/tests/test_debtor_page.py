import base64
import re
from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, JsonRpcException, tagged

from .common import KreanciaCommon, pdf_text

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class DebtorPageCommon(KreanciaCommon, HttpCase):
    """A customer with two overdue invoices and its link under the third-party brand."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the suite's database loads French only: English customers read an English page once it is active
        cls.env["res.lang"]._activate_lang("en_US")
        cls.brand.write({"phone": "+33 4 72 00 00 00", "legal_notice": "Agence agréée, RCS Lyon 123 456 789"})
        cls.customer.write({"phone": "+33 6 12 34 56 78", "dunning_collector_id": cls.agent.id})
        cls.invoice_a = cls.make_invoice(cls.customer, 20, 600.0)
        cls.invoice_b = cls.make_invoice(cls.customer, 10, 400.0)
        cls.foreign_invoice = cls.make_invoice(cls.customer_2, 20, 900.0)
        links = cls.env["kreancia.debtor.link"]
        cls.link = links._link_for(cls.customer, cls.company, cls.brand, 90)
        cls.link_2 = links._link_for(cls.customer_2, cls.company, cls.brand, 90)
        cls.scenario.write({"plan_max_instalments": 3, "plan_max_days": 90, "plan_min_first_percent": 20.0})

    @staticmethod
    def demo_provider(env, company):
        """Odoo's demo payment provider, in test mode, for ``company``."""
        provider = env.ref("payment.payment_provider_demo").sudo().copy({"company_id": company.id})
        provider.write(
            {
                "state": "test",
                "is_published": True,
                "payment_method_ids": [Command.set(env.ref("payment_demo.payment_method_demo").ids)],
            }
        )
        return provider

    def page_url(self, link=None, path="", token=None):
        link = link or self.link
        return f"/collect/{link.id}{path}?access_token={token or link.access_token}"

    def open_page(self, link=None):
        response = self.url_open(self.page_url(link))
        self.assertEqual(response.status_code, 200, response.text[:500])
        return response

    def post_form(self, path, data, files=None, link=None, csrf=True):
        """POST a form of the page as a browser would, with the session's CSRF token."""
        link = link or self.link
        page = self.open_page(link)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        payload = {"access_token": link.access_token, **data}
        if csrf:
            payload["csrf_token"] = token
        return self.url_open(f"/collect/{link.id}{path}", data=payload, files=files, allow_redirects=False)

    def in_days(self, days):
        # the real date: the page checks plans and links against the real today
        return fields.Date.to_string(fields.Date.context_today(self.env["res.partner"]) + timedelta(days=days))

    def requests_recorded(self, link=None):
        return self.env["kreancia.debtor.action"].search(
            [("link_id", "=", (link or self.link).id), ("action", "not in", ("view", "download"))]
        )


@tagged("post_install", "-at_install")
class TestDebtorLink(DebtorPageCommon):
    def test_written_interventions_carry_the_link_of_their_identity(self):
        self.give_postal_addresses(self.customer)
        self.at_step(self.invoice_a, self.step_firm)
        self.run_escalation()
        intervention = self.interventions(self.customer)
        self.assertEqual(intervention.step_id, self.step_agency)
        self.assertEqual(intervention.debtor_link_id, self.link, "the brand's existing link is reused")
        self.assertIn(intervention.debtor_url, intervention.mail_id.body_html)
        self.assertIn(f"/collect/{self.link.id}?access_token=", intervention.debtor_url)

    def test_a_company_step_carries_the_company_link(self):
        self.run_escalation()
        intervention = self.interventions(self.customer)
        self.assertEqual(intervention.identity, "company")
        link = intervention.debtor_link_id
        self.assertTrue(link)
        self.assertFalse(link.brand_id)
        self.assertNotEqual(link, self.link)
        self.assertGreaterEqual(len(link.access_token), 43, "256 bits, URL-safe")
        self.assertIn(intervention.debtor_url, intervention.mail_id.body_html)

    def test_letter_prints_the_link_and_a_qr_code(self):
        self.give_postal_addresses(self.customer)
        self.step_agency.write({"channel": "letter"})
        self.at_step(self.invoice_a, self.step_firm)
        self.run_escalation()
        letter = self.interventions(self.customer)
        self.assertEqual(letter.state, "to_send")
        text = pdf_text(letter.attachment_id.raw)
        self.assertIn(f"/collect/{self.link.id}", re.sub(r"\s+", "", text))
        self.assertIn("Pay, propose a payment plan or answer online", re.sub(r"\s+", " ", text))
        self.assertTrue(letter._debtor_qr_data_uri().startswith("data:image/png;base64,"))

    def test_revoked_link_is_replaced_on_the_next_intervention(self):
        self.link.with_user(self.manager).action_revoke()
        self.at_step(self.invoice_a, self.step_firm)
        self.run_escalation()
        intervention = self.interventions(self.customer)
        self.assertTrue(intervention.debtor_link_id)
        self.assertNotEqual(intervention.debtor_link_id, self.link)
        self.assertEqual(intervention.debtor_link_id.state, "valid")


@tagged("post_install", "-at_install")
class TestDebtorPage(DebtorPageCommon):
    def test_page_shows_the_claim_under_the_brand(self):
        response = self.open_page()
        html = response.text
        for text in (self.invoice_a.name, self.invoice_b.name, "Recouvrement Test", "+33 4 72 00 00 00"):
            self.assertIn(text, html)
        self.assertIn("Agence agréée, RCS Lyon 123 456 789", html)
        self.assertIn("your creditor", html)
        self.assertNotIn(self.foreign_invoice.name, html)
        self.assertRegex(html, r"1[,\s\xa0]000[.,]00", "the total of the two invoices")
        view = self.env["kreancia.debtor.action"].search([("link_id", "=", self.link.id), ("action", "=", "view")])
        self.assertEqual(len(view), 1)
        self.assertEqual(view.ip_address, "127.0.0.1")

    def test_page_speaks_the_customers_language(self):
        self.customer.lang = "fr_FR"
        html = self.open_page().text
        self.assertIn('lang="fr-FR"', html)

    def test_wrong_token_expired_and_revoked_links_are_refused(self):
        self.assertEqual(self.url_open(self.page_url(token="x" * 43)).status_code, 404)
        self.assertEqual(self.url_open(f"/collect/{self.link.id}").status_code, 404)
        self.assertEqual(self.url_open(self.page_url(token=self.link_2.access_token)).status_code, 404)
        self.link.expiry_date = fields.Date.context_today(self.link) - timedelta(days=1)
        response = self.url_open(self.page_url())
        self.assertEqual(response.status_code, 410)
        self.assertIn("This link has expired", response.text)
        self.assertIn("+33 4 72 00 00 00", response.text, "the contact to reach")
        self.assertNotIn(self.invoice_a.name, response.text)
        self.link.expiry_date = fields.Date.context_today(self.link) + timedelta(days=1)
        self.link.with_user(self.manager).action_revoke()
        response = self.url_open(self.page_url())
        self.assertEqual(response.status_code, 410)
        self.assertIn("This link has been withdrawn", response.text)
        response = self.url_open(self.page_url(path=f"/invoice/{self.invoice_a.id}"))
        self.assertEqual(response.status_code, 410)

    def test_only_the_managers_revoke(self):
        with self.assertRaises(AccessError):
            self.link.with_user(self.agent).action_revoke()
        self.assertFalse(self.link.revoked)

    def test_invoice_pdf_only_of_the_links_customer(self):
        response = self.url_open(self.page_url(path=f"/invoice/{self.invoice_a.id}"))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers["Content-Type"], "application/pdf")
        self.assertTrue(response.content.startswith(b"%PDF"))
        response = self.url_open(self.page_url(path=f"/invoice/{self.foreign_invoice.id}"))
        self.assertEqual(response.status_code, 404)

    def test_invoice_sent_by_odoo_downloads_as_it_was_sent(self):
        """The invoice's legal PDF (made by Odoo's Send & Print), not a copy rendered again."""
        sent = b"%PDF-1.4 the invoice as Odoo sent it"
        self.invoice_b.invoice_pdf_report_file = base64.b64encode(sent)
        self.assertTrue(self.invoice_b.invoice_pdf_report_id)
        response = self.url_open(self.page_url(path=f"/invoice/{self.invoice_b.id}"))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.content, sent)
        self.assertIn(self.invoice_b.name.replace("/", "-"), response.headers["Content-Disposition"])

    def test_too_many_requests_are_refused(self):
        self.env["kreancia.debtor.action"].sudo().create(
            [{"link_id": self.link.id, "action": "callback", "ip_address": "10.0.0.1"} for _i in range(20)]
        )
        before = self.customer.activity_ids
        response = self.post_form("/callback", {"when": f"{self.in_days(2)}T10:00", "phone": "0612345678"})
        self.assertEqual(response.status_code, 429)
        self.assertEqual(self.customer.activity_ids, before)


@tagged("post_install", "-at_install")
class TestDebtorActions(DebtorPageCommon):
    def test_plan_within_the_limits_becomes_a_commitment(self):
        response = self.post_form(
            "/plan",
            {
                "invoice_ids": [self.invoice_a.id, self.invoice_b.id],
                "date_1": self.in_days(10),
                "amount_1": "500",
                "date_2": self.in_days(40),
                "amount_2": "500,00",
            },
        )
        self.assertEqual(response.status_code, 303, response.text[:300])
        self.assertIn("done=commitment", response.headers["Location"])
        commitment = self.env["kreancia.commitment"].search([("partner_id", "=", self.customer.id)])
        self.assertEqual(commitment.line_ids.mapped("amount"), [500.0, 500.0])
        self.assertEqual(commitment.user_id, self.agent)
        self.assertEqual((self.invoice_a | self.invoice_b).mapped("dunning_state"), ["promised", "promised"])
        action = self.requests_recorded()
        self.assertEqual(action.action, "plan")
        self.assertEqual(action.commitment_id, commitment)
        self.assertEqual(action.ip_address, "127.0.0.1")
        note = self.customer.message_ids.filtered(lambda msg: "Debtor page: Proposed a payment plan" in msg.body)
        self.assertIn("127.0.0.1", note.body)

    def test_plan_beyond_the_limits_waits_for_an_agent(self):
        response = self.post_form(
            "/plan",
            {
                "invoice_ids": [self.invoice_a.id],
                "date_1": self.in_days(30),
                "amount_1": "50",
                "date_2": self.in_days(150),
                "amount_2": "550",
                "message": "Difficult months",
            },
        )
        self.assertIn("done=proposal", response.headers["Location"])
        self.assertFalse(self.env["kreancia.commitment"].search([("partner_id", "=", self.customer.id)]))
        proposal = self.env["kreancia.plan.proposal"].search([("partner_id", "=", self.customer.id)])
        self.assertEqual(proposal.state, "pending")
        self.assertIn("first instalment", proposal.problems)
        self.assertIn("later than", proposal.problems)
        # the agent's call task shows in My Calls
        worklist = self.env["kreancia.worklist"].with_user(self.agent).search([("partner_id", "=", self.customer.id)])
        self.assertIn("Payment plan proposed on the debtor page: accept or refuse", worklist.mapped("summary"))
        proposal.with_user(self.agent).action_accept()
        self.assertEqual(proposal.state, "accepted")
        self.assertEqual(proposal.commitment_id.line_ids.mapped("amount"), [50.0, 550.0])
        self.assertEqual(self.invoice_a.dunning_state, "promised")
        answer = self.env["mail.mail"].search([("subject", "like", "Your payment plan proposal")])
        self.assertEqual(answer.recipient_ids.email, "compta@boulangerie.example.com")
        self.assertIn("We accept the payment plan you proposed", answer.body_html)
        self.assertFalse(proposal.activity_id.exists() and proposal.activity_id.active)

    def test_refused_proposal_tells_the_debtor(self):
        proposal = self.link._propose_plan(self.invoice_a, [(self.today_plus(200), 600.0)], "", "10.0.0.1")
        proposal.with_user(self.agent).action_refuse()
        self.assertEqual(proposal.state, "refused")
        answer = self.env["mail.mail"].search([("subject", "like", "Your payment plan proposal")])
        self.assertIn("we cannot accept the payment plan", answer.body_html)
        self.assertEqual(self.invoice_a.dunning_state, "none")

    def today_plus(self, days):
        # the real date: the page checks plans and links against the real today
        return fields.Date.context_today(self.link) + timedelta(days=days)

    def test_bad_plans_are_refused_and_write_nothing(self):
        cases = [
            ({"invoice_ids": [self.invoice_a.id], "date_1": self.in_days(10), "amount_1": "100"}, "add up to"),
            ({"invoice_ids": [self.invoice_a.id], "date_1": self.in_days(-3), "amount_1": "600"}, "in the past"),
            ({"invoice_ids": [self.foreign_invoice.id], "date_1": self.in_days(10), "amount_1": "900"}, "cannot be"),
            ({"invoice_ids": ["abc"], "date_1": self.in_days(10), "amount_1": "900"}, "cannot be"),
        ]
        for data, message in cases:
            response = self.post_form("/plan", data)
            self.assertEqual(response.status_code, 400, data)
            self.assertIn(message, response.text)
        self.assertFalse(self.requests_recorded())
        self.assertFalse(self.env["kreancia.commitment"].search([("partner_id", "in", self.customer.ids)]))
        self.assertFalse(self.env["kreancia.plan.proposal"].search([]))
        self.assertEqual(self.foreign_invoice.dunning_state, "none")

    def test_post_without_csrf_token_is_refused(self):
        response = self.post_form(
            "/plan",
            {"invoice_ids": [self.invoice_a.id], "date_1": self.in_days(10), "amount_1": "600"},
            csrf=False,
        )
        self.assertIn(response.status_code, (400, 403))
        self.assertFalse(self.requests_recorded())

    def test_dispute_pauses_the_invoice_and_tasks_the_collector(self):
        response = self.post_form(
            "/dispute",
            {"invoice_id": self.invoice_b.id, "reason": "quality", "message": "Broken on delivery"},
            files={"attachment": ("photo.pdf", PDF_BYTES, "application/pdf")},
        )
        self.assertIn("done=dispute", response.headers["Location"])
        self.assertTrue(self.invoice_b.dunning_dispute)
        self.assertEqual(self.invoice_b.dunning_state, "disputed")
        self.assertIn("Broken on delivery", self.invoice_b.dunning_dispute_note)
        self.assertFalse(self.invoice_a.dunning_dispute)
        action = self.requests_recorded()
        self.assertEqual(action.attachment_ids.mimetype, "application/pdf")
        self.assertEqual(action.activity_id.user_id, self.agent)
        self.assertIn(self.invoice_b.name, action.activity_id.summary)

    def test_dispute_of_another_customers_invoice_or_a_bad_file_is_refused(self):
        response = self.post_form(
            "/dispute", {"invoice_id": self.foreign_invoice.id, "reason": "quality", "message": "Not mine"}
        )
        self.assertEqual(response.status_code, 400)
        response = self.post_form(
            "/dispute",
            {"invoice_id": self.invoice_b.id, "reason": "quality", "message": "See file"},
            files={"attachment": ("script.html", b"<html><script>alert(1)</script></html>", "text/html")},
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("Send a PDF, PNG or JPEG document.", response.text)
        self.assertFalse(self.foreign_invoice.dunning_dispute or self.invoice_b.dunning_dispute)
        self.assertFalse(self.requests_recorded())
        self.assertFalse(self.env["ir.attachment"].search([("name", "=", "script.html")]))

    def test_declared_payment_pauses_dunning_and_tasks_the_collector(self):
        self.company.kreancia_declared_payment_pause_days = 5
        response = self.post_form(
            "/declare",
            {
                "invoice_ids": [self.invoice_a.id, self.invoice_b.id],
                "payment_date": self.in_days(-1),
                "amount": "1000",
                "reference": "VIR-123",
            },
            files={"attachment": ("proof.pdf", PDF_BYTES, "application/pdf")},
        )
        self.assertIn("done=declared_payment", response.headers["Location"])
        today = fields.Date.context_today(self.link)
        self.assertEqual(self.invoice_a.dunning_pause_until, today + timedelta(days=5))
        self.assertEqual(self.invoice_a.dunning_state, "paused")
        action = self.requests_recorded()
        self.assertIn("VIR-123", action.description)
        self.assertEqual(action.activity_id.activity_type_id, self.env.ref("mail.mail_activity_data_todo"))

    def test_callback_request_is_a_call_task_in_my_calls(self):
        response = self.post_form(
            "/callback", {"when": f"{self.in_days(2)}T10:30", "phone": "06 12 34 56 78", "message": "After 10"}
        )
        self.assertIn("done=callback", response.headers["Location"])
        worklist = self.env["kreancia.worklist"].with_user(self.agent).search([("partner_id", "=", self.customer.id)])
        self.assertEqual(len(worklist), 1)
        self.assertIn("Call back requested on the debtor page", worklist.summary)
        self.assertEqual(worklist.date_deadline, fields.Date.to_date(self.in_days(2)))
        response = self.post_form("/callback", {"when": f"{self.in_days(-2)}T10:30", "phone": "0612345678"})
        self.assertEqual(response.status_code, 400)


@tagged("post_install", "-at_install")
class TestDebtorPayment(DebtorPageCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.provider = cls.demo_provider(cls.env, cls.company)

    def transaction(self, selection, amount):
        return self.make_jsonrpc_request(
            f"/collect/{self.link.id}/transaction/{selection}",
            {
                "access_token": self.link.access_token,
                "provider_id": self.provider.id,
                "payment_method_id": self.env.ref("payment_demo.payment_method_demo").id,
                "token_id": None,
                "amount": amount,
                "flow": "direct",
                "tokenization_requested": False,
                "landing_route": self.page_url() + "&done=paid",
                "is_validation": False,
            },
        )

    def test_pay_page_offers_the_demo_provider_for_the_selection(self):
        response = self.post_form("/pay", {"invoice_ids": [self.invoice_a.id]})
        self.assertEqual(response.status_code, 200, response.text[:300])
        self.assertIn('id="o_payment_form"', response.text)
        self.assertIn(f"/collect/{self.link.id}/transaction/{self.invoice_a.id}", response.text)
        self.assertIn('data-amount="600.0"', response.text, "the amount the selection owes, computed by the server")
        response = self.post_form("/pay", {"invoice_ids": [self.foreign_invoice.id]})
        self.assertEqual(response.status_code, 400)

    def test_tampered_amount_or_foreign_invoice_is_refused(self):
        with self.assertRaisesRegex(JsonRpcException, "ValidationError"):
            self.transaction(str(self.invoice_a.id), 1.0)
        with self.assertRaisesRegex(JsonRpcException, "ValidationError"):
            self.transaction(f"{self.invoice_a.id}-{self.foreign_invoice.id}", 1500.0)
        self.assertFalse(self.env["payment.transaction"].search([("partner_id", "=", self.customer.id)]))

    def test_paid_invoice_leaves_the_scenario(self):
        self.at_step(self.invoice_a, self.step_courteous)
        self.transaction(str(self.invoice_a.id), 600.0)
        tx = self.env["payment.transaction"].search([("partner_id", "=", self.customer.id)])
        self.assertEqual(tx.invoice_ids, self.invoice_a)
        self.make_jsonrpc_request(
            "/payment/demo/simulate_payment",
            {"reference": tx.reference, "payment_details": "4242", "simulated_state": "done"},
        )
        tx._post_process()
        self.assertIn(self.invoice_a.payment_state, ("paid", "in_payment"))
        self.assertEqual(self.invoice_a.dunning_state, "done")
        self.assertEqual(self.invoice_b.payment_state, "not_paid")
        self.assertEqual(self.requests_recorded().action, "payment")
        self.run_escalation(days=40)
        self.assertNotIn(self.invoice_a, self.interventions(self.customer).move_ids)
        self.assertIn(self.invoice_b, self.interventions(self.customer).move_ids)
