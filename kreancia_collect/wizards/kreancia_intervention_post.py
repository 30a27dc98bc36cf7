from odoo import api, fields, models
from odoo.exceptions import UserError


class KreanciaInterventionPost(models.TransientModel):
    """Send letters by post from Odoo: what it costs and which letters cannot go, shown before sending."""

    _name = "kreancia.intervention.post"
    _description = "Send Letters by Post"

    intervention_ids = fields.Many2many("kreancia.intervention", required=True)
    method = fields.Selection("_selection_method", "Sent through", required=True, default="snailmail")
    postable_ids = fields.Many2many("kreancia.intervention", compute="_compute_postable")
    refused_note = fields.Text("Not sent by post", compute="_compute_postable")
    cost_note = fields.Text("Cost", compute="_compute_postable")
    changed_note = fields.Text("Changed letters", compute="_compute_postable")

    @api.model
    def _selection_method(self):
        return self.env["kreancia.intervention"]._post_methods()

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if self.env.context.get("active_model") == "kreancia.intervention":
            values["intervention_ids"] = [fields.Command.set(self.env.context.get("active_ids") or [])]
        return values

    @api.depends("intervention_ids", "method")
    def _compute_postable(self):
        for wizard in self:
            letters = wizard.intervention_ids._origin
            refusals = letters._post_refusals(wizard.method) if wizard.method else {}
            postable = letters.filtered(lambda letter, refused=refusals: letter not in refused)
            wizard.postable_ids = postable
            wizard.refused_note = (
                "\n".join(
                    f"{letter.name} ({letter.partner_id.display_name}): {reason}" for letter, reason in refusals.items()
                )
                or False
            )
            wizard.cost_note = postable._post_estimate(wizard.method) if wizard.method else False
            changed = postable.filtered("moves_changed")
            wizard.changed_note = (
                "\n".join(f"{letter.name}: {letter.moves_changed_note}" for letter in changed) or False
            )

    def action_confirm(self):
        """Send the letters the method accepts; the others stay in Letters to Send, as shown."""
        self.ensure_one()
        letters = self.postable_ids
        if not letters:
            raise UserError(
                self.intervention_ids._post_refusals_text(self.intervention_ids._post_refusals(self.method))
                if self.intervention_ids
                else self.env._("Select the letters to send by post.")
            )
        messages = letters._send_by_post(self.method)
        close = {"type": "ir.actions.act_window_close"}
        if messages:
            return letters._changes_notification(messages, close)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Letters sent by post"),
                "message": self.env._(
                    "%(count)s letters are in the post queue. A letter the postal service refuses comes back to "
                    "Letters to Send with the reason.",
                    count=len(letters),
                ),
                "type": "success",
                "next": close,
            },
        }
