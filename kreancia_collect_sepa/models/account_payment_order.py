from odoo import models


class AccountPaymentOrder(models.Model):
    _inherit = "account.payment.order"

    def generated2uploaded(self):
        """The file is at the bank: the instalments it debits are charged."""
        result = super().generated2uploaded()
        self.payment_line_ids.kreancia_commitment_line_id._sepa_debited()
        return result

    def action_cancel(self):
        """An order cancelled before its file went to the bank releases its instalments for the next one.

        An uploaded order cancelled resets its posted payments: see ``account.payment.action_draft``.
        """
        unsent = self.filtered(lambda order: order.state != "uploaded")
        result = super().action_cancel()
        unsent.payment_line_ids.kreancia_commitment_line_id._sepa_cancelled()
        return result
