from odoo import fields, models


class ResPartner(models.Model):
    """The customer's debtor page, as the agents see it: links, actions and plans waiting."""

    _inherit = "res.partner"

    dunning_debtor_link_ids = fields.One2many(
        "kreancia.debtor.link", "partner_id", "Debtor links", groups="kreancia_collect.kreancia_collect_group_agent"
    )
    dunning_debtor_action_ids = fields.One2many(
        "kreancia.debtor.action",
        "partner_id",
        "Debtor page activity",
        domain=[("action", "not in", ("view", "download"))],
        groups="kreancia_collect.kreancia_collect_group_agent",
    )
    dunning_plan_proposal_ids = fields.One2many(
        "kreancia.plan.proposal",
        "partner_id",
        "Plan proposals",
        groups="kreancia_collect.kreancia_collect_group_agent",
    )
