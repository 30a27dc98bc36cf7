from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from ..groups import AGENT_GROUP, MANAGER_GROUP
from .common import KreanciaCommon

# a step of every channel, each waiting for a manager: (delay after the due date, extra step values)
MANUAL_STEPS = {
    "email": 0,
    "sms": 5,
    "call": 10,
    "letter": 20,
    "formal_notice": 30,
    "handover": 60,
}


@tagged("post_install", "-at_install")
class TestRoles(KreanciaCommon):
    """Each action a role is meant to take, by a user holding exactly that role (no administrator, no
    accounting group of its own) in a second company, with amounts in a foreign currency beside the
    company's."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        data = cls.setup_other_company(name="Recouvrement B")
        cls.company_b = data["company"]
        cls.company_b.write(
            {
                "email": "billing@b.example.com",
                "street": "1 quai du Rhône",
                "zip": "69003",
                "city": "Lyon",
                "country_id": cls.env.ref("base.fr").id,
            }
        )
        cls.sale_journal_b = data["default_journal_sale"]
        cls.bank_journal_b = data["default_journal_bank"]
        cls.foreign = cls.setup_other_currency("CHF", rates=[("2000-01-01", 2.0)])
        cls.manager_b = cls._role_user("kc_role_manager", "Manager B", MANAGER_GROUP)
        cls.agent_b = cls._role_user("kc_role_agent", "Agent B", AGENT_GROUP)
        cls.agent_b2 = cls._role_user("kc_role_agent2", "Agent B2", AGENT_GROUP)
        cls.agency_b = cls.env["res.partner"].create(
            {
                "name": "Cabinet B",
                "is_company": True,
                "email": "dossiers@cabinet-b.example.com",
                "company_id": cls.company_b.id,
                "dunning_commission_rate": 10.0,
            }
        )
        # the default scenario as the add-on ships it, in company B
        cls.standard_b = (
            cls.env.ref("kreancia_collect.scenario_standard")
            .sudo()
            .copy({"company_id": cls.company_b.id, "name": "Standard B", "user_id": cls.manager_b.id})
            .sudo(False)
        )
        cls.standard_b.is_default = True
        # a test scenario where every channel waits for a manager
        cls.manual_b = cls.env["kreancia.scenario"].create(
            {
                "name": "All manual B",
                "company_id": cls.company_b.id,
                "min_gap_days": 1,
                "user_id": cls.manager_b.id,
                "agent_id": cls.agent_b.id,
                "step_ids": [
                    Command.create(
                        {
                            "name": "Before",
                            "delay_days": -10,
                            "channel": "email",
                            "mail_template_id": cls.template_courteous.id,
                        }
                    )
                ]
                + [
                    Command.create(
                        {
                            "name": f"Manual {channel}",
                            "delay_days": delay,
                            "channel": channel,
                            "manual": True,
                            "mail_template_id": cls.template_firm.id if channel == "email" else False,
                            "sms_template_id": cls.env.ref("kreancia_collect.sms_template_reminder").id
                            if channel == "sms"
                            else False,
                            "handover_partner_id": cls.agency_b.id if channel == "handover" else False,
                        }
                    )
                    for channel, delay in MANUAL_STEPS.items()
                ],
            }
        )
        cls.manual_steps = {step.channel: step for step in cls.manual_b.step_ids if step.manual}
        cls.first_manual = cls.manual_b.step_ids.filtered(lambda step: step.name == "Before")

    @classmethod
    def _role_user(cls, login, name, group):
        return new_test_user(
            cls.env,
            login=login,
            name=name,
            email=f"{login}@b.example.com",
            groups=group,
            company_id=cls.company_b.id,
            company_ids=[Command.set(cls.company_b.ids)],
            lang="en_US",
        )

    def as_user(self, user, lang="en_US"):
        """``user``'s environment in company B, as the web client gives it."""
        return self.env(user=user, context=dict(self.env.context, allowed_company_ids=self.company_b.ids, lang=lang))

    def customer_b(self, name, **values):
        customer = self._make_customer(name, f"compta@{name.split()[0].lower()}.example.com", **values)
        self.give_postal_addresses(customer)
        customer.write({"phone": "+33 6 12 34 56 78", "country_id": self.env.ref("base.fr").id})
        return customer

    def invoice_b(self, partner, days_late, amount=1000.0, **values):
        """A posted invoice of company B, ``days_late`` days late on ``self.today``."""
        env = self.env
        self.env = env(context=dict(env.context, allowed_company_ids=self.company_b.ids))
        try:
            return self.make_invoice(partner, days_late, amount, journal_id=self.sale_journal_b.id, **values)
        finally:
            self.env = env

    def run_b(self, user, days=0):
        return self.as_user(user)["kreancia.escalation"].run(today=self.today + timedelta(days=days))

    def interventions_b(self, partner):
        return self.env["kreancia.intervention"].search(
            [("company_id", "=", self.company_b.id), ("partner_id", "=", partner.id)]
        )

    def mark_posted(self, user, letter, tracking=False):
        env = self.as_user(user)
        wizard = (
            env["kreancia.intervention.mark.posted"]
            .with_context(active_model="kreancia.intervention", active_ids=letter.ids)
            .create({"tracking_number": tracking})
        )
        return wizard.action_confirm()

    # ------------------------------------------------------------------
    # Collection manager
    # ------------------------------------------------------------------

    def test_manager_validates_each_manual_step_of_each_channel(self):
        customers = {}
        for channel, step in self.manual_steps.items():
            customer = customers[channel] = self.customer_b(f"Client {channel} B")
            previous = self.manual_b.step_ids.filtered(lambda s, step=step: s.sequence < step.sequence)[-1:]
            invoice = self.invoice_b(customer, step.delay_days + 1, dunning_scenario_id=self.manual_b.id)
            self.invoice_b(
                customer, step.delay_days + 1, 500.0, currency_id=self.foreign.id, dunning_scenario_id=self.manual_b.id
            )
            self.at_step(invoice, previous)
            customer.invoice_ids._dunning_write({"dunning_step_id": previous.id})
        self.run_b(self.manager_b)
        for channel, customer in customers.items():
            with self.subTest(channel=channel):
                intervention = self.interventions_b(customer)
                self.assertEqual(
                    (intervention.channel, intervention.state, len(intervention.line_ids)),
                    (channel, "to_validate", 2),
                )
                intervention.with_env(self.as_user(self.manager_b)).action_validate()
                expected = "to_send" if channel in ("letter", "formal_notice") else "done"
                self.assertEqual(intervention.state, expected, intervention.error)
                self.assertEqual(intervention.user_id, self.manager_b)
                self.assertEqual(customer.invoice_ids.dunning_step_id, self.manual_steps[channel])
        self.assertEqual(self.interventions_b(customers["email"]).delivery_state, "queued")
        self.assertTrue(self.interventions_b(customers["sms"]).sms_id)
        call_task = self.interventions_b(customers["call"]).activity_id
        self.assertEqual((call_task.user_id, call_task.activity_category), (self.agent_b, "phonecall"))
        handover = self.interventions_b(customers["handover"])
        case = self.env["kreancia.case"].search([("intervention_id", "=", handover.id)])
        self.assertEqual((case.agency_id, case.company_id), (self.agency_b, self.company_b))
        self.assertEqual(handover.activity_id.user_id, self.manager_b)
        self.mark_posted(self.manager_b, self.interventions_b(customers["letter"]))
        self.mark_posted(self.manager_b, self.interventions_b(customers["formal_notice"]), tracking="1A 234 567 8901 2")
        self.assertEqual(self.interventions_b(customers["formal_notice"]).state, "done")

    def test_manager_validates_the_default_scenario_manual_steps(self):
        manual = self.standard_b.step_ids.filtered("manual").sorted("delay_days")
        self.assertEqual(manual.mapped("channel"), ["formal_notice", "handover"], "as shipped")
        letter_step = self.standard_b.step_ids.filtered(lambda step: step.channel == "letter")
        notice_customer = self.customer_b("Notice B")
        self.at_step(self.invoice_b(notice_customer, 46), letter_step)
        handover_customer = self.customer_b("Handover B")
        self.at_step(self.invoice_b(handover_customer, 91, currency_id=self.foreign.id), manual[0])
        self.run_b(self.manager_b)
        manager_env = self.as_user(self.manager_b)
        notice = self.interventions_b(notice_customer)
        notice.with_env(manager_env).action_validate()
        self.assertEqual(notice.state, "to_send")
        self.mark_posted(self.manager_b, notice, tracking="1A 111 222 333 4")
        self.assertEqual(notice.state, "done")
        handover = self.interventions_b(handover_customer)
        self.assertEqual(handover.state, "to_validate")
        handover.with_env(manager_env).action_validate()
        self.assertEqual(handover.state, "done", handover.error)
        self.assertEqual(handover_customer.invoice_ids.dunning_state, "handed_over")
        self.assertTrue(self.env["kreancia.case"].search([("intervention_id", "=", handover.id)]))

    def test_manager_validates_the_manual_step_of_the_test_scenario(self):
        """The first company's test scenario, validated by a manager of that company only."""
        invoice = self.at_step(self.make_invoice(self.customer, 31), self.step_agency)
        self.run_escalation(user=self.manager)
        intervention = self.interventions(self.customer)
        self.assertEqual(intervention.state, "to_validate")
        intervention.with_user(self.manager).action_validate()
        self.assertEqual(intervention.state, "done")
        self.assertEqual(invoice.dunning_step_id, self.step_manual)

    def test_manager_runs_the_escalation_with_call_steps(self):
        """A run by hand performs the automatic call steps of the default scenario (call tasks for the agent)."""
        self.standard_b.agent_id = self.agent_b
        customer = self.customer_b("Call B")
        firm = self.standard_b.step_ids.filtered(lambda step: step.delay_days == 7)
        self.at_step(self.invoice_b(customer, 16), firm)
        self.run_b(self.manager_b)
        intervention = self.interventions_b(customer)
        self.assertEqual((intervention.channel, intervention.state), ("call", "done"), intervention.error)
        self.assertEqual(intervention.activity_id.user_id, self.agent_b)

    def test_manager_sets_a_step_previews_and_runs(self):
        customer = self.customer_b("Preview B")
        invoice = self.invoice_b(customer, 8, currency_id=self.foreign.id)
        courteous, firm = self.standard_b.step_ids.sorted("delay_days")[:2]
        env = self.as_user(self.manager_b)
        env["account.move.set.dunning.step"].with_context(active_model="account.move", active_ids=invoice.ids).create(
            {"scenario_id": self.standard_b.id, "step_id": courteous.id, "last_date": self.today - timedelta(days=5)}
        ).action_apply()
        self.assertEqual(invoice.dunning_step_id, courteous)
        preview = env["kreancia.escalation.preview"].create({"date": self.today})
        preview.action_compute()
        self.assertEqual((preview.line_ids.partner_id, preview.line_ids.step_id), (customer, firm))
        preview.action_confirm_run()
        self.assertEqual(self.run_b(self.manager_b)["interventions"], 1)
        self.assertEqual(invoice.dunning_step_id, firm)

    def test_manager_opens_sends_records_a_recovery_and_closes_a_case(self):
        customer = self.customer_b("Case B")
        invoices = self.invoice_b(customer, 100, 800.0) | self.invoice_b(customer, 95, 200.0)
        env = self.as_user(self.manager_b)
        action = (
            env["kreancia.case.create"]
            .with_context(active_model="account.move", active_ids=invoices.ids)
            .create({"agency_id": self.agency_b.id, "commission_rate": 10.0})
            .action_confirm()
        )
        case = env["kreancia.case"].browse(action["res_id"])
        self.assertEqual((case.company_id, case.state), (self.company_b, "to_send"))
        case.action_send()
        self.assertEqual(case.state, "sent")
        recovery = env["kreancia.case.recovery.register"].create(
            {"case_id": case.id, "amount": 1000.0, "journal_id": self.bank_journal_b.id}
        )
        recovery.action_confirm()
        self.assertFalse(invoices.filtered(lambda move: move.payment_state not in ("in_payment", "paid")))
        self.assertEqual(case.recovery_ids.commission_amount, 100.0)
        self.assertEqual(case.recovery_ids.bill_id.partner_id, self.agency_b)
        case.action_close()
        env["kreancia.case.close"].create({"case_id": case.id, "close_reason": "recovered"}).action_confirm()
        self.assertEqual(case.state, "closed")

    def test_manager_builds_the_case_file_of_a_customer_reminded_by_email(self):
        customer = self.customer_b("Mailed B")
        invoice = self.invoice_b(customer, 5, dunning_scenario_id=self.manual_b.id)
        self.run_b(self.manager_b)
        reminder = self.interventions_b(customer)
        self.assertEqual((reminder.channel, reminder.state), ("email", "done"), reminder.error)
        env = self.as_user(self.manager_b)
        action = (
            env["kreancia.case.create"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"agency_id": self.agency_b.id})
            .action_confirm()
        )
        case = env["kreancia.case"].browse(action["res_id"])
        # the e-mails sent are part of the evidence, though a manager may not read the mail queue itself
        emails = case._emails_sent()
        self.assertEqual([row["reference"] for row in emails], [reminder.name])
        self.assertIn(invoice.name, emails[0]["body"])
        case.action_send()
        self.assertEqual(case.state, "sent")

    def test_manager_reassigns_calls_and_assigns_collectors(self):
        customers = [self.customer_b("Reassign B1"), self.customer_b("Reassign B2")]
        for customer in customers:
            self.invoice_b(customer, 20)
            customer.activity_schedule(
                "mail.mail_activity_data_call", date_deadline=self.today, summary="Call", user_id=self.agent_b.id
            )
        env = self.as_user(self.manager_b)
        rows = env["kreancia.worklist"].search([("partner_id", "in", [c.id for c in customers])])
        self.assertEqual(len(rows), 2)
        wizard = (
            env["kreancia.call.reassign"]
            .with_context(active_model="kreancia.worklist", active_ids=rows.ids)
            .create({"user_ids": [Command.set(self.agent_b2.ids)], "set_collector": True})
        )
        wizard.action_reassign()
        self.assertEqual(rows.activity_id.user_id, self.agent_b2)
        self.assertEqual(customers[0].dunning_collector_id, self.agent_b2)
        assign = (
            env["kreancia.collector.assign"]
            .with_context(active_model="res.partner", active_ids=[c.id for c in customers])
            .create({"user_id": self.agent_b.id})
        )
        assign.action_assign()
        self.assertEqual(customers[1].dunning_collector_id, self.agent_b)
        self.assertEqual(rows.activity_id.user_id, self.agent_b, "the open call tasks follow the collector")

    # ------------------------------------------------------------------
    # Collection agent
    # ------------------------------------------------------------------

    def test_agent_logs_calls_promises_and_disputes(self):
        customer = self.customer_b("Calls B")
        invoice, other = self.invoice_b(customer, 20), self.invoice_b(customer, 12, currency_id=self.foreign.id)
        env = self.as_user(self.agent_b)
        with freeze_time(self.today):
            env["kreancia.call.log"].create(
                {
                    "partner_id": customer.id,
                    "outcome": "promise",
                    "move_ids": [Command.set(invoice.ids)],
                    "instalment_ids": [Command.create({"date": self.today + timedelta(days=5), "amount": 1000.0})],
                }
            ).action_confirm()
            env["kreancia.call.log"].create(
                {"partner_id": customer.id, "outcome": "dispute", "move_ids": [Command.set(other.ids)], "note": "?"}
            ).action_confirm()
        self.assertEqual((invoice.dunning_state, other.dunning_state), ("promised", "disputed"))
        calls = env["kreancia.call"].search([("partner_id", "=", customer.id)])
        self.assertEqual((len(calls), calls.company_id, calls.user_id), (2, self.company_b, self.agent_b))

    def test_agent_answers_the_debtor_page_requests(self):
        customer = self.customer_b("Page B", dunning_collector_id=self.agent_b.id)
        invoice = self.invoice_b(customer, 20, 600.0, dunning_scenario_id=self.standard_b.id)
        disputed = self.invoice_b(customer, 15, 300.0, dunning_scenario_id=self.standard_b.id)
        self.standard_b.write({"plan_max_instalments": 2, "plan_max_days": 60, "plan_min_first_percent": 20.0})
        link = self.env["kreancia.debtor.link"]._link_for(customer, self.company_b, self.env["kreancia.brand"], 90)
        env = self.as_user(self.agent_b)
        today = fields.Date.context_today(link)
        proposal = link._propose_plan(invoice, [(today + timedelta(days=100), 600.0)], "", "10.0.0.1")
        self.assertEqual(proposal._name, "kreancia.plan.proposal")
        proposal.with_env(env).action_refuse()
        self.assertEqual(proposal.state, "refused")
        proposal = link._propose_plan(invoice, [(today + timedelta(days=100), 600.0)], "", "10.0.0.1")
        proposal.with_env(env).action_accept()
        self.assertEqual((proposal.state, invoice.dunning_state), ("accepted", "promised"))
        declared = link._declare_payment(
            disputed, today, 300.0, reference="VIR-1", upload=None, ip_address="10.0.0.1"
        ).activity_id
        self.assertEqual(declared.user_id, self.agent_b)
        declared.with_env(env).action_feedback(feedback="Payment found")
        self.assertFalse(declared.exists() and declared.active)
        dispute = link._dispute(disputed, "amount", "Wrong price", None, "10.0.0.1").activity_id
        dispute.with_env(env).action_feedback(feedback="Credit note to issue")
        self.assertFalse(dispute.exists() and dispute.active)
        callback = link._ask_callback(
            datetime.now() + timedelta(hours=3), "+33 6 12 34 56 78", "", "10.0.0.1"
        ).activity_id
        env["kreancia.call.log"].create(
            {"partner_id": customer.id, "outcome": "reached", "activity_id": callback.id}
        ).action_confirm()
        self.assertFalse(callback.exists() and callback.active)

    def test_agent_closes_the_call_task_of_another_agent(self):
        """My Calls without the *Mine* filter: the task the call was logged for is done, whoever it was for."""
        customer = self.customer_b("Other agent B")
        self.invoice_b(customer, 20)
        task = customer.activity_schedule(
            "mail.mail_activity_data_call", date_deadline=self.today, summary="Call", user_id=self.agent_b2.id
        )
        env = self.as_user(self.agent_b)
        row = env["kreancia.worklist"].search([("activity_id", "=", task.id)])
        self.assertTrue(row, "agents see every call task of their company")
        context = row.with_context(kreancia_worklist_domain=[]).action_log_call()["context"]
        wizard = env["kreancia.call.log"].with_context(**context).create({"outcome": "reached"})
        self.assertEqual(wizard.activity_id, task)
        result = wizard.action_confirm()
        self.assertEqual(result["tag"], "soft_reload", "nothing to warn about")
        self.assertFalse(task.exists() and task.active, "the task the call answered is done")
        done = self.env["mail.message"].search(
            [("model", "=", "res.partner"), ("res_id", "=", customer.id), ("mail_activity_type_id", "!=", False)],
            limit=1,
        )
        self.assertEqual(done.author_id, self.agent_b.partner_id, "the task's trace says who made the call")
        # the same task again (a second tab, a colleague faster): the call is logged, the agent is told why
        wizard = env["kreancia.call.log"].with_context(**context).create({"outcome": "no_answer"})
        result = wizard.action_confirm()
        self.assertEqual(result["params"]["type"], "warning")
        self.assertIn("no longer open", result["params"]["message"])
        self.assertEqual(result["params"]["next"]["tag"], "soft_reload")
        self.assertEqual(env["kreancia.call"].search_count([("partner_id", "=", customer.id)]), 2)

    def test_agent_cannot_do_a_managers_job(self):
        agent_fr = self._role_user("kc_role_agent_fr", "Agent FR", AGENT_GROUP)
        agent_fr.lang = "fr_FR"
        customer = self.customer_b("Refused B")
        invoice = self.invoice_b(customer, 31, dunning_scenario_id=self.manual_b.id)
        self.at_step(invoice, self.manual_steps["letter"])
        self.run_b(self.manager_b)
        notice = self.interventions_b(customer)
        self.assertEqual(notice.state, "to_validate")
        env = self.as_user(agent_fr, lang="fr_FR")
        with self.refused(AccessError, "Seul un responsable du recouvrement peut valider"):
            notice.with_env(env).action_validate()
        with self.refused(AccessError, "Seul un responsable du recouvrement peut lancer"):
            env["kreancia.escalation"].run(today=self.today)
        with self.refused(AccessError, "Seul un responsable du recouvrement peut annuler"):
            notice.with_env(env).action_cancel()
        with self.assertRaises(AccessError):
            env["kreancia.intervention.mark.posted"].create({"intervention_ids": [Command.set(notice.ids)]})
        self.assertEqual(notice.state, "to_validate")
        case = (
            self.as_user(self.manager_b)["kreancia.case"]
            .with_context(active_model="account.move")
            ._open_cases(self.invoice_b(customer, 100), {"agency_id": self.agency_b.id})
        )
        with self.refused(AccessError, "Seul un responsable du recouvrement peut envoyer ou clôturer"):
            case.with_env(env).action_close()
        with self.refused(AccessError, "Seul un responsable du recouvrement peut envoyer ou clôturer"):
            case.with_env(env)._close("returned")
        with self.assertRaises(AccessError):
            env["kreancia.case.create"].create({"move_ids": [Command.set(invoice.ids)]})
        self.assertEqual(case.state, "to_send")
