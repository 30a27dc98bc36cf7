from odoo import Command, fields
from odoo.tests import tagged

from .test_debtor_page import DebtorPageCommon

BRAND_EMAIL = "relances@agency.example.com"
COMPANY_EMAIL = "billing@creditor.example.com"


@tagged("post_install", "-at_install")
class TestDebtorIdentity(DebtorPageCommon):
    """Every message a debtor addressed under a brand receives comes under that brand, never the creditor's."""

    def mails(self, subject):
        return self.env["mail.mail"].search(
            [("model", "=", "res.partner"), ("res_id", "=", self.customer.id), ("subject", "like", subject)]
        )

    def recap_sms(self):
        return self.env["sms.sms"].search([("number", "=", "+33612345678")])

    def assert_under_brand(self, mail):
        self.assertEqual(len(mail), 1)
        self.assertIn(BRAND_EMAIL, mail.email_from)
        self.assertIn("Recouvrement Test", mail.email_from)
        self.assertIn(BRAND_EMAIL, mail.reply_to, "the debtor's answer goes to the brand")
        self.assertNotIn(COMPANY_EMAIL, f"{mail.email_from} {mail.reply_to} {mail.body_html}")
        self.assertNotIn(self.company.name, mail.subject)
        self.assertIn("Recouvrement Test", mail.subject)
        self.assertIn(f"on behalf of {self.company.name}, your creditor", mail.body_html)
        self.assertEqual(mail.author_id, self.brand_address, "filed in the chatter as the brand's")

    def assert_sms_under_brand(self):
        sms = self.recap_sms()
        self.assertEqual(len(sms), 1)
        self.assertEqual(self.env["sms.sms"].search([("body", "like", "as agreed")]), sms, "one SMS, to a number")
        self.assertEqual(sms.partner_id, self.customer.child_ids, "to the invoicing contact, at the number found")
        self.assertTrue(sms.body.startswith("Recouvrement Test: as agreed"), sms.body)
        self.assertNotIn(self.company.name, sms.body)

    def test_plan_on_the_brand_page_is_confirmed_under_the_brand(self):
        response = self.post_form(
            "/plan",
            {"invoice_ids": [self.invoice_a.id], "date_1": self.in_days(10), "amount_1": "600"},
        )
        self.assertIn("done=commitment", response.headers["Location"])
        recap = self.mails("Your payment commitment")
        self.assert_under_brand(recap)
        self.assertNotIn("our conversation", recap.body_html, "no conversation took place")
        self.assert_sms_under_brand()

    def test_accepted_proposal_is_one_email_under_the_brand(self):
        proposal = self.link._propose_plan(
            self.invoice_a,
            [(self.today_plus(30), 50.0), (self.today_plus(150), 550.0)],
            "Difficult months",
            "10.0.0.1",
        )
        proposal.with_user(self.agent).action_accept()
        self.assertEqual(proposal.commitment_id.brand_id, self.brand)
        sent = self.mails("Your ")
        self.assertEqual(len(sent), 1, "the answer is the confirmation: no second e-mail beside it")
        self.assert_under_brand(sent)
        self.assertIn("We accept the payment plan you proposed", sent.body_html)
        self.assert_sms_under_brand()

    def test_refused_proposal_is_answered_under_the_brand(self):
        proposal = self.link._propose_plan(self.invoice_a, [(self.today_plus(200), 600.0)], "", "10.0.0.1")
        proposal.with_user(self.agent).action_refuse()
        answer = self.mails("Your payment plan proposal")
        self.assert_under_brand(answer)
        self.assertIn("we cannot accept the payment plan", answer.body_html)

    def test_promise_on_a_call_under_the_brand_is_confirmed_under_it(self):
        result = (
            self.env["kreancia.call"]
            .with_user(self.agent)
            .log_call(
                self.customer.id,
                "promise",
                invoice_ids=self.invoice_a.ids,
                instalments=[{"date": self.in_days(10), "amount": 600.0}],
                identity="brand",
                brand_id=self.brand.id,
            )
        )
        recap = self.mails("Your payment commitment")
        self.assert_under_brand(recap)
        self.assertIn("Thank you for our conversation", recap.body_html)
        self.assertEqual(self.env["kreancia.commitment"].browse(result["commitment_id"]).brand_id, self.brand)
        self.assert_sms_under_brand()

    def test_promise_on_a_call_in_the_companys_name_stays_the_companys(self):
        self.env["kreancia.call"].with_user(self.agent).log_call(
            self.customer.id,
            "promise",
            invoice_ids=self.invoice_a.ids,
            instalments=[{"date": self.in_days(10), "amount": 600.0}],
        )
        recap = self.mails("Your payment commitment")
        self.assertIn(COMPANY_EMAIL, recap.email_from)
        self.assertNotIn("Recouvrement Test", f"{recap.email_from} {recap.subject} {recap.body_html}")
        self.assertTrue(self.recap_sms().body.startswith(f"{self.company.name}: as agreed"))

    def test_commitment_speaks_as_the_brand_the_customer_last_heard(self):
        self.give_postal_addresses(self.customer)
        self.at_step(self.invoice_a, self.step_firm)
        self.run_escalation()
        self.assertEqual(self.interventions(self.customer).brand_id, self.brand, "the agency wrote last")
        commitment = (
            self.env["kreancia.commitment"]
            .with_user(self.agent)
            .create(
                {
                    "partner_id": self.customer.id,
                    "move_ids": [Command.set(self.invoice_b.ids)],
                    "amount_total": 400.0,
                    "line_ids": [Command.create({"date": self.today_plus(10), "amount": 400.0})],
                }
            )
        )
        self.assertEqual(commitment.brand_id, self.brand)
        self.assert_under_brand(self.mails("Your payment commitment"))

    def test_tasks_tell_the_collector_which_name_to_answer_under(self):
        self.post_form("/callback", {"when": f"{self.in_days(2)}T10:30", "phone": "06 12 34 56 78"})
        task = self.requests_recorded().activity_id
        self.assertIn("Call back on", task.note)
        self.assertIn("The customer used the page of Recouvrement Test: answer under this name.", task.note)

    def today_plus(self, days):
        return fields.Date.to_date(self.in_days(days))
