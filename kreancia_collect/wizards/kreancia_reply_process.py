from odoo import Command, api, fields, models
from odoo.exceptions import UserError

from ..models.kreancia_reply import DISPUTE_REASONS

PROCESS_ACTIONS = [
    ("promise", "Accept the promise"),
    ("dispute", "Open a dispute"),
    ("paid", "Check a payment"),
    ("documents", "Send the documents"),
]
KIND_TO_ACTION = {"promise": "promise", "dispute": "dispute", "paid": "paid", "document": "documents"}


class KreanciaReplyProcess(models.TransientModel):
    """Turn a debtor's reply into what it means, pre-filled from what was read and editable before confirming."""

    _name = "kreancia.reply.process"
    _description = "Handle a Debtor Reply"

    reply_id = fields.Many2one("kreancia.reply", required=True, readonly=True, ondelete="cascade")
    partner_id = fields.Many2one(related="reply_id.partner_id")
    company_id = fields.Many2one(related="reply_id.company_id")
    currency_id = fields.Many2one(related="reply_id.company_id.currency_id")
    body = fields.Text(related="reply_id.body")
    action = fields.Selection(PROCESS_ACTIONS, required=True, default="promise")
    move_ids = fields.Many2many(
        "account.move",
        string="Invoices",
        domain="[('commercial_partner_id', '=', partner_id), ('move_type', '=', 'out_invoice'), "
        "('state', '=', 'posted'), ('payment_state', 'in', ('not_paid', 'partial'))]",
    )
    amount_due = fields.Monetary("Due on these invoices", compute="_compute_amount_due")
    # promise
    instalment_ids = fields.One2many("kreancia.reply.process.instalment", "wizard_id", "Instalments")
    amount_promised = fields.Monetary("Promised in all", compute="_compute_amount_promised")
    # dispute
    reason = fields.Selection(DISPUTE_REASONS, "Dispute reason")
    note = fields.Text()
    # payment claimed
    paid_date = fields.Date("Paid on")
    paid_amount = fields.Monetary("Amount paid")
    paid_reference = fields.Char("Payment reference")
    pause_days = fields.Integer("Pause dunning (days)")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        reply = self.env["kreancia.reply"].browse(values.get("reply_id") or self.env.context.get("default_reply_id"))
        if reply:
            values.update(self._prefill(reply))
        return values

    @api.model
    def _prefill(self, reply):
        """What the reply said, as the action's values."""
        reply._check_new()
        action = KIND_TO_ACTION.get(reply.kind, "promise")
        open_invoices = reply._open_invoices()
        named = reply.move_ids & open_invoices
        values = {
            "action": action,
            "reason": reply.reason or "other",
            "paid_date": reply.paid_date,
            "paid_amount": reply.amount if reply.kind == "paid" else 0.0,
            "paid_reference": reply.paid_reference,
            "pause_days": reply.company_id.kreancia_declared_payment_pause_days or 7,
        }
        if action == "promise":
            invoices = reply._promise_invoices()
            values["move_ids"] = [Command.set(invoices.ids)]
            values["instalment_ids"] = [
                Command.create({"date": day, "amount": amount}) for day, amount in reply._promise_plan(invoices)
            ]
        elif action == "dispute":
            values["move_ids"] = [Command.set(named.ids)]
        elif action == "documents":
            values["move_ids"] = [Command.set((named or open_invoices).ids)]
        return values

    @api.depends("move_ids")
    def _compute_amount_due(self):
        for wizard in self:
            wizard.amount_due = sum(wizard.move_ids.mapped("amount_residual_signed"))

    @api.depends("instalment_ids.amount")
    def _compute_amount_promised(self):
        for wizard in self:
            wizard.amount_promised = sum(wizard.instalment_ids.mapped("amount"))

    @api.onchange("action")
    def _onchange_action(self):
        if self.action == "promise" and not self.instalment_ids and self.reply_id:
            invoices = self.move_ids or self.reply_id._promise_invoices()
            self.move_ids = invoices
            self.instalment_ids = [
                Command.create({"date": day, "amount": amount}) for day, amount in self.reply_id._promise_plan(invoices)
            ]

    def action_confirm(self):
        self.ensure_one()
        reply = self.reply_id
        if self.action == "promise":
            plan = [(line.date, line.amount) for line in self.instalment_ids.sorted("date")]
            reply._accept_promise(self.move_ids, plan, self.env.user)
        elif self.action == "dispute":
            reply._open_dispute(self.move_ids, self.reason, self.note)
        elif self.action == "paid":
            reply._record_payment_claim(self.paid_date, self.paid_amount or None, self.paid_reference, self.pause_days)
        elif self.action == "documents":
            reply._send_documents(self.move_ids)
        else:
            raise UserError(self.env._("Choose what to do with the reply."))
        return {"type": "ir.actions.act_window_close"}
