from datetime import timedelta

from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, float_compare, format_amount, format_date, plaintext2html
from odoo.tools.mimetypes import guess_mimetype

from ..tools.plan import PlanLimits, parse_plan, plan_problems

# what the page lets a debtor do in a window, per link: enough for a person, not for a script
RATE_LIMITS = {"view": (60, timedelta(minutes=10)), "act": (20, timedelta(hours=1))}
UPLOAD_MAX_BYTES = 5 * 1024 * 1024
UPLOAD_MIMETYPES = ("application/pdf", "image/png", "image/jpeg")
CALLBACK_MAX_DAYS = 30


class KreanciaDebtorLink(models.Model):
    """What the debtor can do on the page, each action checked, applied and recorded.

    The controller only parses the request; every method here refuses bad
    input with a translated ``UserError`` before writing anything, records the
    action in the evidence trail (:class:`kreancia.debtor.action`) and, for
    what the collector must know, in the customer's chatter.
    """

    _inherit = "kreancia.debtor.link"

    def _take(self):
        """Hold the link until the request's transaction ends: requests on one link run one after the other.

        An UPDATE and not a mere row lock: a request that waited for another one on the same link
        then fails to serialize (its snapshot is older than what the other one committed), and Odoo
        replays it in a fresh transaction that sees the other's plan, dispute or rate count. Without
        it a double click recorded two plans, two disputes, a follower twice (an error page), and
        concurrent requests went past the rate limits. The daily run also writes links (it extends
        their expiry when it creates interventions): a request on a link during the batch that
        extends it makes one of them fail to serialize; the request is replayed, the batch tried
        again alone (``kreancia.escalation._perform_batch_alone``, or queue_job's retry).
        """
        self.ensure_one()
        query = SQL("UPDATE kreancia_debtor_link SET write_date = write_date WHERE id = %s", self.id)
        # the serialization failure is expected and replayed: no "bad query" in the log
        self.env.cr.execute(query, log_exceptions=False)

    def _within_rate(self, kind):
        """False once the link made too many requests of ``kind`` (``view`` or ``act``) lately."""
        self.ensure_one()
        limit, window = RATE_LIMITS[kind]
        domain = [("link_id", "=", self.id), ("date", ">=", fields.Datetime.now() - window)]
        operator = "in" if kind == "view" else "not in"
        domain.append(("action", operator, ("view", "download")))
        return self.env["kreancia.debtor.action"].sudo().search_count(domain) < limit

    def _record(self, action, ip_address, description=False, moves=None, chatter=True, **values):
        """Add the action to the evidence trail and, with ``chatter``, to the customer's chatter."""
        self.ensure_one()
        record = (
            self.env["kreancia.debtor.action"]
            .sudo()
            .create(
                {
                    "link_id": self.id,
                    "action": action,
                    "ip_address": ip_address,
                    "description": description,
                    "move_ids": [Command.set(moves.ids)] if moves else [],
                    **values,
                }
            )
        )
        if chatter:
            label = dict(record._fields["action"]._description_selection(self.env))[action]
            # written by the customer through the page, whoever the request runs as
            self.partner_id.sudo().message_post(
                author_id=self.partner_id.id,
                body=plaintext2html(
                    self.env._(
                        "Debtor page: %(action)s. %(description)s (link %(link)s, IP address %(ip)s)",
                        action=label,
                        description=description or "",
                        link=self.id,
                        ip=ip_address or "?",
                    )
                ),
                subtype_xmlid="mail.mt_note",
                attachment_ids=record.attachment_ids.ids,
            )
        return record

    def _recipient(self):
        """The customer's invoicing contact with an e-mail, else the customer."""
        self.ensure_one()
        contacts = self.partner_id.child_ids.filtered(lambda contact: contact.type == "invoice" and contact.email)
        return contacts[:1] or self.partner_id

    def _collector(self):
        """Who handles what the debtor asks: the customer's collector, else the scenario's agent or manager."""
        self.ensure_one()
        return self._scenario()._collector_for(self.partner_id)

    def _task(self, activity_xmlid, summary, note, deadline=None):
        """An activity on the customer for its collector, who answers under the name of the page."""
        self.ensure_one()
        note = plaintext2html(note or "")
        if self.brand_id:
            note += Markup("<p>%s</p>") % self.env._(
                "The customer used the page of %(brand)s: answer under this name.", brand=self.brand_id.name
            )
        return (
            self.env["mail.activity"]
            .sudo()
            .create(
                {
                    "res_model_id": self.env["ir.model"]._get_id("res.partner"),
                    "res_id": self.partner_id.id,
                    "activity_type_id": self.env.ref(activity_xmlid).id,
                    "summary": summary,
                    "note": note,
                    "user_id": self._collector().id,
                    "date_deadline": deadline or fields.Date.context_today(self),
                }
            )
        )

    def _check_invoices(self, invoices):
        """The invoices, if they are all open invoices of the link's customer; else a refusal."""
        self.ensure_one()
        if not invoices:
            raise UserError(self.env._("Select at least one invoice."))
        if invoices - self._open_invoices():
            raise UserError(self.env._("These invoices cannot be selected on this page."))
        return invoices

    def _attachment(self, upload):
        """An attachment on the customer from ``(filename, content)``, within the size and type limits."""
        self.ensure_one()
        if not upload or not upload[1]:
            return self.env["ir.attachment"]
        name, content = upload
        if len(content) > UPLOAD_MAX_BYTES:
            raise UserError(self.env._("The document is too large: at most 5 MB."))
        mimetype = guess_mimetype(content)
        if mimetype not in UPLOAD_MIMETYPES:
            raise UserError(self.env._("Send a PDF, PNG or JPEG document."))
        return (
            self.env["ir.attachment"]
            .sudo()
            .create(
                {
                    "name": name or "document",
                    "raw": content,
                    "mimetype": mimetype,
                    "res_model": "res.partner",
                    "res_id": self.partner_id.id,
                }
            )
        )

    # ------------------------------------------------------------------
    # The debtor's actions
    # ------------------------------------------------------------------

    def _check_payment_amount(self, invoices, amount):
        """The amount due on ``invoices``, if ``amount`` is exactly it; else a refusal (tampered form)."""
        self.ensure_one()
        self._check_invoices(invoices)
        if len(invoices.currency_id) != 1:
            raise UserError(self.env._("Pay invoices of different currencies separately."))
        due = sum(invoices.mapped("amount_residual"))
        if amount is None or float_compare(amount, due, precision_rounding=invoices.currency_id.rounding) != 0:
            raise UserError(self.env._("The amount to pay does not match the invoices selected."))
        return due

    def _limits(self):
        scenario = self._scenario()
        return PlanLimits(scenario.plan_max_instalments, scenario.plan_max_days, scenario.plan_min_first_percent)

    def _propose_plan(self, invoices, instalments, message, ip_address):
        """A plan within the scenario's limits becomes a commitment at once; beyond them, a proposal waits.

        :param instalments: ``[(date, amount)]``
        :return: the ``kreancia.commitment`` or the ``kreancia.plan.proposal``
        """
        self.ensure_one()
        self._check_invoices(invoices)
        if "open" in invoices.dunning_commitment_ids.mapped("state"):
            raise UserError(self.env._("A payment commitment is already running for these invoices."))
        self.env["kreancia.case.line"]._check_plannable(invoices)
        total = sum(invoices.mapped("amount_residual_signed"))
        today = fields.Date.context_today(self)
        try:
            plan = parse_plan(instalments, total, today, self.company_id.currency_id.rounding)
            problems = plan_problems(plan, total, today, self._limits())
        except ValueError as error:
            raise UserError(self._plan_error(str(error), total)) from None
        currency = self.company_id.currency_id
        text = "\n".join(
            f"{format_date(self.env, day)}: {format_amount(self.env, amount, currency)}" for day, amount in plan
        )
        if not problems:
            commitment = self._create_commitment(invoices, plan, self._collector())
            self._record("plan", ip_address, text, invoices, commitment_id=commitment.id, amount=total)
            return commitment
        proposal = self.env["kreancia.plan.proposal"]._new(self, invoices, plan, problems, message)
        self._record(
            "plan",
            ip_address,
            self.env._("%(plan)s\nTo be answered by an agent: %(problems)s", plan=text, problems=proposal.problems),
            invoices,
            proposal_id=proposal.id,
            amount=total,
            activity_id=proposal.activity_id.id,
        )
        return proposal

    def _plan_error(self, code, total):
        messages = {
            "empty": self.env._("Give at least one instalment."),
            "amount": self.env._("Each instalment must be a positive amount."),
            "past": self.env._("An instalment's date is in the past."),
            "total": self.env._(
                "The instalments must add up to the amount due: %(total)s.",
                total=format_amount(self.env, total, self.company_id.currency_id),
            ),
        }
        return messages[code]

    def _create_commitment(self, invoices, plan, user):
        """A payment commitment for the plan: dunning pauses, the recap is sent."""
        self.ensure_one()
        return (
            self.env["kreancia.commitment"]
            .sudo()
            .with_company(self.company_id)
            .create(
                {
                    "company_id": self.company_id.id,
                    "partner_id": self.partner_id.id,
                    "move_ids": [Command.set(invoices.ids)],
                    "amount_total": sum(amount for _day, amount in plan),
                    "user_id": user.id,
                    # confirmed under the name the debtor read on the page
                    "brand_id": self.brand_id.id,
                    "line_ids": [Command.create({"date": day, "amount": amount}) for day, amount in plan],
                }
            )
        )

    def _dispute(self, invoice, reason, message, upload, ip_address):
        """The invoice is disputed (dunning paused), the collector gets a task."""
        self.ensure_one()
        self._check_invoices(invoice)
        if invoice.dunning_dispute:
            raise UserError(
                self.env._("Invoice %(invoice)s is already disputed: we are looking into it.", invoice=invoice.name)
            )
        reasons = dict(self._dispute_reasons())
        if reason not in reasons or not (message or "").strip():
            raise UserError(self.env._("Choose a reason and explain the dispute."))
        attachment = self._attachment(upload)
        note = f"{reasons[reason]}: {message.strip()}"
        invoice._dunning_write({"dunning_dispute": True, "dunning_dispute_note": note})
        activity = self._task(
            "mail.mail_activity_data_todo",
            self.env._("Invoice %(invoice)s disputed on the debtor page", invoice=invoice.name),
            note,
        )
        return self._record(
            "dispute",
            ip_address,
            self.env._("%(invoice)s: %(note)s", invoice=invoice.name, note=note),
            invoice,
            attachment_ids=[Command.set(attachment.ids)],
            activity_id=activity.id,
        )

    def _dispute_reasons(self):
        return [
            ("not_received", self.env._("Goods or service not received")),
            ("amount", self.env._("Wrong amount")),
            ("quality", self.env._("Quality problem")),
            ("already_paid", self.env._("Already paid")),
            ("other", self.env._("Other reason")),
        ]

    def _declare_payment(self, invoices, payment_date, amount, *, reference, upload, ip_address):
        """Dunning pauses for the company's number of days; the collector gets a task to check the payment."""
        self.ensure_one()
        self._check_invoices(invoices)
        today = fields.Date.context_today(self)
        if not payment_date or payment_date > today or payment_date < today - timedelta(days=365):
            raise UserError(self.env._("Give the date of the payment (not in the future)."))
        if not amount or amount <= 0:
            raise UserError(self.env._("Give the amount paid."))
        attachment = self._attachment(upload)
        until = today + timedelta(days=self._pause_days())
        invoices._dunning_write(
            {"dunning_pause_until": until, "dunning_pause_reason": self.env._("Payment declared by the customer")}
        )
        description = self.env._(
            "%(amount)s paid on %(date)s (reference: %(reference)s) for %(invoices)s; dunning paused until %(until)s.",
            amount=format_amount(self.env, amount, self.company_id.currency_id),
            date=format_date(self.env, payment_date),
            reference=reference or "-",
            invoices=", ".join(invoices.mapped("name")),
            until=format_date(self.env, until),
        )
        declared = (
            self.env["kreancia.debtor.action"]
            .sudo()
            .search_count(
                [("link_id", "=", self.id), ("action", "=", "declared_payment"), ("description", "=", description)],
                limit=1,
            )
        )
        if declared:
            # the same form sent twice (a double click): one task for the collector
            raise UserError(self.env._("This payment is already declared: we are checking it."))
        activity = self._task(
            "mail.mail_activity_data_todo",
            self.env._("Check a payment declared on the debtor page"),
            description,
            deadline=today + timedelta(days=1),
        )
        return self._record(
            "declared_payment",
            ip_address,
            description,
            invoices,
            amount=amount,
            attachment_ids=[Command.set(attachment.ids)],
            activity_id=activity.id,
        )

    def _ask_callback(self, when, phone, message, ip_address):
        """A call task for the collector, due on the day the debtor chose (shown in My Calls)."""
        self.ensure_one()
        now = fields.Datetime.now()
        if not when or when < now or when > now + timedelta(days=CALLBACK_MAX_DAYS):
            raise UserError(self.env._("Choose a time within the next 30 days."))
        if not (phone or "").strip():
            raise UserError(self.env._("Give the number to call."))
        description = self.env._(
            "Call back on %(when)s at %(phone)s. %(message)s",
            when=when.strftime("%Y-%m-%d %H:%M"),
            phone=phone.strip(),
            message=(message or "").strip(),
        )
        activity = self._task(
            "mail.mail_activity_data_call",
            self.env._("Call back requested on the debtor page (%(when)s)", when=when.strftime("%Y-%m-%d %H:%M")),
            description,
            deadline=when.date(),
        )
        return self._record("callback", ip_address, description, activity_id=activity.id)

    @api.model
    def _parse_amount(self, value):
        try:
            return float((value or "").replace(",", ".").replace(" ", ""))
        except ValueError:
            raise ValidationError(self.env._("“%(value)s” is not an amount.", value=value)) from None
