from odoo import fields, models


class KreanciaScenarioStep(models.Model):
    _inherit = "kreancia.scenario.step"

    handover_partner_id = fields.Many2one(
        "res.partner",
        "Receiving party",
        check_company=True,
        help="Hand-over steps: the agency, bailiff or lawyer whose case is opened. "
        "Empty: the manager chooses it before sending the case.",
    )
