from odoo import fields, models


class AccountPaymentLine(models.Model):
    _inherit = "account.payment.line"

    kreancia_commitment_line_id = fields.Many2one(
        "kreancia.commitment.line", "Instalment", index="btree_not_null", ondelete="set null", readonly=True
    )
    kreancia_returned = fields.Boolean(
        "Returned by the bank", readonly=True, copy=False, help="The debit was sent to the bank and came back."
    )
