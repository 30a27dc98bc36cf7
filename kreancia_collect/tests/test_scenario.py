from psycopg2 import IntegrityError

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import KreanciaCommon


@tagged("post_install", "-at_install")
class TestScenario(KreanciaCommon):
    def test_default_scenario_needs_steps(self):
        self.scenario.is_default = False
        self.env.flush_all()
        with self.assertRaisesRegex(ValidationError, "has no step"):
            self.env["kreancia.scenario"].create({"name": "Empty", "is_default": True})
        scenario = self.env["kreancia.scenario"].create({"name": "Empty, not default"})
        self.assertFalse(scenario.step_ids)

    def test_removing_last_step_of_default_is_refused(self):
        with self.assertRaises(ValidationError) as refused:
            self.scenario.write({"step_ids": [Command.clear()]})
        self.assertIn("has no step", str(refused.exception))
        self.assertEqual(len(self.scenario.step_ids), 4)

    @mute_logger("odoo.sql_db")
    def test_two_steps_with_the_same_delay(self):
        with self.assertRaises(IntegrityError), self.cr.savepoint():
            self.env["kreancia.scenario.step"].create(
                {
                    "scenario_id": self.scenario.id,
                    "name": "Duplicate",
                    "delay_days": 7,
                    "channel": "email",
                    "mail_template_id": self.template_firm.id,
                }
            )

    def test_email_step_needs_template(self):
        with self.assertRaisesRegex(ValidationError, "needs an e-mail template"):
            self.env["kreancia.scenario.step"].create(
                {"scenario_id": self.scenario.id, "name": "No template", "delay_days": 45, "channel": "email"}
            )

    def test_brand_identity_needs_brand(self):
        with self.assertRaisesRegex(ValidationError, "choose the brand"):
            self.step_firm.write({"identity": "brand"})

    @mute_logger("odoo.sql_db")
    def test_one_default_per_company(self):
        with self.assertRaises(IntegrityError), self.cr.savepoint():
            self.scenario.copy({"name": "Second default", "is_default": True})
        other = self.scenario.copy({"name": "Not default", "is_default": False})
        self.assertEqual(len(other.step_ids), 4, "steps are copied with the scenario")

    def test_levels_follow_delays(self):
        self.assertEqual(self.scenario.step_ids.sorted("delay_days").mapped("sequence"), [1, 2, 3, 4])
        self.env["kreancia.scenario.step"].create(
            {
                "scenario_id": self.scenario.id,
                "name": "Courtesy",
                "delay_days": -3,
                "channel": "email",
                "mail_template_id": self.template_courteous.id,
            }
        )
        self.assertEqual(self.scenario.step_ids.sorted("delay_days").mapped("sequence"), [1, 2, 3, 4, 5])
        self.assertEqual(self.step_courteous.sequence, 2)
