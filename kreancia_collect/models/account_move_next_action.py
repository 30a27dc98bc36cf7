from odoo import api, fields, models
from odoo.tools import format_date


class AccountMove(models.Model):
    _inherit = "account.move"

    dunning_next_action = fields.Char(
        "Coming next",
        compute="_compute_dunning_next_action",
        groups="account.group_account_invoice,account.group_account_readonly",
    )

    @api.depends(
        "dunning_state",
        "dunning_next_date",
        "dunning_step_id",
        "dunning_pause_until",
        "dunning_intervention_ids.state",
        "dunning_intervention_ids.activity_id",
        "dunning_commitment_ids.next_date",
    )
    def _compute_dunning_next_action(self):
        for move in self:
            move.dunning_next_action = move._dunning_next_action_text()

    def _dunning_next_action_text(self):  # noqa: PLR0911 - one answer per situation, in order of precedence
        """What happens next to this invoice's dunning, in words."""
        self.ensure_one()
        env = self.env
        state = self.dunning_state
        if state in (False, "none") and not self.dunning_next_date:
            return False
        if state == "done":
            return env._("Paid")
        if state == "handed_over":
            return env._("Handed over")
        if state == "disputed":
            return env._("In dispute: dunning paused")
        if state == "promised":
            dates = self.dunning_commitment_ids.filtered(lambda c: c.state == "open").mapped("next_date")
            dates = [date for date in dates if date]
            if dates:
                return env._("Payment promised for %(date)s", date=format_date(env, min(dates)))
            return env._("Payment promised")
        if state == "paused":
            until = self.dunning_pause_until or self.commercial_partner_id.dunning_pause_until
            return env._("Paused until %(date)s", date=format_date(env, until))
        pending = self.dunning_intervention_ids.sorted("id", reverse=True)
        if pending.filtered(lambda i: i.state == "to_validate"):
            return env._("Awaiting validation")
        if pending.filtered(lambda i: i.state == "to_send"):
            return env._("Letter to post")
        call = pending.filtered(lambda i: i.channel == "call" and i.activity_id)[:1]
        if call:
            return env._("Call planned on %(date)s", date=format_date(env, call.activity_id.date_deadline))
        if self.dunning_next_date:
            step = self._dunning_next_step()
            if step:
                return env._("%(step)s on %(date)s", step=step.name, date=format_date(env, self.dunning_next_date))
            return env._("Next reminder on %(date)s", date=format_date(env, self.dunning_next_date))
        return env._("Scenario completed")

    def _dunning_next_step(self):
        """The step the invoice climbs to next in its scenario."""
        self.ensure_one()
        scenario = self.dunning_effective_scenario_id
        delay = self.dunning_step_id.delay_days if self.dunning_step_id else None
        steps = scenario.step_ids.sorted("delay_days")
        return steps.filtered(lambda step: delay is None or step.delay_days > delay)[:1]
