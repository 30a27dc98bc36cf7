from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from ..groups import MANAGER_GROUP


class AccountMoveSetDunningStep(models.TransientModel):
    """Onboarding: place invoices at the step they reached in another tool."""

    _name = "account.move.set.dunning.step"
    _description = "Set the Dunning Step of Invoices"

    move_ids = fields.Many2many("account.move", string="Invoices", required=True)
    company_id = fields.Many2one("res.company", compute="_compute_company_id")
    scenario_id = fields.Many2one("kreancia.scenario", required=True, domain="[('company_id', '=', company_id)]")
    step_id = fields.Many2one(
        "kreancia.scenario.step",
        "Current step",
        domain="[('scenario_id', '=', scenario_id)]",
        help="Leave empty to restart the invoices from the first step.",
    )
    last_date = fields.Date("Last reminder on", default=fields.Date.context_today, required=True)

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        move_ids = self.env.context.get("active_ids") or []
        if self.env.context.get("active_model") == "account.move" and move_ids:
            moves = self.env["account.move"].browse(move_ids)
            values["move_ids"] = [fields.Command.set(moves.ids)]
            scenarios = {scenario for scenario in moves._dunning_scenarios().values() if scenario}
            if len(scenarios) == 1:
                values["scenario_id"] = scenarios.pop().id
        return values

    @api.depends("move_ids")
    def _compute_company_id(self):
        for wizard in self:
            wizard.company_id = wizard.move_ids.company_id[:1] or self.env.company

    def action_apply(self):
        self.ensure_one()
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(self.env._("Only a collection manager can set the dunning step of invoices."))
        invoices = self.move_ids.filtered(lambda move: move.move_type == "out_invoice" and move.state == "posted")
        if invoices != self.move_ids:
            raise UserError(self.env._("Only posted customer invoices can be placed in a dunning scenario."))
        if len(invoices.company_id) > 1 or invoices.company_id != self.scenario_id.company_id:
            raise UserError(self.env._("The invoices and the scenario must belong to the same company."))
        values = {
            "dunning_step_id": self.step_id.id,
            "dunning_last_date": self.last_date if self.step_id else False,
        }
        invoices._dunning_write(values)
        # the chosen scenario becomes the invoices' own when it is not the one they follow
        followed = invoices._dunning_scenarios()
        invoices.filtered(lambda move: followed.get(move) != self.scenario_id)._dunning_write(
            {"dunning_scenario_id": self.scenario_id.id}
        )
        return {"type": "ir.actions.act_window_close"}
