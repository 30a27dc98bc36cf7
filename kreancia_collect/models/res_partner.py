from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResPartner(models.Model):
    _inherit = "res.partner"

    dunning_scenario_id = fields.Many2one(
        "kreancia.scenario",
        "Dunning scenario",
        help="Scenario of this customer's invoices; empty follows the payer segment's "
        "or the company's default scenario.",
    )
    dunning_collector_id = fields.Many2one(
        "res.users",
        "Collector",
        help="Collection agent in charge of this customer: call tasks are assigned to them.",
    )
    dunning_pause_until = fields.Date(
        "Dunning paused until",
        help="No reminder is sent to this customer until this date (included).",
    )
    dunning_pause_reason = fields.Char("Pause reason")
    dunning_intervention_ids = fields.One2many("kreancia.intervention", "partner_id", "Interventions")
    dunning_intervention_count = fields.Integer("Intervention count", compute="_compute_dunning_intervention_count")

    @api.depends("dunning_intervention_ids")
    def _compute_dunning_intervention_count(self):
        counts = dict(
            self.env["kreancia.intervention"]._read_group([("partner_id", "in", self.ids)], ["partner_id"], ["__count"])
        )
        for partner in self:
            partner.dunning_intervention_count = counts.get(partner._origin, 0)

    @api.constrains("dunning_pause_until", "dunning_pause_reason")
    def _check_dunning_pause(self):
        for partner in self:
            if partner.dunning_pause_until and not partner.dunning_pause_reason:
                raise ValidationError(
                    self.env._("Give a reason for pausing the dunning of %(partner)s.", partner=partner.display_name)
                )

    def action_dunning_interventions(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("kreancia_collect.kreancia_intervention_action")
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.commercial_partner_id.id}
        return action
