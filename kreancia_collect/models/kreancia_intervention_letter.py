from datetime import timedelta

from odoo import fields, models
from odoo.exceptions import UserError
from odoo.tools import format_date, pdf

from ..tools import legal

LETTER_CHANNELS = ("letter", "formal_notice")


class KreanciaIntervention(models.Model):
    """What a letter prints besides its invoices: identity, creditor, payment means, next step."""

    _inherit = "kreancia.intervention"

    def _letter_brand(self):
        """The brand whose letterhead the letter carries; empty for the company's own layout."""
        self.ensure_one()
        return self.brand_id if self.identity == "brand" else self.env["kreancia.brand"]

    def _is_third_party(self):
        self.ensure_one()
        return bool(self._letter_brand().is_third_party)

    def _first_letter(self):
        """The first letter sent to this customer under the same brand, which later letters recall (R124-4)."""
        self.ensure_one()
        brand = self._letter_brand()
        if not brand:
            return self.browse()
        return self.search(
            [
                ("partner_id", "=", self.partner_id.id),
                ("brand_id", "=", brand.id),
                ("identity", "=", "brand"),
                ("channel", "in", (*LETTER_CHANNELS, "email")),
                ("attachment_id", "!=", False),
                ("state", "=", "done"),
                ("id", "<", self.id),
            ],
            order="date, id",
            limit=1,
        )

    def _has_previous_reminders(self):
        """Whether the customer already received a reminder about one of these invoices."""
        self.ensure_one()
        return bool(
            self.search_count(
                [
                    ("partner_id", "=", self.partner_id.id),
                    ("move_ids", "in", self.move_ids.ids),
                    ("channel", "in", ("email", "sms", *LETTER_CHANNELS)),
                    ("state", "in", ("done", "to_send")),
                    ("id", "<", self.id),
                ],
                limit=1,
            )
        )

    def _sent_date(self):
        """The day the letter left: posted, or e-mailed."""
        self.ensure_one()
        return self.posted_date or self.date

    def _agency_reference(self):
        """The reference later contacts recall: the first letter's, with its date, else this one's."""
        self.ensure_one()
        first = self._first_letter()
        if not first:
            return self.name
        return self.env._(
            "%(reference)s of %(date)s",
            reference=first.name,
            date=format_date(self.env, first._sent_date(), lang_code=self.recipient_id.lang or self.partner_id.lang),
        )

    def _payment_instructions(self):
        """How to pay: the brand's instructions, else the company's bank account."""
        self.ensure_one()
        brand = self._letter_brand()
        if brand.payment_instructions:
            return brand.payment_instructions
        bank = self.company_id.partner_id.bank_ids[:1]
        if bank:
            return self.env._(
                "By bank transfer to %(holder)s, IBAN %(iban)s, quoting the invoice numbers.",
                holder=self.company_id.name,
                iban=bank.acc_number,
            )
        return self.env._(
            "By bank transfer or cheque to %(creditor)s, quoting the invoice numbers.", creditor=self.company_id.name
        )

    def _next_step_announcement(self):
        """The consequence a formal notice announces if the deadline passes."""
        self.ensure_one()
        next_step = self.step_id._next_step()
        if not next_step or next_step.channel == "handover":
            return self.env._(
                "Failing payment by that date, the file will be handed over for legal recovery without further notice."
            )
        return self.env._(
            "Failing payment by that date, the next step of the procedure will be: %(step)s.",
            step=next_step.name,
        )

    def _l111_8_text(self):
        return legal.L111_8_PARAGRAPHS_2_3

    def action_download_letters(self):
        """One PDF of every selected letter, in order, to print and post in one go."""
        letters = self.filtered("attachment_id")
        if not letters:
            raise UserError(self.env._("Select letters that have a PDF (letters and formal notices)."))
        merged = pdf.merge_pdf(
            [letter.attachment_id.raw for letter in letters.sorted(lambda i: (i.partner_id.name, i.id))]
        )
        day = fields.Date.context_today(self)
        attachment = self.env["ir.attachment"].create(
            {
                "name": self.env._("Letters to send %(date)s.pdf", date=day),
                "raw": merged,
                "mimetype": "application/pdf",
                "res_model": self._name,
            }
        )
        return {"type": "ir.actions.act_url", "url": f"/web/content/{attachment.id}?download=true", "target": "self"}

    # ------------------------------------------------------------------
    # Draft letters
    # ------------------------------------------------------------------

    def _letter_is_final(self):
        """Whether the letter is the one sent: produced (to post, or posted); anything else prints as a draft."""
        self.ensure_one()
        return self.state in ("to_send", "done")

    def _letter_is_draft(self):
        """Whether the letter being rendered is a draft (see ``ir.actions.report._render_qweb_pdf``)."""
        self.ensure_one()
        return self.id in self.env.context.get("kreancia_draft_letter_ids", ())

    def _prepare_draft_letters(self):
        """Fix the amounts and deadline the letters would carry if validated now.

        Writes; the caller renders inside a savepoint it rolls back.
        """
        for intervention in self.filtered(lambda i: i.channel == "formal_notice" and not i.deadline_date):
            intervention.deadline_date = intervention.date + timedelta(days=intervention.step_id.deadline_days)
        self._compute_legal_amounts()

    def action_preview_letter(self):
        """The letter as it would be sent, marked as a draft; nothing is written."""
        letters = self.filtered(lambda intervention: intervention.channel in LETTER_CHANNELS)
        if not letters:
            raise UserError(self.env._("Select letters or formal notices to preview."))
        return self.env.ref("kreancia_collect.action_report_dunning_letter").report_action(letters)
