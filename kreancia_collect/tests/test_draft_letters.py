from odoo import Command
from odoo.tests import tagged

from .common import KreanciaCommon, pdf_text

LETTER_REPORT = "kreancia_collect.action_report_dunning_letter"


@tagged("post_install", "-at_install")
class TestDraftLetters(KreanciaCommon):
    """A letter still to validate prints as a marked draft and writes nothing."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.notice_scenario = cls.env["kreancia.scenario"].create(
            {
                "name": "Notice to validate",
                "company_id": cls.company.id,
                "min_gap_days": 1,
                "step_ids": [
                    Command.create({"name": "Letter", "delay_days": 10, "channel": "letter"}),
                    Command.create(
                        {
                            "name": "Notice",
                            "delay_days": 20,
                            "channel": "formal_notice",
                            "deadline_days": 15,
                            "manual": True,
                        }
                    ),
                ],
            }
        )
        cls.letter_step, cls.notice_step = cls.notice_scenario.step_ids.sorted("delay_days")
        cls.customer.dunning_scenario_id = cls.notice_scenario
        cls.give_postal_addresses(cls.customer)

    def render(self, interventions):
        pdf, _report_type = (
            self.env["ir.actions.report"]
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf(LETTER_REPORT, interventions.ids)
        )
        return pdf_text(pdf)

    def notice_to_validate(self):
        invoice = self.at_step(self.make_invoice(self.customer, 25, 800), self.letter_step)
        self.run_escalation()
        notice = self.interventions(self.customer)
        self.assertEqual(notice.state, "to_validate")
        return notice, invoice

    def test_notice_to_validate_prints_as_a_draft_with_its_amounts(self):
        notice, invoice = self.notice_to_validate()
        action = notice.with_user(self.manager).action_preview_letter()
        self.assertEqual(action["report_name"], "kreancia_collect.report_dunning_letter")
        text = self.render(notice)
        self.assertIn("DRAFT", text)
        self.assertIn("not sent", text)
        self.assertIn("mise en demeure", text)
        self.assertRegex(text, r"(30/06|06/30)/2026", "the deadline validation would fix: 15 days")
        # 800 x 12.15 % (ECB 2.15 + 10, first half of 2026) x 25 days / 365 = 6.66
        self.assertRegex(text, r"6[.,]66")
        self.assertIn("recovery indemnity", text)
        self.assertRegex(text, r"40[.,]00")
        # nothing written: no deadline, no amounts, no step change, no letter
        self.assertFalse(notice.deadline_date)
        self.assertFalse(any(notice.line_ids.mapped("interest_amount")))
        self.assertFalse(notice.interest_rate_display)
        self.assertFalse(notice.attachment_id)
        self.assertEqual(notice.state, "to_validate")
        self.assertEqual(invoice.dunning_step_id, self.letter_step)

    def test_validated_notice_is_final(self):
        notice, invoice = self.notice_to_validate()
        notice.action_validate()
        self.assertEqual(notice.state, "to_send")
        self.assertEqual(invoice.dunning_step_id, self.notice_step)
        self.assertNotIn("DRAFT", pdf_text(notice.attachment_id.raw), "the letter produced is final")
        text = self.render(notice)
        self.assertNotIn("DRAFT", text, "printing a produced letter prints it as it is")
        self.assertRegex(text, r"6[.,]66")

    def test_cancelled_notice_never_prints_as_final(self):
        notice, invoice = self.notice_to_validate()
        notice.action_cancel()
        text = self.render(notice)
        self.assertIn("DRAFT", text)
        self.assertEqual(notice.state, "cancelled")
        self.assertFalse(notice.deadline_date)
        self.assertEqual(invoice.dunning_step_id, self.letter_step)
