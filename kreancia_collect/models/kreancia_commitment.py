from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.tools import float_compare, float_is_zero, format_amount

from ..external_api import in_caller_lang, to_date
from ..groups import MANAGER_GROUP
from ..tools.phone import first_mobile


class KreanciaCommitment(models.Model):
    """A payment commitment: one dated promise or an instalment plan.

    While open, its invoices are "promised" and the daily run leaves them
    alone; the daily check keeps or breaks it from the payments received.
    """

    _name = "kreancia.commitment"
    _description = "Payment Commitment"
    _order = "create_date desc, id desc"
    _check_company_auto = True
    _rec_name = "partner_id"

    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    currency_id = fields.Many2one(related="company_id.currency_id")
    partner_id = fields.Many2one("res.partner", "Customer", required=True, index=True, check_company=True)
    move_ids = fields.Many2many(
        "account.move",
        "account_move_kreancia_commitment_rel",
        "kreancia_commitment_id",
        "account_move_id",
        string="Invoices",
        required=True,
        check_company=True,
    )
    line_ids = fields.One2many("kreancia.commitment.line", "commitment_id", "Instalments", copy=True)
    amount_total = fields.Monetary("Amount promised", required=True)
    residual_at_start = fields.Monetary(
        "Due when promised", readonly=True, help="What the invoices still owed when the promise was made."
    )
    amount_paid = fields.Monetary("Paid since", compute="_compute_amount_paid")
    state = fields.Selection(
        [("open", "Open"), ("kept", "Kept"), ("broken", "Broken"), ("cancelled", "Cancelled")],
        required=True,
        default="open",
        index=True,
        readonly=True,
    )
    call_id = fields.Many2one("kreancia.call", readonly=True, ondelete="set null")
    user_id = fields.Many2one("res.users", "Agent", required=True, default=lambda self: self.env.user)
    next_date = fields.Date("Next instalment", compute="_compute_next_date")
    recipient_id = fields.Many2one(
        "res.partner", compute="_compute_recipient_id", help="The customer's invoicing contact, else the customer."
    )
    brand_id = fields.Many2one(
        "kreancia.brand",
        "Confirmed under",
        compute="_compute_brand_id",
        store=True,
        precompute=True,
        readonly=False,  # kept when given at creation (the debtor page gives its link's)
        check_company=True,
        help="The brand the debtor was speaking to, whose name and sender confirm the promise; "
        "empty: the company's own.",
    )

    @api.depends("move_ids.amount_residual", "residual_at_start")
    def _compute_amount_paid(self):
        for commitment in self:
            residual = sum(commitment.move_ids.mapped("amount_residual_signed"))
            commitment.amount_paid = max(commitment.residual_at_start - residual, 0.0)

    @api.depends("partner_id.child_ids.type", "partner_id.child_ids.email")
    def _compute_recipient_id(self):
        for commitment in self:
            contacts = commitment.partner_id.child_ids.filtered(lambda c: c.type == "invoice" and c.email)
            commitment.recipient_id = contacts[:1] or commitment.partner_id

    @api.depends("call_id")
    def _compute_brand_id(self):
        # the call's identity, else the one the customer last heard from; the debtor page gives its link's
        for commitment in self:
            call = commitment.call_id
            if call:
                commitment.brand_id = call.brand_id if call.identity == "brand" else False
            else:
                commitment.brand_id = self.env["kreancia.brand"]._speaking_to(
                    commitment.partner_id, commitment.company_id
                )

    @api.depends("line_ids.date", "line_ids.state")
    def _compute_next_date(self):
        for commitment in self:
            pending = commitment.line_ids.filtered(lambda line: line.state == "open").sorted("date")
            commitment.next_date = pending[:1].date

    @api.constrains("amount_total", "line_ids", "move_ids", "partner_id")
    def _check_amounts(self):
        for commitment in self:
            rounding = commitment.currency_id.rounding
            if float_compare(commitment.amount_total, 0.0, precision_rounding=rounding) <= 0:
                raise ValidationError(self.env._("A payment commitment must promise a positive amount."))
            if not commitment.line_ids:
                raise ValidationError(self.env._("Give at least one payment date."))
            if not float_is_zero(
                sum(commitment.line_ids.mapped("amount")) - commitment.amount_total, precision_rounding=rounding
            ):
                raise ValidationError(
                    self.env._(
                        "The instalments add up to %(instalments)s, not to the amount promised (%(total)s).",
                        instalments=format_amount(
                            self.env, sum(commitment.line_ids.mapped("amount")), commitment.currency_id
                        ),
                        total=format_amount(self.env, commitment.amount_total, commitment.currency_id),
                    )
                )
            foreign = commitment.move_ids.filtered(
                lambda move, commitment=commitment: move.commercial_partner_id != commitment.partner_id
            )
            if foreign:
                raise ValidationError(
                    self.env._(
                        "The invoices %(invoices)s belong to another customer.",
                        invoices=", ".join(foreign.mapped("name")),
                    )
                )
            owed = sum(commitment.move_ids.mapped("amount_residual_signed"))
            if (
                commitment.state == "open"
                and float_compare(commitment.amount_total, owed, precision_rounding=rounding) > 0
            ):
                raise ValidationError(
                    self.env._(
                        "%(amount)s is more than the invoices still owe (%(owed)s).",
                        amount=format_amount(self.env, commitment.amount_total, commitment.currency_id),
                        owed=format_amount(self.env, owed, commitment.currency_id),
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        commitments = super().create(vals_list)
        for commitment in commitments:
            commitment.residual_at_start = sum(commitment.move_ids.mapped("amount_residual_signed"))
        commitments._send_recap()
        return commitments

    def action_cancel(self):
        self.filtered(lambda commitment: commitment.state == "open").write({"state": "cancelled"})
        return True

    def _sender(self):
        """Who confirms the promise: the brand it was made under, else the company (see ``kreancia.brand``)."""
        self.ensure_one()
        return self.brand_id._sender(self.company_id)

    def _send_recap(self):
        """Confirm the promise in writing, under its brand: a recap e-mail, and an SMS to a mobile number.

        A debtor already told by another e-mail (a plan proposal's answer) gets no recap e-mail
        (context ``kreancia_recap_mail=False``), only the SMS.
        """
        template = self.env.ref("kreancia_collect.mail_template_commitment_recap")
        sms_template = self.env.ref("kreancia_collect.sms_template_commitment_recap")
        # the agent who records a promise may not be allowed to edit the customer it is filed on
        for commitment in self:
            number = commitment._recap_mobile()
            if number:
                commitment.partner_id.sudo()._message_sms(
                    sms_template._render_field("body", commitment.ids, compute_lang=True)[commitment.id],
                    partner_ids=commitment.recipient_id.ids,
                    # one SMS, to the recipient at the number found (its own, else the customer's)
                    sms_pid_to_number={commitment.recipient_id.id: number},
                    author_id=commitment._sender()["author"].id,
                    # the SMS queue sends it once this transaction commits, never from inside it
                    put_in_queue=True,
                )
        if self.env.context.get("kreancia_recap_mail") is False:
            return
        for commitment in self.filtered(lambda c: c.recipient_id.email):
            # filed in the customer's chatter, the written trace of the promise
            self.env["kreancia.brand"]._mail_debtor(template, commitment, commitment._sender())

    def _recap_mobile(self):
        """E.164 mobile number of the recipient (or the customer), or None."""
        self.ensure_one()
        country = self.recipient_id.country_id or self.partner_id.country_id or self.company_id.country_id
        return first_mobile([p.phone for p in (self.recipient_id, self.partner_id) if p.phone], country.code)

    @api.model
    def check_commitments(self, today=None):
        """Keep or break the open commitments of the user's companies as of ``today`` (an ISO date string).

        What the daily check does, callable by a collection manager.

        :return: ``{"checked": int, "broken": int}``
        """
        commitments = in_caller_lang(self)
        env = commitments.env
        if not (env.su or env.user.has_group(MANAGER_GROUP)):
            raise AccessError(env._("Only a collection manager can check payment commitments."))
        return commitments._cron_check_commitments(to_date(commitments, today))

    @api.model
    def _cron_check_commitments(self, today=None):
        """Keep or break open commitments from the payments received.

        An instalment is kept when the payments received since the promise
        cover it (and the ones before it) by its date plus the company's
        tolerance; a commitment is kept when all are, broken as soon as one
        is missed.
        """
        today = today or fields.Date.context_today(self)
        commitments = self.search([("state", "=", "open")])
        broken = self.browse()
        for commitment in commitments:
            tolerance = timedelta(days=commitment.company_id.kreancia_commitment_tolerance_days)
            paid = commitment.amount_paid
            rounding = commitment.currency_id.rounding
            cumulative = 0.0
            for line in commitment.line_ids.sorted("date"):
                cumulative += line.amount
                covered = float_compare(paid, cumulative, precision_rounding=rounding) >= 0
                if covered:
                    line.state = "kept"
                elif line._is_late(today, tolerance):
                    line.state = "broken"
            if all(line.state == "kept" for line in commitment.line_ids):
                commitment.state = "kept"
            elif any(line.state == "broken" for line in commitment.line_ids):
                broken |= commitment
        broken._break()
        return {"checked": len(commitments), "broken": len(broken)}

    def _break(self):
        """A broken promise: the invoices go back to the scenario, at once."""
        self.write({"state": "broken"})
        self.move_ids._dunning_write({"dunning_gap_waived": True})
        for commitment in self:
            collector = commitment.partner_id.dunning_collector_id or commitment.user_id
            # a manager may check commitments without being allowed to edit contacts
            commitment.partner_id.sudo().message_post(
                body=self.env._(
                    "Payment commitment broken: %(paid)s received of %(promised)s promised.",
                    paid=format_amount(self.env, commitment.amount_paid, commitment.currency_id),
                    promised=format_amount(self.env, commitment.amount_total, commitment.currency_id),
                ),
                subtype_xmlid="mail.mt_note",
            )
            commitment.partner_id.sudo().activity_schedule(
                "mail.mail_activity_data_call",
                date_deadline=fields.Date.context_today(self),
                summary=self.env._("Broken payment commitment: call the customer"),
                user_id=collector.id,
            )
