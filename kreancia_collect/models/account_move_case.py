from odoo import models


class AccountMove(models.Model):
    _inherit = "account.move"

    def _dunning_write_off_action(self):
        """Odoo's own credit note wizard on these invoices, to write off what an abandoned case leaves."""
        action = self.env["ir.actions.act_window"]._for_xml_id("account.action_view_account_move_reversal")
        action["context"] = {"active_model": "account.move", "active_ids": self.ids, "active_id": self[:1].id}
        return action

    def action_dunning_hand_over(self):
        """Open hand-over cases for the selected invoices (one per customer)."""
        action = self.env["ir.actions.act_window"]._for_xml_id("kreancia_collect.kreancia_case_create_action")
        action["context"] = {"active_model": "account.move", "active_ids": self.ids}
        return action
