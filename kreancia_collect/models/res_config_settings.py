from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    kreancia_commitment_tolerance_days = fields.Integer(
        related="company_id.kreancia_commitment_tolerance_days", readonly=False
    )
