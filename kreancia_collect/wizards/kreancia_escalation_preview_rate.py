from odoo import api, fields, models

from ..models.kreancia_scenario_step import LETTER_CHANNELS


class KreanciaEscalationPreview(models.TransientModel):
    _inherit = "kreancia.escalation.preview"

    rate_warning_count = fields.Integer(compute="_compute_rate_warning_count")

    @api.depends("line_ids.rate_warning")
    def _compute_rate_warning_count(self):
        for preview in self:
            preview.rate_warning_count = len(preview.line_ids.filtered("rate_warning"))


class KreanciaEscalationPreviewLine(models.TransientModel):
    """A letter the run would refuse for want of a rate is flagged before the run."""

    _inherit = "kreancia.escalation.preview.line"

    rate_warning = fields.Char("Warning", compute="_compute_rate_warning", store=True)

    @api.depends("channel", "partner_id", "company_id", "preview_id.date")
    def _compute_rate_warning(self):
        """Name the half-years a letter to a professional cannot price on the preview's date.

        The late period runs from the oldest open invoice of the customer that
        the run follows (not paused, disputed, promised or handed over) to the
        preview's date; a contractual rate also needs each half-year's legal
        interest rate, its floor.
        """
        letters = self.filtered(
            lambda line: (
                line.channel in LETTER_CHANNELS
                and line.partner_id
                and line.preview_id.date
                and line.partner_id._is_professional_debtor()
            )
        )
        (self - letters).rate_warning = False
        if not letters:
            return
        rates = self.env["kreancia.interest.rate"]
        table = rates._rate_table()
        oldest_due = self._oldest_due_dates(letters)
        for line in letters:
            partner = line.partner_id.commercial_partner_id
            contract_rate = partner.dunning_contract_rate
            missing = rates._missing_half_years(
                oldest_due.get((partner.id, line.company_id.id)), line.preview_id.date, contract_rate, table=table
            )
            line.rate_warning = "; ".join(
                self.env._("No late-payment rate for half-year %(half)s of %(year)s", half=half, year=year)
                if (year, half) not in table
                else self.env._(
                    "No legal interest rate (floor of the contractual rate) for half-year %(half)s of %(year)s",
                    half=half,
                    year=year,
                )
                for year, half in missing
            )

    def _oldest_due_dates(self, lines):
        """``{(commercial partner id, company id): oldest due date}`` of the open invoices the run follows."""
        groups = (
            self.env["account.move"]
            .sudo()
            ._read_group(
                [
                    ("commercial_partner_id", "in", lines.partner_id.commercial_partner_id.ids),
                    ("company_id", "in", lines.company_id.ids),
                    ("move_type", "=", "out_invoice"),
                    ("state", "=", "posted"),
                    ("payment_state", "in", ("not_paid", "partial")),
                    ("dunning_state", "in", ("none", "running")),
                    ("invoice_date_due", "<", max(lines.preview_id.mapped("date"))),
                ],
                ["commercial_partner_id", "company_id"],
                ["invoice_date_due:min"],
            )
        )
        return {(partner.id, company.id): due for partner, company, due in groups}
