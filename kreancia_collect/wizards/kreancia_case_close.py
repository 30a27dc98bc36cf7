from odoo import fields, models

from ..models.kreancia_case import CLOSE_REASONS


class KreanciaCaseClose(models.TransientModel):
    """Close a hand-over case with its outcome."""

    _name = "kreancia.case.close"
    _description = "Close a Hand-over Case"

    case_id = fields.Many2one("kreancia.case", required=True, readonly=True)
    close_reason = fields.Selection(CLOSE_REASONS, "Outcome", required=True)
    close_note = fields.Text("Note")

    def action_confirm(self):
        """Close the case; an abandoned case opens Odoo's credit note wizard for what is left."""
        self.ensure_one()
        return self.case_id._close(self.close_reason, self.close_note)
