from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    kreancia_declared_payment_pause_days = fields.Integer(
        related="company_id.kreancia_declared_payment_pause_days", readonly=False
    )
