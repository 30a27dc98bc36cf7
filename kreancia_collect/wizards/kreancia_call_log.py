import json

from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare, float_round, format_amount, format_date

from ..models.kreancia_call import OUTCOMES
from ..models.kreancia_scenario_step import IDENTITIES
from ..reports.kreancia_worklist import QUEUE_LIMIT


class KreanciaCallLog(models.TransientModel):
    """Log a call, and the commitment it obtained, in one step.

    Opened from a row of My Calls, it carries the list's ordered tasks
    (``queue``): "Save and next" logs the call and opens the next customer.
    The identity, brand and call script come from the customer's call step.
    """

    _name = "kreancia.call.log"
    _description = "Log a Collection Call"

    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    partner_id = fields.Many2one("res.partner", "Customer", required=True)
    contact_id = fields.Many2one(
        "res.partner",
        "Ask for",
        compute="_compute_contact_id",
        store=True,
        readonly=False,
        domain="['|', ('id', '=', partner_id), ('parent_id', '=', partner_id)]",
    )
    phone = fields.Char("Number", compute="_compute_phone", store=True, readonly=False)
    phone_wrong = fields.Boolean("Wrong number", compute="_compute_phone_wrong")
    direction = fields.Selection([("outbound", "Outbound"), ("inbound", "Inbound")], required=True, default="outbound")
    duration = fields.Integer("Duration (minutes)")
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
    callback_at = fields.Datetime("Call back at")
    step_id = fields.Many2one(
        "kreancia.scenario.step",
        "Call step",
        compute="_compute_step_id",
        store=True,
        readonly=False,
        domain="[('channel', '=', 'call'), ('company_id', '=', company_id)]",
        help="The customer's current or next call step: its identity, script and retry rules apply.",
    )
    identity = fields.Selection(IDENTITIES, compute="_compute_identity", store=True, readonly=False)
    brand_id = fields.Many2one(
        "kreancia.brand",
        compute="_compute_identity",
        store=True,
        readonly=False,
        domain="[('company_id', '=', company_id)]",
    )
    speaker = fields.Char("Speaking as", compute="_compute_script")
    script = fields.Html("Call script", compute="_compute_script", sanitize=False)
    instalment_ids = fields.One2many("kreancia.call.log.instalment", "wizard_id", "Promised payments")
    first_date = fields.Date("First payment on", help="Fills one instalment of the amount due at this date.")
    split_count = fields.Integer("Split in", default=2)
    activity_id = fields.Many2one("mail.activity", "Call task", ondelete="set null")
    queue = fields.Char("Call list", help="Ordered call tasks (ids) of the list the call was opened from.")
    queue_position = fields.Char("Position", compute="_compute_queue_position")

    @api.depends("partner_id")
    def _compute_contact_id(self):
        for wizard in self:
            wizard.contact_id = self.env["kreancia.call"]._default_contact(wizard.partner_id)

    @api.depends("contact_id")
    def _compute_phone(self):
        for wizard in self:
            wizard.phone = wizard.contact_id.phone or wizard.partner_id.phone

    @api.depends("phone", "partner_id.dunning_wrong_phone")
    def _compute_phone_wrong(self):
        for wizard in self:
            wizard.phone_wrong = bool(wizard.phone) and wizard.phone == wizard.partner_id.dunning_wrong_phone

    @api.depends("partner_id")
    def _compute_move_ids(self):
        for wizard in self:
            wizard.move_ids = self.env["kreancia.call"]._default_invoices(wizard.partner_id)

    @api.depends("move_ids")
    def _compute_amount_due(self):
        for wizard in self:
            wizard.amount_due = sum(wizard.move_ids.mapped("amount_residual_signed"))

    @api.depends("move_ids")
    def _compute_step_id(self):
        for wizard in self:
            wizard.step_id = self.env["kreancia.call"]._call_step(wizard.move_ids)

    @api.depends("step_id")
    def _compute_identity(self):
        for wizard in self:
            wizard.identity = wizard.step_id.identity or "company"
            wizard.brand_id = wizard.step_id.brand_id if wizard.identity == "brand" else False

    @api.depends("identity", "brand_id", "step_id", "move_ids", "partner_id")
    def _compute_script(self):
        for wizard in self:
            wizard.speaker = wizard._speaker_name()
            wizard.script = wizard._render_script()

    @api.depends("queue", "activity_id")
    def _compute_queue_position(self):
        for wizard in self:
            queue = wizard._queue()
            wizard.queue_position = (
                self.env._(
                    "%(position)s of %(count)s", position=queue.index(wizard.activity_id.id) + 1, count=len(queue)
                )
                if wizard.activity_id.id in queue
                else False
            )

    @api.onchange("first_date")
    def _onchange_first_date(self):
        if self.first_date and len(self.instalment_ids) <= 1:
            self.instalment_ids = [fields.Command.clear(), fields.Command.create(self._instalment(self.amount_due))]

    @api.onchange("callback_at")
    def _onchange_callback_at(self):
        self.callback_date = self._callback_local_date()

    # ------------------------------------------------------------------
    # Defaults from the customer's scenario
    # ------------------------------------------------------------------

    def _speaker_name(self):
        self.ensure_one()
        if self.identity == "brand" and self.brand_id:
            return self.brand_id.name
        return self.company_id.name

    def _render_script(self):
        """The step's script in the customer's language, its placeholders filled with the customer's values."""
        self.ensure_one()
        lang = self.partner_id.lang or self.env.user.lang
        script = self.step_id.with_context(lang=lang).call_script
        if not script or not self.partner_id:
            return False
        values = self._script_values()
        text = str(script)
        for key, value in values.items():
            text = text.replace(f"{{{key}}}", str(escape(value)))
        return Markup(text)

    def _script_values(self):
        """Placeholder values of the call script; override to add some."""
        self.ensure_one()
        env = self.env
        oldest = self.move_ids._origin.sorted(lambda move: (move.invoice_date_due, move.id))[:1]
        commitments = self.partner_id.commercial_partner_id.sudo().dunning_commitment_ids.filtered(
            lambda commitment: commitment.company_id == self.company_id
        )
        states = dict(commitments._fields["state"]._description_selection(env))
        promises = "; ".join(
            env._(
                "%(amount)s promised on %(date)s (%(state)s)",
                amount=format_amount(env, commitment.amount_total, commitment.currency_id),
                date=format_date(env, commitment.create_date),
                state=states.get(commitment.state),
            )
            for commitment in commitments[:3]
        )
        return {
            "speaker": self._speaker_name(),
            "creditor": self.company_id.name,
            "customer": self.partner_id.commercial_partner_id.name or "",
            "contact": self.contact_id.name or "",
            "agent": env.user.name,
            "amount_due": format_amount(env, self.amount_due, self.currency_id),
            "oldest_invoice": env._(
                "%(invoice)s due on %(date)s",
                invoice=oldest.name,
                date=format_date(env, oldest.invoice_date_due),
            )
            if oldest
            else env._("none"),
            "promises": promises or env._("none"),
        }

    def _callback_local_date(self):
        if not self.callback_at:
            return self.callback_date
        return fields.Datetime.context_timestamp(self, self.callback_at).date()

    # ------------------------------------------------------------------
    # Instalments
    # ------------------------------------------------------------------

    def _instalment(self, amount, date=None):
        return {"date": date or self.first_date, "amount": amount}

    def action_split(self):
        """Replace the instalments by ``split_count`` equal monthly ones from the first date; rounding on the last."""
        self.ensure_one()
        if self.split_count < 1:
            raise UserError(self.env._("Split the promise into at least one instalment."))
        first = self.first_date or self.instalment_ids.sorted("date")[:1].date
        if not first:
            raise UserError(self.env._("Choose the date of the first payment before splitting."))
        total = sum(self.instalment_ids.mapped("amount")) or self.amount_due
        if float_compare(total, 0.0, precision_rounding=self.currency_id.rounding) <= 0:
            raise UserError(self.env._("There is no amount to split: choose the invoices first."))
        share = float_round(
            total / self.split_count, precision_rounding=self.currency_id.rounding, rounding_method="DOWN"
        )
        amounts = [share] * (self.split_count - 1) + [self.currency_id.round(total - share * (self.split_count - 1))]
        self.write(
            {
                "first_date": first,
                "instalment_ids": [fields.Command.clear()]
                + [
                    fields.Command.create(self._instalment(amount, fields.Date.add(first, months=index)))
                    for index, amount in enumerate(amounts)
                ],
            }
        )
        return self._reopen()

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    @api.model
    def _action_open(self, partner, activity=None, queue=None):
        """The dialog logging a call on ``partner``, for its call task, within an ordered list of tasks."""
        context = {"default_partner_id": partner.commercial_partner_id.id}
        if activity:
            context["default_activity_id"] = activity.id
        if queue:
            context["default_queue"] = json.dumps(queue)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Log a call: %(customer)s", customer=partner.commercial_partner_id.display_name),
            "res_model": self._name,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": context,
        }

    def _reopen(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Log a call: %(customer)s", customer=self.partner_id.display_name),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
        }

    def _queue(self):
        """Ordered call tasks to walk through: the list's, else the agent's own, most urgent first."""
        if not self.queue:
            return self.env["kreancia.worklist"].search([("user_id", "=", self.env.uid)], limit=QUEUE_LIMIT).ids
        try:
            return [int(task) for task in json.loads(self.queue)]
        except (TypeError, ValueError):
            return []

    def action_confirm(self):
        """Create the call (and its commitment); any error leaves nothing behind."""
        warning = self._task_left_open()
        self._log()
        # the form behind the dialog shows the new call and commitment at once
        return self._warn(warning, {"type": "ir.actions.client", "tag": "soft_reload"})

    def action_confirm_next(self):
        """Log the call, then open the next customer of the list (its order and filters kept)."""
        warning = self._task_left_open()
        self._log()
        following = self._next_task()
        if following:
            return self._warn(
                warning,
                self._action_open(self.env["res.partner"].browse(following.res_id), following, self._queue()),
            )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Call list done"),
                "message": self.env._("That was the last customer of the list."),
                "type": "success",
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def _task_left_open(self):
        """Why the call task the call was opened for cannot be closed with it, or False."""
        self.ensure_one()
        if not self.activity_id or self._task():
            return False
        return self.env._(
            "The call is logged, but the call task it was opened for is no longer open on %(customer)s "
            "(done or moved meanwhile): no task was closed.",
            customer=self.partner_id.commercial_partner_id.display_name,
        )

    def _warn(self, warning, then):
        """``then``, after a warning notification when there is one."""
        if not warning:
            return then
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {"message": warning, "type": "warning", "sticky": True, "next": then},
        }

    def _next_task(self):
        """The first open call task after this one in the queue (tasks done meanwhile are skipped)."""
        queue = self._queue()
        position = queue.index(self.activity_id.id) if self.activity_id.id in queue else -1
        following = queue[position + 1 :]
        tasks = self.env["mail.activity"].browse(following).exists()
        tasks = tasks.filtered(lambda task: task.active and task.res_model == "res.partner")
        order = {task_id: index for index, task_id in enumerate(following)}
        return tasks.sorted(lambda task: order[task.id])[:1]

    def _task(self):
        """The call task this call answers (see ``kreancia.call._call_task``)."""
        return self.env["kreancia.call"]._call_task(self.partner_id, self.activity_id)

    def _log(self):
        """Log the call the dialog describes (see ``kreancia.call._log``).

        :return: ``(call, commitment)``, the commitment empty when none was promised
        """
        self.ensure_one()
        return self.env["kreancia.call"]._log(
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
                "callback_date": self._callback_local_date(),
                "callback_at": self.callback_at,
                "identity": self.identity or "company",
                "brand_id": self.brand_id.id,
                "step_id": self.step_id.id,
            },
            [{"date": line.date, "amount": line.amount} for line in self.instalment_ids],
            self.activity_id,
        )
