from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    kreancia_declared_payment_pause_days = fields.Integer(
        "Pause after a declared payment (days)",
        default=7,
        help="Days the dunning of invoices pauses when the customer declares on its page a payment already made.",
    )
