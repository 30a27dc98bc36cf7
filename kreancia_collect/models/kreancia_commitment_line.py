from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import float_compare


class KreanciaCommitmentLine(models.Model):
    """One dated instalment of a payment commitment."""

    _name = "kreancia.commitment.line"
    _description = "Payment Commitment Instalment"
    _order = "date, id"

    commitment_id = fields.Many2one("kreancia.commitment", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="commitment_id.company_id", store=True)
    currency_id = fields.Many2one(related="commitment_id.currency_id")
    date = fields.Date(required=True)
    amount = fields.Monetary(required=True)
    state = fields.Selection(
        [("open", "Open"), ("kept", "Kept"), ("broken", "Broken")], required=True, default="open", readonly=True
    )

    @api.constrains("date", "amount")
    def _check_instalment(self):
        today = fields.Date.context_today(self)
        for line in self:
            if float_compare(line.amount, 0.0, precision_rounding=line.currency_id.rounding or 0.01) <= 0:
                raise ValidationError(self.env._("Each instalment must be a positive amount."))
            if line.state == "open" and line.date < today:
                raise ValidationError(
                    self.env._("The payment date %(date)s is in the past.", date=fields.Date.to_string(line.date))
                )
