from odoo import fields, models

from ..models.kreancia_case import CLOSE_REASONS, REST_OUTCOMES


class KreanciaCaseClose(models.TransientModel):
    """Close a hand-over case with its outcome and, when partly recovered, what becomes of the rest."""

    _name = "kreancia.case.close"
    _description = "Close a Hand-over Case"

    case_id = fields.Many2one("kreancia.case", required=True, readonly=True)
    currency_id = fields.Many2one(related="case_id.currency_id")
    amount_residual = fields.Monetary("Still open", related="case_id.amount_residual")
    close_reason = fields.Selection(CLOSE_REASONS, "Outcome", required=True)
    rest_outcome = fields.Selection(
        REST_OUTCOMES,
        "What is left",
        help="The receiving party gave up on the rest: write it off with a credit note, or dun it again from the "
        "step the invoices had reached.",
    )
    close_note = fields.Text("Note")

    def action_confirm(self):
        """Close the case; what is left to write off opens Odoo's credit note wizard."""
        self.ensure_one()
        return self.case_id._close(self.close_reason, self.close_note, self.rest_outcome)
