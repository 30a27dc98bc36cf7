from odoo import fields, models


class PaymentTransaction(models.Model):
    """Transactions of automatic payment: the debtor's opt-in (validation) and each instalment's charge.

    Their outcome is read in ``_post_process``, run once the provider has
    answered (at once for most token charges, later by notification or by
    Odoo's post-processing cron otherwise).
    """

    _inherit = "payment.transaction"

    kreancia_commitment_id = fields.Many2one(
        "kreancia.commitment", "Payment commitment", readonly=True, index="btree_not_null", ondelete="set null"
    )
    kreancia_commitment_line_id = fields.Many2one(
        "kreancia.commitment.line", "Instalment", readonly=True, index="btree_not_null", ondelete="set null"
    )
    # the opt-in: the mandate the debtor accepted on the page, kept on the commitment once the token exists
    kreancia_mandate_text = fields.Text("Mandate accepted", readonly=True)
    kreancia_mandate_ip = fields.Char("Mandate IP address", readonly=True)

    def _post_process(self):
        result = super()._post_process()
        for tx in self.filtered("kreancia_commitment_line_id"):
            line = tx.kreancia_commitment_line_id
            if line.charge_state != "pending" or line.charge_reference != tx.reference:
                continue  # an outcome already read, or an older transaction
            if tx.state == "done":
                line._charge_succeeded()
            elif tx.state in ("error", "cancel"):
                line._charge_failed(tx.state_message or self.env._("The payment was refused."))
        opt_ins = self.filtered(
            lambda tx: (
                tx.kreancia_commitment_id
                and not tx.kreancia_commitment_line_id
                and tx.state in ("done", "authorized")
                and tx.token_id
            )
        )
        for tx in opt_ins:
            commitment = tx.kreancia_commitment_id
            if commitment.state == "open" and commitment.payment_token_id != tx.token_id:
                commitment._auto_enable_token(
                    tx.token_id, tx.kreancia_mandate_text, tx.create_date, tx.kreancia_mandate_ip
                )
        return result
