from odoo import api, fields, models
from odoo.exceptions import UserError


class KreanciaCollectorAssign(models.TransientModel):
    """Give customers a collector in bulk (customer list, *Action > Assign a collector*).

    The customers' open call tasks follow their new collector.
    """

    _name = "kreancia.collector.assign"
    _description = "Assign a Collector"

    partner_ids = fields.Many2many("res.partner", string="Customers", required=True)
    user_id = fields.Many2one(
        "res.users",
        "Collector",
        domain=lambda self: [("group_ids", "in", self.env.ref("kreancia_collect.kreancia_collect_group_agent").ids)],
        help="Empty: the customers no longer have a collector.",
    )
    move_tasks = fields.Boolean("Hand over their open call tasks", default=True)
    partner_count = fields.Integer("Customers selected", compute="_compute_partner_count")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if self.env.context.get("active_model") == "res.partner" and "partner_ids" in fields_list:
            partners = self.env["res.partner"].browse(self.env.context.get("active_ids", [])).commercial_partner_id
            values["partner_ids"] = [fields.Command.set(partners.ids)]
        return values

    @api.depends("partner_ids")
    def _compute_partner_count(self):
        for wizard in self:
            wizard.partner_count = len(wizard.partner_ids)

    def action_assign(self):
        self.ensure_one()
        if not self.partner_ids:
            raise UserError(self.env._("Select the customers to assign."))
        # collection managers assign customers they may not otherwise edit (only managers reach this wizard)
        self.partner_ids.sudo().write({"dunning_collector_id": self.user_id.id})
        if self.move_tasks and self.user_id:
            tasks = self.env["mail.activity"].search(
                [
                    ("res_model", "=", "res.partner"),
                    ("res_id", "in", self.partner_ids.ids),
                    ("activity_category", "=", "phonecall"),
                ]
            )
            # a manager rebalances tasks assigned to others
            tasks.sudo().write({"user_id": self.user_id.id})
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "message": self.env._(
                    "%(count)s customer(s) now followed by %(collector)s.",
                    count=len(self.partner_ids),
                    collector=self.user_id.name or self.env._("nobody"),
                ),
                "type": "success",
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
