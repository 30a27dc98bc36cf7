import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

from ..tools.dunning import days_late, gap_elapsed

_logger = logging.getLogger(__name__)

MANAGER_GROUP = "kreancia_collect.kreancia_collect_group_manager"


@dataclass
class PlannedIntervention:
    """What the run will do for one customer and one channel."""

    partner_id: int
    channel: str
    step: models.BaseModel
    lines: list = field(default_factory=list)  # (move_id, step_id, days_late, currency_id, residual, residual_company)
    credit: float = 0.0  # open credit notes of the customer, company currency

    @property
    def amount_company(self):
        return sum(line[5] for line in self.lines)


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

    @api.model
    def run(self, today=None):
        """Perform every dunning step due on ``today`` (default: today).

        :return: counts of what was done, e.g. ``{"interventions": 3, "invoices": 7}``
        """
        self._check_can_run()
        today = today or fields.Date.context_today(self)
        counts = Counter()
        engine = self.sudo().with_context(kreancia_user_id=self.env.uid)
        for company in self.env.companies:
            engine.with_company(company)._run_company(company, today, counts)
        return dict(counts)

    @api.model
    def plan(self, today=None):
        """What ``run(today)`` would do, without changing anything."""
        self._check_can_run()
        today = today or fields.Date.context_today(self)
        plans = []
        for company in self.env.companies:
            plans += self.sudo().with_company(company)._plan_company(company, today)
        return plans

    @api.model
    def _cron_run(self):
        """Scheduled action: one run per company, committing in batches."""
        for company in self.env["res.company"].sudo().search([]):  # pylint: disable=no-search-all
            self.sudo().with_company(company).with_context(allowed_company_ids=[company.id], kreancia_commit=True).run()

    def _check_can_run(self):
        if not (self.env.su or self.env.user.has_group(MANAGER_GROUP)):
            raise AccessError(self.env._("Only a collection manager can run the dunning escalation."))

    # ------------------------------------------------------------------
    # Run
    # ------------------------------------------------------------------

    def _run_company(self, company, today, counts):
        self._lift_expired_pauses(company, today)
        plans = self._plan_company(company, today)
        for start in range(0, len(plans), self.BATCH_SIZE):
            batch = plans[start : start + self.BATCH_SIZE]
            # a batch is all or nothing: an unexpected error undoes it whole
            with self.env.cr.savepoint():
                interventions = self._create_interventions(company, today, batch)
                interventions.filtered(lambda intervention: intervention.state != "to_validate")._perform()
            for intervention in interventions:
                counts["interventions"] += 1
                counts[intervention.state] += 1
                counts[f"channel_{intervention.channel}"] += 1
                counts["invoices"] += len(intervention.line_ids)
            if self.env.context.get("kreancia_commit"):
                self.env["ir.cron"]._commit_progress(len(batch), remaining=len(plans) - start - len(batch))

    def _lift_expired_pauses(self, company, today):
        """End the pauses whose date has passed: dunning resumes from the step reached."""
        expired = [("dunning_pause_until", "<", today)]
        partners = self.env["res.partner"].search(expired)
        partners.write({"dunning_pause_until": False, "dunning_pause_reason": False})
        moves = self.env["account.move"].search([*expired, ("company_id", "=", company.id)])
        moves._dunning_write({"dunning_pause_until": False, "dunning_pause_reason": False})

    def _create_interventions(self, company, today, plans):
        recipients = self._recipients([plan.partner_id for plan in plans])
        user_id = self.env.context.get("kreancia_user_id") or self.env.uid
        vals_list = []
        for plan in plans:
            step = plan.step
            vals_list.append(
                {
                    "date": today,
                    "company_id": company.id,
                    "partner_id": plan.partner_id,
                    "recipient_id": recipients.get(plan.partner_id, plan.partner_id),
                    "step_id": step.id,
                    "channel": step.channel,
                    "identity": step.identity,
                    "brand_id": step.brand_id.id if step.identity == "brand" else False,
                    "state": "to_validate" if step.manual else "done",
                    "user_id": False if step.manual else user_id,
                    "amount_total": plan.amount_company,
                    "amount_credit": plan.credit,
                    "move_ids": [fields.Command.set([line[0] for line in plan.lines])],
                    "line_ids": [
                        fields.Command.create(
                            {
                                "move_id": move_id,
                                "step_id": step_id,
                                "days_late": late,
                                "currency_id": currency_id,
                                "amount_residual": residual,
                            }
                        )
                        for move_id, step_id, late, currency_id, residual, _company in plan.lines
                    ],
                }
            )
        return self.env["kreancia.intervention"].create(vals_list)

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
        scenarios = self.env["kreancia.scenario"].search([("company_id", "=", company.id), ("step_ids", "!=", False)])
        if not scenarios:
            return []
        resolve = scenarios._resolver(company)
        ladders = {scenario: scenario._ladder() for scenario in scenarios}
        steps = {step.id: step for step in scenarios.step_ids}
        earliest = min(ladder.first_delay for ladder in ladders.values())
        rows = self._candidate_rows(company, fields.Date.subtract(today, days=earliest), today)
        if not rows:
            return []
        partners = self.env["res.partner"].browse({row["partner_id"] for row in rows}).with_company(company)
        partners.fetch(["dunning_scenario_id", "trust"])
        last_contact = self._last_contact_dates(company, partners.ids)
        open_credits = self._open_credit_notes(company, partners.ids)

        plans = {}
        for row in rows:
            partner = partners.browse(row["partner_id"])
            scenario = resolve(company.id, row["scenario_id"], partner.dunning_scenario_id.id, partner.trust)
            if not scenario or row["residual_company"] < scenario.min_amount:
                continue
            step_id = ladders[scenario].step_to_perform(row["step_id"], row["due_date"], today, row["step_delay"])
            if not step_id or not self._gap_elapsed(row, last_contact.get(partner.id), today, scenario):
                continue
            step = steps[step_id]
            plan = plans.setdefault(
                (partner.id, step.channel),
                PlannedIntervention(partner.id, step.channel, step, credit=open_credits.get(partner.id, 0.0)),
            )
            if step.delay_days > plan.step.delay_days:
                plan.step = step
            plan.lines.append(
                (
                    row["id"],
                    step_id,
                    days_late(row["due_date"], today),
                    row["currency_id"],
                    row["residual"],
                    row["residual_company"],
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

    def _candidate_rows(self, company, due_before, today):
        """Open posted customer invoices of ``company`` that may need a step.

        One query: excluded are settled invoices (paid or in payment), credit
        notes, drafts, invoices flagged ``no_followup``, paused, disputed,
        promised and handed-over invoices, and invoices whose intervention
        waits for validation.
        """
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
                 WHERE m.company_id = %(company_id)s
                   AND m.move_type = 'out_invoice'
                   AND m.state = 'posted'
                   AND m.payment_state IN ('not_paid', 'partial')
                   AND m.amount_residual > 0
                   AND m.invoice_date_due <= %(due_before)s
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
                         WHERE r.move_id = m.id AND i.state = 'to_validate')
              ORDER BY m.commercial_partner_id, m.invoice_date_due, m.id
                """,
                company_id=company.id,
                due_before=due_before,
                today=today,
            )
        )
        return self.env.cr.dictfetchall()
