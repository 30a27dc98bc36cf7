from odoo import api, fields, models
from odoo.tools import format_date


class KreanciaEscalationPreview(models.TransientModel):
    """What a run on a chosen date would do; changes nothing.

    The list always shows the date of the form: a computed preview follows
    a change of date, and *Run now* first lists the run again and names its
    date, then runs that date once confirmed.
    """

    _name = "kreancia.escalation.preview"
    _description = "Dunning Run Preview"

    date = fields.Date(required=True, default=fields.Date.context_today)
    line_ids = fields.One2many("kreancia.escalation.preview.line", "preview_id", readonly=True)
    computed = fields.Boolean("Preview computed", help="The preview was computed for the date.")
    confirming = fields.Boolean(help="Run now was asked: the form names the date and waits for confirmation.")
    customer_count = fields.Integer(compute="_compute_totals")
    invoice_count = fields.Integer(compute="_compute_totals")
    run_confirmation = fields.Char(compute="_compute_run_confirmation")

    @api.depends("line_ids")
    def _compute_totals(self):
        for preview in self:
            preview.customer_count = len(preview.line_ids.partner_id)
            preview.invoice_count = sum(preview.line_ids.mapped("invoice_count"))

    @api.depends("date", "line_ids")
    def _compute_run_confirmation(self):
        for preview in self:
            day = format_date(self.env, preview.date)
            preview.run_confirmation = (
                self.env._(
                    "Perform the dunning run of %(date)s now? It performs the %(count)s intervention(s) listed "
                    "below, on %(invoices)s invoice(s).",
                    date=day,
                    count=len(preview.line_ids),
                    invoices=preview.invoice_count,
                )
                if preview.line_ids
                else self.env._("Nothing to do on %(date)s: the run would perform no intervention.", date=day)
            )

    @api.onchange("date")
    def _onchange_date(self):
        """A computed preview follows its date: the list never shows another day than the one *Run now* runs."""
        self.confirming = False
        if self.computed and self.date:
            self._fill_lines()

    def action_compute(self):
        """Plan the run on ``date`` and list it."""
        self.ensure_one()
        self._fill_lines()
        self.confirming = False
        return self._reopen(self.env._("Preview of the dunning run"))

    def action_confirm_run(self):
        """*Run now*: list the run of ``date`` again and ask to confirm it, naming the date."""
        self.ensure_one()
        self._fill_lines()
        self.confirming = True
        return self._reopen(self.env._("Confirm the dunning run"))

    def _fill_lines(self):
        """The lines of the run planned on ``date``."""
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

    def _reopen(self, name):
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "name": name,
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
