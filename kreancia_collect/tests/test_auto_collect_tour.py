from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .test_debtor_page import DebtorPageCommon


@tagged("post_install", "-at_install")
class TestAutoPayTour(DebtorPageCommon):
    def test_debtor_opts_into_automatic_payment(self):
        provider = self.demo_provider(self.env, self.company)
        provider.allow_tokenization = True
        today = fields.Date.context_today(self.env["res.partner"])
        plan = self.link._create_commitment(
            self.invoice_a, [(today + timedelta(days=5), 300.0), (today + timedelta(days=35), 300.0)], self.agent
        )
        self.start_tour(self.page_url(), "kreancia_auto_pay_tour")
        self.assertEqual(plan.auto_method, "token")
        self.assertEqual(plan.payment_token_id.provider_id, provider)
        self.assertIn("4242", plan.payment_token_name)
        self.assertTrue(plan.payment_token_active)
        self.assertTrue(plan.auto_mandate_date)
        # what the agent reads on the commitment
        as_agent = plan.with_user(self.agent)
        self.assertEqual(as_agent.payment_token_name, plan.payment_token_name)
        self.assertEqual(as_agent.line_ids.mapped("charge_state"), ["none", "none"])
