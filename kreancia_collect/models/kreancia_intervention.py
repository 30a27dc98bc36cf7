import base64
import io
from datetime import timedelta

import qrcode

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import format_amount, format_date, pdf

from ..groups import MANAGER_GROUP
from ..speed.bulk import insert_records
from ..speed.formatting import BatchFormatter
from ..tools.dunning import days_late
from .account_move import SETTLED_PAYMENT_STATES
from .kreancia_debtor_link import DEFAULT_VALIDITY_DAYS
from .kreancia_scenario_step import (
    CHANNELS,
    IDENTITIES,
    LETTER_CHANNELS,
    WRITTEN_CHANNELS,
)

DELIVERY_STATES = [
    ("queued", "Queued"),
    ("sent", "Sent"),
    ("bounced", "Bounced"),
    ("failed", "Not sent"),
]
WAITING_STATES = ("to_validate", "to_send")  # planned, not yet in the debtor's hands
# a claim declaration to an insolvency representative (kreancia.insolvency): prepared by the watch, never by a step
CLAIM_CHANNEL = ("claim", "Claim declaration")


class KreanciaIntervention(models.Model):
    """One dunning action on one customer: the evidence trail.

    Interventions are deliberately lean (no chatter, no tracking): the
    customer's chatter receives the communication itself, once per customer.

    The model lives in these files, imported together:

    - this one: every field, the states and the actions people and
      integrations call (validate, cancel, open, download, preview), the
      debtor page link each written intervention carries, what happens next
      in words;
    - ``kreancia_intervention_perform.py``: performing, i.e. the dispatch
      per channel (e-mail and its delivery feedback, SMS, call task, letter,
      hand-over) and moving the invoices up their steps;
    - ``kreancia_intervention_letter.py``: producing the letters (PDF in
      batches, addressee, wording) and the legal amounts they claim
      (late-payment interest, recovery indemnity).
    - ``kreancia_intervention_post.py``: letters sent by post from Odoo
      (the sending methods, the postal letter each follows, its fields).

    Its invoices, with the step each reached and the amounts owed on each,
    are ``kreancia.intervention.line`` records (``kreancia_intervention_line.py``).

    States: ``to_validate`` (a manual step waits for a manager), ``to_send``
    (a letter waits to be posted), ``done``, ``failed`` (with ``error``),
    ``cancelled``. An e-mail's ``delivery_state`` follows it out of the
    mail queue; an undelivered e-mail fails its intervention.
    """

    _name = "kreancia.intervention"
    _description = "Dunning Intervention"
    _order = "date desc, id desc"
    _check_company_auto = True

    # Who and when
    name = fields.Char("Reference", required=True, readonly=True, copy=False, default="/")
    date = fields.Date(required=True, readonly=True, default=fields.Date.context_today, index=True)
    company_id = fields.Many2one(
        "res.company",
        required=True,
        readonly=True,
        index=True,
        default=lambda self: self.env.company,
    )
    partner_id = fields.Many2one(
        "res.partner",
        "Customer",
        required=True,
        readonly=True,
        index=True,
        check_company=True,
    )
    recipient_id = fields.Many2one(
        "res.partner",
        readonly=True,
        help="The customer's invoicing contact when it has one, else the customer.",
    )
    user_id = fields.Many2one("res.users", "Performed by", readonly=True)

    # Step and voice
    scenario_id = fields.Many2one(related="step_id.scenario_id", store=True, string="Scenario")
    step_id = fields.Many2one(
        "kreancia.scenario.step",
        readonly=True,
        ondelete="restrict",
        check_company=True,
        help="The scenario step performed; empty for a claim declaration, which no step makes.",
    )
    level = fields.Integer(related="step_id.sequence")
    channel = fields.Selection([*CHANNELS, CLAIM_CHANNEL], required=True, readonly=True)
    identity = fields.Selection(IDENTITIES, required=True, readonly=True, default="company")
    brand_id = fields.Many2one("kreancia.brand", readonly=True, check_company=True)
    sender_name = fields.Char(compute="_compute_sender")
    email_from = fields.Char("Sender", compute="_compute_sender")
    reply_to = fields.Char(compute="_compute_sender")

    # Invoices and amounts (legal amounts fixed when a letter is produced)
    move_ids = fields.Many2many(
        "account.move",
        "kreancia_intervention_account_move_rel",
        "intervention_id",
        "move_id",
        "Invoices",
        readonly=True,
        check_company=True,
    )
    line_ids = fields.One2many(
        "kreancia.intervention.line",
        "intervention_id",
        "Invoice details",
        readonly=True,
    )
    move_count = fields.Integer("Invoice count", compute="_compute_move_count")
    currency_id = fields.Many2one(related="company_id.currency_id")
    amount_total = fields.Monetary(
        "Amount claimed",
        readonly=True,
        help="Residual of the invoices concerned when the intervention was created, in the company's currency.",
    )
    amount_credit = fields.Monetary(
        "Open credit notes",
        readonly=True,
        help="Open credit notes of the customer, deducted from the amount claimed (company currency).",
    )
    amount_net = fields.Monetary("Net amount claimed", compute="_compute_amount_net")
    total_due_display = fields.Char(
        "Total due",
        compute="_compute_total_due_display",
        help="Residual of the invoices, per currency.",
    )
    amount_interest = fields.Monetary("Late-payment interest", compute="_compute_legal_totals")
    amount_late_paid_interest = fields.Monetary(
        "Interest on sums paid late",
        compute="_compute_legal_totals",
        help="Part of the interest owed on sums paid late.",
    )
    amount_indemnity = fields.Monetary("Recovery indemnities", compute="_compute_legal_totals")
    amount_claimed = fields.Monetary(
        "Total claimed",
        compute="_compute_legal_totals",
        help="Net principal plus late-payment interest and recovery indemnities.",
    )
    interest_rate_display = fields.Char("Interest rate", readonly=True)
    has_previous_reminders = fields.Boolean(
        compute="_compute_has_previous_reminders",
        help="Whether the customer was already reminded of one of these invoices (a letter then says so).",
    )

    # State
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
    error = fields.Text(readonly=True)
    next_action = fields.Char("Next action", compute="_compute_next_action")
    moves_changed = fields.Boolean(
        "Invoices changed",
        compute="_compute_moves_changed",
        search="_search_moves_changed",
        help="Since the intervention was planned, one of its invoices was paid (in full or in part), promised, "
        "disputed, paused, handed over or is no longer due: validating drops it, and a letter waiting to be "
        "posted is produced again with what is due when it is marked as posted.",
    )
    moves_changed_note = fields.Text("What changed", compute="_compute_moves_changed")

    # Evidence, per channel
    mail_id = fields.Many2one("mail.mail", "E-mail", readonly=True, ondelete="set null")
    message_id = fields.Many2one("mail.message", readonly=True, ondelete="set null")
    mail_body = fields.Html(
        "Message sent",
        compute="_compute_mail_body",
        sanitize=False,
        help="The body of the e-mail as it was sent.",
    )
    delivery_state = fields.Selection(
        DELIVERY_STATES,
        "Delivery",
        readonly=True,
        index="btree_not_null",
        help="Where the e-mail stands: waiting in the outgoing queue, sent, bounced by the recipient's server, "
        "or refused by the outgoing mail server. Empty for other channels.",
    )
    delivery_error = fields.Text("Delivery error", readonly=True)
    sms_id = fields.Many2one("sms.sms", "SMS", readonly=True, ondelete="set null")
    activity_id = fields.Many2one("mail.activity", "Task", readonly=True, ondelete="set null")
    attachment_id = fields.Many2one("ir.attachment", "Letter", readonly=True, ondelete="set null")
    deadline_date = fields.Date("Payment deadline", readonly=True)
    posted_date = fields.Date("Posted on", readonly=True)
    claim_until = fields.Date(
        "Amounts as of",
        readonly=True,
        help="A claim declaration counts interest up to the opening judgment, which stops it (C. com. L622-28).",
    )
    insolvency_id = fields.Many2one(
        "kreancia.insolvency", "Insolvency procedure", readonly=True, index="btree_not_null"
    )
    tracking_number = fields.Char("Registered mail number", readonly=True)

    # The customer's collection page
    debtor_link_id = fields.Many2one("kreancia.debtor.link", "Debtor link", readonly=True, index="btree_not_null")
    debtor_url = fields.Char("Debtor page", compute="_compute_debtor_url")

    _step_unless_claim = models.Constraint(
        "CHECK(channel = 'claim' OR step_id IS NOT NULL)",
        "A dunning intervention performs a step of its scenario.",
    )

    # ------------------------------------------------------------------
    # Computed fields
    # ------------------------------------------------------------------

    @api.depends("move_ids")
    def _compute_move_count(self):
        for intervention in self:
            intervention.move_count = len(intervention.move_ids)

    @api.depends("amount_total", "amount_credit")
    def _compute_amount_net(self):
        for intervention in self:
            intervention.amount_net = intervention.amount_total - intervention.amount_credit

    @api.depends("line_ids.amount_residual", "line_ids.currency_id")
    @api.depends_context("lang")
    def _compute_total_due_display(self):
        formatter = BatchFormatter(self.env)
        for intervention in self:
            totals = {}
            for line in intervention.line_ids:
                totals[line.currency_id] = totals.get(line.currency_id, 0.0) + line.amount_residual
            intervention.total_due_display = " + ".join(
                formatter.amount(amount, currency) for currency, amount in totals.items()
            )

    @api.depends("identity", "brand_id", "company_id")
    def _compute_sender(self):
        for intervention in self:
            brand = intervention.brand_id if intervention.identity == "brand" else intervention.brand_id.browse()
            sender = brand._sender(intervention.company_id)
            intervention.sender_name = sender["name"]
            intervention.email_from = sender["email_from"]
            intervention.reply_to = sender["reply_to"]

    @api.depends("message_id.body", "mail_id.body_html")
    def _compute_mail_body(self):
        for intervention in self:
            intervention.mail_body = intervention.message_id.body or intervention.mail_id.body_html

    @api.depends(
        "line_ids.interest_amount",
        "line_ids.indemnity_amount",
        "line_ids.late_paid_interest",
        "amount_net",
    )
    def _compute_legal_totals(self):
        for intervention in self:
            interest = indemnity = late_paid = 0.0
            for line in intervention.line_ids:
                interest += intervention._to_company_currency(line.interest_amount, line.currency_id)
                indemnity += intervention._to_company_currency(line.indemnity_amount, line.currency_id)
                late_paid += intervention._to_company_currency(line.late_paid_interest, line.currency_id)
            intervention.amount_interest = interest
            intervention.amount_late_paid_interest = late_paid
            intervention.amount_indemnity = indemnity
            intervention.amount_claimed = intervention.amount_net + interest + indemnity

    def _to_company_currency(self, amount, currency):
        company = self.company_id
        if not amount or currency == company.currency_id:
            return amount
        return currency._convert(amount, company.currency_id, company, self.date)

    @api.depends("debtor_link_id.access_token")
    def _compute_debtor_url(self):
        for intervention in self:
            link = intervention.debtor_link_id.sudo()
            intervention.debtor_url = link._debtor_url() if link else False

    @api.depends("state", "channel", "activity_id.date_deadline")
    def _compute_next_action(self):
        for intervention in self:
            intervention.next_action = intervention._next_action_text()

    @api.depends(
        "state",
        "line_ids.amount_residual",
        "line_ids.move_id.amount_residual",
        "line_ids.move_id.dunning_state",
        "line_ids.move_id.invoice_date_due",
    )
    def _compute_moves_changed(self):
        # a claim declaration's invoices are frozen by the procedure: nothing to re-check
        waiting = self.filtered(
            lambda intervention: (
                intervention.state in WAITING_STATES and intervention.id and intervention.channel != "claim"
            )
        )
        changes = waiting._invoice_changes(lock=False)[1] if waiting else {}
        for intervention in self:
            found = changes.get(intervention)
            intervention.moves_changed = bool(found)
            intervention.moves_changed_note = self._reasons_text(found) if found else False

    def _search_moves_changed(self, operator, value):
        if operator != "in" or list(value) != [True]:
            return NotImplemented
        # only waiting interventions can have changed: a few, read in one query per company
        waiting = self.search([("state", "in", WAITING_STATES), ("channel", "!=", "claim")])
        return [("id", "in", [intervention.id for intervention in waiting._invoice_changes(lock=False)[1]])]

    def _next_action_text(self):  # noqa: PLR0911 - one answer per situation
        """What happens next to this intervention, in words."""
        self.ensure_one()
        env = self.env
        if self.state == "to_validate":
            return env._("Awaiting validation")
        if self.state == "to_send":
            return env._("Letter to post")
        if self.state == "failed":
            return env._("Failed: fix and run again")
        if self.state == "cancelled":
            return env._("Cancelled")
        task = self.activity_id
        if task and self.channel == "call":
            return env._("Call planned on %(date)s", date=format_date(env, task.date_deadline))
        if task:
            return env._("Task planned on %(date)s", date=format_date(env, task.date_deadline))
        return env._("Done")

    # ------------------------------------------------------------------
    # Creation
    # ------------------------------------------------------------------

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
        # the link is in the values: no second write of each new intervention
        self._debtor_links_for_create(vals_list)
        return super().create(vals_list)

    @api.model
    def _next_references(self, day, count):
        """``count`` references dated ``day``, drawn in one query from a standard sequence."""
        sequence_model = self.env["ir.sequence"].with_context(ir_sequence_date=day)
        sequence = sequence_model.sudo().search(
            [
                ("code", "=", "kreancia.intervention"),
                ("company_id", "in", [self.env.company.id, False]),
            ],
            order="company_id",
            limit=1,
        )
        if not sequence:
            return ["/"] * count
        if sequence.implementation != "standard" or sequence.use_date_range:
            return [sequence_model.next_by_code("kreancia.intervention") or "/" for _index in range(count)]
        self.env.cr.execute(
            "SELECT nextval(%s) FROM generate_series(1, %s)",
            [f"ir_sequence_{sequence.id:03d}", count],
        )
        numbers = sorted(row[0] for row in self.env.cr.fetchall())
        prefix, suffix = sequence._get_prefix_suffix()
        return [f"{prefix}{number:0{sequence.padding}d}{suffix}" for number in numbers]

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_validate(self):
        """Perform interventions a manager approved, their invoices re-checked first as the run's batches do.

        Invoices no longer to be reminded (paid, promised, disputed, paused, handed over, excluded, no longer
        due since planning) are dropped; an intervention left without any is cancelled. The manager is told
        which, and why.
        """
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(self.env._("Only a collection manager can validate interventions."))
        pending = self.filtered(lambda intervention: intervention.state == "to_validate")
        if not pending:
            raise UserError(self.env._("Select interventions waiting for validation."))
        fresh, changes = pending._invoice_changes()
        dropped = pending._drop_changed_invoices(fresh, changes)
        pending = pending.filtered(lambda intervention: intervention.state == "to_validate")
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
        if not dropped:
            return True
        return self._changes_notification(
            [
                intervention._cancelled_text(moves)
                if intervention.state == "cancelled"
                else self.env._(
                    "%(intervention)s (%(customer)s) was performed for its other invoices only: %(reasons)s.",
                    intervention=intervention.name,
                    customer=intervention.partner_id.display_name,
                    reasons=self._reasons_text(moves),
                )
                for intervention, moves in dropped.items()
            ],
            {"type": "ir.actions.client", "tag": "soft_reload"},
        )

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
        return self.move_ids._dunning_action_open()

    def action_download_letter(self):
        self.ensure_one()
        if not self.attachment_id:
            raise UserError(self.env._("This intervention has no letter."))
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{self.attachment_id.id}?download=true",
        }

    def action_download_letters(self):
        """One PDF of every selected letter, in order, to print and post in one go."""
        letters = self.filtered("attachment_id")
        if not letters:
            raise UserError(self.env._("Select letters that have a PDF (letters and formal notices)."))
        merged = pdf.merge_pdf(
            [letter.attachment_id.raw for letter in letters.sorted(lambda i: (i.partner_id.name, i.id))]
        )
        day = fields.Date.context_today(self)
        attachment = self.env["ir.attachment"].create(
            {
                "name": self.env._("Letters to send %(date)s.pdf", date=day),
                "raw": merged,
                "mimetype": "application/pdf",
                "res_model": self._name,
            }
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{attachment.id}?download=true",
            "target": "self",
        }

    def action_preview_letter(self):
        """The letter as it would be sent, marked as a draft; nothing is written."""
        letters = self.filtered(lambda intervention: intervention.channel in LETTER_CHANNELS)
        if not letters:
            raise UserError(self.env._("Select letters or formal notices to preview."))
        return self.env.ref("kreancia_collect.action_report_dunning_letter").report_action(letters)

    # ------------------------------------------------------------------
    # Re-check before acting
    # ------------------------------------------------------------------

    def _invoice_changes(self, lock=True):
        """What changed in the invoices of these waiting interventions since they were planned.

        The run's own re-check (``kreancia.escalation._still_due_invoices``), one query per company.

        :param lock: lock the invoices still due, as before acting on them
        :return: ``(fresh, changes)``: ``fresh`` maps the id of each invoice still to be reminded to its row
            as ``_still_due_invoices`` reads it; ``changes`` maps each intervention with a change to
            ``{invoice: reason}``, for each invoice no longer to be reminded or whose amount due is no longer
            the one claimed
        """
        today = fields.Date.context_today(self)
        escalation = self.env["kreancia.escalation"]
        fresh = {}
        for company in self.company_id:
            interventions = self.filtered(lambda intervention, company=company: intervention.company_id == company)
            fresh.update(
                escalation._still_due_invoices(
                    company, today, interventions.line_ids.move_id.ids, interventions, lock=lock
                )
            )
        changes = {}
        for intervention in self:
            for line in intervention.line_ids:
                row = fresh.get(line.move_id.id)
                if row is None:
                    reason = intervention._not_due_reason(line.move_id, today)
                elif line.currency_id.compare_amounts(row[0], line.amount_residual):
                    amounts = {
                        "due": format_amount(self.env, row[0], line.currency_id),
                        "claimed": format_amount(self.env, line.amount_residual, line.currency_id),
                    }
                    if line.currency_id.compare_amounts(row[0], line.amount_residual) < 0:
                        reason = self.env._("partly paid, %(due)s due instead of %(claimed)s", **amounts)
                    else:
                        reason = self.env._("%(due)s due instead of %(claimed)s", **amounts)
                else:
                    continue
                changes.setdefault(intervention, {})[line.move_id] = reason
        return fresh, changes

    def _not_due_reason(self, move, today):  # noqa: PLR0911 - one answer per reason, as the run's query reads them
        """Why ``move`` is no longer to be reminded, in words."""
        env = self.env
        if move.state != "posted":
            return env._("no longer posted")
        if move.payment_state in SETTLED_PAYMENT_STATES or move.currency_id.is_zero(move.amount_residual):
            return env._("paid")
        reasons = {
            "handed_over": env._("handed over"),
            "disputed": env._("disputed"),
            "promised": env._("a payment was promised"),
            "paused": env._("paused"),
        }
        if move.dunning_state in reasons:
            return reasons[move.dunning_state]
        if move.invoice_date_due and move.invoice_date_due > today:
            return env._("not due yet (due on %(date)s)", date=format_date(env, move.invoice_date_due))
        if move.no_followup:
            return env._("excluded from follow-ups")
        if (move.sudo().dunning_intervention_ids - self).filtered(lambda other: other.state == "to_validate"):
            return env._("waits for the validation of another intervention")
        return env._("no longer to be reminded")

    def _drop_changed_invoices(self, fresh, changes):
        """Drop the invoices no longer to be reminded, claim what is due now on the others; cancel the
        interventions left without any invoice (their lines kept: what they were about).

        :param fresh: ``changes``: as :meth:`_invoice_changes` returns them
        :return: ``{intervention: {invoice: reason}}`` of the invoices dropped
        """
        dropped = {}
        for intervention, moves in changes.items():
            gone = {move: reason for move, reason in moves.items() if move.id not in fresh}
            if gone:
                dropped[intervention] = gone
        for intervention in self:
            gone = dropped.get(intervention, {})
            if gone and len(gone) == len(intervention.line_ids):
                intervention.write(
                    {
                        "state": "cancelled",
                        "error": self.env._(
                            "Cancelled before it was sent, none of its invoices being still to remind: %(reasons)s.",
                            reasons=self._reasons_text(gone),
                        ),
                    }
                )
                continue
            if gone:
                intervention.move_ids = [Command.unlink(move.id) for move in gone]
                # lines of an intervention that has not reached the customer: no evidence is lost
                intervention.line_ids.filtered(lambda line, gone=gone: line.move_id in gone).sudo().unlink()
            intervention._refresh_amounts(fresh)
        return dropped

    def _refresh_amounts(self, fresh):
        """Claim on each line what is due now, as ``fresh`` read it (see :meth:`_invoice_changes`)."""
        self.ensure_one()
        total = 0.0
        for line in self.line_ids:
            residual, residual_company, _step, _last_date, due_date = fresh[line.move_id.id]
            total += residual_company
            values = {}
            if line.currency_id.compare_amounts(residual, line.amount_residual):
                values["amount_residual"] = residual
            if due_date and days_late(due_date, self.date) != line.days_late:
                values["days_late"] = days_late(due_date, self.date)
            if values:
                line.write(values)
        total = self.currency_id.round(total)
        if self.currency_id.compare_amounts(total, self.amount_total):
            self.amount_total = total

    def _recheck_letters(self):
        """Before letters waiting to be posted are marked as posted: produce again each letter whose invoices
        changed since, without those no longer to be reminded (put back at their step) and with what is due
        now; cancel those left without any invoice.

        :return: ``(letters changed, what the manager is told)``
        """
        fresh, changes = self.filtered(lambda intervention: intervention.channel != "claim")._invoice_changes()
        if not changes:
            return self.browse(), []
        changed = self.browse([intervention.id for intervention in changes])
        for intervention in changed:
            # the letter never left: the invoices it no longer claims stand where they stood before it
            intervention._undo_steps(intervention.line_ids.filtered(lambda line: line.move_id.id not in fresh))
        changed._drop_changed_invoices(fresh, changes)
        again = changed.filtered(lambda intervention: intervention.state == "to_send")
        if again:
            old_letters = again.attachment_id
            again._generate_letters()
            old_letters.unlink()
        return changed, [
            intervention._cancelled_text(changes[intervention])
            if intervention.state == "cancelled"
            else self.env._(
                "%(intervention)s (%(customer)s) is not marked as posted: it is produced again with what is due "
                "today, to print and post instead. %(reasons)s.",
                intervention=intervention.name,
                customer=intervention.partner_id.display_name,
                reasons=self._reasons_text(changes[intervention]),
            )
            for intervention in changed
        ]

    def _cancelled_text(self, moves):
        self.ensure_one()
        return self.env._(
            "%(intervention)s (%(customer)s) is cancelled, none of its invoices being still to remind: %(reasons)s.",
            intervention=self.name,
            customer=self.partner_id.display_name,
            reasons=self._reasons_text(moves),
        )

    @api.model
    def _reasons_text(self, moves):
        """``{invoice: reason}`` as "INV/1: paid; INV/2: disputed"."""
        return "; ".join(f"{move.name}: {reason}" for move, reason in moves.items())

    @api.model
    def _changes_notification(self, messages, then):
        """A warning that stays until read, listing ``messages``, then ``then``."""
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Invoices changed since planning"),
                "message": " ".join(messages),
                "type": "warning",
                "sticky": True,
                "next": then,
            },
        }

    # ------------------------------------------------------------------
    # Debtor page link
    # ------------------------------------------------------------------

    def _ensure_debtor_links(self):
        """Give each written intervention that lacks one the customer's valid link for its identity."""
        todo = self.filtered(
            lambda i: (
                i.channel in WRITTEN_CHANNELS
                and i.state != "cancelled"
                and (not i.debtor_link_id or i.debtor_link_id.sudo().state != "valid")
            )
        )
        if not todo:
            return
        wanted = {}
        for intervention in todo:
            brand = intervention.brand_id if intervention.identity == "brand" else intervention.brand_id.browse()
            key = (intervention.partner_id.id, intervention.company_id.id, brand.id or False)
            wanted[intervention] = (key, intervention.step_id.scenario_id.link_validity_days)
        links = self._debtor_links(wanted.values())
        for intervention, (key, _days) in wanted.items():
            intervention.debtor_link_id = links[key]

    @api.model
    def _debtor_links_for_create(self, vals_list):
        """Set ``debtor_link_id`` in the values of written interventions, before they are inserted."""
        step_ids = {vals["step_id"] for vals in vals_list if vals.get("step_id")}
        steps = self.env["kreancia.scenario.step"].browse(step_ids)
        days_by_step = {step.id: step.scenario_id.link_validity_days for step in steps}
        keyed = []
        for vals in vals_list:
            if (
                vals.get("debtor_link_id")
                or vals.get("channel") not in WRITTEN_CHANNELS
                or vals.get("state") == "cancelled"
                or not vals.get("partner_id")
            ):
                continue
            brand = vals.get("brand_id") if vals.get("identity") == "brand" else False
            key = (vals["partner_id"], vals.get("company_id") or self.env.company.id, brand or False)
            keyed.append((vals, (key, days_by_step.get(vals.get("step_id")))))
        if not keyed:
            return
        links = self._debtor_links(wanted for _vals, wanted in keyed)
        for vals, (key, _days) in keyed:
            vals["debtor_link_id"] = links[key].id

    @api.model
    def _debtor_links(self, wanted):
        """The valid link of each ``(partner id, company id, brand id or False)``, created or extended so that
        it stays valid the longest number of days asked for it.

        In batches, as the daily run creates thousands of interventions: one
        search for the links already valid, one insert for the missing ones.

        :param wanted: ``(key, days)`` pairs, ``days`` empty for the default validity
        :return: ``{key: kreancia.debtor.link}``
        """
        links = self.env["kreancia.debtor.link"].sudo()
        today = fields.Date.context_today(self)
        expiries = {}
        for key, days in wanted:
            expiry = today + timedelta(days=days or DEFAULT_VALIDITY_DAYS)
            expiries[key] = max(expiries.get(key, expiry), expiry)
        existing = {
            (link.partner_id.id, link.company_id.id, link.brand_id.id or False): link
            for link in links.search(
                [
                    ("partner_id", "in", list({key[0] for key in expiries})),
                    ("company_id", "in", list({key[1] for key in expiries})),
                    ("revoked", "=", False),
                    ("expiry_date", ">=", today),
                ],
                order="id",
            )
        }
        missing = [key for key in expiries if key not in existing]
        # by the hundred on the daily run's first day: inserted in bulk (speed/bulk.py), each with its token
        created = insert_records(
            links,
            [
                {
                    "partner_id": partner,
                    "company_id": company,
                    "brand_id": brand,
                    "expiry_date": expiries[key],
                    "access_token": links._new_token(),
                }
                for key in missing
                for partner, company, brand in [key]
            ],
        )
        existing.update(zip(missing, created, strict=True))
        for key in [key for key, expiry in expiries.items() if existing[key].expiry_date < expiry]:
            existing[key].expiry_date = expiries[key]
        return {key: existing[key] for key in expiries}

    def _debtor_qr_data_uri(self):
        """The debtor page's address as a QR code, a PNG data URI (wkhtmltopdf fetches no URL)."""
        self.ensure_one()
        if not self.debtor_url:
            return False
        image = qrcode.make(self.debtor_url, box_size=4, border=1)
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()

    def _mail_get_partner_fields(self, introspect_fields=False):
        # templates using default recipients write to the recipient, not the customer
        return ["recipient_id"]
