from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..tools.phone import PhoneError, normalize_phone
from .kreancia_escalation import in_caller_lang
from .kreancia_scenario_step import IDENTITIES

# outcomes where nobody was reached: retried after the step's delay, up to its number of attempts
UNANSWERED = ("no_answer", "voicemail")
DEFAULT_RETRY_DAYS = 1
DEFAULT_MAX_ATTEMPTS = 3

OUTCOMES = [
    ("reached", "Reached"),
    ("no_answer", "No answer"),
    ("voicemail", "Voicemail"),
    ("wrong_number", "Wrong number"),
    ("promise", "Payment promise"),
    ("dispute", "Dispute"),
    ("refused", "Refused to pay"),
    ("callback", "Call back"),
]


class KreanciaCall(models.Model):
    """A phone call logged by an agent: evidence of the collection effort."""

    _name = "kreancia.call"
    _description = "Collection Call"
    _order = "date desc, id desc"
    _check_company_auto = True
    _rec_name = "partner_id"

    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    partner_id = fields.Many2one("res.partner", "Customer", required=True, index=True, check_company=True)
    contact_id = fields.Many2one("res.partner", check_company=True)
    phone = fields.Char("Number dialled", required=True)
    phone_e164 = fields.Char("Number (E.164)", compute="_compute_phone_e164", store=True)
    direction = fields.Selection([("outbound", "Outbound"), ("inbound", "Inbound")], required=True, default="outbound")
    date = fields.Datetime(required=True, default=fields.Datetime.now)
    duration = fields.Integer("Duration (minutes)")
    user_id = fields.Many2one("res.users", "Agent", required=True, default=lambda self: self.env.user)
    outcome = fields.Selection(OUTCOMES, required=True)
    move_ids = fields.Many2many("account.move", string="Invoices", check_company=True)
    note = fields.Text()
    callback_date = fields.Date("Call back on")
    callback_at = fields.Datetime("Call back at")
    step_id = fields.Many2one(
        "kreancia.scenario.step", "Call step", check_company=True, help="The scenario's call step this call answers."
    )
    identity = fields.Selection(
        IDENTITIES,
        required=True,
        default="company",
        help="Company: the agent speaks in the company's name (white label). Brand: under the brand's name.",
    )
    brand_id = fields.Many2one("kreancia.brand", check_company=True)
    commitment_ids = fields.One2many("kreancia.commitment", "call_id", "Commitments")

    @api.depends("phone", "contact_id.country_id", "partner_id.country_id")
    def _compute_phone_e164(self):
        for call in self:
            try:
                call.phone_e164 = call._normalized_phone()
            except ValidationError:
                call.phone_e164 = False

    def _phone_country(self):
        self.ensure_one()
        return self.contact_id.country_id or self.partner_id.country_id or self.company_id.country_id

    def _normalized_phone(self):
        """E.164 form of the number; raises a translated error naming number and country."""
        self.ensure_one()
        if not self.phone:
            return False
        country = self._phone_country()
        try:
            return normalize_phone(self.phone, country.code)
        except PhoneError:
            raise ValidationError(
                self.env._(
                    "The number “%(number)s” is not a valid phone number (country used: %(country)s).",
                    number=self.phone,
                    country=country.name or self.env._("none, add the international prefix"),
                )
            ) from None

    @api.constrains("phone", "contact_id", "partner_id")
    def _check_phone(self):
        for call in self:
            call._normalized_phone()

    @api.constrains("outcome", "callback_date", "identity", "brand_id", "move_ids", "partner_id")
    def _check_outcome(self):
        for call in self:
            if call.outcome == "callback" and not call.callback_date:
                raise ValidationError(self.env._("Choose the date to call back."))
            if call.identity == "brand" and not call.brand_id:
                raise ValidationError(self.env._("Choose the brand the call was made under."))
            foreign = call.move_ids.filtered(lambda move, call=call: move.commercial_partner_id != call.partner_id)
            if foreign:
                raise ValidationError(
                    self.env._(
                        "The invoices %(invoices)s belong to another customer.",
                        invoices=", ".join(foreign.mapped("name")),
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        calls = super().create(vals_list)
        calls._apply_outcome()
        return calls

    def _apply_outcome(self):
        """What a call's outcome sets in motion, and its trace in the customer's chatter."""
        for call in self:
            if call.outcome == "dispute" and call.move_ids:
                call.move_ids.write({"dunning_dispute": True, "dunning_dispute_note": call.note or call.outcome})
            if call.outcome == "callback":
                call._schedule("mail.mail_activity_data_call", call.callback_date, call._callback_summary())
            if call.outcome in UNANSWERED:
                call._schedule_retry()
            if call.outcome == "wrong_number":
                call.partner_id.sudo().dunning_wrong_phone = call.phone
                call._schedule(
                    "mail.mail_activity_data_todo",
                    fields.Date.context_today(call),
                    self.env._("Find the right contact: %(number)s is wrong", number=call.phone),
                )
            # agents log calls on customers they may not edit: the trace is posted on their behalf
            call.partner_id.sudo().message_post(
                body=self.env["ir.qweb"]._render("kreancia_collect.call_chatter_note", {"call": call}),
                subtype_xmlid="mail.mt_note",
                author_id=call.user_id.partner_id.id,
            )

    def _callback_summary(self):
        self.ensure_one()
        if not self.callback_at:
            return self.env._("Call back")
        moment = fields.Datetime.context_timestamp(self.with_user(self.user_id), self.callback_at)
        return self.env._("Call back at %(time)s", time=moment.strftime("%H:%M"))

    def _unanswered_attempts(self):
        """Unanswered calls to the customer in a row, this one included (since the last answered one)."""
        self.ensure_one()
        calls = self.search(
            [
                ("partner_id", "=", self.partner_id.id),
                ("company_id", "=", self.company_id.id),
                ("step_id", "=", self.step_id.id),
            ],
            order="date desc, id desc",
            limit=(self.step_id.max_attempts or DEFAULT_MAX_ATTEMPTS) + 1,
        )
        count = 0
        for call in calls:
            if call.outcome not in UNANSWERED:
                break
            count += 1
        return count

    def _schedule_retry(self):
        """No answer: try again after the step's delay, until its number of attempts is reached.

        After the last attempt no retry is planned: the call step is done and the
        scenario moves on at its next step.
        """
        self.ensure_one()
        step = self.step_id
        delay = step.retry_delay_days if step else DEFAULT_RETRY_DAYS
        attempts = step.max_attempts if step else DEFAULT_MAX_ATTEMPTS
        made = self._unanswered_attempts()
        if made >= attempts:
            self.partner_id.sudo().message_post(
                body=self.env._(
                    "%(count)s unanswered calls: the call step is done, the scenario moves on.", count=made
                ),
                subtype_xmlid="mail.mt_note",
            )
            return
        self._schedule(
            "mail.mail_activity_data_call",
            fields.Date.add(fields.Date.context_today(self), days=delay),
            self.env._("Call again (attempt %(attempt)s of %(attempts)s)", attempt=made + 1, attempts=attempts),
        )

    def _schedule(self, activity_xmlid, date, summary):
        self.partner_id.sudo().activity_schedule(
            activity_xmlid, date_deadline=date, summary=summary, note=self.note or "", user_id=self.user_id.id
        )

    @api.model
    def log_call(
        self,
        partner_id,
        outcome,
        *,
        phone=None,
        note=None,
        invoice_ids=None,
        instalments=None,
        callback_date=None,
        direction="outbound",
        duration=0.0,
        identity="company",
        brand_id=None,
    ):
        """Log a call as an agent does from the customer's form, for an external caller.

        :param partner_id: the customer's id
        :param outcome: one of the call outcomes (``reached``, ``promise``, ``dispute``, ``callback``...)
        :param phone: the number dialled (default: the customer's invoicing contact's, else the customer's)
        :param invoice_ids: the invoices discussed (default: the customer's overdue invoices)
        :param instalments: for a promise, ``[{"date": "2026-07-01", "amount": 500.0}, ...]``
        :param callback_date: ISO date, required for a ``callback`` outcome
        :return: ``{"call_id": int, "phone_e164": str, "commitment_id": int or False}``
        """
        env = in_caller_lang(self).env
        partner = env["res.partner"].browse(partner_id).exists()
        if not partner:
            raise UserError(env._("No customer has the id %(id)s.", id=partner_id))
        if outcome not in dict(OUTCOMES):
            raise UserError(
                env._(
                    "%(outcome)s is not a call outcome: use one of %(outcomes)s.",
                    outcome=outcome,
                    outcomes=", ".join(dict(OUTCOMES)),
                )
            )
        to_date = env["kreancia.escalation"]._to_date
        if any(not isinstance(line, dict) or not line.get("date") for line in instalments or []):
            raise UserError(env._("Each promised instalment needs a date (YYYY-MM-DD) and an amount."))
        values = {
            "partner_id": partner.commercial_partner_id.id,
            "outcome": outcome,
            "note": note,
            "direction": direction,
            "duration": duration,
            "identity": identity,
            "brand_id": brand_id,
            "callback_date": to_date(callback_date) if callback_date else False,
            "instalment_ids": [
                Command.create({"date": to_date(line["date"]), "amount": line.get("amount")})
                for line in instalments or []
            ],
        }
        if phone:
            values["phone"] = phone
        if invoice_ids is not None:
            values["move_ids"] = [Command.set(invoice_ids)]
        call, commitment = env["kreancia.call.log"].create(values)._log()
        return {"call_id": call.id, "phone_e164": call.phone_e164, "commitment_id": commitment.id or False}
