from odoo import fields, models


class KreanciaCaseRecovery(models.Model):
    """A sum the receiving party reports as recovered: payments on the invoices and its commission bill."""

    _name = "kreancia.case.recovery"
    _description = "Hand-over Case Recovery"
    _order = "date, id"

    case_id = fields.Many2one("kreancia.case", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="case_id.company_id", store=True)
    currency_id = fields.Many2one(related="case_id.currency_id")
    date = fields.Date(required=True, readonly=True)
    amount = fields.Monetary("Amount recovered", required=True, readonly=True)
    commission_rate = fields.Float("Commission (%)", digits=(5, 2), readonly=True)
    commission_amount = fields.Monetary("Commission", readonly=True)
    payment_ids = fields.Many2many("account.payment", string="Payments", readonly=True)
    bill_id = fields.Many2one("account.move", "Commission bill", readonly=True, ondelete="set null")
    note = fields.Char(readonly=True)
