from odoo import fields, models


class KreanciaReplyProcessInstalment(models.TransientModel):
    _name = "kreancia.reply.process.instalment"
    _description = "Instalment Read From a Reply"
    _order = "date, id"

    wizard_id = fields.Many2one("kreancia.reply.process", required=True, ondelete="cascade")
    date = fields.Date(required=True)
    currency_id = fields.Many2one(related="wizard_id.currency_id")
    amount = fields.Monetary(required=True)
