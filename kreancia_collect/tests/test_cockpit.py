import json
from datetime import datetime, timedelta

from markupsafe import escape

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged
from odoo.tools import format_amount, format_date

from .common import KreanciaCommon, pdf_text

SCRIPT = "<p>{speaker} for {creditor}: {amount_due} owed, oldest {oldest_invoice}; promises: {promises}.</p>"


@tagged("post_install", "-at_install")
class TestCockpit(KreanciaCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.call_step = cls.env["kreancia.scenario.step"].create(
            {
                "scenario_id": cls.scenario.id,
                "name": "Agency call",
                "delay_days": 20,
                "channel": "call",
                "identity": "brand",
                "brand_id": cls.brand.id,
                "call_script": SCRIPT,
                "retry_delay_days": 2,
                "max_attempts": 2,
            }
        )
        cls.customer.write({"country_id": cls.env.ref("base.fr").id, "phone": "04 78 12 34 56"})
        cls.call_type = cls.env.ref("mail.mail_activity_data_call")
        # the real date: the call dialog refuses promises and call-backs before the real today
        cls.real_today = fields.Date.context_today(cls.env["res.partner"])

    def wizard(self, user=None, **values):
        env = self.env(user=user or self.agent)
        return env["kreancia.call.log"].create({"partner_id": self.customer.id, **values})

    def task(self, customer=None, user=None):
        return (customer or self.customer).activity_schedule(
            "mail.mail_activity_data_call",
            date_deadline=self.real_today,
            user_id=(user or self.agent).id,
            summary="Collection call",
        )

    # -- the call form ---------------------------------------------------

    def test_identity_and_script_come_from_the_customer_call_step(self):
        invoice = self.make_invoice(self.customer, 25, 1234.5)
        self.at_step(invoice, self.step_agency)
        wizard = self.wizard()
        self.assertEqual(wizard.step_id, self.call_step, "the next call step of the customer's scenario")
        self.assertEqual((wizard.identity, wizard.brand_id), ("brand", self.brand))
        self.assertEqual(wizard.speaker, "Recouvrement Test")
        self.assertIn("Recouvrement Test for " + self.company.name, wizard.script)
        self.assertIn(str(escape(format_amount(self.env, 1234.5, self.company.currency_id))), wizard.script)
        self.assertIn(invoice.name, wizard.script)
        self.assertIn("promises: none", wizard.script)
        self.customer_2.dunning_scenario_id = self.env["kreancia.scenario"].create(
            {
                "name": "No call",
                "company_id": self.company.id,
                "step_ids": [
                    Command.create(
                        {"name": "Mail", "delay_days": 5, "channel": "email", "mail_template_id": self.template_firm.id}
                    )
                ],
            }
        )
        self.make_invoice(self.customer_2, 25)
        other = self.wizard(partner_id=self.customer_2.id)
        self.assertFalse(other.step_id)
        self.assertEqual(other.identity, "company", "no call step: the company speaks")
        self.assertEqual(other.speaker, self.company.name)

    def test_script_placeholders_cannot_inject_html(self):
        self.customer.name = "<b>Evil</b> SARL"
        self.call_step.call_script = "<p>{customer}</p>"
        self.make_invoice(self.customer, 25)
        self.assertIn("&lt;b&gt;Evil", self.wizard().script)

    def test_first_date_fills_one_instalment_and_split_rounds_on_the_last(self):
        self.make_invoice(self.customer, 25, 1000.03)
        first = self.real_today + timedelta(days=5)
        with Form(
            self.env(user=self.agent)["kreancia.call.log"].with_context(default_partner_id=self.customer.id)
        ) as form:
            form.outcome = "promise"
            form.first_date = first
            self.assertEqual(len(form.instalment_ids), 1)
            self.assertEqual(form.instalment_ids.edit(0).amount, 1000.03)
            form.split_count = 3
            wizard = form.save()
        wizard.action_split()
        self.assertEqual(wizard.instalment_ids.mapped("amount"), [333.34, 333.34, 333.35])
        self.assertEqual(
            wizard.instalment_ids.mapped("date"),
            [first, fields.Date.add(first, months=1), fields.Date.add(first, months=2)],
        )
        call, commitment = wizard._log()
        self.assertEqual(commitment.amount_total, 1000.03)
        self.assertEqual(call.step_id, self.call_step)

    def test_bad_promises_are_refused_and_nothing_is_written(self):
        invoice = self.make_invoice(self.customer, 25, 900)
        wizard = self.wizard(outcome="promise", first_date=self.real_today, split_count=0)
        with self.refused(UserError, "at least one instalment"):
            wizard.action_split()
        for date, amount, message in (
            (self.real_today + timedelta(days=3), 0, "positive amount"),
            (self.real_today + timedelta(days=3), -50, "positive amount"),
            (self.real_today - timedelta(days=1), 100, "in the past"),
        ):
            wizard = self.wizard(
                outcome="promise",
                move_ids=[Command.set(invoice.ids)],
                instalment_ids=[Command.create({"date": date, "amount": amount})],
            )
            with self.refused(UserError, message):
                wizard.action_confirm()
        self.assertFalse(self.env["kreancia.call"].search([("partner_id", "=", self.customer.id)]))
        self.assertFalse(self.env["kreancia.commitment"].search([("partner_id", "=", self.customer.id)]))

    def test_duration_is_in_minutes(self):
        self.assertEqual(self.env["kreancia.call"]._fields["duration"].type, "integer")
        self.make_invoice(self.customer, 25)
        call, _commitment = self.wizard(outcome="reached", duration=7)._log()
        self.assertEqual(call.duration, 7)

    # -- follow-ups --------------------------------------------------------

    def test_callback_at_the_time_given(self):
        self.make_invoice(self.customer, 25)
        moment = datetime.combine(self.real_today + timedelta(days=1), datetime.min.time()) + timedelta(hours=9)
        call, _commitment = self.wizard(outcome="callback", callback_at=moment)._log()
        self.assertEqual(call.callback_at, moment)
        task = self.customer.activity_ids
        self.assertEqual(task.date_deadline, moment.date())
        self.assertEqual(task.summary, "Call back at 09:00")
        with self.refused(UserError, "in the past"):
            self.wizard(outcome="callback", callback_at=moment - timedelta(days=3))._log()

    def test_no_answer_retries_until_the_step_gives_up(self):
        invoice = self.make_invoice(self.customer, 25)
        self.at_step(invoice, self.call_step)
        self.task()
        self.wizard(outcome="no_answer", activity_id=self.customer.activity_ids.id)._log()
        retry = self.customer.activity_ids
        self.assertEqual(len(retry), 1, "the task is done, a retry replaces it")
        self.assertEqual(retry.date_deadline, self.real_today + timedelta(days=2))
        self.assertEqual(retry.summary, "Call again (attempt 2 of 2)")
        self.wizard(outcome="no_answer", activity_id=retry.id)._log()
        self.assertFalse(self.customer.activity_ids, "after the last attempt the call step is done")
        self.assertTrue(any("2 unanswered calls" in body for body in self.customer.message_ids.mapped("body")))
        self.wizard(outcome="reached")._log()
        self.wizard(outcome="no_answer")._log()
        self.assertEqual(len(self.customer.activity_ids), 1, "an answered call starts the count again")

    def test_wrong_number_flags_the_number(self):
        self.make_invoice(self.customer, 25)
        self.task()
        self.wizard(outcome="wrong_number", phone="04 78 12 34 99")._log()
        self.assertEqual(self.customer.dunning_wrong_phone, "04 78 12 34 99")
        self.customer.child_ids.phone = "04 78 12 34 99"
        self.task()
        row = self.env["kreancia.worklist"].search([("partner_id", "=", self.customer.id)])
        self.assertTrue(row.phone_wrong)
        self.assertTrue(self.wizard().phone_wrong)
        self.customer.action_dunning_clear_wrong_phone()
        self.env.invalidate_all()  # the view's rows were read before the customer changed
        self.assertFalse(self.env["kreancia.worklist"].search([("partner_id", "=", self.customer.id)]).phone_wrong)

    # -- My Calls ----------------------------------------------------------

    def test_my_calls_row_tells_the_agent_what_to_know(self):
        self.customer.child_ids.phone = "06 12 34 56 78"
        old = self.make_invoice(self.customer, 40, 300)
        disputed = self.make_invoice(self.customer, 10, 700)
        disputed.dunning_dispute = True
        self.task()
        self.wizard(outcome="voicemail")._log()
        row = self.env["kreancia.worklist"].search([("partner_id", "=", self.customer.id)])
        self.assertEqual(row.phone, "06 12 34 56 78")
        self.assertEqual(row.contact_id, self.customer.child_ids)
        self.assertEqual(row.contact_name, self.customer.child_ids.name)
        self.assertEqual(row.oldest_move_id, old)
        self.assertEqual(row.last_outcome, "voicemail")
        self.assertIn("Voicemail", row.last_contact)
        self.assertEqual(row.amount_overdue, 1000)
        self.assertEqual(row.dispute_count, 1)
        self.assertIn("amount 1.0", row.priority_explained)
        self.assertIn("days late", row.priority_explained)

    def test_save_and_next_follows_the_list_order_and_filters(self):
        others = [self._make_customer(f"Next {index} SAS", f"n{index}@next.example.com") for index in range(3)]
        for index, customer in enumerate([self.customer, *others]):
            customer.phone = f"+33 4 78 12 34 5{index}"
            self.make_invoice(customer, 10, 1000 * (4 - index))
            self.task(customer)
        rows = self.env(user=self.agent)["kreancia.worklist"]
        first = rows.search([("partner_id", "=", self.customer.id)])
        # the list filtered on three customers, sorted by amount ascending
        domain = [("partner_id", "in", [self.customer.id, others[0].id, others[2].id])]
        action = first.with_context(
            kreancia_worklist_domain=domain, kreancia_worklist_order="amount_overdue asc"
        ).action_log_call()
        queue = json.loads(action["context"]["default_queue"])
        self.assertEqual(rows.browse(queue).partner_id.mapped("name"), ["Next 2 SAS", "Next 0 SAS", self.customer.name])
        wizard = rows.env["kreancia.call.log"].with_context(**action["context"]).create({"outcome": "reached"})
        self.assertEqual(wizard.queue_position, "3 of 3")
        done = wizard.action_confirm_next()
        self.assertEqual(done["tag"], "display_notification", "the last of the list")
        start = rows.search([("partner_id", "=", others[2].id)]).with_context(
            kreancia_worklist_domain=domain, kreancia_worklist_order="amount_overdue asc"
        )
        action = start.action_log_call()
        wizard = rows.env["kreancia.call.log"].with_context(**action["context"]).create({"outcome": "reached"})
        following = wizard.action_confirm_next()
        self.assertEqual(following["context"]["default_partner_id"], others[0].id)
        self.assertFalse(others[2].activity_ids, "the task of the logged call is done")

    def test_mine_is_the_default_filter(self):
        action = self.env.ref("kreancia_collect.kreancia_worklist_action")
        self.assertIn("search_default_mine", action.context)

    # -- portfolio -----------------------------------------------------------

    def test_manager_assigns_collectors_in_bulk_and_tasks_follow(self):
        self.task(user=self.manager)
        wizard = (
            self.env(user=self.manager)["kreancia.collector.assign"]
            .with_context(active_model="res.partner", active_ids=(self.customer | self.customer_2.child_ids).ids)
            .create({"user_id": self.agent.id})
        )
        self.assertEqual(wizard.partner_ids, self.customer | self.customer_2)
        wizard.action_assign()
        self.assertEqual((self.customer | self.customer_2).dunning_collector_id, self.agent)
        self.assertEqual(self.customer.activity_ids.user_id, self.agent)
        with self.assertRaises(AccessError):
            self.env(user=self.agent)["kreancia.collector.assign"].create({"user_id": self.agent.id})

    def test_manager_rebalances_call_tasks_between_agents(self):
        agent_2 = self.agent.copy({"login": "kc_agent_2", "name": "Second Agent"})
        for customer, amount in ((self.customer, 3000), (self.customer_2, 2000)):
            self.make_invoice(customer, 10, amount)
            self.task(customer)
        rows = self.env["kreancia.worklist"].search([("partner_id", "in", (self.customer | self.customer_2).ids)])
        wizard = (
            self.env(user=self.manager)["kreancia.call.reassign"]
            .with_context(active_model="kreancia.worklist", active_ids=rows.ids)
            .create({"user_ids": [Command.set((self.agent | agent_2).ids)], "set_collector": True})
        )
        wizard.action_reassign()
        self.assertEqual(self.customer.activity_ids.user_id, self.agent, "the most urgent to the first agent")
        self.assertEqual(self.customer_2.activity_ids.user_id, agent_2)
        self.assertEqual(self.customer_2.dunning_collector_id, agent_2)

    # -- next action in words, letters, preview ------------------------------

    def test_next_action_in_words(self):
        invoice = self.make_invoice(self.customer, 3)
        self.assertEqual(
            invoice.dunning_next_action, f"Courteous on {format_date(self.env, invoice.dunning_next_date)}"
        )
        invoice.dunning_dispute = True
        self.assertEqual(invoice.dunning_next_action, "In dispute: dunning paused")
        invoice.dunning_dispute = False
        self.at_step(invoice, self.call_step)
        self.run_escalation(days=30)
        intervention = self.interventions(self.customer)
        self.assertEqual(intervention.state, "to_validate")
        self.assertEqual(intervention.next_action, "Awaiting validation")
        self.assertEqual(invoice.dunning_next_action, "Awaiting validation")

    def test_letter_is_addressed_to_the_invoicing_contact_under_the_customer(self):
        self.give_postal_addresses(self.customer)
        self.customer.child_ids.name = "Finance department"
        letter_step = self.env["kreancia.scenario.step"].create(
            {"scenario_id": self.scenario.id, "name": "Letter", "delay_days": 60, "channel": "letter"}
        )
        invoice = self.make_invoice(self.customer, 65)
        self.at_step(invoice, self.step_manual)
        self.run_escalation()
        intervention = self.interventions(self.customer).filtered(lambda i: i.step_id == letter_step)
        text = pdf_text(intervention.attachment_id.raw)
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        start = next(index for index, line in enumerate(lines) if line.startswith("Boulangerie Test SARL"))
        self.assertEqual(lines[start + 1], "Attention: Finance department")
        self.assertIn("12 rue de la République", lines[start + 2])

    def test_preview_says_when_there_is_nothing_to_do(self):
        preview = self.env["kreancia.escalation.preview"].create({"date": self.today})
        preview.action_compute()
        self.assertTrue(preview.computed)
        self.assertFalse(preview.line_ids)
        self.make_invoice(self.customer, 1)
        preview.action_compute()
        action = preview.line_ids.action_open_customer()
        self.assertEqual((action["res_model"], action["res_id"]), ("res.partner", self.customer.id))
