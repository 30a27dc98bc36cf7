from odoo import Command
from odoo.tests import tagged

from .common import KreanciaCommon


@tagged("post_install", "-at_install")
class TestOneVoicePerCustomer(KreanciaCommon):
    """A customer receives at most one written communication per run."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ladder = cls.env["kreancia.scenario"].create(
            {
                "name": "Ladder",
                "company_id": cls.company.id,
                "min_gap_days": 1,
                "step_ids": [
                    Command.create(
                        {
                            "name": "Reminder",
                            "delay_days": 0,
                            "channel": "email",
                            "mail_template_id": cls.template_courteous.id,
                        }
                    ),
                    Command.create({"name": "Call", "delay_days": 5, "channel": "call"}),
                    Command.create({"name": "Letter", "delay_days": 10, "channel": "letter"}),
                    Command.create(
                        {"name": "Notice", "delay_days": 20, "channel": "formal_notice", "deadline_days": 8}
                    ),
                ],
            }
        )
        cls.reminder, cls.call, cls.letter, cls.notice = cls.ladder.step_ids.sorted("delay_days")
        cls.customer.dunning_scenario_id = cls.ladder
        cls.give_postal_addresses(cls.customer)

    def setup_mixed_day(self):
        """One invoice due for the formal notice, one for the letter, one for the first e-mail."""
        for_notice = self.at_step(self.make_invoice(self.customer, 25, 800), self.letter)
        for_letter = self.at_step(self.make_invoice(self.customer, 12, 500), self.call)
        for_email = self.make_invoice(self.customer, 1, 300)
        return for_notice, for_letter, for_email

    def test_the_most_advanced_step_speaks_for_every_invoice(self):
        for_notice, for_letter, for_email = self.setup_mixed_day()
        preview = self.env["kreancia.escalation"].plan(self.today.isoformat())
        self.assertEqual(len(preview), 1, "the preview plans one communication")
        self.assertEqual(preview[0]["channel"], "formal_notice")
        self.assertEqual(
            sorted(line["id"] for line in preview[0]["invoices"]), sorted((for_notice | for_letter | for_email).ids)
        )

        self.run_escalation()
        written = self.interventions(self.customer)
        self.assertEqual(len(written), 1, "one written communication, not three")
        self.assertEqual(written.channel, "formal_notice")
        self.assertEqual(written.move_ids, for_notice | for_letter | for_email)
        self.assertEqual(
            (for_notice | for_letter | for_email).mapped("dunning_step_id"), self.notice, "they stand at that step"
        )
        self.assertEqual(written.line_ids.step_id, self.notice)

    def test_calls_stay_a_separate_action(self):
        for_call = self.at_step(self.make_invoice(self.customer, 6, 400), self.reminder)
        for_email = self.make_invoice(self.customer, 0, 300)
        self.run_escalation()
        interventions = self.interventions(self.customer)
        self.assertEqual(sorted(interventions.mapped("channel")), ["call", "email"])
        self.assertEqual(interventions.filtered(lambda i: i.channel == "call").move_ids, for_call)
        self.assertEqual(interventions.filtered(lambda i: i.channel == "email").move_ids, for_email)

    def test_scenario_option_keeps_one_communication_per_channel(self):
        self.ladder.one_voice = False
        for_notice, for_letter, for_email = self.setup_mixed_day()
        self.assertEqual(
            sorted(plan["channel"] for plan in self.env["kreancia.escalation"].plan(self.today.isoformat())),
            ["email", "formal_notice", "letter"],
        )
        self.run_escalation()
        interventions = self.interventions(self.customer)
        self.assertEqual(sorted(interventions.mapped("channel")), ["email", "formal_notice", "letter"])
        self.assertEqual((for_notice.dunning_step_id, for_letter.dunning_step_id), (self.notice, self.letter))
        self.assertEqual(for_email.dunning_step_id, self.reminder)
