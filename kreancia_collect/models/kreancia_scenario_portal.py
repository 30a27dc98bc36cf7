from odoo import fields, models


class KreanciaScenario(models.Model):
    """The debtor page's settings: how long links last and which payment plans are accepted at once."""

    _inherit = "kreancia.scenario"

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

    _link_validity_positive = models.Constraint(
        "CHECK(link_validity_days >= 1)",
        "A debtor link must stay valid at least one day.",
    )
    _plan_limits_positive = models.Constraint(
        "CHECK(plan_max_instalments >= 0 AND plan_max_days >= 0 AND plan_min_first_percent BETWEEN 0 AND 100)",
        "The payment plan limits cannot be negative, and the first instalment's share is at most 100%.",
    )
