from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    kreancia_commitment_tolerance_days = fields.Integer(
        "Commitment tolerance (days)",
        default=2,
        help="Days after an instalment's date before a missing payment breaks the commitment.",
    )
