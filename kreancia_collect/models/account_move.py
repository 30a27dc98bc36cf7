from collections import defaultdict
from datetime import timedelta

from dateutil.relativedelta import relativedelta
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.fields import Domain
from odoo.tools import SQL, format_amount, format_date

from ..groups import MANAGER_GROUP
from ..tools import legal, limitation, mentions
from ..tools.dunning import days_late

DUNNING_STATES = [
    ("none", "Not started"),
    ("running", "Running"),
    ("paused", "Paused"),
    ("promised", "Promised"),
    ("disputed", "In dispute"),
    ("handed_over", "Handed over"),
    ("insolvency", "Insolvency procedure"),
    ("done", "Done"),
]
SETTLED_PAYMENT_STATES = ("paid", "in_payment", "reversed", "invoicing_legacy")
# the fields _compute_dunning_state and _compute_dunning_next_date read
DUNNING_COMPUTE_READS = [
    "move_type",
    "state",
    "payment_state",
    "company_id",
    "commercial_partner_id",
    "invoice_date_due",
    "dunning_step_id",
    "dunning_last_date",
    "dunning_scenario_id",
    "dunning_dispute",
    "dunning_pause_until",
    "dunning_handed_over",
    "dunning_commitment_ids",
    "dunning_insolvency_id",
]


class AccountMove(models.Model):
    """An invoice under collection. One banner per concern: dunning, what comes next, hand-overs."""

    _inherit = "account.move"

    # ------------------------------------------------------------------
    # Dunning: scenario, step, state, dispute, pause
    # ------------------------------------------------------------------
    # Only the states a credit manager looks for among many invoices are indexed: "not started" and
    # "running" are most invoices, where an index does not help. An invoice moving from one to the
    # other then adds no entry to this index, and the daily run's update of its invoices stays cheap.
    _dunning_state_exception_idx = models.Index(
        "(dunning_state) WHERE dunning_state IN ('paused', 'promised', 'disputed', 'handed_over', 'insolvency')"
    )

    dunning_scenario_id = fields.Many2one(
        "kreancia.scenario",
        "Dunning scenario",
        copy=False,
        help="Scenario override for this invoice; empty follows the customer's scenario.",
    )
    dunning_effective_scenario_id = fields.Many2one(
        "kreancia.scenario",
        "Scenario",
        compute="_compute_dunning_effective_scenario_id",
        help="Scenario the invoice follows: its own, else its customer's, else the default one.",
    )
    dunning_step_id = fields.Many2one(
        "kreancia.scenario.step", "Dunning step", copy=False, readonly=True, help="Last step performed."
    )
    dunning_level = fields.Integer("Dunning level", related="dunning_step_id.sequence")
    dunning_state = fields.Selection(
        DUNNING_STATES,
        compute="_compute_dunning_state",
        store=True,
        copy=False,
    )
    dunning_last_date = fields.Date("Last reminder", copy=False, readonly=True)
    dunning_next_date = fields.Date("Next action", compute="_compute_dunning_next_date", store=True, copy=False)
    dunning_dispute = fields.Boolean("In dispute", copy=False, tracking=True)
    dunning_dispute_note = fields.Text("Dispute reason", copy=False)
    dunning_pause_until = fields.Date("Dunning paused until", copy=False, tracking=True)
    dunning_pause_reason = fields.Char("Pause reason", copy=False)
    dunning_handed_over = fields.Boolean(
        "Handed over",
        compute="_compute_dunning_handed_over",
        store=True,
        copy=False,
        help="Held by a hand-over case, unless the case returned it to amicable collection.",
    )
    dunning_insolvency_id = fields.Many2one(
        "kreancia.insolvency",
        "Insolvency procedure",
        copy=False,
        readonly=True,
        index="btree_not_null",
        help="The customer's collective procedure that suspends this claim, born before its opening judgment "
        "(C. com. L622-21): no reminder, call, letter or hand-over; the claim is declared instead.",
    )
    dunning_case_line_ids = fields.One2many(
        "kreancia.case.line",
        "move_id",
        "Hand-over case lines",
        groups="kreancia_collect.kreancia_collect_group_agent",
    )
    dunning_gap_waived = fields.Boolean(
        "Dun at the next run",
        copy=False,
        readonly=True,
        help="Set when a payment commitment is broken: the next run does not wait for the minimum gap.",
    )
    dunning_commitment_ids = fields.Many2many(
        "kreancia.commitment",
        "account_move_kreancia_commitment_rel",
        "account_move_id",
        "kreancia_commitment_id",
        string="Payment commitments",
        readonly=True,
        copy=False,
        groups="account.group_account_invoice,account.group_account_readonly",
    )
    dunning_days_late = fields.Integer("Days late", compute="_compute_dunning_days_late")
    dunning_intervention_ids = fields.Many2many(
        "kreancia.intervention",
        "kreancia_intervention_account_move_rel",
        "move_id",
        "intervention_id",
        "Interventions",
        readonly=True,
        copy=False,
        groups="account.group_account_invoice,account.group_account_readonly",
    )

    @api.depends(
        "dunning_case_line_ids.case_state",
        "dunning_case_line_ids.case_id.close_reason",
        "dunning_case_line_ids.case_id.close_rest",
    )
    def _compute_dunning_handed_over(self):
        """Handed over while a case holds the invoice: an open case, or one closed without returning it.

        The cases are the one truth; this stored copy is what the run's SQL, searches and views read.
        """
        for move in self:
            move.dunning_handed_over = any(
                line.case_state != "closed" or "returned" not in (line.case_id.close_reason, line.case_id.close_rest)
                for line in move.sudo().dunning_case_line_ids
            )

    @api.depends(
        "move_type",
        "state",
        "payment_state",
        "dunning_step_id",
        "dunning_dispute",
        "dunning_pause_until",
        "dunning_handed_over",
        "dunning_insolvency_id",
        "dunning_commitment_ids.state",
        "commercial_partner_id.dunning_pause_until",
    )
    def _compute_dunning_state(self):
        moves_by_state = defaultdict(list)
        for move in self:
            moves_by_state[move._dunning_state_value()].append(move.id)
        # one assignment per value: the daily run recomputes a thousand invoices at a time
        for state, move_ids in moves_by_state.items():
            self.browse(move_ids).dunning_state = state

    def _dunning_state_value(self):  # noqa: PLR0911 - one return per state, in order of precedence
        """The dunning state, from the most to the least decisive reason."""
        self.ensure_one()
        if self.move_type != "out_invoice" or self.state != "posted":
            return "none"
        if self.payment_state in SETTLED_PAYMENT_STATES:
            return "done" if self.dunning_step_id else "none"
        if self.dunning_insolvency_id:
            return "insolvency"
        if self.dunning_handed_over:
            return "handed_over"
        if self.dunning_dispute:
            return "disputed"
        if "open" in self.dunning_commitment_ids.mapped("state"):
            return "promised"
        if self.dunning_pause_until or self.commercial_partner_id.dunning_pause_until:
            return "paused"
        return "running" if self.dunning_step_id else "none"

    @api.depends("dunning_scenario_id", "commercial_partner_id.dunning_scenario_id", "company_id")
    def _compute_dunning_effective_scenario_id(self):
        scenarios = self._dunning_scenarios()
        for move in self:
            move.dunning_effective_scenario_id = scenarios.get(move) or False

    def _dunning_leading_scenario(self, company):
        """The scenario of the most advanced of these invoices, else ``company``'s default scenario.

        The one whose limits apply to what the customer does about them (a plan, a reply, a retry).
        """
        scenarios = self._dunning_scenarios()
        for invoice in self.sorted(lambda move: -(move.dunning_level or 0)):
            if scenarios.get(invoice):
                return scenarios[invoice]
        return (
            self.env["kreancia.scenario"]
            .sudo()
            .search([("company_id", "=", company.id), ("is_default", "=", True)], limit=1)
        )

    def _dunning_scenarios(self):
        """Map each customer invoice to the scenario it follows (scenarios read once)."""
        invoices = self.filtered(lambda move: move.move_type == "out_invoice")
        if not invoices:
            return {}
        resolve = self.env["kreancia.scenario"].sudo()._resolver(invoices.company_id)
        result = {}
        for company in invoices.company_id:
            moves = invoices.filtered(lambda move, company=company: move.company_id == company)
            # the customer's scenario and trust depend on the company: read in its environment, once per customer
            partner_settings = {
                partner.id: (partner.dunning_scenario_id.id, partner.trust)
                for partner in moves.commercial_partner_id.with_company(company)
            }
            for move in moves:
                partner_scenario_id, trust = partner_settings.get(move.commercial_partner_id.id, (False, False))
                result[move] = resolve(company.id, move.dunning_scenario_id.id, partner_scenario_id, trust)
        return result

    @api.depends("dunning_step_id", "dunning_last_date", "invoice_date_due", "dunning_scenario_id", "dunning_state")
    def _compute_dunning_next_date(self):
        candidates = self.filtered(
            lambda move: (
                move.dunning_state in ("none", "running")
                and move.move_type == "out_invoice"
                and move.state == "posted"
                and move.payment_state not in SETTLED_PAYMENT_STATES
                and move.invoice_date_due
            )
        )
        (self - candidates).dunning_next_date = False
        scenarios = candidates._dunning_scenarios()
        ladders = {}
        moves_by_date = defaultdict(list)
        for move in candidates:
            scenario = scenarios.get(move)
            if not scenario:
                moves_by_date[False].append(move.id)
                continue
            if scenario not in ladders:
                ladders[scenario] = scenario._ladder()
            step = move.dunning_step_id
            next_date = ladders[scenario].next_date(step.id or None, move.invoice_date_due, step.delay_days)
            if next_date and move.dunning_last_date:
                next_date = max(next_date, move.dunning_last_date + timedelta(days=scenario.min_gap_days))
            moves_by_date[next_date or False].append(move.id)
        for next_date, move_ids in moves_by_date.items():
            self.browse(move_ids).dunning_next_date = next_date

    def _compute_dunning_days_late(self):
        today = fields.Date.context_today(self)
        for move in self:
            due = move.invoice_date_due
            move.dunning_days_late = max(days_late(due, today), 0) if due and move.is_invoice() else 0

    def _dunning_action_open(self):
        """These invoices in a list, as the buttons of interventions and hand-over cases open them."""
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Invoices"),
            "res_model": "account.move",
            "view_mode": "list,form",
            "domain": [("id", "in", self.ids)],
        }

    def _dunning_write(self, vals):
        """Write dunning bookkeeping fields on posted invoices.

        Goes straight to the ORM's generic write: ``account.move.write``
        re-checks balances and lock dates and flags the entry as manually
        modified, none of which applies to dunning fields.
        """
        if any(not name.startswith("dunning_") for name in vals):
            raise UserError(self.env._("Only dunning fields can be written this way."))
        # what the dunning state and next date are recomputed from: read alone, not with the invoice's many columns
        self.fetch(DUNNING_COMPUTE_READS)
        return models.Model.write(self, vals)

    def action_dunning_log_call(self):
        """Log a call about this invoice with its customer."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("kreancia_collect.kreancia_call_log_action")
        action["context"] = {
            "default_partner_id": self.commercial_partner_id.id,
            "default_move_ids": [fields.Command.set(self.ids)],
        }
        return action

    # ------------------------------------------------------------------
    # Coming next: the invoice's next dunning action, in words
    # ------------------------------------------------------------------
    dunning_next_action = fields.Char(
        "Coming next",
        compute="_compute_dunning_next_action",
        groups="account.group_account_invoice,account.group_account_readonly",
    )

    @api.depends(
        "dunning_state",
        "dunning_next_date",
        "dunning_step_id",
        "dunning_pause_until",
        "dunning_intervention_ids.state",
        "dunning_intervention_ids.activity_id",
        "dunning_commitment_ids.next_date",
        "dunning_limitation_date",
    )
    def _compute_dunning_next_action(self):
        today = fields.Date.context_today(self)
        for move in self:
            last_day = move.dunning_limitation_date
            if last_day and limitation.is_time_barred(last_day, today):
                move.dunning_next_action = self.env._("Time-barred: never claimed")
            else:
                move.dunning_next_action = move._dunning_next_action_text()

    def _dunning_next_action_text(self):  # noqa: PLR0911, PLR0912 - one answer per situation, in order of precedence
        """What happens next to this invoice's dunning, in words."""
        self.ensure_one()
        env = self.env
        state = self.dunning_state
        if state in (False, "none") and not self.dunning_next_date:
            return False
        if state == "done":
            return env._("Paid")
        if state == "handed_over":
            return env._("Handed over")
        if state == "insolvency":
            return env._("Insolvency procedure: claim declared to the representative")
        if state == "disputed":
            return env._("In dispute: dunning paused")
        if state == "promised":
            dates = self.dunning_commitment_ids.filtered(lambda c: c.state == "open").mapped("next_date")
            dates = [date for date in dates if date]
            if dates:
                return env._("Payment promised for %(date)s", date=format_date(env, min(dates)))
            return env._("Payment promised")
        if state == "paused":
            until = self.dunning_pause_until or self.commercial_partner_id.dunning_pause_until
            return env._("Paused until %(date)s", date=format_date(env, until))
        pending = self.dunning_intervention_ids.sorted("id", reverse=True)
        if pending.filtered(lambda i: i.state == "to_validate"):
            return env._("Awaiting validation")
        if pending.filtered(lambda i: i.state == "to_send"):
            return env._("Letter to post")
        call = pending.filtered(lambda i: i.channel == "call" and i.activity_id)[:1]
        if call:
            return env._("Call planned on %(date)s", date=format_date(env, call.activity_id.date_deadline))
        if self.dunning_next_date:
            step = self._dunning_next_step()
            if step:
                return env._("%(step)s on %(date)s", step=step.name, date=format_date(env, self.dunning_next_date))
            return env._("Next reminder on %(date)s", date=format_date(env, self.dunning_next_date))
        return env._("Scenario completed")

    def _dunning_next_step(self):
        """The step the invoice climbs to next in its scenario."""
        self.ensure_one()
        scenario = self.dunning_effective_scenario_id
        delay = self.dunning_step_id.delay_days if self.dunning_step_id else None
        steps = scenario.step_ids.sorted("delay_days")
        return steps.filtered(lambda step: delay is None or step.delay_days > delay)[:1]

    # ------------------------------------------------------------------
    # Hand-overs
    # ------------------------------------------------------------------
    def _dunning_write_off_action(self):
        """Odoo's own credit note wizard on these invoices, to write off what an abandoned case leaves."""
        action = self.env["ir.actions.act_window"]._for_xml_id("account.action_view_account_move_reversal")
        action["context"] = {"active_model": "account.move", "active_ids": self.ids, "active_id": self[:1].id}
        return action

    def action_dunning_hand_over(self):
        """Open hand-over cases for the selected invoices (one per customer)."""
        action = self.env["ir.actions.act_window"]._for_xml_id("kreancia_collect.kreancia_case_create_action")
        action["context"] = {"active_model": "account.move", "active_ids": self.ids}
        return action

    # ------------------------------------------------------------------
    # Late-payment mentions on invoices (C. com. L441-9)
    # ------------------------------------------------------------------
    dunning_legal_mentions = fields.Boolean(
        "Late-payment mentions",
        copy=False,
        readonly=True,
        help="Posted while the company printed the late-payment mentions on invoices to professionals: "
        "the penalty rate and the 40 EUR recovery indemnity.",
    )

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        posted.filtered(
            lambda move: move.company_id.kreancia_invoice_mentions and move._dunning_mentions_due()
        ).dunning_legal_mentions = True
        return posted

    def _dunning_mentions_due(self):
        """Whether the law asks this invoice for the late-payment mentions: a customer invoice to a professional."""
        self.ensure_one()
        return (
            self.move_type == "out_invoice"
            and bool(self.commercial_partner_id)
            and self.commercial_partner_id._is_professional_debtor()
        )

    def _dunning_mentions_rate(self):
        """``(rate, contractual)`` in force at the invoice date, as letters price interest.

        The customer's contractual rate (never below the floor of 3 x the legal interest
        rate) wins over the legal default of the half-year; ``rate`` is None when that
        half-year is not recorded yet, and the mentions then state the formula.
        """
        self.ensure_one()
        day = self.invoice_date or fields.Date.context_today(self)
        record = self.env["kreancia.interest.rate"]._rate_table().get(legal.half_year(day))
        contract_rate = self.commercial_partner_id.dunning_contract_rate
        if contract_rate:
            floor = legal.minimum_contractual_rate(record.legal_rate) if record and record.legal_rate else 0.0
            return max(contract_rate, floor), True
        return (record.rate if record else None), False

    def _dunning_legal_mentions(self):
        """The late-payment mentions the invoice prints, in its language, or False.

        Printed when the company's setting is on (or was when the invoice was posted) and the
        customer is a professional; the invoice report shows them below the terms.
        """
        self.ensure_one()
        if not (self.company_id.kreancia_invoice_mentions or self.dunning_legal_mentions):
            return False
        if not self._dunning_mentions_due():
            return False
        rate, contractual = self._dunning_mentions_rate()
        return mentions.invoice_mentions(rate, self.env.lang or self.partner_id.lang, contractual)

    @api.model
    def _dunning_missing_mentions(self, today=None):
        """Posted invoices to professionals of the last 12 months that lack the late-payment mentions.

        An invoice has them when it was posted with the setting on, or when its terms
        (``narration``) state them (:func:`~..tools.mentions.has_legal_mentions`).
        Searched in the current companies.
        """
        today = today or fields.Date.context_today(self)
        candidates = self.search_fetch(
            [
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("company_id", "in", self.env.companies.ids),
                ("invoice_date", ">", today - relativedelta(months=12)),
                ("invoice_date", "<=", today),
                ("dunning_legal_mentions", "=", False),
                ("commercial_partner_id.dunning_debtor_type", "!=", "consumer"),
            ],
            ["narration"],
        )
        return candidates.filtered(lambda move: not mentions.has_legal_mentions(move.narration))

    @api.model
    def action_dunning_missing_mentions(self):
        """Managers' check: a notification saying how many invoices lack the mentions, then their list."""
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(self.env._("Only collection managers can check the invoices' late-payment mentions."))
        missing = self._dunning_missing_mentions()
        if missing:
            message = self.env._(
                "Posted invoices to professionals of the last 12 months without the late-payment mentions "
                "(penalty rate and 40 EUR recovery indemnity): %(count)s. Add the mentions to your default terms "
                "(Invoicing settings, Default Terms & Conditions) or turn on Late-payment mentions on invoices "
                "in the Collection settings.",
                count=len(missing),
            )
        else:
            message = self.env._("Every posted invoice to a professional of the last 12 months states them.")
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Late-payment mentions on invoices"),
                "message": message,
                "type": "warning" if missing else "success",
                "sticky": bool(missing),
                "next": {
                    "type": "ir.actions.act_window",
                    "name": self.env._("Invoices Missing Late-Payment Mentions"),
                    "res_model": "account.move",
                    "view_mode": "list,form",
                    "views": [(self.env.ref("account.view_out_invoice_tree").id, "list"), (False, "form")],
                    "domain": [("id", "in", missing.ids)],
                    "context": {"create": False, "default_move_type": "out_invoice"},
                    "help": self.env._(
                        "<p class='o_view_nocontent_smiling_face'>No invoice lacks the late-payment mentions</p>"
                        "<p>Posted invoices to professionals of the last 12 months state the penalty rate "
                        "and the 40 EUR recovery indemnity.</p>"
                    ),
                },
            },
        }

    # ------------------------------------------------------------------
    # Limitation (prescription): the last day the claim can be made
    # ------------------------------------------------------------------
    dunning_limitation_date = fields.Date(
        "Last day to claim",
        compute="_compute_dunning_limitation_date",
        store=True,
        index=True,
        copy=False,
        help="Last day the claim can be made (suit, order for payment) or acknowledged by the customer: it is "
        "time-barred from the next day. Five years from the due date between professionals (C. com. L110-4), "
        "two years against a consumer (C. conso. L218-2), restarted by a partial payment or a signed payment "
        "commitment (C. civ. 2240); a formal notice does not restart it. A time-barred invoice is never claimed.",
    )
    dunning_limitation_restart_date = fields.Date(
        "Limitation restarted on",
        compute="_compute_dunning_limitation_date",
        store=True,
        copy=False,
        help="The customer's acknowledgment of the debt from which the limitation period runs again.",
    )
    dunning_limitation_restart_note = fields.Char(
        "Restarted by",
        compute="_compute_dunning_limitation_restart_note",
        help="The acknowledgment that restarted the limitation period: a partial payment or a payment commitment.",
    )
    dunning_limitation_hint = fields.Char("Limitation", compute="_compute_dunning_limitation_hint")
    dunning_limitation_notified = fields.Date(
        "Limitation to-do for", copy=False, readonly=True, help="The last day to claim a manager was warned of."
    )

    @api.model
    def _dunning_claimable_domain(self, partner, company, move_types, today):
        """Open entries of ``move_types`` the debtor reads as claimed on ``today`` (the statement of account,
        their page): posted, not paid, and never a time-barred invoice."""
        return Domain(
            [
                ("commercial_partner_id", "=", partner.commercial_partner_id.id),
                ("company_id", "=", company.id),
                ("move_type", "in", move_types),
                ("state", "=", "posted"),
                ("payment_state", "in", ("not_paid", "partial")),
            ]
        ) & Domain.OR(
            [
                [("move_type", "!=", "out_invoice")],
                [("dunning_limitation_date", "=", False)],
                [("dunning_limitation_date", ">=", today)],
            ]
        )

    @api.depends(
        "move_type",
        "state",
        "payment_state",
        "invoice_date_due",
        "amount_residual",
        "commercial_partner_id.dunning_debtor_type",
        "dunning_commitment_ids.state",
    )
    def _compute_dunning_limitation_date(self):
        acknowledgments = self._dunning_limitation_acknowledgments()
        values = defaultdict(list)
        for move in self:
            if move.id not in acknowledgments:
                values[False, False].append(move.id)
                continue
            professional = move.commercial_partner_id._is_professional_debtor()
            dates = [ack[0] for ack in acknowledgments[move.id]]
            values[limitation.limitation(move.invoice_date_due, professional, dates)].append(move.id)
        # one assignment per value: the payments of a run reconcile many invoices at once
        for (last_day, restart), move_ids in values.items():
            self.browse(move_ids).update(
                {"dunning_limitation_date": last_day, "dunning_limitation_restart_date": restart}
            )

    def _dunning_limitation_acknowledgments(self):
        """The customer's acknowledgments of each open invoice's debt (C. civ. 2240), read in batch.

        :return: ``{move id: [(date, amount or None, reference)]}`` for the open posted customer invoices
            only: a payment (or bank statement line) reconciled with the invoice, with the amount it paid in
            the invoice's currency; a payment commitment not cancelled, dated the day it was made (UTC).
            A credit note is the creditor's act, not an acknowledgment.
        """
        moves = self.filtered(
            lambda move: (
                move.move_type == "out_invoice"
                and move.state == "posted"
                and move.invoice_date_due
                and move.payment_state not in SETTLED_PAYMENT_STATES
            )
        )
        result = {move.id: [] for move in moves}
        paid = defaultdict(float)
        for partial in moves.line_ids.matched_credit_ids:
            counterpart = partial.credit_move_id.move_id
            if counterpart.origin_payment_id or counterpart.statement_line_id:
                paid[partial.debit_move_id.move_id.id, counterpart] += partial.debit_amount_currency
        for (move_id, counterpart), amount in paid.items():
            if move_id in result:
                reference = counterpart.origin_payment_id.name or counterpart.name
                result[move_id].append((counterpart.date, amount, reference))
        for move in moves:
            for commitment in move.sudo().dunning_commitment_ids:
                if commitment.state != "cancelled":
                    result[move.id].append((commitment.create_date.date(), None, None))
        return result

    @api.depends("dunning_limitation_restart_date")
    def _compute_dunning_limitation_restart_note(self):
        restarted = self.filtered("dunning_limitation_restart_date")
        (self - restarted).dunning_limitation_restart_note = False
        acknowledgments = restarted._dunning_limitation_acknowledgments()
        for move in restarted:
            day = move.dunning_limitation_restart_date
            acks = [ack for ack in acknowledgments.get(move.id, []) if ack[0] == day]
            payment = next((ack for ack in acks if ack[1] is not None), None)
            if payment:
                move.dunning_limitation_restart_note = self.env._(
                    "Partial payment of %(amount)s on %(date)s (%(reference)s)",
                    amount=format_amount(self.env, payment[1], move.currency_id),
                    date=format_date(self.env, day),
                    reference=payment[2],
                )
            else:
                move.dunning_limitation_restart_note = self.env._(
                    "Payment commitment of %(date)s", date=format_date(self.env, day)
                )

    @api.depends("dunning_limitation_date")
    def _compute_dunning_limitation_hint(self):
        today = fields.Date.context_today(self)
        for move in self:
            last_day = move.dunning_limitation_date
            if not last_day or last_day > today + timedelta(days=limitation.WATCH_DAYS):
                move.dunning_limitation_hint = False
            elif limitation.is_time_barred(last_day, today):
                move.dunning_limitation_hint = self.env._(
                    "Time-barred since %(date)s: never claim it",
                    date=format_date(self.env, last_day + timedelta(days=1)),
                )
            else:
                move.dunning_limitation_hint = self.env._(
                    "Time-barred after %(date)s (%(days)s days left): hand it over, request an order for "
                    "payment or write it off by then",
                    date=format_date(self.env, last_day),
                    days=(last_day - today).days,
                )

    @api.model
    def _cron_limitation_watch(self, today=None):
        """Scheduled action: one to-do per customer whose open invoices reach their last day to claim within
        ``WATCH_DAYS`` days, for the scenario's manager (else each collection manager of the company).

        The to-do sits on the customer's invoice closest to its limitation, so that it stays within its company.
        Each invoice is reported once per last day: a restart followed by a new approach warns again.
        """
        today = today or fields.Date.context_today(self)
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT m.id FROM account_move m
                 WHERE m.move_type = 'out_invoice' AND m.state = 'posted'
                   AND m.payment_state IN ('not_paid', 'partial')
                   AND m.dunning_limitation_date BETWEEN %(today)s AND %(until)s
                   AND m.dunning_limitation_notified IS DISTINCT FROM m.dunning_limitation_date
              ORDER BY m.dunning_limitation_date, m.id
                """,
                today=today,
                until=today + timedelta(days=limitation.WATCH_DAYS),
            )
        )
        moves = self.sudo().browse([row[0] for row in self.env.cr.fetchall()])
        groups = moves.grouped(lambda move: (move.company_id, move.commercial_partner_id))
        scenarios = moves._dunning_scenarios()
        for (company, _partner), invoices in groups.items():
            scenario = scenarios.get(invoices[0])
            for user in self._dunning_limitation_managers(company, scenario.user_id if scenario else None):
                invoices.with_context(lang=user.lang)._dunning_limitation_todo(user, today)
        if moves:
            self.env.cr.execute(
                SQL(
                    "UPDATE account_move SET dunning_limitation_notified = dunning_limitation_date WHERE id IN %s",
                    tuple(moves.ids),
                )
            )
            moves.invalidate_recordset(["dunning_limitation_notified"])
        return len(groups)

    @api.model
    def _dunning_limitation_managers(self, company, responsible=None):
        """Who is warned about ``company``'s invoices: the scenario's ``responsible`` manager when they work in
        the company, else each collection manager of the company."""
        if responsible and responsible.active and company in responsible.company_ids:
            return responsible
        managers = self.env.ref(MANAGER_GROUP).sudo().all_user_ids
        return managers.filtered(lambda user: user.active and not user.share and company in user.company_ids)

    def _dunning_limitation_todo(self, user, today):
        """Plan ``user``'s to-do about these invoices of one customer, the first being the closest to limitation."""
        env = self.env
        first = self[0]
        rows = Markup("").join(
            Markup("<li>%s</li>")
            % env._(
                "%(invoice)s: %(amount)s due, last day to claim %(date)s",
                invoice=move.name,
                amount=format_amount(env, move.amount_residual, move.currency_id),
                date=format_date(env, move.dunning_limitation_date),
            )
            for move in self
        )
        note = Markup("<p>%s</p><ul>%s</ul>") % (
            env._(
                "These invoices of %(customer)s will be time-barred: before the last day, hand them over, "
                "request an order for payment or write them off.",
                customer=first.commercial_partner_id.display_name,
            ),
            rows,
        )
        first.activity_schedule(
            "mail.mail_activity_data_todo",
            date_deadline=max(today, first.dunning_limitation_date - timedelta(days=30)),
            summary=env._(
                "Time-barred after %(date)s: %(customer)s",
                date=format_date(env, first.dunning_limitation_date),
                customer=first.commercial_partner_id.display_name,
            ),
            note=note,
            user_id=user.id,
        )
