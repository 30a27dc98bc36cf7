from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import KreanciaCommon, pdf_text


@tagged("post_install", "-at_install")
class TestChannels(KreanciaCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sms_template = cls.env.ref("kreancia_collect.sms_template_reminder")
        cls.multichannel = cls.env["kreancia.scenario"].create(
            {
                "name": "Every channel",
                "company_id": cls.company.id,
                "min_gap_days": 1,
                "agent_id": cls.agent.id,
                "user_id": cls.manager.id,
                "step_ids": [
                    Command.create(
                        {"name": "SMS", "delay_days": 0, "channel": "sms", "sms_template_id": cls.sms_template.id}
                    ),
                    Command.create({"name": "Call", "delay_days": 5, "channel": "call"}),
                    Command.create({"name": "Letter", "delay_days": 10, "channel": "letter"}),
                    Command.create(
                        {"name": "Notice", "delay_days": 20, "channel": "formal_notice", "deadline_days": 15}
                    ),
                    Command.create({"name": "Hand-over", "delay_days": 30, "channel": "handover"}),
                ],
            }
        )
        cls.sms_step, cls.call_step, cls.letter_step, cls.notice_step, cls.handover_step = (
            cls.multichannel.step_ids.sorted("delay_days")
        )
        cls.customer.dunning_scenario_id = cls.multichannel
        cls.customer_2.dunning_scenario_id = cls.multichannel
        cls.give_postal_addresses(cls.customer, cls.customer_2)

    def test_sms_to_mobile_and_failure_without_mobile(self):
        self.customer.child_ids.phone = "06 12 34 56 78"
        self.customer.child_ids.country_id = self.env.ref("base.fr")
        self.customer_2.child_ids.phone = "04 78 12 34 56"
        self.customer_2.child_ids.country_id = self.env.ref("base.fr")
        self.make_invoice(self.customer, 2, 300)
        self.make_invoice(self.customer_2, 2, 300)
        counts = self.run_escalation()
        self.assertEqual(counts["channel_sms"], 2)
        sent = self.interventions(self.customer)
        self.assertEqual(sent.state, "done")
        self.assertEqual(sent.sms_id.number, "+33612345678")
        self.assertEqual(sent.sms_id.state, "outgoing")
        self.assertIn("1 invoice(s)", sent.sms_id.body)
        self.assertRegex(sent.sms_id.body, r"300[.,]00")
        failed = self.interventions(self.customer_2)
        self.assertEqual(failed.state, "failed")
        self.assertIn("no valid mobile number", failed.error)
        self.assertIn("04 78 12 34 56", failed.error)

    def test_call_task_for_the_collector(self):
        invoice = self.at_step(self.make_invoice(self.customer, 6, 450), self.sms_step)
        self.customer.dunning_collector_id = self.manager
        other = self.at_step(self.make_invoice(self.customer_2, 6, 200), self.sms_step)
        self.run_escalation()
        task = self.interventions(self.customer).activity_id
        self.assertEqual(task.activity_type_id, self.env.ref("mail.mail_activity_data_call"))
        self.assertEqual(task.user_id, self.manager, "the customer's collector")
        self.assertEqual(task.date_deadline, self.today)
        self.assertEqual((task.res_model, task.res_id), ("res.partner", self.customer.id))
        self.assertIn(invoice.name, task.note)
        self.assertIn(other.name, self.interventions(self.customer_2).activity_id.note)
        self.assertEqual(
            self.interventions(self.customer_2).activity_id.user_id, self.agent, "scenario's default agent"
        )

    def test_letter_pdf_waits_to_be_posted(self):
        invoice = self.at_step(self.make_invoice(self.customer, 12, 1500), self.call_step)
        self.run_escalation()
        letter = self.interventions(self.customer)
        self.assertEqual(letter.state, "to_send")
        self.assertEqual(invoice.dunning_step_id, self.letter_step)
        self.assertEqual(letter.attachment_id.mimetype, "application/pdf")
        text = pdf_text(letter.attachment_id.raw)
        self.assertIn("Payment reminder", text)
        self.assertIn(invoice.name, text)
        self.assertIn(letter.name, text)
        self.assertRegex(text, r"1[ ,.\u202f\xa0]?500[.,]00")

        wizard = (
            self.env["kreancia.intervention.mark.posted"]
            .with_context(active_model="kreancia.intervention", active_ids=letter.ids)
            .create({"posted_date": self.today})
        )
        wizard.action_confirm()
        self.assertEqual(letter.state, "done")
        self.assertEqual(letter.posted_date, self.today)

    def test_letter_without_postal_address_fails_alone(self):
        (self.customer_2 | self.customer_2.child_ids).write({"street": False})
        self.customer.child_ids.write({"street": False})  # the customer's own address serves
        self.at_step(self.make_invoice(self.customer, 12), self.call_step)
        self.at_step(self.make_invoice(self.customer_2, 12), self.call_step)
        counts = self.run_escalation()
        self.assertEqual((counts["to_send"], counts["failed"]), (1, 1))
        self.assertIn("no postal address", self.interventions(self.customer_2).error)

    def test_formal_notice_needs_a_registered_mail_number(self):
        self.at_step(self.make_invoice(self.customer, 25, 800), self.letter_step)
        self.run_escalation()
        notice = self.interventions(self.customer)
        self.assertEqual(notice.channel, "formal_notice")
        self.assertEqual(notice.deadline_date, self.today.replace(day=30), "15 days to pay")
        text = pdf_text(notice.attachment_id.raw)
        self.assertIn("Formal notice", text)
        self.assertIn("mise en demeure", text)
        wizard = (
            self.env["kreancia.intervention.mark.posted"]
            .with_context(active_model="kreancia.intervention", active_ids=notice.ids)
            .create({"posted_date": self.today})
        )
        with self.assertRaisesRegex(UserError, "registered mail"):
            wizard.action_confirm()
        wizard.tracking_number = "1A 234 567 8901 2"
        wizard.action_confirm()
        self.assertEqual(notice.tracking_number, "1A 234 567 8901 2")

    def test_letters_of_several_customers_render_in_one_batch(self):
        first = self.at_step(self.make_invoice(self.customer, 12, 100), self.call_step)
        second = self.at_step(self.make_invoice(self.customer_2, 12, 200), self.call_step)
        self.run_escalation()
        letters = self.interventions()
        self.assertEqual(len(letters), 2)
        first_text = pdf_text(self.interventions(self.customer).attachment_id.raw)
        self.assertIn(first.name, first_text)
        self.assertNotIn(second.name, first_text, "each customer's PDF holds only its letter")

    def test_handover_takes_invoices_out_of_the_scenario(self):
        invoice = self.at_step(self.make_invoice(self.customer, 35, 5000), self.notice_step)
        self.run_escalation()
        handover = self.interventions(self.customer)
        self.assertEqual(handover.channel, "handover")
        self.assertEqual(handover.move_ids, invoice)
        self.assertEqual(invoice.dunning_state, "handed_over")
        self.assertEqual(handover.activity_id.user_id, self.manager)
        self.assertEqual(self.run_escalation(days=10), {}, "handed-over invoices leave the automatic run")

    def test_credit_notes_are_deducted_from_the_claim(self):
        self.customer.dunning_scenario_id = False
        self.make_invoice(self.customer, 3, 1000)
        self.make_invoice(self.customer, 3, 250, move_type="out_refund")
        self.run_escalation()
        intervention = self.interventions(self.customer)
        self.assertEqual(intervention.amount_total, 1000)
        self.assertEqual(intervention.amount_credit, 250)
        self.assertEqual(intervention.amount_net, 750)
        self.assertRegex(intervention.mail_id.body_html, r"Net amount due: .{0,12}750[.,]00")

    def test_one_communication_per_channel_at_the_highest_step(self):
        low = self.at_step(self.make_invoice(self.customer, 12, 100), self.sms_step)
        high = self.at_step(self.make_invoice(self.customer, 12, 100), self.call_step)
        self.run_escalation()
        interventions = self.interventions(self.customer)
        self.assertEqual(sorted(interventions.mapped("channel")), ["call", "letter"])
        self.assertEqual(low.dunning_step_id, self.call_step)
        self.assertEqual(high.dunning_step_id, self.letter_step)
