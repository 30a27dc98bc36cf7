from odoo import fields, models


class KreanciaInterventionLine(models.Model):
    """One invoice concerned by an intervention, with the step it reached."""

    _name = "kreancia.intervention.line"
    _description = "Dunning Intervention Invoice"
    _order = "intervention_id, invoice_date_due, id"

    intervention_id = fields.Many2one("kreancia.intervention", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="intervention_id.company_id", store=True)
    move_id = fields.Many2one("account.move", "Invoice", required=True, index=True, ondelete="cascade")
    step_id = fields.Many2one("kreancia.scenario.step", required=True, ondelete="restrict")
    level = fields.Integer(related="step_id.sequence")
    invoice_date = fields.Date(related="move_id.invoice_date")
    invoice_date_due = fields.Date("Due date", related="move_id.invoice_date_due", store=True)
    days_late = fields.Integer(readonly=True)
    currency_id = fields.Many2one("res.currency", required=True)
    amount_residual = fields.Monetary("Amount due", currency_field="currency_id", readonly=True)
