from odoo import fields, models

from ..models.kreancia_scenario_step import CHANNELS


class KreanciaEscalationPreviewLine(models.TransientModel):
    _name = "kreancia.escalation.preview.line"
    _description = "Dunning Run Preview Line"
    _order = "partner_id, channel"

    preview_id = fields.Many2one("kreancia.escalation.preview", required=True, ondelete="cascade")
    partner_id = fields.Many2one("res.partner", "Customer", readonly=True)
    step_id = fields.Many2one("kreancia.scenario.step", readonly=True)
    channel = fields.Selection(CHANNELS, readonly=True)
    manual = fields.Boolean("Needs validation", readonly=True)
    invoice_count = fields.Integer("Invoices", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    amount = fields.Monetary("Amount due", readonly=True)
    amount_credit = fields.Monetary("Open credit notes", readonly=True)

    def action_open_customer(self):
        """The customer of this line, in its form."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "res.partner",
            "res_id": self.partner_id.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
        }
