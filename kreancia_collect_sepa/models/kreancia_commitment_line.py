from odoo import fields, models
from odoo.tools import float_compare, float_round

LIVE_ORDER_STATES = ("draft", "open", "generated")


class KreanciaCommitmentLine(models.Model):
    _inherit = "kreancia.commitment.line"

    sepa_payment_line_ids = fields.One2many(
        "account.payment.line", "kreancia_commitment_line_id", "Direct debits", readonly=True
    )

    def _sepa_in_progress(self):
        """Whether a direct debit of the instalment is still in a payment order, or was sent and not returned."""
        self.ensure_one()
        return any(
            pline.state in LIVE_ORDER_STATES or (pline.state == "uploaded" and not pline.kreancia_returned)
            for pline in self.sepa_payment_line_ids
        )

    def _auto_collect_sepa(self):
        """Add each instalment due to its company's draft direct-debit payment order.

        One draft order per payment mode (OCA's own rule for invoices added to
        an order), created when missing; one payment line per invoice the
        instalment pays, in the company's currency (SEPA debits euros), under
        the commitment's mandate. The instalment stays *pending* until the
        order's file is sent to the bank (``generated2uploaded``); a debit
        the bank returns fails it (``account.payment.action_draft``).
        """
        orders = {}
        for line in self:
            if line._sepa_in_progress():
                continue
            commitment = line.commitment_id
            mandate = commitment.mandate_id
            if mandate.state != "valid":
                line._charge_failed(self.env._("No valid SEPA direct debit mandate."))
                continue
            mode = commitment._sepa_payment_mode()
            if not mode:
                line._charge_failed(
                    self.env._("No SEPA direct debit payment mode in %(company)s.", company=commitment.company_id.name)
                )
                continue
            if mode not in orders:
                Order = self.env["account.payment.order"].sudo()
                orders[mode] = Order.search([("payment_mode_id", "=", mode.id), ("state", "=", "draft")], limit=1)
                orders[mode] = orders[mode] or Order.create({"payment_mode_id": mode.id})
            vals_list = line._sepa_payment_line_vals(orders[mode], mandate)
            if not vals_list:
                line._charge_failed(self.env._("Nothing is left to debit on the invoices of the commitment."))
                continue
            self.env["account.payment.line"].sudo().create(vals_list)
            line.sudo().write({"charge_state": "pending", "charge_reference": orders[mode].name})
        return True

    def _sepa_payment_line_vals(self, order, mandate):
        """The instalment spread over the open receivable items of the commitment's invoices, oldest due first.

        What earlier instalments put in orders not sent yet is taken off each item first.
        """
        self.ensure_one()
        commitment = self.commitment_id
        currency = commitment.currency_id
        items = commitment.move_ids.line_ids.filtered(
            lambda item: item.account_id.account_type == "asset_receivable" and not item.reconciled
        ).sorted(lambda item: (item.date_maturity or item.date, item.id))
        left = self._amount_to_charge()
        vals_list = []
        for item in items:
            queued = sum(
                item.payment_line_ids.filtered(lambda pline: pline.state in LIVE_ORDER_STATES).mapped(
                    "amount_company_currency"
                )
            )
            share = float_round(min(left, item.amount_residual - queued), precision_rounding=currency.rounding)
            if float_compare(share, 0.0, precision_rounding=currency.rounding) <= 0:
                continue
            vals = item._prepare_payment_line_vals(order)
            vals.update(
                {
                    "currency_id": currency.id,
                    "amount_currency": share,
                    "mandate_id": mandate.id,
                    "partner_bank_id": mandate.partner_bank_id.id,
                    "kreancia_commitment_line_id": self.id,
                }
            )
            vals_list.append(vals)
            left -= share
            if float_compare(left, 0.0, precision_rounding=currency.rounding) <= 0:
                break
        return vals_list

    def _sepa_debited(self):
        """The order holding the instalment went to the bank: the charge succeeded."""
        self.filtered(lambda line: line.charge_state == "pending")._charge_succeeded()

    def _sepa_returned(self, reason):
        """The bank returned the debit: the instalment fails as a declined charge does (retried, then broken).

        An instalment kept when its file went to the bank is open again (its commitment too), so that
        the daily action retries it and the last failure breaks the commitment.
        """
        self.sudo().write({"state": "open"})
        self.commitment_id.filtered(lambda commitment: commitment.state == "kept").sudo().write({"state": "open"})
        self._charge_failed(reason)

    def _sepa_cancelled(self):
        """The order was cancelled before its file went to the bank: the instalments wait for the next order."""
        lines = self.filtered(lambda line: line.charge_state == "pending" and not line._sepa_in_progress())
        lines.sudo().write({"charge_state": "none", "charge_reference": False})
