from odoo import api, fields, models
from odoo.tools import format_date


class KreanciaIntervention(models.Model):
    _inherit = "kreancia.intervention"

    next_action = fields.Char("Next action", compute="_compute_next_action")

    @api.depends("state", "channel", "activity_id.date_deadline")
    def _compute_next_action(self):
        for intervention in self:
            intervention.next_action = intervention._next_action_text()

    def _next_action_text(self):  # noqa: PLR0911 - one answer per situation
        """What happens next to this intervention, in words."""
        self.ensure_one()
        env = self.env
        if self.state == "to_validate":
            return env._("Awaiting validation")
        if self.state == "to_send":
            return env._("Letter to post")
        if self.state == "failed":
            return env._("Failed: fix and run again")
        if self.state == "cancelled":
            return env._("Cancelled")
        task = self.activity_id
        if task and self.channel == "call":
            return env._("Call planned on %(date)s", date=format_date(env, task.date_deadline))
        if task:
            return env._("Task planned on %(date)s", date=format_date(env, task.date_deadline))
        return env._("Done")
