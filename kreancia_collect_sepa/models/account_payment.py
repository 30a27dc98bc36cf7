from odoo import models


class AccountPayment(models.Model):
    _inherit = "account.payment"

    def action_draft(self):
        """A direct debit of an order sent to the bank, reset to draft: the bank returned it.

        OCA's 19.0 stack records a returned debit by resetting its payment
        (then cancelling it): on the payment itself, or for the whole file
        with *Cancel* on the uploaded order (``action_uploaded_cancel``, which
        resets every posted payment). That unreconciles the invoice; the
        instalments the payment carried fail as a declined charge does.
        """
        returned = self.filtered(lambda pay: pay.state != "draft" and pay.payment_order_id.state == "uploaded")
        plines = returned.payment_line_ids.filtered(
            lambda pline: pline.kreancia_commitment_line_id and not pline.kreancia_returned
        )
        result = super().action_draft()
        if plines:
            plines.sudo().kreancia_returned = True
            for instalment in plines.kreancia_commitment_line_id:
                payments = returned.filtered(
                    lambda pay, inst=instalment: inst in pay.payment_line_ids.kreancia_commitment_line_id
                )
                instalment._sepa_returned(
                    self.env._(
                        "Direct debit %(reference)s returned by the bank.",
                        reference=", ".join(payments.mapped("name")),
                    )
                )
        return result
