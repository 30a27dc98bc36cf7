from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    dunning_wrong_phone = fields.Char(
        "Wrong number",
        copy=False,
        help="A call found this number wrong: My Calls flags it until the number is corrected.",
    )

    def action_dunning_clear_wrong_phone(self):
        self.dunning_wrong_phone = False
        return True
