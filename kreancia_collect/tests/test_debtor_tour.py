from odoo.tests import tagged

from .test_debtor_page import DebtorPageCommon


@tagged("post_install", "-at_install")
class TestDebtorTour(DebtorPageCommon):
    def test_debtor_proposes_a_plan_and_disputes_an_invoice(self):
        self.at_step(self.invoice_a, self.step_firm)
        self.run_escalation()
        intervention = self.interventions(self.customer)
        # the debtor follows the link of the e-mail it received
        url = intervention.debtor_url.removeprefix(self.env["ir.config_parameter"].sudo().get_param("web.base.url"))
        self.assertIn(url.split("?")[0], intervention.mail_id.body_html)
        self.start_tour(url, "kreancia_debtor_plan_dispute_tour")
        commitment = self.env["kreancia.commitment"].search([("partner_id", "=", self.customer.id)])
        self.assertEqual(commitment.move_ids, self.invoice_a)
        self.assertEqual(commitment.line_ids.mapped("amount"), [300.0, 300.0])
        self.assertEqual(self.invoice_a.dunning_state, "promised")
        self.assertEqual(self.invoice_b.dunning_state, "disputed")
        self.assertIn("The quantity invoiced is wrong", self.invoice_b.dunning_dispute_note)
        actions = self.requests_recorded(intervention.debtor_link_id)
        self.assertEqual(sorted(actions.mapped("action")), ["dispute", "plan"])

    def test_debtor_pays_online_with_the_demo_provider(self):
        self.demo_provider(self.env, self.company)
        self.start_tour(self.page_url(), "kreancia_debtor_pay_tour")
        self.assertIn(self.invoice_a.payment_state, ("paid", "in_payment"))
        self.assertEqual(self.invoice_b.payment_state, "not_paid")
