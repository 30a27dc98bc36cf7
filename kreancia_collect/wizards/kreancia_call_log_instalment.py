from odoo import fields, models


class KreanciaCallLogInstalment(models.TransientModel):
    _name = "kreancia.call.log.instalment"
    _description = "Promised Payment"
    _order = "date, id"

    wizard_id = fields.Many2one("kreancia.call.log", required=True, ondelete="cascade")
    date = fields.Date(required=True)
    currency_id = fields.Many2one(related="wizard_id.currency_id")
    amount = fields.Monetary(required=True)
