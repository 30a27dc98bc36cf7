"""Instalments collected automatically on their date (issue #24).

The commitment says how its instalments are collected (``auto_method``); the
daily action ``_cron_auto_collect`` hands the instalments due to
``_auto_collect``, which calls ``_auto_collect_<method>`` per method (this file
implements ``token``, a saved ``payment.token``; the SEPA bridge adds
``sepa``). Whatever the method, the outcome goes through
``_charge_succeeded`` or ``_charge_failed``: the line is kept at once, or
retried per the scenario and, after the last retry, the commitment breaks as
when a debtor does not pay by hand.
"""

from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Command
from odoo.tools import format_amount, format_date

from ..groups import MANAGER_GROUP

CHARGE_RUNNING = ("draft", "pending", "authorized")


class KreanciaScenario(models.Model):
    _inherit = "kreancia.scenario"

    auto_retry_count = fields.Integer(
        "Automatic payment: retries",
        default=2,
        help="How many times a refused automatic charge is tried again before the commitment breaks.",
    )
    auto_retry_days = fields.Integer(
        "Automatic payment: days between retries",
        default=3,
        help="Days between a refused automatic charge and the next try.",
    )

    @api.constrains("auto_retry_count", "auto_retry_days")
    def _check_auto_retry(self):
        if any(scenario.auto_retry_count < 0 or scenario.auto_retry_days < 1 for scenario in self):
            raise ValidationError(
                self.env._("Automatic payment retries cannot be negative and must be at least one day apart.")
            )


class KreanciaCommitment(models.Model):
    _inherit = "kreancia.commitment"

    auto_method = fields.Selection(
        [("none", "Pay by themselves"), ("token", "Saved payment method")],
        "Automatic payment",
        default="none",
        required=True,
        readonly=True,
        help="How the instalments are collected on their date: by the debtor, or charged automatically.",
    )
    payment_token_id = fields.Many2one(
        "payment.token", "Saved payment method", readonly=True, ondelete="set null", copy=False
    )
    # what an agent may read of the token (payment tokens are the provider's records)
    payment_token_name = fields.Char("Payment method", compute="_compute_payment_token_info")
    payment_token_active = fields.Boolean("Payment method active", compute="_compute_payment_token_info")
    auto_mandate_text = fields.Text("Mandate accepted", readonly=True, copy=False)
    auto_mandate_date = fields.Datetime("Mandate accepted on", readonly=True, copy=False)
    auto_mandate_ip = fields.Char("Mandate IP address", readonly=True, copy=False)
    auto_cancel_date = fields.Datetime("Automatic payment cancelled on", readonly=True, copy=False)

    @api.depends("payment_token_id")
    def _compute_payment_token_info(self):
        for commitment in self:
            token = commitment.payment_token_id.sudo().with_context(active_test=False)
            commitment.payment_token_name = token.display_name if token else False
            commitment.payment_token_active = bool(token.active) if token else False

    def _scenario(self):
        """The scenario of the commitment's most advanced invoice, else the company's default."""
        self.ensure_one()
        invoices = self.move_ids.sudo()
        return invoices._dunning_leading_scenario(self.company_id)

    def _mandate_text(self, token_label=None):
        """What the debtor accepts: what will be charged, when, with what, and how to cancel."""
        self.ensure_one()
        lines = "\n".join(
            f"- {format_date(self.env, line.date)}: {format_amount(self.env, line.amount, self.currency_id)}"
            for line in self.line_ids.filtered(lambda line: line.state == "open")
        )
        return self.env._(
            "I authorise %(creditor)s to charge my saved payment method%(method)s on each date below, "
            "for the invoices %(invoices)s:\n%(lines)s\n"
            "A refused charge is tried again up to %(retries)s times, %(days)s days apart, and I am told each "
            "time. I can cancel automatic payment at any time from my payment page; the dates already "
            "charged stay paid.",
            creditor=self._sender()["name"],
            method=f" ({token_label})" if token_label else "",
            invoices=", ".join(self.move_ids.mapped("name")),
            lines=lines,
            retries=self._scenario().auto_retry_count,
            days=self._scenario().auto_retry_days,
        )

    def _auto_enable_token(self, token, mandate_text, mandate_date, ip_address):
        """Collect the open instalments with ``token`` from now on, the mandate kept."""
        self.ensure_one()
        if self.state != "open":
            raise UserError(self.env._("This payment commitment is no longer open."))
        if token.partner_id.commercial_partner_id != self.partner_id.commercial_partner_id:
            raise UserError(self.env._("This payment method belongs to another customer."))
        self.sudo().write(
            {
                "auto_method": "token",
                "payment_token_id": token.id,
                "auto_mandate_text": mandate_text,
                "auto_mandate_date": mandate_date,
                "auto_mandate_ip": ip_address,
                "auto_cancel_date": False,
            }
        )
        self.partner_id.sudo().message_post(
            author_id=self.partner_id.id,
            body=self.env._(
                "Automatic payment accepted for the payment commitment of %(amount)s: each instalment will be "
                "charged on its date with %(method)s (IP address %(ip)s).",
                amount=format_amount(self.env, self.amount_total, self.currency_id),
                method=token.sudo().display_name,
                ip=ip_address or "?",
            ),
            subtype_xmlid="mail.mt_note",
        )

    def _auto_cancel(self, ip_address=None):
        """The debtor pays by themselves again: the token and the mandate stay on record; the collector is told."""
        for commitment in self.filtered(lambda c: c.auto_method != "none"):
            commitment.sudo().write({"auto_method": "none", "auto_cancel_date": fields.Datetime.now()})
            lines = commitment.line_ids.filtered(lambda line: line.charge_state == "failed")
            lines.sudo().write({"next_charge_date": False})
            partner = commitment.partner_id.sudo()
            partner.message_post(
                author_id=commitment.partner_id.id,
                body=self.env._(
                    "Automatic payment cancelled by the customer (IP address %(ip)s): the remaining instalments "
                    "are to be paid by the customer.",
                    ip=ip_address or "?",
                ),
                subtype_xmlid="mail.mt_note",
            )
            collector = commitment.partner_id.dunning_collector_id or commitment.user_id
            partner.activity_schedule(
                "mail.mail_activity_data_todo",
                date_deadline=fields.Date.context_today(self),
                summary=self.env._("Automatic payment cancelled: follow the next instalments"),
                user_id=collector.id,
            )

    @api.model
    def _cron_auto_collect(self, today=None):
        """Charge the instalments due today (or due a retry today) of the commitments collected automatically.

        :return: ``{"lines": int}`` the number of instalments handed to their method
        """
        today = today or fields.Date.context_today(self)
        lines = self.env["kreancia.commitment.line"].search(
            [
                ("commitment_id.state", "=", "open"),
                ("commitment_id.auto_method", "!=", "none"),
                ("state", "=", "open"),
                ("charge_state", "in", ("none", "failed")),
                "|",
                "&",
                ("next_charge_date", "=", False),
                ("date", "<=", today),
                ("next_charge_date", "<=", today),
            ]
        )
        lines.with_context(kreancia_today=today)._auto_collect()
        return {"lines": len(lines)}

    def action_auto_collect_now(self):
        """A collection manager charges the instalments due now, as the daily action would."""
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(self.env._("Only a collection manager can charge an instalment."))
        lines = self.line_ids.filtered(
            lambda line: (
                line.state == "open"
                and line.charge_state in ("none", "failed")
                and (line.next_charge_date or line.date) <= fields.Date.context_today(self)
            )
        )
        if not lines or self.filtered(lambda c: c.state != "open" or c.auto_method == "none"):
            raise UserError(self.env._("No instalment of an open commitment paid automatically is due."))
        lines.sudo()._auto_collect()
        return True


class KreanciaCommitmentLine(models.Model):
    _inherit = "kreancia.commitment.line"

    charge_state = fields.Selection(
        [("none", "Not charged"), ("pending", "Pending"), ("done", "Charged"), ("failed", "Failed")],
        default="none",
        required=True,
        readonly=True,
        copy=False,
    )
    charge_attempts = fields.Integer("Attempts", readonly=True, copy=False)
    next_charge_date = fields.Date("Next try", readonly=True, copy=False)
    charge_error = fields.Char("Last refusal", readonly=True, copy=False)
    charge_reference = fields.Char("Last transaction", readonly=True, copy=False)

    def _today(self):
        return self.env.context.get("kreancia_today") or fields.Date.context_today(self)

    def _auto_collect(self):
        """Hand each instalment to its commitment's method, earliest first; a covered one is kept at once."""
        for method in set(self.commitment_id.mapped("auto_method")) - {"none"}:
            lines = self.filtered(lambda line, method=method: line.commitment_id.auto_method == method)
            due = self.browse()
            for line in lines.sorted(lambda line: (line.date, line.id)):
                if line._amount_to_charge() <= 0:
                    line._charge_succeeded()
                else:
                    due |= line
            getattr(due, f"_auto_collect_{method}")()

    def _amount_to_charge(self):
        """The instalment less what payments received since the promise already cover of it."""
        self.ensure_one()
        commitment = self.commitment_id
        before = commitment.line_ids.filtered(lambda line: (line.date, line.id) < (self.date, self.id))
        covered = commitment.amount_paid - sum(before.mapped("amount"))
        owed = sum(commitment.move_ids.mapped("amount_residual_signed"))
        amount = min(self.amount - max(covered, 0.0), owed)
        return commitment.currency_id.round(max(amount, 0.0))

    def _auto_collect_token(self):
        """One offline payment request per instalment with the commitment's saved token (Odoo's payment API).

        The transaction names the commitment's open invoices: once done, ``account_payment`` posts its
        payment reconciled with them, and the outcome comes back through ``payment.transaction._post_process``.
        """
        transactions = self.env["payment.transaction"].sudo()
        for line in self:
            commitment = line.commitment_id
            token = commitment.payment_token_id.sudo()
            running = transactions.search(
                [("kreancia_commitment_line_id", "=", line.id), ("state", "in", CHARGE_RUNNING)], limit=1
            )
            if running:
                continue  # never two charges at once for one instalment
            if not token.active:
                line._charge_failed(self.env._("The saved payment method is no longer available."))
                continue
            invoices = commitment.move_ids.filtered(lambda move: move.amount_residual > 0)
            provider = token.provider_id
            tx = transactions.with_company(commitment.company_id).create(
                {
                    "provider_id": provider.id,
                    "payment_method_id": token.payment_method_id.id,
                    "reference": transactions._compute_reference(
                        provider.code, invoice_ids=[Command.set(invoices.ids)]
                    ),
                    "amount": line._amount_to_charge(),
                    "currency_id": commitment.currency_id.id,
                    "partner_id": commitment.partner_id.id,
                    "token_id": token.id,
                    "operation": "offline",
                    "invoice_ids": [Command.set(invoices.ids)],
                    "kreancia_commitment_id": commitment.id,
                    "kreancia_commitment_line_id": line.id,
                }
            )
            line.sudo().write({"charge_state": "pending", "charge_reference": tx.reference})
            tx._charge_with_token()
            if tx.state in ("done", "error", "cancel") and not tx.is_post_processed:
                tx._post_process()  # the provider answered at once; a later answer comes by its notification

    def _charge_succeeded(self):
        """The instalment is paid: kept at once, and the commitment with it when all are."""
        self.sudo().write({"charge_state": "done", "state": "kept", "next_charge_date": False, "charge_error": False})
        for commitment in self.commitment_id:
            if commitment.state == "open" and all(line.state == "kept" for line in commitment.line_ids):
                commitment.sudo().state = "kept"

    def _charge_failed(self, reason):
        """Retry per the scenario with a notice to the debtor; after the last retry, the commitment breaks."""
        today = self._today()
        template = self.env.ref("kreancia_collect.mail_template_commitment_charge_failed")
        for line in self:
            commitment = line.commitment_id
            scenario = commitment._scenario()
            attempts = line.charge_attempts + 1
            last = attempts > scenario.auto_retry_count
            line.sudo().write(
                {
                    "charge_state": "failed",
                    "charge_attempts": attempts,
                    "charge_error": reason,
                    "next_charge_date": False if last else today + timedelta(days=scenario.auto_retry_days),
                    "state": "broken" if last else line.state,
                }
            )
            if commitment.recipient_id.email:
                # what the notice says, formatted by the template in the debtor's language
                notice = {
                    "amount": line.amount,
                    "date": line.date,
                    "next_date": line.next_charge_date,
                    "reason": reason,
                    "url": line._debtor_page_url(),
                }
                self.env["kreancia.brand"]._mail_debtor(
                    template.with_context(kreancia_charge=notice), commitment, commitment._sender()
                )
            if last and commitment.state == "open":
                commitment.sudo()._break()

    def _debtor_page_url(self):
        """The customer's page under the commitment's identity, where the instalment can be paid by hand."""
        self.ensure_one()
        commitment = self.commitment_id
        link = self.env["kreancia.debtor.link"]._link_for(
            commitment.partner_id,
            commitment.company_id,
            commitment.brand_id,
            commitment._scenario().link_validity_days,
        )
        return link._debtor_url()

    def _is_late(self, today, tolerance):
        """Whether the daily check breaks the instalment: an automatic charge still being tried is not late."""
        self.ensure_one()
        if self.commitment_id.auto_method != "none" and self.charge_state in ("pending", "failed"):
            if self.charge_state == "pending" or self.next_charge_date:
                return False
        return today > self.date + tolerance


class KreanciaDebtorAction(models.Model):
    _inherit = "kreancia.debtor.action"

    action = fields.Selection(
        selection_add=[("auto_pay", "Chose automatic payment"), ("auto_cancel", "Cancelled automatic payment")],
        ondelete={"auto_pay": "cascade", "auto_cancel": "cascade"},
    )
