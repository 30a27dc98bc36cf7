from odoo import api, fields, models
from odoo.exceptions import UserError


class KreanciaInterventionMarkPosted(models.TransientModel):
    """Record that letters were posted (date and registered-mail number)."""

    _name = "kreancia.intervention.mark.posted"
    _description = "Mark Letters as Posted"

    intervention_ids = fields.Many2many("kreancia.intervention", required=True)
    posted_date = fields.Date("Posted on", required=True, default=fields.Date.context_today)
    tracking_number = fields.Char(
        "Registered mail number",
        help="Number of the registered letter with acknowledgment (required for formal notices).",
    )
    needs_tracking = fields.Boolean(compute="_compute_needs_tracking")
    changed_note = fields.Text("Changed letters", compute="_compute_changed_note")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if self.env.context.get("active_model") == "kreancia.intervention":
            values["intervention_ids"] = [fields.Command.set(self.env.context.get("active_ids") or [])]
        return values

    @api.depends("intervention_ids")
    def _compute_needs_tracking(self):
        for wizard in self:
            wizard.needs_tracking = bool({"formal_notice", "claim"} & set(wizard.intervention_ids.mapped("channel")))

    @api.depends("intervention_ids")
    def _compute_changed_note(self):
        for wizard in self:
            changed = wizard.intervention_ids._origin.filtered("moves_changed")
            wizard.changed_note = (
                "\n".join(f"{letter.name}: {letter.moves_changed_note}" for letter in changed) or False
            )

    def action_confirm(self):
        self.ensure_one()
        letters = self.intervention_ids
        if letters.filtered(lambda intervention: intervention.state != "to_send"):
            raise UserError(self.env._("Only letters waiting to be sent can be marked as posted."))
        if self.needs_tracking and not self.tracking_number:
            raise UserError(
                self.env._("A formal notice or a claim declaration goes by registered mail: enter its number.")
            )
        if len(letters) > 1 and self.tracking_number:
            raise UserError(self.env._("Each registered letter has its own number: mark them one by one."))
        # what the run re-checks before acting: a letter claiming what is no longer due is not posted
        changed, messages = letters._recheck_letters()
        # posted by hand: a postal letter not sent yet must not go as well
        (letters - changed)._withdraw_from_post()
        (letters - changed).write(
            {"state": "done", "posted_date": self.posted_date, "tracking_number": self.tracking_number}
        )
        close = {"type": "ir.actions.act_window_close"}
        return letters._changes_notification(messages, close) if messages else close
