import math

from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import float_compare, format_amount, format_date

from ..external_api import in_caller_lang, shown, to_date, to_id
from ..tools.phone import PhoneError, normalize_phone
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
                    number=shown(self.phone),
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

    # ------------------------------------------------------------------
    # Logging a call: the rules the call dialog and the external API share
    # ------------------------------------------------------------------

    @api.model
    def _default_contact(self, partner):
        """Whom to ask for: the customer's invoicing contact with a phone, else its first one, else the customer."""
        contacts = partner.child_ids.filtered(lambda contact: contact.type == "invoice")
        return contacts.filtered("phone")[:1] or contacts[:1] or partner

    @api.model
    def _default_invoices(self, partner):
        """The invoices a call on ``partner`` is about by default: its overdue ones."""
        if not partner:
            return self.env["account.move"]
        return self.env["account.move"].search(partner._overdue_domain())

    @api.model
    def _call_step(self, moves):
        """The call step of ``moves``: their current one, else the next one of their scenario, else the last one."""
        moves = moves._origin
        if not moves:
            return self.env["kreancia.scenario.step"]
        current = moves.dunning_step_id.sorted("delay_days")[-1:]
        scenario = current.scenario_id or moves.dunning_effective_scenario_id[:1]
        calls = scenario.step_ids.filtered(lambda step: step.channel == "call").sorted("delay_days")
        if current.channel == "call":
            return current
        delay = current.delay_days if current else float("-inf")
        return calls.filtered(lambda step: step.delay_days > delay)[:1] or calls[-1:]

    @api.model
    def _call_task(self, partner, activity=None):
        """The call task a call on ``partner`` answers: ``activity``, else the user's due one on the customer.

        The task a call was opened for is done whoever it was assigned to (My Calls without the *Mine*
        filter lists the whole team's): the call it asked for was made. A callback planned for a later
        day stays planned. Empty when ``activity`` is no longer open on the customer.
        """
        partner = partner.commercial_partner_id
        if activity:
            return activity.exists().filtered(
                lambda task: task.active and task.res_model == "res.partner" and task.res_id == partner.id
            )
        return self.env["mail.activity"].search(
            [
                ("res_model", "=", "res.partner"),
                ("res_id", "=", partner.id),
                ("user_id", "=", self.env.uid),
                ("activity_category", "=", "phonecall"),
                ("date_deadline", "<=", fields.Date.context_today(self)),
            ],
            order="date_deadline, id",
            limit=1,
        )

    @api.model
    def _check_instalments(self, instalments, currency):
        """Refuse promises a person would not make: nothing, zero or negative amounts, dates already past.

        :param instalments: ``[{"date": date, "amount": float}, ...]``
        """
        today = fields.Date.context_today(self)
        if not instalments:
            raise UserError(self.env._("Enter the promised payment dates and amounts."))
        for line in instalments:
            if float_compare(line["amount"], 0.0, precision_rounding=currency.rounding) <= 0:
                raise ValidationError(
                    self.env._(
                        "Each instalment must be a positive amount (%(amount)s is not).",
                        amount=format_amount(self.env, line["amount"], currency),
                    )
                )
            if not line["date"] or line["date"] < today:
                raise ValidationError(
                    self.env._(
                        "The payment date %(date)s is in the past: a promise is for today or later.",
                        date=format_date(self.env, line["date"]) if line["date"] else "?",
                    )
                )

    @api.model
    def _log(self, values, instalments=(), activity=None):
        """Create the call and, for a promise, its commitment; the call task is done.

        What the call dialog and :meth:`log_call` both do; any error leaves nothing behind.

        :param values: the call's values (``company_id``, ``partner_id``, ``outcome``...)
        :param instalments: for a promise, ``[{"date": date, "amount": float}, ...]``
        :param activity: the call task the call was opened for, if any
        :return: ``(call, commitment)``, the commitment empty when none was promised
        """
        outcome = values.get("outcome")
        company = self.env["res.company"].browse(values.get("company_id")) or self.env.company
        if outcome == "promise":
            self._check_instalments(instalments, company.currency_id)
        callback_at = fields.Datetime.to_datetime(values.get("callback_at"))
        if outcome == "callback" and callback_at and callback_at < fields.Datetime.now():
            raise UserError(self.env._("The time to call back is in the past."))
        partner = self.env["res.partner"].browse(values["partner_id"])
        task = self._call_task(partner, activity)
        call = self.create(values)
        commitment = self.env["kreancia.commitment"]
        if outcome == "promise":
            commitment = commitment.create(
                {
                    "company_id": call.company_id.id,
                    "partner_id": call.partner_id.id,
                    "move_ids": [Command.set(call.move_ids.ids)],
                    "amount_total": sum(line["amount"] for line in instalments),
                    "line_ids": [
                        Command.create({"date": line["date"], "amount": line["amount"]}) for line in instalments
                    ],
                    "call_id": call.id,
                }
            )
        if task:
            outcomes = dict(self._fields["outcome"]._description_selection(self.env))
            # the agent may not edit the customer: the task they were given is closed on their behalf
            task.sudo()._action_done(feedback=outcomes.get(outcome))
        return call, commitment

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
        calls = in_caller_lang(self)
        env = calls.env
        partner = env["res.partner"].browse(to_id(calls, partner_id)).exists().commercial_partner_id
        if not partner:
            raise UserError(env._("No customer has the id %(id)s.", id=partner_id))
        if not isinstance(outcome, str) or outcome not in dict(OUTCOMES):
            raise UserError(
                env._(
                    "%(outcome)s is not a call outcome: use one of %(outcomes)s.",
                    outcome=shown(outcome),
                    outcomes=", ".join(dict(OUTCOMES)),
                )
            )
        calls._check_api_input(phone, note, direction, duration, identity)
        promised = calls._read_instalments(instalments)
        contact = calls._default_contact(partner)
        if invoice_ids is None:
            moves = calls._default_invoices(partner)
        elif isinstance(invoice_ids, list):
            moves = env["account.move"].browse([to_id(calls, move_id) for move_id in invoice_ids])
        else:
            raise UserError(env._("%(value)s is not a list of record ids.", value=shown(invoice_ids)))
        brand_id = brand_id and to_id(calls, brand_id)
        call, commitment = calls._log(
            {
                "company_id": env.company.id,
                "partner_id": partner.id,
                "contact_id": contact.id,
                "phone": phone or contact.phone or partner.phone,
                "direction": direction,
                "duration": duration,
                "outcome": outcome,
                "move_ids": [Command.set(moves.ids)],
                "note": note,
                "callback_date": to_date(calls, callback_date) if callback_date else False,
                "identity": identity or "company",
                "brand_id": brand_id or False,
                "step_id": calls._call_step(moves).id,
            },
            promised,
        )
        return {"call_id": call.id, "phone_e164": call.phone_e164, "commitment_id": commitment.id or False}

    @api.model
    def _check_api_input(self, phone, note, direction, duration, identity):
        """Refuse, with a translated message, the values of an external caller that are of the wrong kind."""
        if phone is not None and not isinstance(phone, str):
            raise UserError(self.env._("%(number)s is not a phone number.", number=shown(phone)))
        if note is not None and not isinstance(note, str):
            raise UserError(self.env._("The note of a call must be text."))
        for field, value in (("direction", direction), ("identity", identity)):
            values = [key for key, _label in self._fields[field].selection]
            if value not in (None, "", False) and (not isinstance(value, str) or value not in values):
                raise UserError(
                    self.env._(
                        "%(value)s is not a %(field)s of a call: use one of %(values)s.",
                        value=shown(value),
                        field=field,
                        values=", ".join(values),
                    )
                )
        if isinstance(duration, bool) or not isinstance(duration, int | float) or not 0 <= duration <= 24 * 60:
            raise UserError(
                self.env._("%(value)s is not a call duration: give minutes, 0 to 1440.", value=shown(duration))
            )

    @api.model
    def _read_instalments(self, instalments):
        """Promised instalments as :meth:`_log` takes them, from an external caller's
        ``[{"date": "2026-07-01", "amount": 500}, ...]``."""
        lines = []
        if instalments is not None and not isinstance(instalments, list):
            raise UserError(self.env._("Each promised instalment needs a date (YYYY-MM-DD) and an amount."))
        for line in instalments or []:
            if not isinstance(line, dict) or not line.get("date"):
                raise UserError(self.env._("Each promised instalment needs a date (YYYY-MM-DD) and an amount."))
            try:
                amount = float(line.get("amount") or 0.0)
            except (TypeError, ValueError):
                raise UserError(
                    self.env._("Each promised instalment needs a date (YYYY-MM-DD) and an amount.")
                ) from None
            if not math.isfinite(amount) or abs(amount) >= 1e12:  # NaN, infinity, 1e308: no debt is that large
                raise UserError(self.env._("%(amount)s is not a possible amount.", amount=shown(line.get("amount"))))
            lines.append({"date": to_date(self, line["date"]), "amount": amount})
        return lines
