import logging
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.service.model import MAX_TRIES_ON_CONCURRENCY_FAILURE, PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tools import SQL, split_every
from odoo.tools.gc import disabling_gc

from ..external_api import in_caller_lang, shown, to_date
from ..groups import MANAGER_GROUP
from ..speed.bulk import insert_records, insert_relations
from ..tools.dunning import days_late, gap_elapsed
from .kreancia_scenario_step import CHANNELS

_logger = logging.getLogger(__name__)


ONE_VOICE_CHANNELS = ("email", "letter", "formal_notice")  # one voice per customer and run
CHANNEL_SEVERITY = {"email": 1, "letter": 2, "formal_notice": 3}


class PlannedLine(NamedTuple):
    """One invoice due for a step today, as read at planning time."""

    move_id: int
    step: models.BaseModel  # the step due for this invoice
    days_late: int
    currency_id: int
    residual: float
    residual_company: float
    due_date: date | None = None
    # where the invoice stood, read when the batch locks it: an undelivered e-mail puts it back there
    previous_step_id: int | None = None
    previous_last_date: date | None = None

    def to_data(self):
        """Plain data (ids, numbers, an ISO date) another worker reads back with :meth:`from_data`.

        Residuals, due date and days late travel for the record only: the batch re-reads them when it
        locks the invoice; where the invoice stood is read then too.
        """
        return {
            "move_id": self.move_id,
            "step_id": self.step.id,
            "days_late": self.days_late,
            "currency_id": self.currency_id,
            "residual": self.residual,
            "residual_company": self.residual_company,
            "due_date": self.due_date and self.due_date.isoformat(),
        }

    @classmethod
    def from_data(cls, data, steps):
        """The line of :meth:`to_data`, its step taken from ``steps`` (``{id: step}``); None if deleted since."""
        step = steps.get(data["step_id"])
        if not step:
            return None
        return cls(
            data["move_id"],
            step,
            data["days_late"],
            data["currency_id"],
            data["residual"],
            data["residual_company"],
            fields.Date.to_date(data["due_date"]),
        )


class PlanRules(NamedTuple):
    """A company's scenarios as planning reads them, once per run."""

    resolve: object  # (company_id, invoice's scenario_id, customer's scenario_id, trust) -> scenario
    ladders: dict  # scenario -> tools.dunning ladder
    steps: dict  # step id -> step
    earliest: int  # the shortest delay of a first step


@dataclass
class PlannedIntervention:
    """What the run will do for one customer and one channel (or one voice)."""

    partner_id: int
    step: models.BaseModel  # the step that speaks
    one_voice: bool = False  # every invoice then stands at the speaking step
    lines: list = field(default_factory=list)  # PlannedLine
    credit: float = 0.0  # open credit notes of the customer, company currency

    @property
    def channel(self):
        return self.step.channel

    @property
    def amount_company(self):
        return sum(line.residual_company for line in self.lines)

    def line_step(self, line):
        """The step an invoice stands at once the intervention is performed."""
        return self.step if self.one_voice else line.step

    def add(self, line):
        self.lines.append(line)
        if _more_advanced(line.step, self.step):
            self.step = line.step

    def keep_lines(self, fresh, today):
        """Keep the lines still due after a re-read,
        ``fresh = {move_id: (residual, residual_company, step id, last date, due date)}``;
        the most advanced step among them speaks."""
        self.lines = [
            line._replace(
                residual=fresh[line.move_id][0],
                residual_company=fresh[line.move_id][1],
                previous_step_id=fresh[line.move_id][2],
                previous_last_date=fresh[line.move_id][3],
                due_date=fresh[line.move_id][4],
                days_late=days_late(fresh[line.move_id][4], today),
            )
            for line in self.lines
            if line.move_id in fresh
        ]
        if self.lines:
            self.step = self.lines[0].step
            for line in self.lines[1:]:
                if _more_advanced(line.step, self.step):
                    self.step = line.step

    def to_data(self):
        """Plain data (ids and numbers, no records) a queue job stores; :meth:`from_data` reads it back."""
        return {
            "partner_id": self.partner_id,
            "step_id": self.step.id,
            "one_voice": self.one_voice,
            "credit": self.credit,
            "lines": [line.to_data() for line in self.lines],
        }

    @classmethod
    def from_data(cls, data, steps):
        """The intervention of :meth:`to_data`, its steps taken from ``steps`` (``{id: step}``).

        Lines whose step was deleted since planning are left out; None when no line is left.
        """
        lines = [line for line in (PlannedLine.from_data(line, steps) for line in data["lines"]) if line]
        if not lines or data["step_id"] not in steps:
            return None
        return cls(
            data["partner_id"], steps[data["step_id"]], one_voice=data["one_voice"], lines=lines, credit=data["credit"]
        )

    def to_dict(self, names):
        """Plain data for an external caller; ``names`` maps each model to ``{id: name}``."""
        return {
            "partner_id": self.partner_id,
            "partner_name": names["res.partner"][self.partner_id],
            "channel": self.channel,
            "step_id": self.step.id,
            "step_name": self.step.name,
            "scenario_id": self.step.scenario_id.id,
            "manual": self.step.manual,
            "amount": self.amount_company,
            "credit": self.credit,
            "currency": self.step.company_id.currency_id.name,
            "company_id": self.step.company_id.id,
            "invoices": [
                {
                    "id": line.move_id,
                    "name": names["account.move"][line.move_id],
                    "step_id": self.line_step(line).id,
                    "days_late": line.days_late,
                    "amount_residual": line.residual,
                }
                for line in self.lines
            ],
        }


def _more_advanced(step, other):
    """Whether ``step`` is further along than ``other``: later delay, then the sterner channel."""
    return (step.delay_days, CHANNEL_SEVERITY.get(step.channel, 0), step.id) > (
        other.delay_days,
        CHANNEL_SEVERITY.get(other.channel, 0),
        other.id,
    )


class KreanciaEscalation(models.AbstractModel):
    """The daily dunning run.

    ``run(today)`` plans, then performs, everything due on ``today`` for the
    companies of the environment. Planning reads candidates in one SQL query
    per company and keeps the rules in plain Python (``tools.dunning``);
    performing creates one intervention per customer and channel and
    renders their communications in batches.
    """

    _name = "kreancia.escalation"
    _description = "Dunning Escalation"

    BATCH_SIZE = 200
    QUEUE_THRESHOLD = 200  # planned interventions beyond which a run by hand goes to the scheduled action

    @api.model
    def run(self, today=None):
        """Perform every dunning step due on ``today`` (default: today).

        A run asked for by hand or over the API that plans more than
        ``QUEUE_THRESHOLD`` interventions (system parameter
        ``kreancia_collect.run_queue_threshold``) does not live inside the
        request: it is queued for the scheduled action, which performs it in
        batches and notifies the caller when done.

        :param today: a date or an ISO date string (``"2026-06-15"``)
        :return: counts of what was done, every key present even at zero (see :meth:`_zero_counts`),
            e.g. ``{"interventions": 3, "invoices": 7, "done": 3, "failed": 0, ...}``;
            for a queued run ``{"queued": True, "planned": 250, "run_id": 4, "date": "2026-06-15"}``
            (see :meth:`run_status`)
        """
        return in_caller_lang(self)._run(today)

    @api.model
    def run_status(self, run_id):
        """Where a queued run stands.

        :return: ``{"run_id", "date", "state" (queued, running, done, failed), "planned", "performed",
            "counts", "error"}``
        """
        return in_caller_lang(self)._run_status(run_id)

    @api.model
    def _run_status(self, run_id):
        self._check_can_run("run_status")
        run = self.env["kreancia.escalation.run"]
        if isinstance(run_id, int) and not isinstance(run_id, bool) and 0 < run_id < 2**31:
            run = run.sudo().browse(run_id).exists()
        if not run or not (self.env.su or run.company_ids & self.env.user.company_ids):
            raise UserError(self.env._("There is no queued dunning run %(run)s.", run=shown(run_id)))
        return run._to_dict()

    @api.model
    def _run(self, today):
        self._check_can_run()
        today = to_date(self, today)
        counts = Counter()
        engine = self.sudo().with_context(kreancia_user_id=self.env.uid)
        planned = {}
        if not (self.env.context.get("kreancia_commit") or self.env.context.get("kreancia_sync")):
            threshold, total = self._queue_threshold(), 0
            for company in self.env.companies:
                company_engine = engine.with_company(company)
                company_engine._lift_expired_pauses(company, today)
                planned[company] = []
                _customers, batches = company_engine._plan_batches(company, today)
                for plans, _batch_customers in batches:
                    total += len(plans)
                    if total <= threshold:  # beyond, the run is queued: only counted, not held
                        planned[company] += plans
            if total > threshold:
                return self._queue(today, total)
        for company in self.env.companies:
            if not engine.with_company(company)._run_company(company, today, counts, planned.get(company)):
                counts["interrupted"] = True
                break
        return {**self._zero_counts(), **counts}

    @api.model
    def _zero_counts(self):
        """The counts of a run that did nothing: every key :meth:`_count` may raise, at zero."""
        keys = ["interventions", "invoices", "to_validate", "to_send", "done", "failed"]
        keys += [f"channel_{channel}" for channel, _label in CHANNELS]
        return dict.fromkeys(keys, 0)

    @api.model
    def _queue_threshold(self):
        value = self.env["ir.config_parameter"].sudo().get_param("kreancia_collect.run_queue_threshold")
        return int(value) if value and value.isdigit() else self.QUEUE_THRESHOLD

    @api.model
    def _queue(self, today, planned):
        """Hand the run over to the scheduled action and say so."""
        run = (
            self.env["kreancia.escalation.run"]
            .sudo()
            .create(
                {
                    "date": today,
                    "company_ids": [fields.Command.set(self.env.companies.ids)],
                    "user_id": self.env.uid,
                    "lang": self.env.lang,
                    "planned": planned,
                }
            )
        )
        self.env.ref("kreancia_collect.ir_cron_kreancia_escalation").sudo()._trigger()
        return {"queued": True, "planned": planned, "run_id": run.id, "date": fields.Date.to_string(today)}

    @api.model
    def plan(self, today=None):
        """What ``run(today)`` would do, without changing anything.

        :param today: a date or an ISO date string
        :return: one dict per planned intervention: customer, channel, step, amount and invoices
        """
        plans = in_caller_lang(self)._plan(today)
        # names read once for the whole plan, not one record at a time
        partners = self.env["res.partner"].sudo().browse({planned.partner_id for planned in plans})
        moves = self.env["account.move"].sudo().browse({line.move_id for planned in plans for line in planned.lines})
        names = {
            "res.partner": {partner.id: partner.display_name for partner in partners},
            "account.move": {move.id: move.name for move in moves},
        }
        return [planned.to_dict(names) for planned in plans]

    @api.model
    def _plan(self, today=None):
        """:class:`PlannedIntervention` list of every company of the environment."""
        self._check_can_run("plan")
        today = to_date(self, today)
        plans = []
        for company in self.env.companies:
            plans += self.sudo().with_company(company)._plan_company(company, today)
        return plans

    @api.model
    def _cron_run(self):
        """Scheduled action: the runs queued by hand first, then one run per company, committing in batches."""
        self.env["kreancia.intervention"]._render_deferred_claim_declarations()
        if not self.env["kreancia.escalation.run"].sudo().with_context(kreancia_commit=True)._perform_queued():
            return  # out of time: called again by the scheduler
        for company in self.env["res.company"].sudo().search([]):  # pylint: disable=no-search-all
            self.sudo().with_company(company).with_context(allowed_company_ids=[company.id], kreancia_commit=True).run()

    def _check_can_run(self, operation="run"):
        """Refuse anyone but a collection manager, naming what was asked (``run``, ``plan``, ``run_status``)."""
        if self.env.su or self.env.user.has_group(MANAGER_GROUP):
            return
        if operation == "plan":
            raise AccessError(self.env._("Only a collection manager can preview the dunning run."))
        if operation == "run_status":
            raise AccessError(self.env._("Only a collection manager can follow a queued dunning run."))
        raise AccessError(self.env._("Only a collection manager can run the dunning escalation."))

    # ------------------------------------------------------------------
    # Run
    # ------------------------------------------------------------------

    def _run_company(self, company, today, counts, plans=None):
        """Perform ``plans`` in batches; by default lift expired pauses, then plan ``BATCH_SIZE`` customers
        at a time, each batch just before :meth:`_perform_batches` performs it: the run holds one batch at
        a time, not the whole company's invoices.

        :return: False when the scheduled action ran out of time before the end
        """
        commit = self.env.context.get("kreancia_commit")
        if plans is not None:
            if commit:
                # each batch then starts a transaction of its own, which sees what was paid since planning
                self.env["ir.cron"]._commit_progress(remaining=len(plans))
            return self._perform_batches(company, today, plans, counts)
        self._lift_expired_pauses(company, today)
        customers, batches = self._plan_batches(company, today)
        if commit:
            self.env["ir.cron"]._commit_progress(remaining=customers)
        for batch, batch_customers in batches:
            customers -= batch_customers
            if commit:
                # what is left: this batch's interventions, which _perform_batches counts off, then one per
                # customer still to plan (zero at the end, or the scheduler would call the run again)
                self.env["ir.cron"]._commit_progress(remaining=len(batch) + customers)
            if batch and not self._perform_batches(company, today, batch, counts):
                return False
        return True

    def _perform_batches(self, company, today, plans, counts):
        """Perform ``plans`` of ``company`` in slices of ``BATCH_SIZE`` customers, adding to ``counts``.

        Under the scheduled action each batch is committed. The hook to hand
        the batches over to other workers (``kreancia_collect_queue_job``
        makes one queue job of each): whoever performs a batch goes through
        :meth:`_perform_batch`, which never does anything twice.

        :return: False when the scheduled action ran out of time before the end
        """
        commit = self.env.context.get("kreancia_commit")
        queued_run = self.env["kreancia.escalation.run"].browse(self.env.context.get("kreancia_run_id"))
        for batch in split_every(self.BATCH_SIZE, plans):
            if commit:
                interventions = self._perform_batch_alone(company, today, batch)
            else:
                interventions = self._perform_batch(company, today, batch)
            self._count(interventions, counts)
            if queued_run:
                queued_run.performed += len(interventions)
            # hold one batch at a time: what the batch read or wrote leaves the cache
            self.env.invalidate_all(flush=True)
            if commit and not self.env["ir.cron"]._commit_progress(len(batch)):
                return False  # out of time: the scheduler resumes the run, which performs nothing twice
        return True

    def _perform_batch_alone(self, company, today, batch):
        """Under the scheduled action, :meth:`_perform_batch` in a transaction of its own, tried again when
        it fails to serialize with a concurrent write (a debtor on their page, a payment, another worker).

        The batches before it are committed: the rollback undoes this batch alone, and the retry re-reads
        what the other transaction committed. Odoo replays an HTTP request the same way.
        """
        for attempt in range(1, MAX_TRIES_ON_CONCURRENCY_FAILURE):
            try:
                return self._perform_batch(company, today, batch)
            except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY as error:
                self.env.cr.rollback()
                wait = random.uniform(0.0, 2**attempt)
                _logger.info(
                    "Dunning batch of %s, %s: %s, try %s of %s in %.2f s",
                    today,
                    company.name,
                    type(error).__name__,
                    attempt + 1,
                    MAX_TRIES_ON_CONCURRENCY_FAILURE,
                    wait,
                )
                time.sleep(wait)
        return self._perform_batch(company, today, batch)

    def _count(self, interventions, counts):
        """Add what ``interventions`` did to ``counts`` (the figures :meth:`run` returns)."""
        for intervention in interventions:
            counts["interventions"] += 1
            counts[intervention.state] += 1
            counts[f"channel_{intervention.channel}"] += 1
            counts["invoices"] += len(intervention.line_ids)

    def _perform_batch(self, company, today, batch):
        """Re-read and lock what the batch is about to act on, then create and perform its interventions.

        A batch is all or nothing: an unexpected error undoes it whole.
        """
        # PostgreSQL keeps the plans of its foreign-key checks per connection: planned while the intervention
        # tables were small (a first run), they would scan them whole for every row a large run inserts
        self.env.cr.execute("DISCARD PLANS")
        # a batch allocates many short-lived objects and holds only its own: collect cycles once it is done
        with disabling_gc(), self.env.cr.savepoint():
            batch = self._recheck(company, today, batch)
            interventions = self._create_interventions(company, today, batch)
            interventions.filtered(lambda intervention: intervention.state != "to_validate")._perform()
        return interventions

    def _recheck(self, company, today, batch):
        """Drop from ``batch`` what no longer qualifies, reading and locking its invoices now.

        Planning may be minutes old: a customer may have paid, disputed or
        promised since. Invoices another transaction is writing (a payment
        being registered) are skipped: the next run sees them settled.
        """
        move_ids = [line.move_id for planned in batch for line in planned.lines]
        if not move_ids:
            return []
        fresh = self._still_due_invoices(company, today, move_ids)
        kept = []
        for planned in batch:
            planned.keep_lines(fresh, today)
            if planned.lines:
                kept.append(planned)
            else:
                _logger.info("Customer %s no longer qualifies for %s: dropped", planned.partner_id, planned.step.name)
        return kept

    def _still_due_invoices(self, company, today, move_ids, interventions=None, lock=True):
        """Read, and lock, among ``move_ids`` the invoices of ``company`` still to be reminded on ``today``.

        The one re-check before acting on invoices read earlier: a batch (planned minutes ago) and a manager
        validating an intervention or marking a letter as posted (planned days ago) drop what was paid,
        promised, disputed, paused, handed over or excluded since, and what is no longer due.

        :param interventions: the interventions a person acts on: their own wait for validation does not hold
            their invoices back, and invoices another transaction is writing are waited for. Without, a
            batch: invoices performed today are skipped (never twice), and so are invoices being written
            (a payment being registered: the next run sees them settled).
        :param lock: False to read only (what a list shows)
        :return: ``{move id: (residual, residual in company currency, step id, last date, due date)}``
        """
        if not move_ids:
            return {}
        self.env.flush_all()
        acting = interventions is not None
        self.env.cr.execute(
            SQL(
                """
                SELECT m.id, m.amount_residual, ABS(m.amount_residual_signed), m.dunning_step_id, m.dunning_last_date,
                       m.invoice_date_due
                  FROM account_move m
                  JOIN res_partner p ON p.id = m.commercial_partner_id
                 WHERE m.id IN %(move_ids)s AND %(qualifies)s
                   -- a due date moved since planning: never remind an invoice not yet due
                   AND m.invoice_date_due <= %(today)s
                   %(once)s
                   %(lock)s
                """,
                move_ids=tuple(move_ids),
                today=today,
                qualifies=self._qualifying_sql(company, today, interventions.ids if acting else ()),
                # performed today by another run since planning: never twice
                once=SQL() if acting else SQL("AND (m.dunning_last_date IS NULL OR m.dunning_last_date < %s)", today),
                lock=SQL() if not lock else SQL("FOR UPDATE OF m") if acting else SQL("FOR UPDATE OF m SKIP LOCKED"),
            )
        )
        return {row[0]: row[1:] for row in self.env.cr.fetchall()}

    def _lift_expired_pauses(self, company, today):
        """End the pauses whose date has passed: dunning resumes from the step reached."""
        expired = [("dunning_pause_until", "<", today)]
        partners = self.env["res.partner"].search(expired)
        partners.write({"dunning_pause_until": False, "dunning_pause_reason": False})
        moves = self.env["account.move"].search([*expired, ("company_id", "=", company.id)])
        moves._dunning_write({"dunning_pause_until": False, "dunning_pause_reason": False})

    def _create_interventions(self, company, today, plans):
        """The batch's interventions and their invoice lines, inserted in bulk (see ``speed/bulk.py``).

        Everything was selected in SQL in ``company``; each intervention gets its reference and, when written,
        the customer's debtor page link, as ``create()`` would give them.
        """
        Intervention = self.env["kreancia.intervention"]
        recipients = self._recipients([plan.partner_id for plan in plans])
        user_id = self.env.context.get("kreancia_user_id") or self.env.uid
        currency = company.currency_id
        rows = []
        for plan, name in zip(plans, Intervention._next_references(today, len(plans)), strict=True):
            step = plan.step
            rows.append(
                {
                    "name": name,
                    "date": today,
                    "company_id": company.id,
                    "partner_id": plan.partner_id,
                    "recipient_id": recipients.get(plan.partner_id, plan.partner_id),
                    "step_id": step.id,
                    "scenario_id": step.scenario_id.id,
                    "channel": step.channel,
                    "identity": step.identity,
                    "brand_id": step.brand_id.id if step.identity == "brand" else False,
                    "state": "to_validate" if step.manual else "done",
                    "user_id": False if step.manual else user_id,
                    "amount_total": currency.round(plan.amount_company),
                    "amount_credit": currency.round(plan.credit),
                    "debtor_link_id": False,
                }
            )
        Intervention._debtor_links_for_create(rows)
        interventions = insert_records(Intervention, rows)
        insert_relations(interventions, "move_ids", [[line.move_id for line in plan.lines] for plan in plans])
        insert_records(
            self.env["kreancia.intervention.line"],
            [
                {
                    "intervention_id": intervention.id,
                    "move_id": line.move_id,
                    "company_id": company.id,
                    # read when the batch locked the invoice: the due date may have moved since planning
                    "invoice_date_due": line.due_date,
                    "step_id": plan.line_step(line).id,
                    "previous_step_id": line.previous_step_id or False,
                    "previous_last_date": line.previous_last_date or False,
                    "days_late": line.days_late,
                    "currency_id": line.currency_id,
                    "amount_residual": line.residual,
                }
                for plan, intervention in zip(plans, interventions, strict=True)
                # inserted in the lines' order (``_order``): the e-mail lists them as cached here
                for line in sorted(plan.lines, key=lambda line: line.due_date)
            ],
        )
        return interventions

    def _recipients(self, partner_ids):
        """Map each customer to its invoicing contact, when it has one."""
        contacts = self.env["res.partner"].search_read(
            [("parent_id", "in", partner_ids), ("type", "=", "invoice")],
            ["parent_id"],
            order="id",
        )
        recipients = {}
        for contact in contacts:
            recipients.setdefault(contact["parent_id"][0], contact["id"])
        return recipients

    # ------------------------------------------------------------------
    # Plan
    # ------------------------------------------------------------------

    def _plan_company(self, company, today):
        """Group what is due today by customer and channel.

        :return: list of :class:`PlannedIntervention`, ordered by customer
        """
        _customers, batches = self._plan_batches(company, today)
        return [planned for plans, _batch_customers in batches for planned in plans]

    def _plan_batches(self, company, today):
        """The company's plan ``BATCH_SIZE`` customers at a time, each batch planned when the iterator reaches it.

        One query lists the customers with a candidate invoice (their ids only);
        each batch then reads its customers' invoices. Memory holds one batch of
        invoices, not the whole company's.

        :return: ``(number of customers, iterator of (list of PlannedIntervention, number of customers))``
        """
        rules = self._plan_rules(company)
        if not rules:
            return 0, iter(())
        due_before = fields.Date.subtract(today, days=rules.earliest)
        customer_ids = self._candidate_customers(company, due_before, today)

        def batches():
            for chunk in split_every(self.BATCH_SIZE, customer_ids):
                rows = self._candidate_rows(company, due_before, today, chunk)
                yield self._plan_customers(company, today, rules, rows), len(chunk)

        return len(customer_ids), batches()

    def _plan_rules(self, company):
        """The company's scenarios as planning reads them, or None when none has a step."""
        scenarios = self.env["kreancia.scenario"].search([("company_id", "=", company.id), ("step_ids", "!=", False)])
        if not scenarios:
            return None
        ladders = {scenario: scenario._ladder() for scenario in scenarios}
        return PlanRules(
            resolve=scenarios._resolver(company),
            ladders=ladders,
            steps={step.id: step for step in scenarios.step_ids},
            earliest=min(ladder.first_delay for ladder in ladders.values()),
        )

    def _plan_customers(self, company, today, rules, rows):
        """Group the candidate ``rows`` (a few customers' invoices, by customer) by customer and channel."""
        if not rows:
            return []
        partners = self.env["res.partner"].browse({row["partner_id"] for row in rows}).with_company(company)
        partners.fetch(["dunning_scenario_id", "trust"])
        trusts = partners._dunning_trusts(company)  # the payer segment as every figure reads it
        last_contact = self._last_contact_dates(company, partners.ids)
        open_credits = self._open_credit_notes(company, partners.ids)

        plans = {}
        for row in rows:
            partner = partners.browse(row["partner_id"])
            scenario = rules.resolve(company.id, row["scenario_id"], partner.dunning_scenario_id.id, trusts[partner.id])
            if not scenario or row["residual_company"] < scenario.min_amount:
                continue
            step_id = rules.ladders[scenario].step_to_perform(row["step_id"], row["due_date"], today, row["step_delay"])
            if not step_id or not self._gap_elapsed(row, last_contact.get(partner.id), today, scenario):
                continue
            step = rules.steps[step_id]
            one_voice = step.channel in ONE_VOICE_CHANNELS and scenario.one_voice
            key = (partner.id, "written" if one_voice else step.channel)
            if key not in plans:
                plans[key] = PlannedIntervention(
                    partner.id, step, one_voice=one_voice, credit=open_credits.get(partner.id, 0.0)
                )
            plans[key].add(
                PlannedLine(
                    row["id"],
                    step,
                    days_late(row["due_date"], today),
                    row["currency_id"],
                    row["residual"],
                    row["residual_company"],
                    row["due_date"],
                )
            )
        return list(plans.values())

    def _gap_elapsed(self, row, last_contact: date | None, today, scenario):
        """Never sooner than the scenario's minimum gap, per invoice and per customer."""
        if row["gap_waived"]:
            return True
        return gap_elapsed(row["last_date"], today, scenario.min_gap_days) and gap_elapsed(
            last_contact, today, scenario.min_gap_days
        )

    def _last_contact_dates(self, company, partner_ids):
        """Date of the last intervention of each customer that reached it (neither cancelled nor failed)."""
        groups = self.env["kreancia.intervention"]._read_group(
            [
                ("company_id", "=", company.id),
                ("partner_id", "in", partner_ids),
                ("state", "not in", ("cancelled", "failed")),
                # a claim declaration goes to the insolvency representative, not to the customer
                ("channel", "!=", "claim"),
            ],
            ["partner_id"],
            ["date:max"],
        )
        return {partner.id: last_date for partner, last_date in groups}

    def _open_credit_notes(self, company, partner_ids):
        """Residual of each customer's open credit notes (company currency), deducted from the claim."""
        groups = self.env["account.move"]._read_group(
            [
                ("company_id", "=", company.id),
                ("commercial_partner_id", "in", partner_ids),
                ("move_type", "=", "out_refund"),
                ("state", "=", "posted"),
                ("payment_state", "in", ("not_paid", "partial")),
            ],
            ["commercial_partner_id"],
            ["amount_residual_signed:sum"],
        )
        return {partner.id: abs(amount) for partner, amount in groups}

    def _candidate_customers(self, company, due_before, today):
        """Ids of the customers with an invoice :meth:`_candidate_rows` may return, in order."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT DISTINCT m.commercial_partner_id
                  FROM account_move m
                  JOIN res_partner p ON p.id = m.commercial_partner_id
                 WHERE m.invoice_date_due <= %(due_before)s
                   AND %(qualifies)s
              ORDER BY m.commercial_partner_id
                """,
                due_before=due_before,
                qualifies=self._qualifying_sql(company, today),
            )
        )
        return [partner_id for (partner_id,) in self.env.cr.fetchall()]

    def _candidate_rows(self, company, due_before, today, partner_ids):
        """Open posted customer invoices of ``company`` and of the customers ``partner_ids`` that may need a step.

        One query: excluded are settled invoices (paid or in payment), credit
        notes, drafts, invoices flagged ``no_followup``, paused, disputed,
        promised and handed-over invoices, and invoices whose intervention
        waits for validation.
        """
        if not partner_ids:
            return []
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT m.id, m.commercial_partner_id AS partner_id, m.invoice_date_due AS due_date,
                       m.currency_id, m.amount_residual AS residual,
                       ABS(m.amount_residual_signed) AS residual_company,
                       m.dunning_scenario_id AS scenario_id, m.dunning_step_id AS step_id,
                       s.delay_days AS step_delay, m.dunning_last_date AS last_date,
                       COALESCE(m.dunning_gap_waived, FALSE) AS gap_waived
                  FROM account_move m
             LEFT JOIN kreancia_scenario_step s ON s.id = m.dunning_step_id
                  JOIN res_partner p ON p.id = m.commercial_partner_id
                 WHERE m.commercial_partner_id IN %(partner_ids)s
                   -- the same invoices through the index of partner_id: commercial_partner_id has none
                   AND m.partner_id IN (SELECT id FROM res_partner WHERE commercial_partner_id IN %(partner_ids)s)
                   AND m.invoice_date_due <= %(due_before)s
                   AND %(qualifies)s
              ORDER BY m.commercial_partner_id, m.invoice_date_due, m.id
                """,
                partner_ids=tuple(partner_ids),
                due_before=due_before,
                qualifies=self._qualifying_sql(company, today),
            )
        )
        return self.env.cr.dictfetchall()

    def _qualifying_sql(self, company, today, validating=()):
        """What an invoice ``m`` (customer ``p``) must be to receive a step today, whatever its due date:
        posted, open, neither settled nor excluded from follow-ups, not time-barred, not paused, disputed,
        promised or handed over, not waiting for a validation (but that of the interventions ``validating``)."""
        return SQL(
            """
                m.company_id = %(company_id)s
            AND m.move_type = 'out_invoice'
            AND m.state = 'posted'
            AND m.payment_state IN ('not_paid', 'partial')
            AND m.amount_residual > 0
            -- a time-barred claim is never claimed (its last day to claim has passed)
            AND (m.dunning_limitation_date IS NULL OR m.dunning_limitation_date >= %(today)s)
            AND (COALESCE(m.dunning_state, 'none') IN ('none', 'running')
                 -- a pause whose date has passed no longer holds, lifted or not yet
                 OR (m.dunning_state = 'paused'
                     AND (m.dunning_pause_until IS NULL OR m.dunning_pause_until < %(today)s)
                     AND (p.dunning_pause_until IS NULL OR p.dunning_pause_until < %(today)s)))
            AND NOT EXISTS (
                 SELECT 1 FROM account_move_line l
                   JOIN account_account a ON a.id = l.account_id
                  WHERE l.move_id = m.id AND l.no_followup
                    AND a.account_type = 'asset_receivable')
            AND NOT EXISTS (
                 SELECT 1 FROM kreancia_intervention_account_move_rel r
                   JOIN kreancia_intervention i ON i.id = r.intervention_id
                  WHERE r.move_id = m.id AND i.state = 'to_validate' %(validating)s)
            """,
            company_id=company.id,
            today=today,
            validating=SQL("AND i.id NOT IN %s", tuple(validating)) if validating else SQL(),
        )
