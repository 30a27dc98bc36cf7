from datetime import timedelta

from odoo import Command, fields
from odoo.tests import HttpCase, tagged

from .common import KreanciaCommon

SCRIPT = (
    "<p>Hello, this is {agent} from {speaker}, calling on behalf of {creditor} about {amount_due}. "
    "The oldest invoice is {oldest_invoice}. Previous promises: {promises}.</p>"
)


@tagged("post_install", "-at_install")
class TestCockpitTour(KreanciaCommon, HttpCase):
    def test_agent_calls_three_customers_with_save_and_next(self):
        self.scenario.write(
            {
                "step_ids": [
                    Command.create(
                        {
                            "name": "Agency call",
                            "delay_days": 20,
                            "channel": "call",
                            "identity": "brand",
                            "brand_id": self.brand.id,
                            "call_script": SCRIPT,
                            "retry_delay_days": 2,
                            "max_attempts": 3,
                        }
                    )
                ]
            }
        )
        call_type = self.env.ref("mail.mail_activity_data_call")
        today = fields.Date.context_today(self.env["res.partner"])  # the real date: the browser plans from it
        customers = {}
        for name, days, amount in (
            ("Tour Alpha SARL", 60, 1000.03),
            ("Tour Bravo SAS", 30, 2000),
            ("Tour Charlie EURL", 10, 500),
        ):
            customer = self._make_customer(name, f"compta@{name.split()[1].lower()}.example.com")
            customer.child_ids.phone = "+33 4 78 12 34 56"
            self.make_invoice(customer, days, amount)
            customer.activity_schedule(
                "mail.mail_activity_data_call", date_deadline=today, user_id=self.agent.id, summary="Collection call"
            )
            customers[name] = customer
        alpha, bravo, charlie = customers.values()

        self.start_tour(
            "/odoo/action-kreancia_collect.kreancia_worklist_action", "kreancia_cockpit_tour", login="kc_agent"
        )

        calls = self.env["kreancia.call"].search([("partner_id", "in", [c.id for c in customers.values()])])
        self.assertEqual(len(calls), 3)
        self.assertEqual(set(calls.mapped("identity")), {"brand"}, "the calls are made under the scenario's brand")
        self.assertEqual(calls.brand_id, self.brand)
        self.assertEqual(set(calls.mapped("user_id")), {self.agent})

        commitment = self.env["kreancia.commitment"].search([("partner_id", "=", alpha.id)])
        self.assertEqual(commitment.state, "open")
        self.assertEqual(commitment.line_ids.mapped("amount"), [500.01, 500.02])
        self.assertEqual(
            commitment.line_ids.mapped("date"),
            [today + timedelta(days=10), fields.Date.add(today + timedelta(days=10), months=1)],
        )
        self.assertFalse(alpha.activity_ids, "the promise closed Alpha's call task")

        callback = bravo.activity_ids
        self.assertEqual(len(callback), 1, "Bravo's task is done and a callback is planned")
        self.assertEqual(callback.activity_type_id, call_type)
        self.assertEqual(callback.date_deadline, today + timedelta(days=2))
        # the summary is written in the language the agent works in (the tour runs in English or French)
        self.assertIn(callback.summary, ("Call back at 14:30", "Rappeler à 14:30"))
        bravo_call = calls.filtered(lambda call: call.partner_id == bravo)
        self.assertEqual(bravo_call.outcome, "callback")
        self.assertEqual(bravo_call.note, "The accountant is back on Wednesday")

        retry = charlie.activity_ids
        self.assertEqual(len(retry), 1, "Charlie's task is done and a retry is planned")
        self.assertEqual(retry.date_deadline, today + timedelta(days=2), "after the call step's retry delay")
        self.assertIn(retry.summary, ("Call again (attempt 2 of 3)", "Rappeler (tentative 2 sur 3)"))
        self.assertEqual(retry.user_id, self.agent)
