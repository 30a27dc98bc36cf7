from odoo import api, fields, models
from odoo.exceptions import UserError

from ..models.kreancia_call import OUTCOMES
from ..models.kreancia_scenario_step import IDENTITIES


class KreanciaCallLog(models.TransientModel):
    """Log a call, and the commitment it obtained, in one step."""

    _name = "kreancia.call.log"
    _description = "Log a Collection Call"

    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    partner_id = fields.Many2one("res.partner", "Customer", required=True)
    contact_id = fields.Many2one(
        "res.partner",
        compute="_compute_contact_id",
        store=True,
        readonly=False,
        domain="['|', ('id', '=', partner_id), ('parent_id', '=', partner_id)]",
    )
    phone = fields.Char("Number", compute="_compute_phone", store=True, readonly=False)
    direction = fields.Selection([("outbound", "Outbound"), ("inbound", "Inbound")], required=True, default="outbound")
    duration = fields.Float("Duration (minutes)")
    outcome = fields.Selection(OUTCOMES, required=True, default="reached")
    move_ids = fields.Many2many(
        "account.move",
        string="Invoices",
        compute="_compute_move_ids",
        store=True,
        readonly=False,
        domain="[('commercial_partner_id', '=', partner_id), ('move_type', '=', 'out_invoice'), "
        "('state', '=', 'posted'), ('payment_state', 'in', ('not_paid', 'partial'))]",
    )
    amount_due = fields.Monetary("Amount due", compute="_compute_amount_due", currency_field="currency_id")
    currency_id = fields.Many2one(related="company_id.currency_id")
    note = fields.Text()
    callback_date = fields.Date("Call back on")
    identity = fields.Selection(IDENTITIES, required=True, default="company")
    brand_id = fields.Many2one("kreancia.brand", domain="[('company_id', '=', company_id)]")
    instalment_ids = fields.One2many("kreancia.call.log.instalment", "wizard_id", "Promised payments")

    @api.depends("partner_id")
    def _compute_contact_id(self):
        for wizard in self:
            contacts = wizard.partner_id.child_ids.filtered(lambda c: c.type == "invoice")
            wizard.contact_id = contacts[:1] or wizard.partner_id

    @api.depends("contact_id")
    def _compute_phone(self):
        for wizard in self:
            wizard.phone = wizard.contact_id.phone or wizard.partner_id.phone

    @api.depends("partner_id")
    def _compute_move_ids(self):
        for wizard in self:
            wizard.move_ids = (
                self.env["account.move"].search(wizard.partner_id._overdue_domain()) if wizard.partner_id else False
            )

    @api.depends("move_ids")
    def _compute_amount_due(self):
        for wizard in self:
            wizard.amount_due = sum(wizard.move_ids.mapped("amount_residual_signed"))

    def action_confirm(self):
        """Create the call (and its commitment); any error leaves nothing behind."""
        self._log()
        # the form behind the dialog shows the new call and commitment at once
        return {"type": "ir.actions.client", "tag": "soft_reload"}

    def _log(self):
        """Create the call and, for a promise, its commitment.

        :return: ``(call, commitment)``, the commitment empty when none was promised
        """
        self.ensure_one()
        if self.outcome == "promise" and not self.instalment_ids:
            raise UserError(self.env._("Enter the promised payment dates and amounts."))
        call = self.env["kreancia.call"].create(
            {
                "company_id": self.company_id.id,
                "partner_id": self.partner_id.commercial_partner_id.id,
                "contact_id": self.contact_id.id,
                "phone": self.phone,
                "direction": self.direction,
                "duration": self.duration,
                "outcome": self.outcome,
                "move_ids": [fields.Command.set(self.move_ids.ids)],
                "note": self.note,
                "callback_date": self.callback_date,
                "identity": self.identity,
                "brand_id": self.brand_id.id,
            }
        )
        commitment = self.env["kreancia.commitment"]
        if self.outcome == "promise":
            commitment = commitment.create(
                {
                    "company_id": self.company_id.id,
                    "partner_id": call.partner_id.id,
                    "move_ids": [fields.Command.set(self.move_ids.ids)],
                    "amount_total": sum(self.instalment_ids.mapped("amount")),
                    "line_ids": [
                        fields.Command.create({"date": line.date, "amount": line.amount})
                        for line in self.instalment_ids
                    ],
                    "call_id": call.id,
                }
            )
        return call, commitment
