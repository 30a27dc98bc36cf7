import json
import re
from datetime import timedelta
from pathlib import Path

from odoo import Command, fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from ..external_api import to_date
from ..models.kreancia_escalation import PlannedIntervention
from .common import KreanciaCommon

ADDONS = Path(__file__).parents[2]
CONTEXT_KEY = re.compile(r"""context\.get\(\s*["'](kreancia_\w+)|with_context\([^)]*?\b(kreancia_\w+)\s*=""")


@tagged("post_install", "-at_install")
class TestCallLogic(KreanciaCommon):
    """One way to log a call: the call dialog and the external API give the same call, through the model."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.call_step = cls.env["kreancia.scenario.step"].create(
            {"scenario_id": cls.scenario.id, "name": "Agency call", "delay_days": 20, "channel": "call"}
        )
        cls.customer.write({"country_id": cls.env.ref("base.fr").id})
        cls.customer.child_ids.phone = "06 12 34 56 78"
        cls.foreign = cls.setup_other_currency("CHF", rates=[("2000-01-01", 2.0)])

    def wizards(self):
        return self.env["kreancia.call.log"].sudo().search_count([])

    def test_api_and_dialog_log_the_same_call_without_a_wizard(self):
        invoices = self.make_invoice(self.customer, 25, 1000) | self.make_invoice(
            self.customer, 25, 300, currency_id=self.foreign.id
        )
        self.at_step(invoices, self.call_step)
        before = self.wizards()
        Call = self.env(user=self.agent)["kreancia.call"]
        # the real date: a promise may not fall before the real today
        first = fields.Date.context_today(Call) + timedelta(days=5)
        result = Call.log_call(
            partner_id=self.customer.id,
            outcome="promise",
            note="Pays in May",
            instalments=[{"date": first.isoformat(), "amount": "650"}],
        )
        self.assertEqual(self.wizards(), before, "the API builds no call dialog")
        by_api = Call.browse(result["call_id"])

        dialog = self.env(user=self.agent)["kreancia.call.log"].create(
            {
                "partner_id": self.customer.id,
                "outcome": "promise",
                "identity": "company",
                "instalment_ids": [Command.create({"date": first, "amount": 650})],
            }
        )
        by_dialog, _commitment = dialog._log()

        for call in (by_api, by_dialog):
            self.assertEqual(call.contact_id, self.customer.child_ids, "the invoicing contact, who has a phone")
            self.assertEqual(call.phone_e164, "+33612345678")
            self.assertEqual(call.move_ids, invoices, "the overdue invoices, whatever their currency")
            self.assertEqual(call.step_id, self.call_step)
            self.assertEqual(call.commitment_ids.line_ids.mapped("amount"), [650.0])
            self.assertEqual(call.commitment_ids.line_ids.date, first)
        self.assertEqual(result["commitment_id"], by_api.commitment_ids.id)

    def test_the_api_refuses_promises_as_the_dialog_does(self):
        self.make_invoice(self.customer, 25, 1000)
        Call = self.env(user=self.agent)["kreancia.call"].with_context(lang="fr_FR")
        yesterday = fields.Date.context_today(Call) - timedelta(days=1)
        with self.assertRaisesRegex(ValidationError, str(yesterday.day)):
            Call.log_call(
                partner_id=self.customer.id, outcome="promise", instalments=[{"date": str(yesterday), "amount": 5}]
            )
        with self.assertRaisesRegex(UserError, "Saisissez les dates et montants de paiement promis"):
            Call.log_call(partner_id=self.customer.id, outcome="promise")
        with self.assertRaisesRegex(UserError, "doit avoir une date"):
            Call.log_call(
                partner_id=self.customer.id, outcome="promise", instalments=[{"date": "2030-01-01", "amount": "x"}]
            )
        self.assertFalse(self.env["kreancia.call"].search([("partner_id", "=", self.customer.id)]))

    def test_dates_from_an_external_caller(self):
        records = self.env["kreancia.call"].with_context(lang="fr_FR")
        self.assertEqual(to_date(records, "2026-06-15"), fields.Date.to_date("2026-06-15"))
        self.assertEqual(to_date(records, None), fields.Date.context_today(records))
        with self.assertRaisesRegex(UserError, "demain n'est pas une date"):
            to_date(records, "demain")

    def test_plans_travel_as_keyed_data(self):
        invoice = self.make_invoice(self.customer, 8, 420, currency_id=self.foreign.id)
        [planned] = [
            plan for plan in self.env["kreancia.escalation"]._plan(self.today) if plan.partner_id == self.customer.id
        ]
        data = json.loads(json.dumps(planned.to_data()))
        self.assertEqual(data["lines"][0]["move_id"], invoice.id)
        self.assertEqual(data["lines"][0]["residual"], 420.0)
        self.assertEqual(data["lines"][0]["residual_company"], 210.0)
        self.assertEqual(data["lines"][0]["due_date"], invoice.invoice_date_due.isoformat())
        steps = {self.step_courteous.id: self.step_courteous}
        again = PlannedIntervention.from_data(data, steps)
        self.assertEqual(again.step, planned.step)
        self.assertEqual(again.lines, planned.lines)
        self.assertEqual((again.partner_id, again.one_voice, again.credit), (self.customer.id, True, 0.0))
        self.assertIsNone(PlannedIntervention.from_data(data, {}), "its step deleted since: nothing to perform")

    def test_every_context_key_is_documented(self):
        develop = (ADDONS / "kreancia_collect/readme/DEVELOP.md").read_text()
        self.assertIn("## Context keys", develop)
        section = develop.split("## Context keys", 1)[1].split("\n## ", 1)[0]
        keys = set()
        for addon in ("kreancia_collect", "kreancia_collect_queue_job"):
            for path in (ADDONS / addon).rglob("*.py"):
                if "tests" not in path.parts:
                    keys |= {key for match in CONTEXT_KEY.findall(path.read_text()) for key in match if key}
        self.assertGreaterEqual(len(keys), 10)
        self.assertEqual(sorted(key for key in keys if f"`{key}`" not in section), [], "undocumented context keys")
