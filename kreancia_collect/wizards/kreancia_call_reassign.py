from odoo import api, fields, models
from odoo.exceptions import UserError


class KreanciaCallReassign(models.TransientModel):
    """Rebalance call tasks (My Calls, *Action > Reassign calls*) between agents.

    The selected tasks are dealt to the chosen agents in turn, most urgent
    first, so that each gets a fair share of what is at stake.
    """

    _name = "kreancia.call.reassign"
    _description = "Reassign Call Tasks"

    worklist_ids = fields.Char("Selected tasks", help="Selected call tasks (ids of My Calls).")
    task_count = fields.Integer("Call tasks", readonly=True)
    user_ids = fields.Many2many(
        "res.users",
        string="Agents",
        required=True,
        domain=lambda self: [("group_ids", "in", self.env.ref("kreancia_collect.kreancia_collect_group_agent").ids)],
    )
    set_collector = fields.Boolean(
        "Make them the customers' collector", help="Future call tasks of these customers go to the same agent."
    )

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if self.env.context.get("active_model") == "kreancia.worklist":
            ids = self.env.context.get("active_ids", [])
            values.update(worklist_ids=",".join(map(str, ids)), task_count=len(ids))
        return values

    def _rows(self):
        ids = [int(task) for task in (self.worklist_ids or "").split(",") if task]
        return self.env["kreancia.worklist"].browse(ids).exists().sorted(lambda row: (-row.priority, row.id))

    def action_reassign(self):
        self.ensure_one()
        rows = self._rows()
        if not rows:
            raise UserError(self.env._("Select the call tasks to reassign in My Calls."))
        if not self.user_ids:
            raise UserError(self.env._("Choose at least one agent."))
        agents = self.user_ids.sorted("id")
        for index, row in enumerate(rows):
            agent = agents[index % len(agents)]
            # a manager moves tasks assigned to others, on customers they may not edit
            row.activity_id.sudo().write({"user_id": agent.id})
            if self.set_collector:
                row.partner_id.sudo().dunning_collector_id = agent
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "message": self.env._(
                    "%(count)s call task(s) dealt to %(agents)s.",
                    count=len(rows),
                    agents=", ".join(agents.mapped("name")),
                ),
                "type": "success",
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
