from datetime import timedelta

from markupsafe import Markup

from odoo import Command, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_amount, format_date, plaintext2html

from ..tools.plan import PlanLimits, plan_from_promise, plan_problems


class KreanciaReply(models.Model):
    """What a reply becomes: a commitment, a dispute, a payment to check, documents sent, a postponement.

    Each action writes what it means, marks the reply handled with its
    outcome, and leaves a note in the customer's chatter (the timeline the
    hand-over case file prints). The inbox's wizard
    (``kreancia.reply.process``) calls these methods with what the collector
    confirmed; the reading calls them alone only for an absence and, when
    the scenario allows it, a clear promise.
    """

    _inherit = "kreancia.reply"  # pylint: disable=consider-merging-classes-inherited

    def _check_new(self):
        for reply in self:
            if reply.state != "new":
                raise UserError(self.env._("This reply was already handled."))
            if not reply.partner_id:
                raise UserError(self.env._("Choose the customer who wrote this reply first."))

    def _handled(self, action, note, **links):
        """Mark handled with its outcome, and tell the customer's timeline."""
        self.write(
            {
                "state": "handled",
                "action": action,
                "action_note": note,
                "handled_by_id": self.env.user.id,
                "handled_date": fields.Datetime.now(),
                **links,
            }
        )
        labels = dict(self._fields["kind"]._description_selection(self.env))
        for reply in self:
            reply.partner_id.sudo().message_post(
                body=Markup("<p>%s</p>")
                % self.env._(
                    "Reply of %(date)s read as “%(kind)s”: %(note)s",
                    date=format_date(self.env, reply.date.date()),
                    kind=labels[reply.kind],
                    note=note,
                ),
                subtype_xmlid="mail.mt_note",
                parent_id=reply.mail_message_id.id if reply.mail_message_id.model == "res.partner" else False,
            )

    def action_mark_handled(self):
        """Nothing to do (a question answered by phone, a thank-you): out of the inbox."""
        self.filtered(lambda reply: reply.state == "new")._handled("none", self.env._("marked handled"))
        return True

    def action_reopen(self):
        self.filtered(lambda reply: reply.state == "handled" and not reply.commitment_id).write(
            {"state": "new", "action": False, "action_note": False}
        )
        return True

    def action_process(self):
        """The inbox's one click: the action the reply means, pre-filled and editable."""
        self.ensure_one()
        self._check_new()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Handle the reply"),
            "res_model": "kreancia.reply.process",
            "view_mode": "form",
            "target": "new",
            "context": {"default_reply_id": self.id},
        }

    # ------------------------------------------------------------------
    # Promise
    # ------------------------------------------------------------------

    def _promise_plan(self, invoices):
        """``[(date, amount)]`` the reply promises for ``invoices``: stated amounts, shares of what they owe."""
        self.ensure_one()
        total = sum(invoices.mapped("amount_residual_signed"))
        instalments = [
            (fields.Date.to_date(day), amount, share)
            for day, amount, share in (self.reading or {}).get("instalments") or []
        ]
        return plan_from_promise(instalments, total, self.company_id.currency_id.rounding)

    def _promise_invoices(self):
        """The invoices a promise is about: those it names, else every open one of the customer."""
        self.ensure_one()
        open_invoices = self._open_invoices()
        named = self.move_ids & open_invoices
        candidates = named or open_invoices
        return candidates.filtered(lambda move: "open" not in move.dunning_commitment_ids.mapped("state"))

    def _accept_promise(self, invoices, plan, user):
        """A commitment for ``plan`` on ``invoices``: dunning pauses, the recap goes out under the reply's identity."""
        self.ensure_one()
        self._check_new()
        if not invoices:
            raise UserError(self.env._("The customer has no open invoice left to promise."))
        if "open" in invoices.dunning_commitment_ids.mapped("state"):
            raise UserError(self.env._("A payment commitment is already running for these invoices."))
        today = fields.Date.context_today(self)
        if not plan:
            raise UserError(self.env._("Give at least one payment date."))
        if any(day < today for day, _amount in plan):
            raise UserError(self.env._("A promised date is in the past."))
        if any(amount <= 0 for _day, amount in plan):
            raise UserError(self.env._("Each instalment must be a positive amount."))
        self.env["kreancia.case.line"]._check_plannable(invoices)
        commitment = (
            self.env["kreancia.commitment"]
            .with_company(self.company_id)
            .create(
                {
                    "company_id": self.company_id.id,
                    "partner_id": self.partner_id.commercial_partner_id.id,
                    "move_ids": [Command.set(invoices.ids)],
                    "amount_total": sum(amount for _day, amount in plan),
                    "user_id": user.id,
                    "brand_id": self.brand_id.id,
                    "line_ids": [Command.create({"date": day, "amount": amount}) for day, amount in plan],
                }
            )
        )
        currency = self.company_id.currency_id
        note = self.env._(
            "payment commitment of %(amount)s (%(plan)s)",
            amount=format_amount(self.env, commitment.amount_total, currency),
            plan="; ".join(f"{format_date(self.env, day)}: {format_amount(self.env, a, currency)}" for day, a in plan),
        )
        self._handled("commitment", note, commitment_id=commitment.id)
        return commitment

    def _accept_clear_promise(self):
        """A clear promise within the scenario's plan limits becomes a commitment alone; the collector is told."""
        self.ensure_one()
        scenario = self._scenario()
        invoices = self._promise_invoices()
        if not invoices:
            return False
        plan = self._promise_plan(invoices)
        total = sum(invoices.mapped("amount_residual_signed"))
        today = fields.Date.context_today(self)
        limits = PlanLimits(scenario.plan_max_instalments, scenario.plan_max_days, scenario.plan_min_first_percent)
        try:
            if plan_problems(plan, total, today, limits):
                return False
        except ValueError:
            return False
        collector = self._collector()
        commitment = self.sudo()._accept_promise(invoices, plan, collector)
        self.partner_id.sudo().message_post(
            body=Markup("<p>%s</p>")
            % self.env._(
                "The customer's promise was accepted without a person, as the scenario “%(scenario)s” allows: "
                "check it in the replies inbox.",
                scenario=scenario.name,
            ),
            partner_ids=collector.partner_id.ids,
            subtype_xmlid="mail.mt_note",
        )
        return commitment

    # ------------------------------------------------------------------
    # Dispute
    # ------------------------------------------------------------------

    def _open_dispute(self, invoices, reason, note):
        """The invoices leave the run as disputed, with the reason; the reply is handled."""
        self.ensure_one()
        self._check_new()
        if not invoices:
            raise UserError(self.env._("Select the invoices the customer disputes."))
        if invoices.commercial_partner_id != self.partner_id.commercial_partner_id:
            raise UserError(self.env._("These invoices belong to another customer."))
        reasons = dict(self._fields["reason"]._description_selection(self.env))
        if reason not in reasons:
            raise UserError(self.env._("Choose the reason of the dispute."))
        text = f"{reasons[reason]}: {note.strip()}" if (note or "").strip() else reasons[reason]
        invoices._dunning_write({"dunning_dispute": True, "dunning_dispute_note": text})
        self._handled(
            "dispute",
            self.env._(
                "dispute opened on %(invoices)s (%(reason)s)", invoices=", ".join(invoices.mapped("name")), reason=text
            ),
            reason=reason,
            move_ids=[Command.set(invoices.ids)],
        )
        return True

    # ------------------------------------------------------------------
    # Payment claimed
    # ------------------------------------------------------------------

    def _record_payment_claim(self, paid_date, amount, reference, pause_days):
        """A task to check the bank; the customer's dunning pauses for ``pause_days``."""
        self.ensure_one()
        self._check_new()
        today = fields.Date.context_today(self)
        if paid_date and paid_date > today:
            raise UserError(self.env._("The payment date is in the future: record a promise instead."))
        if amount is not None and amount < 0:
            raise UserError(self.env._("The amount paid cannot be negative."))
        if pause_days <= 0 or pause_days > 60:
            raise UserError(self.env._("Pause the dunning between 1 and 60 days."))
        until = today + timedelta(days=pause_days)
        partner = self.partner_id.commercial_partner_id
        currency = self.company_id.currency_id
        what = self.env._(
            "%(amount)s paid on %(date)s (reference: %(reference)s)",
            amount=format_amount(self.env, amount, currency) if amount else self.env._("an amount"),
            date=format_date(self.env, paid_date) if paid_date else self.env._("a date not given"),
            reference=reference or "-",
        )
        invoices = self._open_invoices()
        invoices._dunning_write(
            {"dunning_pause_until": until, "dunning_pause_reason": self.env._("Payment claimed by the customer")}
        )
        activity = (
            self.env["mail.activity"]
            .sudo()
            .create(
                {
                    "res_model_id": self.env["ir.model"]._get_id("res.partner"),
                    "res_id": partner.id,
                    "activity_type_id": self.env.ref("mail.mail_activity_data_todo").id,
                    "summary": self.env._("Check a payment the customer says it made"),
                    "note": plaintext2html(what),
                    "user_id": self._collector().id,
                    "date_deadline": today + timedelta(days=1),
                }
            )
        )
        self._handled(
            "payment_claim",
            self.env._(
                "%(what)s: to check; dunning paused until %(until)s", what=what, until=format_date(self.env, until)
            ),
            activity_id=activity.id,
        )
        return activity

    # ------------------------------------------------------------------
    # Documents asked
    # ------------------------------------------------------------------

    def _send_documents(self, invoices, with_statement=True):
        """The debtor page link and the invoices' PDFs, under the identity of the reminder answered."""
        self.ensure_one()
        self._check_new()
        partner = self.partner_id.commercial_partner_id
        recipient = self._recipient()
        if not recipient.email:
            raise UserError(self.env._("%(partner)s has no e-mail address.", partner=recipient.display_name))
        if invoices.commercial_partner_id - partner:
            raise UserError(self.env._("These invoices belong to another customer."))
        attachments = self.env["ir.attachment"]
        if invoices:
            content, _type = (
                self.env["ir.actions.report"]
                .sudo()
                .with_context(lang=recipient.lang)
                ._render_qweb_pdf("account.account_invoices", invoices.ids)
            )
            attachments = (
                self.env["ir.attachment"]
                .sudo()
                .create(
                    {
                        "name": self.env._(
                            "Invoices %(numbers)s.pdf", numbers="-".join(invoices.mapped("name"))
                        ).replace("/", "_"),
                        "raw": content,
                        "mimetype": "application/pdf",
                        "res_model": "res.partner",
                        "res_id": partner.id,
                    }
                )
            )
        scenario = self._scenario()
        link = self.env["kreancia.debtor.link"]._link_for(
            partner, self.company_id, self.brand_id, scenario.link_validity_days
        )
        self.sudo().write({"debtor_url": link._debtor_url()})
        template = self.env.ref("kreancia_collect.mail_template_reply_documents")
        sender = self._sender()
        mail_id = template.sudo().send_mail(
            self.id,
            email_values={
                "model": "res.partner",
                "res_id": partner.id,
                "email_from": sender["email_from"],
                "reply_to": sender["reply_to"],
                "author_id": sender["author"].id,
                "attachment_ids": [Command.link(attachment.id) for attachment in attachments],
            },
        )
        note = (
            self.env._("documents sent: the debtor page and %(invoices)s", invoices=", ".join(invoices.mapped("name")))
            if invoices
            else self.env._("documents sent: the debtor page")
        )
        self._handled("documents", note, documents_mail_id=mail_id, move_ids=[Command.set(invoices.ids)])
        return mail_id

    def _sender(self):
        """Who answers: the identity the debtor wrote to (see ``kreancia.brand._sender``)."""
        self.ensure_one()
        return self.brand_id._sender(self.company_id)

    def _recipient(self):
        """The customer's invoicing contact with an e-mail, else the customer."""
        self.ensure_one()
        partner = self.partner_id.commercial_partner_id
        contacts = partner.child_ids.filtered(lambda contact: contact.type == "invoice" and contact.email)
        return contacts[:1] or partner

    # ------------------------------------------------------------------
    # Absence
    # ------------------------------------------------------------------

    def _postpone_after_absence(self):
        """An out-of-office moves the customer's next reminder and calls after the return date; it fails nothing."""
        self.ensure_one()
        today = fields.Date.context_today(self)
        if not self.return_date or self.return_date <= today:
            self._handled("none", self.env._("automatic reply, no return date to wait for"))
            return
        partner = self.partner_id.commercial_partner_id
        reason = self.env._("Out of office until %(date)s", date=format_date(self.env, self.return_date))
        if not partner.dunning_pause_until or partner.dunning_pause_until < self.return_date:
            partner.sudo().write({"dunning_pause_until": self.return_date, "dunning_pause_reason": reason})
        calls = (
            self.env["mail.activity"]
            .sudo()
            .search(
                [
                    ("res_model", "=", "res.partner"),
                    ("res_id", "=", partner.id),
                    ("date_deadline", "<", self.return_date),
                    ("activity_type_id.category", "=", "phonecall"),
                ]
            )
        )
        calls.write({"date_deadline": self.return_date})
        self._handled(
            "postponed",
            self.env._(
                "the customer is away: dunning postponed to %(date)s (%(count)s call(s) moved)",
                date=format_date(self.env, self.return_date),
                count=len(calls),
            ),
        )
