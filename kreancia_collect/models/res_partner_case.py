from odoo import fields, models

from .kreancia_case import PARTY_ROLES


class ResPartner(models.Model):
    """A receiving party's terms (agency, bailiff, lawyer), copied on each case handed over to it."""

    _inherit = "res.partner"

    dunning_case_role = fields.Selection(PARTY_ROLES, "Receives hand-overs as")
    dunning_mandate_ref = fields.Char("Collection mandate reference")
    dunning_commission_rate = fields.Float(
        "Collection commission (%)", digits=(5, 2), help="Share of the amounts it recovers that it invoices."
    )
    dunning_case_ids = fields.One2many(
        "kreancia.case", "partner_id", "Hand-over cases", groups="kreancia_collect.kreancia_collect_group_agent"
    )
    dunning_case_count = fields.Integer("Hand-over case count", compute="_compute_dunning_case_count")

    def _compute_dunning_case_count(self):
        # a count only, shown to collection users: invoicing users without access to cases see 0, not an error
        cases = self.env["kreancia.case"]
        if not cases.has_access("read"):
            self.dunning_case_count = 0
            return
        counts = dict(cases._read_group([("partner_id", "in", self.ids)], ["partner_id"], ["__count"]))
        for partner in self:
            partner.dunning_case_count = counts.get(partner._origin, 0)

    def _dunning_statement_date(self):
        # a case file prints the statement as of its own date, so that it reads the same every time
        return self.env.context.get("kreancia_statement_date") or super()._dunning_statement_date()

    def action_dunning_cases(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("kreancia_collect.kreancia_case_action")
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.commercial_partner_id.id}
        return action

    def action_dunning_hand_over(self):
        """Open a hand-over case for the customer's open invoices."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("kreancia_collect.kreancia_case_create_action")
        action["context"] = {"active_model": "res.partner", "active_ids": self.ids, "active_id": self.id}
        return action
