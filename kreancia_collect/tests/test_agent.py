from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from odoo.addons.kreancia_collect.tools.scoring import suggest_trust

from .common import KreanciaCommon


@tagged("post_install", "-at_install")
class TestAgentWorkspace(KreanciaCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.france = cls.env.ref("base.fr")
        cls.customer.write({"country_id": cls.france.id, "phone": "04 78 12 34 56"})
        # the real date: the call dialog refuses promises and call-backs before the real today
        cls.real_today = fields.Date.context_today(cls.env["res.partner"])

    def log_call(self, user=None, **values):
        env = self.env(user=user) if user else self.env
        wizard = env["kreancia.call.log"].create({"partner_id": self.customer.id, **values})
        wizard.action_confirm()
        return env["kreancia.call"].search([("partner_id", "=", self.customer.id)], limit=1)

    def promise(self, invoices, instalments, user=None):
        return self.log_call(
            user=user,
            outcome="promise",
            move_ids=[fields.Command.set(invoices.ids)],
            instalment_ids=[fields.Command.create({"date": date, "amount": amount}) for date, amount in instalments],
        ).commitment_ids

    # -- calls ----------------------------------------------------------

    def test_wizard_prefills_contact_number_and_overdue_invoices(self):
        self.customer.child_ids.phone = "06 12 34 56 78"
        invoice = self.make_invoice(self.customer, 10)
        wizard = self.env["kreancia.call.log"].create({"partner_id": self.customer.id})
        self.assertEqual(wizard.contact_id.type, "invoice")
        self.assertEqual(wizard.phone, "06 12 34 56 78")
        self.assertIn(invoice, wizard.move_ids)

    def test_phone_numbers_are_normalised(self):
        call = self.log_call(phone="06 12 34 56 78", outcome="reached")
        self.assertEqual(call.phone_e164, "+33612345678")
        call = self.log_call(phone="+44 20 7946 0958", outcome="no_answer")
        self.assertEqual(call.phone_e164, "+442079460958")

    def test_invalid_number_is_refused_and_nothing_is_written(self):
        with self.assertRaises(ValidationError) as refused:
            self.log_call(phone="12 34", outcome="reached")
        self.assertIn("12 34", str(refused.exception))
        self.assertIn("France", str(refused.exception))
        self.assertFalse(self.env["kreancia.call"].search([("partner_id", "=", self.customer.id)]))

    def test_dispute_outcome_pauses_the_invoices(self):
        invoice = self.make_invoice(self.customer, 10)
        self.log_call(outcome="dispute", note="Delivery incomplete", move_ids=[fields.Command.set(invoice.ids)])
        self.assertTrue(invoice.dunning_dispute)
        self.assertEqual(invoice.dunning_dispute_note, "Delivery incomplete")
        self.assertEqual(invoice.dunning_state, "disputed")
        self.assertEqual(self.run_escalation(), {})

    def test_callback_and_wrong_number_leave_tasks(self):
        callback = self.real_today + timedelta(days=2)
        self.log_call(outcome="callback", callback_date=callback, phone="0478123456")
        self.log_call(outcome="wrong_number", phone="0478123457")
        activities = self.customer.activity_ids
        call_task = activities.filtered(lambda a: a.activity_type_id == self.env.ref("mail.mail_activity_data_call"))
        self.assertEqual(call_task.date_deadline, callback)
        self.assertTrue(activities.filtered(lambda a: "right contact" in (a.summary or "")))
        with self.refused(ValidationError, "date to call back"):
            self.log_call(outcome="callback", phone="0478123456")

    def test_every_call_is_posted_in_the_chatter(self):
        self.log_call(outcome="no_answer", note="Left a message")
        message = self.customer.message_ids[:1]
        self.assertIn("No answer", message.body)
        self.assertIn("+33478123456", message.body)

    # -- commitments ----------------------------------------------------

    def test_promise_with_instalments_pauses_dunning_and_sends_a_recap(self):
        invoice = self.make_invoice(self.customer, 10, 900)
        commitment = self.promise(
            invoice, [(self.real_today + timedelta(days=5), 450), (self.real_today + timedelta(days=35), 450)]
        )
        self.assertEqual(commitment.state, "open")
        self.assertEqual(commitment.amount_total, 900)
        self.assertEqual(len(commitment.line_ids), 2)
        self.assertEqual(invoice.dunning_state, "promised")
        self.assertEqual(self.run_escalation(days=30), {}, "a promised invoice is not dunned")
        recap = self.env["mail.mail"].search(
            [("model", "=", "res.partner"), ("res_id", "=", self.customer.id)], order="id desc", limit=1
        )
        self.assertIn("450", recap.body_html)
        self.assertEqual(recap.recipient_ids, self.customer.child_ids.filtered(lambda c: c.type == "invoice"))
        self.assertFalse(self.env["sms.sms"].search([("partner_id", "in", self.customer.child_ids.ids)]), "no mobile")

    def test_promise_recap_by_sms_to_a_mobile(self):
        self.customer.child_ids.write({"phone": "06 12 34 56 78", "country_id": self.france.id})
        invoice = self.make_invoice(self.customer, 10, 900)
        self.promise(invoice, [(self.real_today + timedelta(days=5), 900)])
        sms = self.env["sms.sms"].search([("number", "=", "+33612345678")])
        self.assertEqual(len(sms), 1)
        self.assertIn("900", sms.body)

    def test_bad_commitments_are_refused(self):
        invoice = self.make_invoice(self.customer, 10, 900)
        other = self.make_invoice(self.customer_2, 10, 900)
        later = self.real_today + timedelta(days=5)
        with self.refused(UserError, "promised payment dates"):
            self.log_call(outcome="promise", move_ids=[fields.Command.set(invoice.ids)])
        with self.refused(ValidationError, "positive"):
            self.promise(invoice, [(later, 0)])
        with self.refused(ValidationError, "in the past"):
            self.promise(invoice, [(self.real_today - timedelta(days=1), 100)])
        with self.refused(ValidationError, "more than the invoices still owe"):
            self.promise(invoice, [(later, 1000)])
        Commitment = self.env["kreancia.commitment"]
        with self.refused(ValidationError, "add up"):
            Commitment.create(
                {
                    "partner_id": self.customer.id,
                    "move_ids": [fields.Command.set(invoice.ids)],
                    "amount_total": 500,
                    "line_ids": [fields.Command.create({"date": later, "amount": 400})],
                }
            )
        with self.refused(ValidationError, "another customer"):
            Commitment.create(
                {
                    "partner_id": self.customer.id,
                    "move_ids": [fields.Command.set((invoice | other).ids)],
                    "amount_total": 100,
                    "line_ids": [fields.Command.create({"date": later, "amount": 100})],
                }
            )
        self.assertFalse(Commitment.search([("partner_id", "=", self.customer.id)]))
        self.assertFalse(self.env["kreancia.call"].search([("partner_id", "=", self.customer.id)]))

    def test_commitment_kept_when_payments_cover_it(self):
        invoice = self.make_invoice(self.customer, 10, 900)
        first, second = self.real_today + timedelta(days=5), self.real_today + timedelta(days=20)
        commitment = self.promise(invoice, [(first, 450), (second, 450)])
        self._register_payment(invoice, amount=450, payment_date=first)
        self.env["kreancia.commitment"]._cron_check_commitments(today=first + timedelta(days=1))
        self.assertEqual(commitment.line_ids.mapped("state"), ["kept", "open"])
        self.assertEqual(commitment.state, "open")
        self._register_payment(invoice, amount=450, payment_date=second)
        self.env["kreancia.commitment"]._cron_check_commitments(today=second)
        self.assertEqual(commitment.state, "kept")

    def test_partly_kept_commitment_breaks_and_dunning_resumes_at_once(self):
        invoice = self.make_invoice(self.customer, 10, 900)
        self.run_escalation()
        self.assertEqual(invoice.dunning_step_id, self.step_courteous)
        self.customer.dunning_collector_id = self.agent
        first, second = self.real_today + timedelta(days=5), self.real_today + timedelta(days=20)
        commitment = self.promise(invoice, [(first, 300), (second, 600)])
        self._register_payment(invoice, amount=300, payment_date=first)
        check = self.env["kreancia.commitment"]._cron_check_commitments
        check(today=second + timedelta(days=2))
        self.assertEqual(commitment.state, "open", "within the two days of tolerance")
        check(today=second + timedelta(days=3))
        self.assertEqual(commitment.state, "broken")
        self.assertEqual(commitment.line_ids.mapped("state"), ["kept", "broken"])
        self.assertEqual(invoice.dunning_state, "running")
        task = self.customer.activity_ids.filtered(lambda a: "Broken" in (a.summary or ""))
        self.assertEqual(task.user_id, self.agent)
        self.assertIn("broken", self.customer.message_ids[:1].body)
        # back in the scenario without waiting for the minimum gap
        self.run_escalation(days=1)
        self.assertEqual(invoice.dunning_step_id, self.step_firm)

    # -- profile and call list -------------------------------------------

    def test_suggested_segment(self):
        self.assertEqual(suggest_trust(5, 0), "good")
        self.assertEqual(suggest_trust(60, 0), "bad")
        late_payer = self.customer_2
        invoice = self._create_invoice_one_line(
            price_unit=100,
            tax_ids=[],
            partner_id=late_payer.id,
            invoice_date=self.real_today - timedelta(days=90),
            invoice_date_due=self.real_today - timedelta(days=90),
            invoice_payment_term_id=False,
            post=True,
        )
        self._register_payment(invoice, payment_date=self.real_today - timedelta(days=20))
        self.assertEqual(late_payer.dunning_suggested_trust, "bad", "paid 70 days late")
        self.env["res.partner"]._cron_apply_suggested_trust()
        self.assertEqual(late_payer.with_company(self.company).trust, "bad", "applied by the daily suggestion")
        # a segment chosen by a person is left alone
        late_payer.with_company(self.company).trust = "good"
        self.env["res.partner"]._cron_apply_suggested_trust()
        self.assertEqual(late_payer.with_company(self.company).trust, "good")

    def test_call_list_ranks_what_is_at_stake(self):
        self.make_invoice(self.customer, 5, 500)
        self.make_invoice(self.customer_2, 60, 8000)
        for partner in self.customer | self.customer_2:
            partner.activity_schedule("mail.mail_activity_data_call", user_id=self.agent.id, summary="Call")
        rows = self.env["kreancia.worklist"].with_user(self.agent).search([("user_id", "=", self.agent.id)])
        self.assertEqual(rows.mapped("partner_id"), self.customer_2 | self.customer)
        self.assertEqual(rows[0].partner_id, self.customer_2, "more overdue, later: first")
        action = rows[0].action_open_customer()
        self.assertEqual((action["res_model"], action["res_id"]), ("res.partner", self.customer_2.id))

    # -- access -----------------------------------------------------------

    def test_agent_logs_calls_but_cannot_delete_them(self):
        invoice = self.make_invoice(self.customer, 10, 900)
        call = self.log_call(user=self.agent, outcome="reached", phone="0478123456")
        self.assertEqual(call.user_id, self.agent)
        commitment = self.promise(invoice, [(self.real_today + timedelta(days=3), 900)], user=self.agent)
        self.assertEqual(commitment.state, "open")
        with self.assertRaises(AccessError):
            call.with_user(self.agent).unlink()
        with self.assertRaises(AccessError):
            call.with_user(self.manager).unlink()
        call.with_user(self.manager).active = False
        self.assertFalse(call.active, "managers archive calls")

    def test_agent_of_another_company_sees_no_call(self):
        self.log_call(outcome="reached", phone="0478123456")
        company_b = self.setup_other_company(name="Company B")["company"]
        agent_b = new_test_user(
            self.env,
            login="kc_agent_b",
            groups="kreancia_collect.kreancia_collect_group_agent",
            company_id=company_b.id,
            company_ids=[fields.Command.set(company_b.ids)],
        )
        self.assertFalse(self.env["kreancia.call"].with_user(agent_b).search([]))
        self.assertFalse(self.env["kreancia.commitment"].with_user(agent_b).search([]))
