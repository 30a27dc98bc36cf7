import logging

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import format_amount

from .kreancia_scenario_step import CHANNELS, IDENTITIES

_logger = logging.getLogger(__name__)

TEMPLATE_FIELDS = ("subject", "body_html", "email_from", "reply_to", "partner_to", "email_to", "email_cc")


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
            ("done", "Done"),
            ("failed", "Failed"),
            ("cancelled", "Cancelled"),
        ],
        required=True,
        default="done",
        readonly=True,
        index=True,
    )
    mail_id = fields.Many2one("mail.mail", "E-mail", readonly=True, ondelete="set null")
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
        sequence = self.env["ir.sequence"]
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = sequence.next_by_code("kreancia.intervention") or "/"
        return super().create(vals_list)

    def action_validate(self):
        """Perform interventions a manager approved."""
        if not self.env.user.has_group("kreancia_collect.kreancia_collect_group_manager"):
            raise AccessError(self.env._("Only a collection manager can validate interventions."))
        pending = self.filtered(lambda intervention: intervention.state == "to_validate")
        if not pending:
            raise UserError(self.env._("Select interventions waiting for validation."))
        pending.write({"user_id": self.env.uid})
        pending._perform()
        return True

    def action_cancel(self):
        """Drop interventions that were not performed; their invoices stay at their step."""
        if not self.env.user.has_group("kreancia_collect.kreancia_collect_group_manager"):
            raise AccessError(self.env._("Only a collection manager can cancel interventions."))
        if self.filtered(lambda intervention: intervention.state == "done"):
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

    # ------------------------------------------------------------------
    # Performing
    # ------------------------------------------------------------------

    def _perform(self):
        """Perform the communication of each intervention, channel by channel.

        A failure marks the intervention failed with its reason; it never
        stops the others.
        """
        for channel in dict(CHANNELS):
            todo = self.filtered(lambda intervention, channel=channel: intervention.channel == channel)
            if todo:
                getattr(todo, f"_perform_{channel}")()
        self.filtered(lambda intervention: intervention.state == "done")._apply_to_moves()

    def _apply_to_moves(self):
        """Record on each invoice the step it reached, one write per step and date."""
        by_step = {}
        for line in self.line_ids:
            key = (line.step_id.id, line.intervention_id.date)
            by_step.setdefault(key, []).append(line.move_id.id)
        for (step_id, date), move_ids in by_step.items():
            self.env["account.move"].browse(move_ids)._dunning_write(
                {"dunning_step_id": step_id, "dunning_last_date": date}
            )

    def _perform_email(self):
        without_address = self.filtered(lambda intervention: not intervention.recipient_id.email)
        for intervention in without_address:
            intervention._mark_failed(
                self.env._(
                    "%(partner)s has no e-mail address: the reminder could not be sent.",
                    partner=intervention.recipient_id.display_name or intervention.partner_id.display_name,
                )
            )
        sendable = self - without_address
        for template in sendable.step_id.mail_template_id:
            batch = sendable.filtered(
                lambda intervention, template=template: intervention.step_id.mail_template_id == template
            )
            try:
                with self.env.cr.savepoint():
                    batch._send_template(template)
            except Exception:
                _logger.info("Batch rendering of %s failed, retrying one by one", template.name, exc_info=True)
                for intervention in batch:
                    try:
                        with self.env.cr.savepoint():
                            intervention._send_template(template)
                    except Exception as error:
                        intervention._mark_failed(str(error))

    def _send_template(self, template):
        """Render ``template`` for every intervention in one call and queue the e-mails."""
        rendered = template._generate_template(self.ids, TEMPLATE_FIELDS)
        mail_values = []
        for intervention in self:
            values = rendered[intervention.id]
            partner_ids = values.get("partner_ids") or []
            mail_values.append(
                {
                    "subject": values.get("subject"),
                    "body_html": values.get("body_html"),
                    "body": values.get("body_html"),
                    "email_from": values.get("email_from") or intervention.email_from,
                    "reply_to": values.get("reply_to") or intervention.reply_to,
                    "email_to": values.get("email_to") or False,
                    "email_cc": values.get("email_cc") or False,
                    "recipient_ids": [fields.Command.link(pid) for pid in partner_ids],
                    "model": "res.partner",
                    "res_id": intervention.partner_id.id,
                    "record_name": intervention.partner_id.display_name,
                    "message_type": "email_outgoing",
                    "author_id": intervention._author().id,
                    "auto_delete": False,
                }
            )
        mails = self.env["mail.mail"].sudo().create(mail_values)
        for intervention, mail in zip(self, mails, strict=True):
            intervention.write(
                {"mail_id": mail.id, "message_id": mail.mail_message_id.id, "state": "done", "error": False}
            )

    def _mail_get_partner_fields(self, introspect_fields=False):
        # templates using default recipients write to the recipient, not the customer
        return ["recipient_id"]

    def _author(self):
        """Partner shown as the author of the communication."""
        self.ensure_one()
        if self.identity == "brand" and self.brand_id.partner_id:
            return self.brand_id.partner_id
        return self.company_id.partner_id

    def _perform_not_implemented(self):
        for intervention in self:
            intervention._mark_failed(
                self.env._("The channel “%(channel)s” is not available yet.", channel=intervention.channel)
            )

    _perform_sms = _perform_call = _perform_letter = _perform_formal_notice = _perform_handover = (
        _perform_not_implemented
    )

    def _mark_failed(self, reason):
        self.write({"state": "failed", "error": reason})
