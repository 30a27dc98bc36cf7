import re
from datetime import date
from html import unescape

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import email_normalize, format_amount, format_date, html2plaintext

from ..external_api import FAR_YEARS, in_caller_lang, shown
from ..tools.phone import PhoneError, normalize_phone
from ..tools.reply_reader import read_reply

REPLY_KINDS = [
    ("promise", "Promise to pay"),
    ("dispute", "Dispute"),
    ("paid", "Already paid"),
    ("absence", "Out of office"),
    ("document", "Asks for a document"),
    ("other", "Other"),
]
DISPUTE_REASONS = [
    ("goods", "Goods or service"),
    ("price", "Price"),
    ("delivery", "Delivery problem"),
    ("duplicate", "Invoiced twice"),
    ("not_ordered", "Not ordered"),
    ("other", "Other reason"),
]
REPLY_ACTIONS = [
    ("commitment", "Promise accepted"),
    ("dispute", "Dispute opened"),
    ("payment_claim", "Payment to check"),
    ("documents", "Documents sent"),
    ("postponed", "Dunning postponed"),
    ("none", "Marked handled"),
]
DOCUMENTS = {"invoice", "statement", "rib"}
PREFORMATTED = re.compile(r"\s*<pre>(.*)</pre>\s*", re.DOTALL)
# the reference a reminder carries at the end of its subject, kept by mail clients that drop In-Reply-To
SUBJECT_REFERENCE = re.compile(r"\[([^\[\]\s]{3,40})\]")


class KreanciaReply(models.Model):
    """An answer from the debtor to a reminder, as the add-on read it.

    Replies come through Odoo's mail gateway (the identity's inbound alias,
    or a mailbox fetched by an incoming mail server) or, for SMS, through
    :meth:`receive_sms`. A reply matched to its customer is filed in the
    customer's chatter, under the reminder it answers; a reply nobody could
    match keeps its e-mail on this record, for a manager to assign.

    The text is read by ``tools/reply_reader.py``; what it read is stored in
    plain fields so the inbox can show and filter it. The actions a collector
    takes from the inbox live in ``kreancia_reply_actions.py``.
    """

    _name = "kreancia.reply"
    _inherit = ["mail.thread"]
    _description = "Debtor Reply"
    _order = "date desc, id desc"
    _rec_name = "subject"
    _check_company_auto = True
    _mail_post_access = "read"

    # Where it came from
    date = fields.Datetime("Received", required=True, readonly=True, default=fields.Datetime.now, index=True)
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, index=True, default=lambda self: self.env.company
    )
    partner_id = fields.Many2one("res.partner", "Customer", index=True, check_company=True, tracking=True)
    collector_id = fields.Many2one(
        "res.users",
        "Collector",
        related="partner_id.dunning_collector_id",
        store=True,
        index=True,
    )
    channel = fields.Selection([("email", "E-mail"), ("sms", "SMS")], required=True, readonly=True, default="email")
    author = fields.Char("From", readonly=True, help="The sender's address or phone number.")
    subject = fields.Char(readonly=True)
    intervention_id = fields.Many2one(
        "kreancia.intervention",
        "Answers",
        readonly=True,
        index="btree_not_null",
        check_company=True,
        help="The reminder this reply answers.",
    )
    brand_id = fields.Many2one(
        "kreancia.brand",
        "Identity answered",
        readonly=True,
        check_company=True,
        help="The brand the debtor wrote to; empty for the company's own name. Answers go out under it.",
    )
    mail_message_id = fields.Many2one("mail.message", "E-mail", readonly=True, ondelete="set null")
    body = fields.Text("New text", readonly=True, help="The reply without the quoted reminder and the signature.")

    # What was read
    kind = fields.Selection(REPLY_KINDS, "Read as", required=True, default="other", tracking=True)
    reading = fields.Json(readonly=True, copy=False)
    reading_summary = fields.Char("What was read", compute="_compute_reading_summary")
    clear = fields.Boolean(
        "Clear promise", readonly=True, help="A promise with dates and amounts and no hedging: it may be accepted."
    )
    promise_date = fields.Date("Promised for", readonly=True)
    amount = fields.Monetary("Amount stated", readonly=True, currency_field="currency_id")
    currency_id = fields.Many2one(related="company_id.currency_id")
    reason = fields.Selection(DISPUTE_REASONS, "Dispute reason")
    move_ids = fields.Many2many(
        "account.move",
        "kreancia_reply_account_move_rel",
        "reply_id",
        "move_id",
        "Invoices named",
        check_company=True,
        domain="[('move_type', '=', 'out_invoice'), ('commercial_partner_id', '=', partner_id)]",
    )
    paid_date = fields.Date("Paid on", readonly=True)
    paid_reference = fields.Char("Payment reference", readonly=True)
    return_date = fields.Date("Back on", readonly=True)
    documents = fields.Char("Documents asked", readonly=True)
    opt_out = fields.Boolean("Asks to stop", readonly=True)

    # The customer as the collector sees it
    overdue_amount = fields.Monetary(
        related="partner_id.dunning_overdue_amount", string="Overdue", currency_field="overdue_currency_id"
    )
    overdue_currency_id = fields.Many2one(related="partner_id.dunning_currency_id")
    current_step_id = fields.Many2one(related="partner_id.dunning_current_step_id", string="Current step")

    # What it became
    state = fields.Selection(
        [("new", "To handle"), ("handled", "Handled")], required=True, default="new", index=True, tracking=True
    )
    action = fields.Selection(REPLY_ACTIONS, readonly=True, tracking=True)
    action_note = fields.Char("Outcome", readonly=True)
    handled_by_id = fields.Many2one("res.users", "Handled by", readonly=True)
    handled_date = fields.Datetime("Handled on", readonly=True)
    commitment_id = fields.Many2one("kreancia.commitment", readonly=True, check_company=True, ondelete="set null")
    activity_id = fields.Many2one("mail.activity", "Task", readonly=True, ondelete="set null")
    documents_mail_id = fields.Many2one("mail.mail", "Documents e-mail", readonly=True, ondelete="set null")
    debtor_url = fields.Char("Debtor page sent", readonly=True)

    # ------------------------------------------------------------------
    # Display
    # ------------------------------------------------------------------

    @api.depends("kind", "reading", "move_ids", "reason")
    @api.depends_context("lang")
    def _compute_reading_summary(self):
        for reply in self:
            reply.reading_summary = reply._summary()

    def _summary(self):
        """What was read, in words: ``15/07/2026: 600,00 €; 31/08/2026: the rest`` or ``Back on 12/01/2027``."""
        self.ensure_one()
        env, reading = self.env, self.reading or {}
        currency = self.company_id.currency_id
        parts = []
        if self.kind == "promise":
            instalments = reading.get("instalments") or []
            for day, amount, share in instalments:
                what = (
                    format_amount(env, amount, currency)
                    if amount
                    else env._("%(percent)s %%", percent=round(share * 100))
                    if share
                    else env._("the rest")
                    if len(instalments) > 1
                    else env._("the amount due")
                )
                parts.append(f"{format_date(env, day)}: {what}")
        elif self.kind == "dispute":
            if self.reason:
                parts.append(dict(self._fields["reason"]._description_selection(env))[self.reason])
        elif self.kind == "paid":
            if self.paid_date:
                parts.append(env._("paid on %(date)s", date=format_date(env, self.paid_date)))
            if self.amount:
                parts.append(format_amount(env, self.amount, currency))
            if self.paid_reference:
                parts.append(env._("ref. %(reference)s", reference=self.paid_reference))
        elif self.kind == "absence" and self.return_date:
            parts.append(env._("back on %(date)s", date=format_date(env, self.return_date)))
        elif self.kind == "document":
            labels = {
                "invoice": env._("invoice copy"),
                "statement": env._("statement"),
                "rib": env._("bank details"),
            }
            parts.extend(labels[name] for name in (reading.get("documents") or []) if name in labels)
        if self.move_ids:
            parts.append(", ".join(self.move_ids.mapped("name")))
        if self.opt_out:
            parts.append(env._("asks to stop writing"))
        return "; ".join(parts)

    # ------------------------------------------------------------------
    # Reading
    # ------------------------------------------------------------------

    @api.model
    def _reading_values(self, text, received, html=False, subject=""):
        """The fields of a reply from its raw text: the new text, the kind and what it states."""
        preformatted = PREFORMATTED.fullmatch(text or "") if html else None
        if preformatted:
            # the gateway keeps a plain-text e-mail as <pre>: its lines, quotes and signature are the text's own
            text, html = unescape(preformatted.group(1)), False
        reading = read_reply(text or "", received, html=html, subject=subject or "")
        instalments = [
            (day.isoformat(), amount, share) for day, amount, share in reading.instalments if day is not None
        ]
        values = {
            "body": reading.text,
            "kind": reading.kind,
            "clear": reading.clear and reading.kind == "promise",
            "reading": {
                "instalments": instalments,
                "amounts": list(reading.amounts),
                "currency": reading.currency,
                "invoice_refs": list(reading.invoice_refs),
                "documents": [name for name in reading.documents if name in DOCUMENTS],
            },
            "promise_date": instalments[0][0] if reading.kind == "promise" and instalments else False,
            "amount": (
                reading.paid_amount
                if reading.kind == "paid"
                else sum(amount or 0.0 for _day, amount, _share in instalments)
                if reading.kind == "promise"
                else 0.0
            )
            or 0.0,
            "reason": reading.reason or ("other" if reading.kind == "dispute" else False),
            "paid_date": reading.paid_date or False,
            "paid_reference": reading.paid_reference or False,
            "return_date": reading.return_date or False,
            "documents": ", ".join(reading.documents) or False,
            "opt_out": reading.opt_out,
        }
        return values

    def _match_invoices(self):
        """Link the invoices the reply names to the customer's invoices with those numbers."""
        for reply in self.filtered("partner_id"):
            refs = [ref.upper() for ref in (reply.reading or {}).get("invoice_refs") or []]
            if not refs:
                continue
            invoices = reply._open_invoices(all_states=True)
            named = invoices.filtered(lambda move, refs=refs: self._names_invoice(move, refs))
            reply.move_ids = [Command.set(named.ids)]

    @staticmethod
    def _names_invoice(move, refs):
        """Whether one of ``refs`` is the invoice's number, in full or as its distinctive end (``2026/00012``)."""
        number = (move.name or "").upper()
        return any(ref == number or (len(ref) >= 4 and number.endswith(ref)) for ref in refs)

    def _open_invoices(self, all_states=False):
        """The customer's open invoices in the reply's company, oldest due first."""
        self.ensure_one()
        domain = [
            ("commercial_partner_id", "=", self.partner_id.commercial_partner_id.id),
            ("company_id", "=", self.company_id.id),
            ("move_type", "=", "out_invoice"),
            ("state", "=", "posted"),
        ]
        if not all_states:
            domain.append(("payment_state", "in", ("not_paid", "partial")))
        return self.env["account.move"].sudo().search(domain, order="invoice_date_due, id")

    # ------------------------------------------------------------------
    # Arrival
    # ------------------------------------------------------------------

    @api.model
    def _route_replies(self, message_dict, routes):
        """Routes of an incoming e-mail, a debtor's reply sent on to its customer's chatter.

        An e-mail to an identity's alias (or to a mailbox whose incoming mail
        server creates replies) is matched to its customer by the reminder it
        answers (``In-Reply-To``/``References``, else the reference in the
        subject), else by the sender's address; a matched one is filed on the
        customer, under the reminder. A reply to a reminder that reached Odoo
        another way (the catchall) is recognised by the reminder it answers.
        """
        routed = []
        for original in routes:
            route = original
            model, thread_id, values, user_id, alias = original
            match = None
            if model == self._name and not thread_id:
                match = self._match_incoming(message_dict, values or {})
                if match.get("partner_id"):
                    route = ("res.partner", match["partner_id"], {}, user_id, alias)
                    message_dict["parent_id"] = match.get("parent_id") or message_dict.get("parent_id")
            elif model == "res.partner" and thread_id and message_dict.get("parent_id"):
                intervention = self._answered(self.env["mail.message"].sudo().browse(message_dict["parent_id"]))
                if intervention and intervention.partner_id.id == thread_id:
                    match = self._match_values(intervention, intervention.partner_id, intervention.company_id)
            if match and match.get("partner_id"):
                message_dict["kreancia_match"] = match
            routed.append(route)
        return routed

    @api.model
    def _answered(self, messages):
        """The reminder (intervention) whose e-mail is one of ``messages``."""
        if not messages:
            return self.env["kreancia.intervention"]
        return (
            self.env["kreancia.intervention"]
            .sudo()
            .search([("message_id", "in", messages.ids)], order="id desc", limit=1)
        )

    @api.model
    def _match_incoming(self, message_dict, defaults):
        """``{partner_id, intervention_id, brand_id, company_id, parent_id}`` for an e-mail to a reply alias.

        :param defaults: the alias' defaults (its company and brand)
        """
        Intervention = self.env["kreancia.intervention"].sudo()
        references = (message_dict.get("references") or "") + " " + (message_dict.get("in_reply_to") or "")
        refs = [ref.strip() for ref in references.split() if ref.strip()]
        intervention = Intervention
        if refs:
            intervention = self._answered(self.env["mail.message"].sudo().search([("message_id", "in", refs[-32:])]))
        if not intervention:
            tokens = SUBJECT_REFERENCE.findall(message_dict.get("subject") or "")
            if tokens:
                intervention = Intervention.search([("name", "in", tokens)], order="id desc", limit=1)
        company = self.env["res.company"].browse(defaults.get("company_id")) or intervention.company_id
        if intervention and (not company or intervention.company_id == company):
            return self._match_values(intervention, intervention.partner_id, intervention.company_id)
        company = company or self.env.company
        brand = self.env["kreancia.brand"].browse(defaults.get("brand_id"))
        partner = self._partner_for_email(message_dict.get("email_from"), company)
        if partner and not brand:
            brand = self.env["kreancia.brand"]._speaking_to(partner, company)
        return {
            "partner_id": partner.id or False,
            "intervention_id": False,
            "brand_id": brand.id or False,
            "company_id": company.id,
            "parent_id": False,
        }

    @api.model
    def _match_values(self, intervention, partner, company):
        return {
            "partner_id": partner.commercial_partner_id.id,
            "intervention_id": intervention.id,
            "brand_id": intervention.brand_id.id if intervention.identity == "brand" else False,
            "company_id": company.id,
            "parent_id": intervention.message_id.id,
        }

    @api.model
    def _partner_for_email(self, email_from, company):
        """The customer (commercial entity) an address belongs to, in ``company``; none if several match."""
        email = email_normalize(email_from or "")
        if not email:
            return self.env["res.partner"]
        partners = (
            self.env["res.partner"]
            .sudo()
            .search([("email_normalized", "=", email), ("company_id", "in", (False, company.id))], limit=10)
        )
        customers = partners.commercial_partner_id
        return customers if len(customers) == 1 else self.env["res.partner"]

    @api.model
    def _from_message(self, message, match):
        """The reply for an e-mail filed on its customer (``match``: what routing found), read and acted upon."""
        received = message.date or fields.Datetime.now()
        values = {
            "date": received,
            "company_id": match["company_id"],
            "partner_id": match.get("partner_id") or False,
            "intervention_id": match.get("intervention_id") or False,
            "brand_id": match.get("brand_id") or False,
            "channel": "email",
            "author": message.email_from,
            "subject": message.subject or "",
            "mail_message_id": message.id,
            **self._reading_values(message.body or "", received.date(), html=True, subject=message.subject),
        }
        reply = self.sudo().create(values)
        reply._after_reading()
        return reply

    def _after_reading(self):
        """What needs no person: an absence postpones, a clear promise may become a commitment."""
        self._match_invoices()
        for reply in self.filtered("partner_id"):
            if reply.kind == "absence":
                reply._postpone_after_absence()
            elif reply.kind == "promise" and reply.clear and reply._scenario().reply_auto_promise:
                reply._accept_clear_promise()

    def _scenario(self):
        """The scenario of the customer's most advanced open invoice, else the company's default."""
        self.ensure_one()
        invoices = self._open_invoices()
        return invoices._dunning_leading_scenario(self.company_id)

    def _collector(self):
        """Who handles the reply: the customer's collector, else the scenario's agent or manager."""
        self.ensure_one()
        return self._scenario()._collector_for(self.partner_id)

    # ------------------------------------------------------------------
    # SMS
    # ------------------------------------------------------------------

    @api.model
    def receive_sms(self, number, text, received=None):
        """Record an SMS reply from ``number`` (as an SMS provider's webhook or an integration reports it).

        Odoo's own SMS service delivers no replies; a provider that does calls
        this method (JSON-2: ``kreancia.reply/receive_sms``) and the reply takes
        the e-mail's path: matched to the customer by its phone number, read,
        filed in the customer's chatter and shown in the inbox.

        :param number: the sender's phone number, any format
        :param text: the SMS text
        :param received: ISO date-time or date of reception (default: now)
        :return: ``{"reply_id": int, "kind": str, "partner_id": int or False}``
        """
        replies = in_caller_lang(self)
        env = replies.env
        if not env.user.has_group("kreancia_collect.kreancia_collect_group_manager") and not env.su:
            raise AccessError(env._("Only a collection manager (or the SMS provider's user) can record SMS replies."))
        if not isinstance(text, str) or not text.strip():
            raise UserError(env._("The SMS has no text."))
        if not isinstance(number, str):
            raise UserError(env._("%(number)s is not a phone number.", number=shown(number)))
        received_at = replies._to_datetime(received)
        partner = replies._partner_for_phone(number)
        company = partner.company_id or env.company
        reply = (
            replies.sudo()
            .with_company(company)
            .create(
                {
                    "date": received_at,
                    "company_id": company.id,
                    "partner_id": partner.id or False,
                    "channel": "sms",
                    "author": number,
                    "subject": env._("SMS from %(number)s", number=number),
                    "brand_id": self.env["kreancia.brand"]._speaking_to(partner, company).id if partner else False,
                    **replies._reading_values(text, received_at.date()),
                }
            )
        )
        if partner:
            message = partner.sudo().message_post(
                body=env._("SMS reply from %(number)s: %(text)s", number=number, text=text.strip()),
                author_id=partner.id,
                message_type="sms",
                subtype_xmlid="mail.mt_note",
            )
            reply.mail_message_id = message
        reply._after_reading()
        return {"reply_id": reply.id, "kind": reply.kind, "partner_id": partner.id or False}

    def _to_datetime(self, value):
        """The moment of an external caller's ``value`` (ISO text), refused when it is none or too far from now."""
        if value is None or value is False or value == "":
            return fields.Datetime.now()
        try:
            if not isinstance(value, str | date):  # a list, a number, a dict: no moment
                raise TypeError(value)
            moment = fields.Datetime.to_datetime(value)
        except (ValueError, TypeError):
            raise UserError(
                self.env._("%(value)s is not a date: give it as YYYY-MM-DD HH:MM:SS.", value=shown(value))
            ) from None
        if abs(moment.year - fields.Datetime.now().year) > FAR_YEARS:
            raise UserError(
                self.env._(
                    "%(value)s is too far from today: give a date within %(years)s years of it.",
                    value=moment.date().isoformat(),
                    years=FAR_YEARS,
                )
            )
        return moment

    def _partner_for_phone(self, number):
        """The customer (commercial entity) whose phone is ``number``, in the user's companies."""
        country = self.env.company.country_id.code
        try:
            e164 = normalize_phone(number, country)
        except PhoneError:
            raise UserError(self.env._("%(number)s is not a phone number.", number=shown(number))) from None
        partners = (
            self.env["res.partner"]
            .sudo()
            .search(
                [
                    ("phone_sanitized", "=", e164),
                    "|",
                    ("company_id", "=", False),
                    ("company_id", "in", self.env.companies.ids),
                ],
                limit=5,
            )
        )
        return partners.commercial_partner_id[:1]

    # ------------------------------------------------------------------
    # Unmatched replies (the alias' own model)
    # ------------------------------------------------------------------

    @api.model
    def message_new(self, msg_dict, custom_values=None):
        """A reply routing could not match to a customer: kept here, read, for a manager to assign."""
        custom_values = dict(custom_values or {})
        received = msg_dict.get("date") or fields.Datetime.now()
        received = fields.Datetime.to_datetime(received)
        values = {
            "date": received,
            "channel": "email",
            "author": msg_dict.get("email_from"),
            "subject": msg_dict.get("subject") or "",
            **self._reading_values(
                msg_dict.get("body") or "", received.date(), html=True, subject=msg_dict.get("subject")
            ),
            **{key: value for key, value in custom_values.items() if key in ("company_id", "brand_id")},
        }
        return super(KreanciaReply, self.with_context(mail_create_nolog=True)).message_new(msg_dict, values)

    def _message_post_after_hook(self, message, msg_vals):
        result = super()._message_post_after_hook(message, msg_vals)
        for reply in self.filtered(lambda reply: not reply.mail_message_id and message.message_type == "email"):
            reply.mail_message_id = message
        return result

    def write(self, vals):
        result = super().write(vals)
        if vals.get("partner_id"):
            self._file_on_customer()
        return result

    def _file_on_customer(self):
        """Once a reply is assigned its customer, its e-mail moves to the customer's chatter and it is read again."""
        for reply in self.filtered(lambda reply: reply.mail_message_id.model == self._name):
            reply.mail_message_id.sudo().write({"model": "res.partner", "res_id": reply.partner_id.id})
        self._after_reading()

    def _text(self):
        self.ensure_one()
        return self.body or html2plaintext(self.mail_message_id.body or "")
