from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import format_amount

from ..groups import MANAGER_GROUP
from .kreancia_scenario_step import CHANNELS, IDENTITIES


class KreanciaIntervention(models.Model):
    """One dunning action on one customer: the evidence trail.

    Interventions are deliberately lean (no chatter, no tracking): the
    customer's chatter receives the communication itself, once per customer.
    """

    _name = "kreancia.intervention"
    _description = "Dunning Intervention"
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char("Reference", required=True, readonly=True, copy=False, default="/")
    date = fields.Date(required=True, readonly=True, default=fields.Date.context_today, index=True)
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, index=True, default=lambda self: self.env.company
    )
    partner_id = fields.Many2one(
        "res.partner", "Customer", required=True, readonly=True, index=True, check_company=True
    )
    recipient_id = fields.Many2one(
        "res.partner",
        readonly=True,
        help="The customer's invoicing contact when it has one, else the customer.",
    )
    scenario_id = fields.Many2one(related="step_id.scenario_id", store=True, string="Scenario")
    step_id = fields.Many2one(
        "kreancia.scenario.step", required=True, readonly=True, ondelete="restrict", check_company=True
    )
    level = fields.Integer(related="step_id.sequence")
    channel = fields.Selection(CHANNELS, required=True, readonly=True)
    identity = fields.Selection(IDENTITIES, required=True, readonly=True, default="company")
    brand_id = fields.Many2one("kreancia.brand", readonly=True, check_company=True)
    move_ids = fields.Many2many(
        "account.move",
        "kreancia_intervention_account_move_rel",
        "intervention_id",
        "move_id",
        "Invoices",
        readonly=True,
        check_company=True,
    )
    line_ids = fields.One2many("kreancia.intervention.line", "intervention_id", "Invoice details", readonly=True)
    move_count = fields.Integer("Invoice count", compute="_compute_move_count")
    currency_id = fields.Many2one(related="company_id.currency_id")
    amount_total = fields.Monetary(
        "Amount claimed",
        readonly=True,
        help="Residual of the invoices concerned when the intervention was created, in the company's currency.",
    )
    total_due_display = fields.Char(
        "Total due", compute="_compute_total_due_display", help="Residual of the invoices, per currency."
    )
    state = fields.Selection(
        [
            ("to_validate", "To validate"),
            ("to_send", "To send"),
            ("done", "Done"),
            ("failed", "Failed"),
            ("cancelled", "Cancelled"),
        ],
        required=True,
        default="done",
        readonly=True,
        index=True,
    )
    amount_credit = fields.Monetary(
        "Open credit notes",
        readonly=True,
        help="Open credit notes of the customer, deducted from the amount claimed (company currency).",
    )
    amount_net = fields.Monetary("Net amount claimed", compute="_compute_amount_net")
    mail_id = fields.Many2one("mail.mail", "E-mail", readonly=True, ondelete="set null")
    sms_id = fields.Many2one("sms.sms", "SMS", readonly=True, ondelete="set null")
    activity_id = fields.Many2one("mail.activity", "Task", readonly=True, ondelete="set null")
    attachment_id = fields.Many2one("ir.attachment", "Letter", readonly=True, ondelete="set null")
    deadline_date = fields.Date("Payment deadline", readonly=True)
    posted_date = fields.Date("Posted on", readonly=True)
    tracking_number = fields.Char("Registered mail number", readonly=True)
    message_id = fields.Many2one("mail.message", readonly=True, ondelete="set null")
    error = fields.Text(readonly=True)
    user_id = fields.Many2one("res.users", "Performed by", readonly=True)
    email_from = fields.Char("Sender", compute="_compute_sender")
    reply_to = fields.Char(compute="_compute_sender")
    sender_name = fields.Char(compute="_compute_sender")

    @api.depends("move_ids")
    def _compute_move_count(self):
        for intervention in self:
            intervention.move_count = len(intervention.move_ids)

    @api.depends("amount_total", "amount_credit")
    def _compute_amount_net(self):
        for intervention in self:
            intervention.amount_net = intervention.amount_total - intervention.amount_credit

    @api.depends("line_ids.amount_residual", "line_ids.currency_id")
    def _compute_total_due_display(self):
        for intervention in self:
            totals = {}
            for line in intervention.line_ids:
                totals[line.currency_id] = totals.get(line.currency_id, 0.0) + line.amount_residual
            intervention.total_due_display = " + ".join(
                format_amount(self.env, amount, currency) for currency, amount in totals.items()
            )

    @api.depends("identity", "brand_id", "company_id")
    def _compute_sender(self):
        for intervention in self:
            if intervention.identity == "brand" and intervention.brand_id:
                brand = intervention.brand_id
                intervention.sender_name = brand.name
                intervention.email_from = brand._email_formatted() or intervention.company_id.email_formatted
                intervention.reply_to = intervention.email_from
            else:
                company = intervention.company_id
                intervention.sender_name = company.name
                intervention.email_from = company.email_formatted
                intervention.reply_to = company.email_formatted

    @api.model_create_multi
    def create(self, vals_list):
        by_day = {}
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                # the reference's year is the letter's, not the day it was produced
                day = fields.Date.to_date(vals.get("date")) or fields.Date.context_today(self)
                by_day.setdefault(day, []).append(vals)
        for day, day_vals in by_day.items():
            for vals, name in zip(day_vals, self._next_references(day, len(day_vals)), strict=True):
                vals["name"] = name
        return super().create(vals_list)

    @api.model
    def _next_references(self, day, count):
        """``count`` references dated ``day``, drawn in one query from a standard sequence."""
        sequence_model = self.env["ir.sequence"].with_context(ir_sequence_date=day)
        sequence = sequence_model.sudo().search(
            [("code", "=", "kreancia.intervention"), ("company_id", "in", [self.env.company.id, False])],
            order="company_id",
            limit=1,
        )
        if not sequence:
            return ["/"] * count
        if sequence.implementation != "standard" or sequence.use_date_range:
            return [sequence_model.next_by_code("kreancia.intervention") or "/" for _index in range(count)]
        self.env.cr.execute("SELECT nextval(%s) FROM generate_series(1, %s)", [f"ir_sequence_{sequence.id:03d}", count])
        numbers = sorted(row[0] for row in self.env.cr.fetchall())
        prefix, suffix = sequence._get_prefix_suffix()
        return [f"{prefix}{number:0{sequence.padding}d}{suffix}" for number in numbers]

    def action_validate(self):
        """Perform interventions a manager approved."""
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(self.env._("Only a collection manager can validate interventions."))
        pending = self.filtered(lambda intervention: intervention.state == "to_validate")
        if not pending:
            raise UserError(self.env._("Select interventions waiting for validation."))
        pending.write({"user_id": self.env.uid})
        pending._perform()
        failed = pending.filtered(lambda intervention: intervention.state == "failed")
        if failed:
            # nothing is half-done: the whole validation is undone and the interventions stay to validate
            raise UserError(
                self.env._(
                    "Nothing was validated, because these interventions cannot be performed:\n%(reasons)s",
                    reasons="\n".join(f"- {intervention.name}: {intervention.error}" for intervention in failed),
                )
            )
        return True

    def action_cancel(self):
        """Drop interventions that were not performed; their invoices stay at their step."""
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(self.env._("Only a collection manager can cancel interventions."))
        if self.filtered(lambda intervention: intervention.state in ("done", "to_send")):
            raise UserError(self.env._("An intervention already performed cannot be cancelled."))
        self.write({"state": "cancelled"})
        return True

    def action_open_moves(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Invoices"),
            "res_model": "account.move",
            "view_mode": "list,form",
            "domain": [("id", "in", self.move_ids.ids)],
        }

    def action_download_letter(self):
        self.ensure_one()
        if not self.attachment_id:
            raise UserError(self.env._("This intervention has no letter."))
        return {"type": "ir.actions.act_url", "url": f"/web/content/{self.attachment_id.id}?download=true"}

    def _mail_get_partner_fields(self, introspect_fields=False):
        # templates using default recipients write to the recipient, not the customer
        return ["recipient_id"]
