from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from ..tools.dunning import StepLadder


class KreanciaScenario(models.Model):
    """A dunning policy: ordered steps climbed by overdue invoices."""

    _name = "kreancia.scenario"
    _description = "Dunning Scenario"
    _order = "company_id, is_default desc, name, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    currency_id = fields.Many2one(related="company_id.currency_id")
    is_default = fields.Boolean(
        "Company default",
        help="Scenario of every customer and invoice that names no other one.",
    )
    trust = fields.Selection(
        [("good", "Good Debtor"), ("normal", "Normal Debtor"), ("bad", "Bad Debtor")],
        "Payer segment",
        help="Default scenario for the customers of this segment (the customer's "
        "degree of trust); the company default applies to the others.",
    )
    step_ids = fields.One2many("kreancia.scenario.step", "scenario_id", "Steps", copy=True)
    step_count = fields.Integer(compute="_compute_step_count")
    min_amount = fields.Monetary(
        "Minimum amount",
        currency_field="currency_id",
        help="Invoices whose residual is below this amount are not dunned.",
    )
    min_gap_days = fields.Integer(
        "Minimum gap (days)",
        default=3,
        required=True,
        help="Minimum number of days between two interventions to the same customer.",
    )
    one_voice = fields.Boolean(
        "One written communication per customer",
        default=True,
        help="Each run, a customer receives at most one e-mail, letter or formal notice: the most advanced "
        "step due speaks and lists every invoice due for a step that day, which then all stand at that step. "
        "Untick to send one communication per channel instead.",
    )
    description = fields.Text(translate=True)
    agent_id = fields.Many2one(
        "res.users",
        "Default agent",
        help="Receives the call tasks of customers who have no collector.",
    )
    user_id = fields.Many2one(
        "res.users",
        "Responsible manager",
        default=lambda self: self.env.user,
        help="Receives the hand-over tasks.",
    )
    # the debtor page: how long links last and which payment plans are accepted at once
    link_validity_days = fields.Integer(
        "Debtor link validity (days)",
        default=90,
        required=True,
        help="Days a debtor page link stays valid after the last written intervention that carried it.",
    )
    plan_max_instalments = fields.Integer(
        "Plan: maximum instalments",
        default=3,
        help="A plan proposed on the debtor page with more instalments waits for an agent. 0: no limit.",
    )
    plan_max_days = fields.Integer(
        "Plan: maximum duration (days)",
        default=90,
        help="A plan whose last instalment falls later waits for an agent. 0: no limit.",
    )
    plan_min_first_percent = fields.Float(
        "Plan: minimum first instalment (%)",
        default=20.0,
        help="Share of the amount due the first instalment must reach, else the plan waits for an agent.",
    )
    reply_auto_promise = fields.Boolean(
        "Accept clear promises from replies",
        help="A reply promising to pay on stated dates, within the plan limits above, becomes a payment "
        "commitment without waiting for a person; the collector is told. Otherwise every reply waits in the inbox.",
    )

    _default_company_uniq = models.UniqueIndex(
        "(company_id) WHERE is_default IS TRUE AND active IS TRUE",
        "A company can have only one default scenario.",
    )
    _segment_company_uniq = models.UniqueIndex(
        "(company_id, trust) WHERE trust IS NOT NULL AND active IS TRUE",
        "A company can have only one scenario per payer segment.",
    )
    _min_gap_positive = models.Constraint(
        "CHECK(min_gap_days >= 1)",
        "The minimum gap between two interventions must be at least one day.",
    )
    _min_amount_positive = models.Constraint(
        "CHECK(min_amount >= 0)",
        "The minimum amount cannot be negative.",
    )
    _link_validity_positive = models.Constraint(
        "CHECK(link_validity_days >= 1)",
        "A debtor link must stay valid at least one day.",
    )
    _plan_limits_positive = models.Constraint(
        "CHECK(plan_max_instalments >= 0 AND plan_max_days >= 0 AND plan_min_first_percent BETWEEN 0 AND 100)",
        "The payment plan limits cannot be negative, and the first instalment's share is at most 100%.",
    )

    def _collector_for(self, partner):
        """Who handles what ``partner`` says or does: its collector, else this scenario's agent or manager."""
        return (
            partner.dunning_collector_id
            or self.agent_id
            or self.user_id
            or self.env.ref("base.user_admin", raise_if_not_found=False)
            or self.env.user
        )

    @api.depends("step_ids")
    def _compute_step_count(self):
        for scenario in self:
            scenario.step_count = len(scenario.step_ids)

    @api.constrains("is_default", "trust", "step_ids", "active")
    def _check_steps(self):
        for scenario in self:
            if scenario.active and (scenario.is_default or scenario.trust) and not scenario.step_ids:
                raise ValidationError(
                    self.env._(
                        "The scenario “%(name)s” is used by default and has no step: add at least one step first.",
                        name=scenario.name,
                    )
                )

    def _ladder(self):
        """The scenario's steps as a :class:`StepLadder`."""
        self.ensure_one()
        return StepLadder([(step.id, step.delay_days) for step in self.step_ids])

    # The scenario an invoice follows: the first usable (active, with steps, of the invoice's company) of
    # invoice override > customer override > default of the customer's payer segment > company default.
    # Written twice, once per language, and nowhere else: ``_resolver`` (the run, the invoice form) and
    # ``_resolution_sql`` (the aged balance); tests/test_one_truth.py checks that they agree.

    @api.model
    def _resolver(self, companies):
        """Return ``resolve(company_id, move_scenario_id, partner_scenario_id, trust)``: the rule above.

        Scenarios are read once, so resolving thousands of invoices costs no query.
        """
        scenarios = self.search([("company_id", "in", companies.ids), ("step_ids", "!=", False)])
        by_id = {scenario.id: scenario for scenario in scenarios}
        defaults = {s.company_id.id: s for s in scenarios if s.is_default}
        segments = {(s.company_id.id, s.trust): s for s in scenarios if s.trust}

        def resolve(company_id, move_scenario_id, partner_scenario_id, trust):
            for scenario_id in (move_scenario_id, partner_scenario_id):
                scenario = by_id.get(scenario_id)
                if scenario and scenario.company_id.id == company_id:
                    return scenario
            return segments.get((company_id, trust)) or defaults.get(company_id)

        return resolve

    @api.model
    def _resolution_sql(self, company_id, move_scenario_id, partner_scenario_id, trust):
        """SQL expression of the id of the scenario an invoice follows: the rule above, as ``_resolver``.

        Each argument is an SQL expression of the query reading it (the payer
        segment: ``res.partner._dunning_trust_sql``, Odoo's default applied).
        """
        return SQL(
            """(SELECT scenario.id
                  FROM kreancia_scenario scenario
                 WHERE scenario.company_id = %(company)s AND scenario.active
                   AND EXISTS (SELECT FROM kreancia_scenario_step step WHERE step.scenario_id = scenario.id)
                   AND (scenario.id IN (%(move)s, %(partner)s) OR scenario.trust = %(trust)s OR scenario.is_default)
              ORDER BY CASE WHEN scenario.id = %(move)s THEN 0
                            WHEN scenario.id = %(partner)s THEN 1
                            WHEN scenario.trust = %(trust)s THEN 2
                            ELSE 3 END
                 LIMIT 1)""",
            company=company_id,
            move=move_scenario_id,
            partner=partner_scenario_id,
            trust=trust,
        )
