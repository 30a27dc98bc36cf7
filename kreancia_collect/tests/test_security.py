from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import KreanciaCommon


@tagged("post_install", "-at_install")
class TestSecurity(KreanciaCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.setup_other_company(name="Company B")["company"]
        cls.user_b = new_test_user(
            cls.env,
            login="kc_manager_b",
            name="Manager B",
            groups="kreancia_collect.kreancia_collect_group_manager",
            company_id=cls.company_b.id,
            company_ids=[Command.set(cls.company_b.ids)],
        )

    def test_agent_cannot_edit_scenarios_or_brands(self):
        scenario = self.scenario.with_user(self.agent)
        self.assertEqual(scenario.name, "Test scenario", "agents read scenarios")
        with self.assertRaises(AccessError):
            scenario.write({"min_gap_days": 10})
        with self.assertRaises(AccessError):
            self.env["kreancia.scenario"].with_user(self.agent).create({"name": "Mine"})
        with self.assertRaises(AccessError):
            self.brand.with_user(self.agent).write({"name": "Renamed"})
        self.scenario.with_user(self.manager).write({"min_gap_days": 10})
        self.assertEqual(self.scenario.min_gap_days, 10)

    def test_agent_cannot_run_or_validate(self):
        self.make_invoice(self.customer, 35)
        with self.assertRaises(AccessError):
            self.run_escalation(user=self.agent)
        self.run_escalation(user=self.manager)
        pending = self.make_invoice(self.customer_2, 40)
        pending._dunning_write({"dunning_step_id": self.step_agency.id})
        self.run_escalation(days=3, user=self.manager)
        intervention = self.interventions(self.customer_2)
        self.assertEqual(intervention.state, "to_validate")
        with self.assertRaises(AccessError):
            intervention.with_user(self.agent).action_validate()
        self.assertEqual(intervention.state, "to_validate")

    def test_company_b_sees_nothing_of_company_a(self):
        self.make_invoice(self.customer, 5)
        self.run_escalation()
        self.assertTrue(self.interventions())
        env_b = self.env(user=self.user_b)
        self.assertFalse(env_b["kreancia.scenario"].search([]).filtered(lambda s: s.company_id == self.company))
        self.assertFalse(env_b["kreancia.scenario"].search([("company_id", "=", self.company.id)]))
        self.assertFalse(env_b["kreancia.intervention"].search([]))
        self.assertFalse(env_b["kreancia.brand"].search([]))
        with self.assertRaises(AccessError):
            self.scenario.with_user(self.user_b).read(["name"])

    def test_run_touches_only_its_companies(self):
        invoice = self.make_invoice(self.customer, 5)
        counts = self.env(user=self.user_b)["kreancia.escalation"].run(today=self.today)
        self.assertFalse(any(counts.values()), counts)
        self.assertFalse(invoice.dunning_step_id)
