from odoo import fields
from odoo.tests import HttpCase, tagged

from .common import KreanciaCommon


@tagged("post_install", "-at_install")
class TestLettersTour(KreanciaCommon, HttpCase):
    def test_manager_marks_a_formal_notice_posted(self):
        customer = self._make_customer(
            "Tour Letter SARL", "compta@tour-letter.example.com", street="1 rue du Port", city="Marseille"
        )
        step = self.env["kreancia.scenario.step"].create(
            {"scenario_id": self.scenario.id, "name": "Notice", "delay_days": 45, "channel": "formal_notice"}
        )
        self.make_invoice(customer, 50, 900)._dunning_write({"dunning_step_id": self.step_manual.id})
        self.run_escalation()
        notice = self.interventions(customer)
        self.assertEqual((notice.step_id, notice.state), (step, "to_send"))
        self.start_tour(
            "/odoo/action-kreancia_collect.kreancia_intervention_action_to_send",
            "kreancia_letters_posted_tour",
            login="kc_manager",
        )
        self.assertEqual(notice.state, "done")
        self.assertEqual(notice.tracking_number, "1A 234 567 8901 2")
        # the real date: the dialog proposes the real today
        self.assertEqual(notice.posted_date, fields.Date.today(), "posted today by default")
