from odoo.tests import HttpCase, tagged

from .common import KreanciaCommon


@tagged("post_install", "-at_install")
class TestAgentTour(KreanciaCommon, HttpCase):
    def test_agent_logs_a_promise_from_my_calls(self):
        customer = self._make_customer("Tour Customer SARL", "compta@tour.example.com", phone="+33 4 78 12 34 56")
        invoice = self.make_invoice(customer, 20, 1000)
        customer.activity_schedule("mail.mail_activity_data_call", user_id=self.agent.id, summary="Collection call")
        self.start_tour(
            "/odoo/action-kreancia_collect.kreancia_worklist_action", "kreancia_agent_promise_tour", login="kc_agent"
        )
        commitment = self.env["kreancia.commitment"].search([("partner_id", "=", customer.id)])
        self.assertEqual(commitment.state, "open")
        self.assertEqual(commitment.line_ids.mapped("amount"), [300, 300])
        self.assertEqual(commitment.call_id.outcome, "promise")
        self.assertEqual(commitment.user_id, self.agent)
        self.assertEqual(invoice.dunning_state, "promised")
