from odoo import api, fields, models


class KreanciaEscalationPreview(models.TransientModel):
    """What a run on a chosen date would do; changes nothing."""

    _name = "kreancia.escalation.preview"
    _description = "Dunning Run Preview"

    date = fields.Date(required=True, default=fields.Date.context_today)
    line_ids = fields.One2many("kreancia.escalation.preview.line", "preview_id", readonly=True)
    computed = fields.Boolean("Preview computed", help="The preview was computed for the date.")
    customer_count = fields.Integer(compute="_compute_totals")
    invoice_count = fields.Integer(compute="_compute_totals")

    @api.depends("line_ids")
    def _compute_totals(self):
        for preview in self:
            preview.customer_count = len(preview.line_ids.partner_id)
            preview.invoice_count = sum(preview.line_ids.mapped("invoice_count"))

    def action_compute(self):
        """Plan the run on ``date`` and list it."""
        self.ensure_one()
        plans = self.env["kreancia.escalation"]._plan(self.date)
        self.computed = True
        self.line_ids = [fields.Command.clear()] + [
            fields.Command.create(
                {
                    "partner_id": plan.partner_id,
                    "step_id": plan.step.id,
                    "channel": plan.channel,
                    "manual": plan.step.manual,
                    "invoice_count": len(plan.lines),
                    "amount": plan.amount_company,
                    "amount_credit": plan.credit,
                    "company_id": plan.step.company_id.id,
                }
            )
            for plan in plans
        ]
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "name": self.env._("Preview of the dunning run"),
        }

    def action_run(self):
        """Perform the run on ``date`` for real."""
        self.ensure_one()
        counts = self.env["kreancia.escalation"].run(self.date)
        if counts.get("queued"):
            return {
                "type": "ir.actions.client",
                "tag": "display_notification",
                "params": {
                    "title": self.env._("Dunning run queued"),
                    "message": self.env._(
                        "%(planned)s interventions are planned: the run goes on in the background, "
                        "batch after batch. You will be notified when it is done.",
                        planned=counts["planned"],
                    ),
                    "type": "info",
                    "next": {"type": "ir.actions.act_window_close"},
                },
            }
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Dunning run performed"),
                "message": self.env._(
                    "%(interventions)s intervention(s) on %(invoices)s invoice(s); %(to_validate)s to validate, "
                    "%(failed)s failed.",
                    interventions=counts.get("interventions", 0),
                    invoices=counts.get("invoices", 0),
                    to_validate=counts.get("to_validate", 0),
                    failed=counts.get("failed", 0),
                ),
                "type": "success",
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
