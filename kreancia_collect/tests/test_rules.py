import contextlib
from datetime import timedelta
from unittest.mock import patch

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from odoo.addons.kreancia_collect.models.kreancia_escalation import KreanciaEscalation

from .common import KreanciaCommon


@tagged("post_install", "-at_install")
class TestRules(KreanciaCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.strict = cls.scenario.copy({"name": "Strict", "is_default": False, "trust": "bad"})
        cls.vip = cls.scenario.copy({"name": "VIP", "is_default": False})
        cls.lenient = cls.scenario.copy({"name": "Lenient", "is_default": False})

    def test_scenario_precedence(self):
        invoice = self.make_invoice(self.customer, 5)
        self.assertEqual(invoice.dunning_effective_scenario_id, self.scenario, "company default")
        self.customer.with_company(self.company).trust = "bad"
        invoice.invalidate_recordset()
        self.assertEqual(invoice.dunning_effective_scenario_id, self.strict, "payer segment's scenario")
        self.customer.dunning_scenario_id = self.vip
        invoice.invalidate_recordset()
        self.assertEqual(invoice.dunning_effective_scenario_id, self.vip, "customer override")
        invoice.dunning_scenario_id = self.lenient
        self.assertEqual(invoice.dunning_effective_scenario_id, self.lenient, "invoice override")
        self.run_escalation()
        self.assertEqual(self.interventions(self.customer).scenario_id, self.lenient)

    def test_dispute_pauses_and_lifting_resumes_without_replay(self):
        invoice = self.make_invoice(self.customer, 1)
        self.run_escalation()
        self.assertEqual(invoice.dunning_step_id, self.step_courteous)
        invoice.write({"dunning_dispute": True, "dunning_dispute_note": "Goods returned"})
        self.assertEqual(invoice.dunning_state, "disputed")
        self.assertEqual(self.run_escalation(days=20), {}, "a disputed invoice is not dunned")
        invoice.dunning_dispute = False
        self.assertEqual(invoice.dunning_state, "running")
        self.run_escalation(days=21)
        self.assertEqual(invoice.dunning_step_id, self.step_firm, "next step only, the missed one is not replayed")
        self.assertEqual(self.run_escalation(days=22), {}, "and the minimum gap applies again")

    def test_customer_pause_until_a_date(self):
        invoice = self.make_invoice(self.customer, 3)
        with self.assertRaisesRegex(ValidationError, "reason"):
            self.customer.dunning_pause_until = self.today + timedelta(days=5)
        self.customer.write({"dunning_pause_until": self.today + timedelta(days=5), "dunning_pause_reason": "Holidays"})
        self.assertEqual(invoice.dunning_state, "paused")
        self.assertEqual(self.run_escalation(days=5), {}, "paused through the last day")
        preview = self.env["kreancia.escalation"].plan((self.today + timedelta(days=6)).isoformat())
        self.assertEqual([plan["partner_id"] for plan in preview], [self.customer.id], "the preview sees the pause end")
        self.run_escalation(days=6)
        self.assertFalse(self.customer.dunning_pause_until, "an expired pause ends by itself")
        self.assertEqual(invoice.dunning_step_id, self.step_courteous)

    def test_invoice_pause_and_minimum_amount(self):
        paused = self.make_invoice(self.customer, 3)
        paused.write(
            {"dunning_pause_until": self.today + timedelta(days=2), "dunning_pause_reason": "Promise by phone"}
        )
        small = self.make_invoice(self.customer_2, 3, 20)
        self.scenario.min_amount = 50
        self.assertEqual(self.run_escalation(), {})
        self.assertEqual(paused.dunning_state, "paused")
        self.assertFalse(small.dunning_step_id, "below the scenario's minimum amount")

    def test_minimum_gap_between_two_interventions_to_a_customer(self):
        self.make_invoice(self.customer, 0)
        self.run_escalation()
        newer = self.make_invoice(self.customer, -1)
        self.assertEqual(self.run_escalation(days=1), {}, "the customer was reminded yesterday")
        self.run_escalation(days=3)
        self.assertEqual(newer.dunning_step_id, self.step_courteous)

    def test_preview_changes_nothing(self):
        invoice = self.make_invoice(self.customer, 9, 640)
        self.make_invoice(self.customer_2, 2, 100)
        preview = self.env["kreancia.escalation.preview"].create({"date": self.today})
        preview.action_compute()
        self.assertEqual(preview.customer_count, 2)
        self.assertEqual(preview.invoice_count, 2)
        line = preview.line_ids.filtered(lambda line: line.partner_id == self.customer)
        self.assertEqual((line.step_id, line.channel, line.amount), (self.step_courteous, "email", 640))
        self.assertFalse(self.interventions())
        self.assertFalse(invoice.dunning_step_id)
        preview.action_run()
        self.assertEqual(invoice.dunning_step_id, self.step_courteous)

    def test_set_current_step_for_onboarding(self):
        invoices = self.make_invoice(self.customer, 40) | self.make_invoice(self.customer_2, 40)
        wizard = (
            self.env["account.move.set.dunning.step"]
            .with_context(active_model="account.move", active_ids=invoices.ids)
            .create({"step_id": self.step_agency.id, "last_date": self.today - timedelta(days=10)})
        )
        self.assertEqual(wizard.scenario_id, self.scenario)
        wizard.action_apply()
        self.assertEqual(invoices.dunning_step_id, self.step_agency)
        self.assertEqual(set(invoices.mapped("dunning_state")), {"running"})
        self.run_escalation()
        self.assertEqual(set(self.interventions().mapped("step_id")), {self.step_manual}, "continues from there")

    def test_multi_currency_amounts(self):
        usd = self.company.currency_id
        eur = self.setup_other_currency("EUR", rounding=0.01, rates=[("2026-01-01", 2.0)])
        if usd == eur:
            self.skipTest("the company already works in EUR")
        self.make_invoice(self.customer, 3, 100)
        self.make_invoice(self.customer, 3, 300, currency_id=eur.id)
        self.run_escalation()
        intervention = self.interventions(self.customer)
        self.assertEqual(sorted(intervention.line_ids.mapped("amount_residual")), [100, 300])
        self.assertEqual(intervention.line_ids.currency_id, usd | eur)
        self.assertEqual(intervention.amount_total, 250, "100 + 300 EUR at 2 EUR per unit, in company currency")
        self.assertIn(" + ", intervention.total_due_display, "one total per currency")

    def test_interrupted_run_resumes_without_doing_anything_twice(self):
        self.make_invoice(self.customer, 4)
        self.make_invoice(self.customer_2, 4)
        Intervention = type(self.env["kreancia.intervention"])
        original = Intervention._perform
        calls = []

        def crash_on_second_batch(records):
            calls.append(records)
            if len(calls) == 2:
                raise KeyboardInterrupt("killed half-way")
            return original(records)

        with (
            patch.object(KreanciaEscalation, "BATCH_SIZE", 1),
            patch.object(Intervention, "_perform", crash_on_second_batch),
        ):
            with contextlib.suppress(KeyboardInterrupt):
                self.run_escalation()
        self.assertEqual(len(self.interventions()), 1, "the first batch stands, the second is undone")
        done_partner = self.interventions().partner_id
        counts = self.run_escalation()
        self.assertEqual(counts["interventions"], 1, "only what was not done")
        self.assertEqual(len(self.interventions(done_partner)), 1, "never twice")
        self.assertEqual(len(self.interventions()), 2)

    def test_a_template_error_fails_only_its_customer(self):
        self.template_courteous.subject = "Reminder {{ object.partner_id.ref.upper() }}"
        self.customer.ref = "C001"
        ok = self.make_invoice(self.customer, 2)
        self.make_invoice(self.customer_2, 2)
        counts = self.run_escalation()
        self.assertEqual((counts["done"], counts["failed"]), (1, 1))
        reminder = self.interventions(self.customer)
        self.assertEqual(reminder.mail_id.subject, f"Reminder C001 [{reminder.name}]")
        self.assertTrue(self.interventions(self.customer_2).error)
        self.assertEqual(ok.dunning_step_id, self.step_courteous)

    def test_manual_steps_validated_or_cancelled_in_bulk(self):
        first = self.make_invoice(self.customer, 40)
        second = self.make_invoice(self.customer_2, 40)
        (first | second)._dunning_write({"dunning_step_id": self.step_agency.id})
        self.run_escalation()
        pending = self.interventions()
        self.assertEqual(set(pending.mapped("state")), {"to_validate"})
        pending[0].with_user(self.manager).action_cancel()
        pending[1].with_user(self.manager).action_validate()
        self.assertEqual(sorted(pending.mapped("state")), ["cancelled", "done"])
        cancelled_invoice = pending[0].move_ids
        self.assertEqual(cancelled_invoice.dunning_step_id, self.step_agency, "a cancelled step is not performed")

    def test_scenario_without_template_or_brand_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "SMS template"):
            self.env["kreancia.scenario"].create(
                {"name": "Bad", "step_ids": [Command.create({"name": "SMS", "delay_days": 1, "channel": "sms"})]}
            )
        with self.assertRaisesRegex(ValidationError, "payment deadline"):
            self.env["kreancia.scenario"].create(
                {
                    "name": "Bad",
                    "step_ids": [
                        Command.create(
                            {"name": "Notice", "delay_days": 1, "channel": "formal_notice", "deadline_days": 0}
                        )
                    ],
                }
            )
