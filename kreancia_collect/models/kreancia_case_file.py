import re

from odoo import fields, models
from odoo.exceptions import UserError
from odoo.tools import html2plaintext

from ..tools import case_file
from ..tools.xlsx import Book
from .kreancia_scenario_step import LETTER_CHANNELS

CASE_REPORT = "kreancia_collect.action_report_case_documents"
INVOICE_REPORT = "account.account_invoices"
STATEMENT_REPORT = "kreancia_collect.action_report_statement"
OWN_DOCUMENTS = 2  # cover sheet, history


def _slug(name):
    return re.sub(r"[^\w.-]+", "_", name or "").strip("_")


class KreanciaCase(models.Model):
    """The case file: what the receiving party needs to act, as one ZIP, the same every time.

    Documents of this add-on (cover sheets, histories) are rendered for a
    whole batch of cases in one wkhtmltopdf call, then cut per document;
    every entry's date comes from the case, so a file built again from
    unchanged facts has the same bytes.
    """

    _inherit = "kreancia.case"

    # ------------------------------------------------------------------
    # Facts (read by the PDF templates and the XLSX alike)
    # ------------------------------------------------------------------

    def _file_lang(self):
        self.ensure_one()
        return self.agency_id.lang or self.user_id.lang or self.env.user.lang or "en_US"

    def _file_date(self):
        """The as-of date of the file: its last event, never the day it is printed."""
        self.ensure_one()
        return max([self.date_handover, *self.recovery_ids.mapped("date")])

    def _debtor_contacts(self):
        """The customer and its contacts: every address, phone and e-mail known."""
        self.ensure_one()
        partner = self.partner_id.commercial_partner_id
        return partner | partner.child_ids.sorted(lambda contact: (contact.type != "invoice", contact.id))

    def _timeline(self):
        """Every intervention on the customer in the case's company, oldest first."""
        self.ensure_one()
        return self.env["kreancia.intervention"].search(
            [("partner_id", "=", self.partner_id.commercial_partner_id.id), ("company_id", "=", self.company_id.id)],
            order="date, id",
        )

    def _letters_sent(self):
        """Letters, formal notices and claim declarations produced (posted or waiting to be posted), with their PDF."""
        return self._timeline().filtered(
            lambda intervention: (
                intervention.channel in (*LETTER_CHANNELS, "claim")
                and intervention.attachment_id
                and intervention.state in ("done", "to_send")
            )
        )

    def _emails_sent(self):
        """``[{reference, date, subject, recipient, body}]`` of every e-mail sent to the customer."""
        rows = []
        for intervention in self._timeline().filtered(lambda i: i.channel == "email" and (i.message_id or i.mail_id)):
            # the e-mail is the case's evidence: whoever may read the case reads what was sent, though
            # Odoo keeps the mail queue for administrators
            message, mail = intervention.message_id.sudo(), intervention.mail_id.sudo()
            recipients = [mail.email_to] if mail.email_to else []
            recipients += (mail.recipient_ids or message.partner_ids).mapped("email_formatted")
            rows.append(
                {
                    "reference": intervention.name,
                    "date": (message.date or mail.date) and _utc(message.date or mail.date),
                    "day": intervention.date,
                    "subject": message.subject or mail.subject or "",
                    "recipient": ", ".join(recipients) or intervention.recipient_id.email or "",
                    "body": message.body or mail.body_html or "",
                }
            )
        return rows

    def _calls(self):
        self.ensure_one()
        return self.env["kreancia.call"].search(
            [("partner_id", "=", self.partner_id.commercial_partner_id.id), ("company_id", "=", self.company_id.id)],
            order="date, id",
        )

    def _commitments(self):
        self.ensure_one()
        return self.env["kreancia.commitment"].search(
            [("partner_id", "=", self.partner_id.commercial_partner_id.id), ("company_id", "=", self.company_id.id)],
            order="create_date, id",
        )

    def _insolvencies(self):
        """The customer's insolvency procedures in the case's company, with their claim declaration."""
        self.ensure_one()
        return (
            self.env["kreancia.insolvency"]
            .sudo()
            .search(
                [
                    ("partner_id", "=", self.partner_id.commercial_partner_id.id),
                    ("company_id", "=", self.company_id.id),
                ],
                order="judgment_date",
            )
        )

    def _replies(self):
        """The debtor's answers to reminders, as read, with what each became."""
        self.ensure_one()
        return (
            self.env["kreancia.reply"]
            .sudo()
            .search(
                [
                    ("partner_id", "=", self.partner_id.commercial_partner_id.id),
                    ("company_id", "=", self.company_id.id),
                ],
                order="date, id",
            )
        )

    def _disputes(self):
        """The customer's invoices in dispute, or that were disputed, with their reason."""
        self.ensure_one()
        return self.env["account.move"].search(
            [
                ("commercial_partner_id", "=", self.partner_id.commercial_partner_id.id),
                ("company_id", "=", self.company_id.id),
                ("move_type", "=", "out_invoice"),
                "|",
                ("dunning_dispute", "=", True),
                ("dunning_dispute_note", "!=", False),
            ],
            order="invoice_date_due, id",
        )

    def _document_markers(self):
        """The reference printed at the top of each of the case's own documents, to cut the batch PDF.

        The case and the document's name, in the file's language: each document is a file of its own, so
        nothing that reads as a page counter.
        """
        self.ensure_one()
        env = self.with_context(lang=self._file_lang()).env
        return [f"{self.name} - {env._('Cover sheet')}", f"{self.name} - {env._('History')}"]

    # ------------------------------------------------------------------
    # Rendering
    # ------------------------------------------------------------------

    def _render_own_documents(self):
        """Cover sheets and histories of every case in one wkhtmltopdf call.

        :return: ``{case id: [cover sheet PDF, history PDF]}``
        """
        if not self:
            return {}
        streams = (
            self.env["ir.actions.report"]
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf_prepare_streams(CASE_REPORT, {"case_ids": self.ids}, res_ids=None)
        )
        raw = streams[False]["stream"].getvalue()
        markers = [marker for case in self for marker in case._document_markers()]
        documents = iter(case_file.split_pdf(raw, markers))
        return {case.id: [next(documents) for _index in range(OWN_DOCUMENTS)] for case in self}

    def _render_pdf(self, report, res_ids, data=None):
        """One PDF of an existing report, dated by the case."""
        self.ensure_one()
        raw, _format = (
            self.env["ir.actions.report"]
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf(report, res_ids, data=data)
        )
        return case_file.normalize_pdf(raw, self._file_date())

    def _render_invoices(self):
        """``{invoice id: PDF}`` of the case's invoices (Odoo's invoice report), in as few wkhtmltopdf calls as
        the machine's wkhtmltopdf allows (see ``ir.actions.report._kreancia_render_pdf_batch``), dated by the case."""
        self.ensure_one()
        streams = (
            self.env["ir.actions.report"]
            .with_context(force_report_rendering=True)
            ._kreancia_render_pdf_batch(INVOICE_REPORT, self.line_ids.move_id.ids)
        )
        return {
            move_id: case_file.normalize_pdf(stream["stream"].getvalue(), self._file_date())
            for move_id, stream in streams.items()
        }

    def _file_entries(self, own_documents):
        """``[(name in the ZIP, bytes)]`` of the case file, in reading order."""
        self.ensure_one()
        env = self.with_context(lang=self._file_lang()).env
        cover, history = own_documents
        partner = self.partner_id.commercial_partner_id
        labels = {
            "cover": env._("Cover sheet"),
            "statement": env._("Statement of account"),
            "invoices": env._("Invoices"),
            "letters": env._("Letters"),
            "history": env._("History"),
            "file": env._("Case file"),
        }
        entries = [
            (f"01 {labels['cover']} {_slug(self.name)}.pdf", cover),
            (
                f"02 {labels['statement']}.pdf",
                self.with_company(self.company_id)
                .with_context(kreancia_statement_date=self._file_date())
                ._render_pdf(STATEMENT_REPORT, partner.ids, data={"brand_id": False}),
            ),
        ]
        invoices = self._render_invoices()
        for line in self.line_ids:
            entries.append((f"03 {labels['invoices']}/{_slug(line.move_id.name)}.pdf", invoices[line.move_id.id]))
        for letter in self._letters_sent():
            entries.append((f"04 {labels['letters']}/{_slug(letter.name)}.pdf", letter.attachment_id.raw))
        entries.append((f"05 {labels['history']}.pdf", history))
        entries.append((f"06 {labels['file']} {_slug(self.name)}.xlsx", self._xlsx()))
        if self.order_payment_pdf_id:  # kreancia_case_order_payment.py
            label = env._("Order for payment request")
            entries.append((f"07 {label}.pdf", self.order_payment_pdf_id.raw))
            if self.order_payment_xlsx_id:
                entries.append((f"07 {label}.xlsx", self.order_payment_xlsx_id.raw))
        return entries

    def _case_files(self):
        """``{case id: ZIP bytes}``, the own documents of every case rendered in one pass."""
        own = self._render_own_documents()
        return {case.id: case_file.build_zip(case._file_entries(own[case.id]), case._file_date()) for case in self}

    def _store_case_files(self):
        """Build the case files and keep each one as the case's attachment (replacing the previous one), to be
        e-mailed: an e-mail needs an attachment, a download does not."""
        files = self._case_files()
        for case in self:
            values = {
                "name": f"{_slug(case.name)}.zip",
                "raw": files[case.id],
                "res_model": case._name,
                "res_id": case.id,
                "mimetype": "application/zip",
            }
            if case.file_attachment_id:
                case.file_attachment_id.sudo().write(values)
            else:
                case.file_attachment_id = self.env["ir.attachment"].sudo().create(values)
        return files

    def _xlsx(self):
        """The facts as XLSX, one sheet each, dated by the case: the same bytes for the same facts."""
        self.ensure_one()
        case = self.with_context(lang=self._file_lang())
        book = Book(created=case._file_date())
        for title, headers, rows in case._xlsx_sheets():
            book.records(title, headers, rows)
        return book.close()

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_download_file(self):
        """Download the case file, built again from today's facts when the browser asks for it.

        Streamed by ``controllers/xlsx_download.py``, never stored: only the
        file e-mailed to the receiving party is kept (``file_attachment_id``).
        """
        self.ensure_one()
        self.check_access("read")
        companies = ",".join(str(company_id) for company_id in self.env.companies.ids)
        return {
            "type": "ir.actions.act_url",
            "url": f"/kreancia_collect/case_file/{self.id}?companies={companies}",
            "target": "self",
        }

    def action_send(self):
        """Send each case file to its receiving party, one e-mail with the ZIP, through the mail queue."""
        self._check_manager()
        if not self:
            raise UserError(self.env._("Select the cases to send."))
        for case in self:
            if case.state != "to_send":
                raise UserError(self.env._("The case %(case)s was already sent.", case=case.name))
            if not case.agency_id:
                raise UserError(
                    self.env._("Choose the receiving party of the case %(case)s before sending it.", case=case.name)
                )
            if not case.agency_id.email:
                raise UserError(
                    self.env._(
                        "%(party)s has no e-mail address: the case %(case)s cannot be sent to it.",
                        party=case.agency_id.display_name,
                        case=case.name,
                    )
                )
        self._store_case_files()
        today = fields.Date.context_today(self)
        mails = self.env["mail.mail"].sudo().create([case._mail_values() for case in self])
        for case, mail in zip(self, mails, strict=True):
            case.write({"mail_id": mail.id, "state": "sent", "date_sent": today})
        return True

    def _mail_values(self):
        self.ensure_one()
        case = self.with_context(lang=self._file_lang())
        body = (
            self.env["ir.qweb"]
            .with_context(lang=self._file_lang())
            ._render("kreancia_collect.case_mail_body", {"case": case})
        )
        return {
            "subject": case.env._(
                "Case file %(case)s: %(customer)s, %(amount)s",
                case=self.name,
                customer=self.partner_id.commercial_partner_id.name,
                amount=self._format(self.amount_claimed),
            ),
            "body_html": body,
            "email_from": (self.user_id.email_formatted if self.user_id.email else self.company_id.email_formatted),
            "reply_to": self.user_id.email_formatted or self.company_id.email_formatted,
            "recipient_ids": [fields.Command.link(self.agency_id.id)],
            "model": self._name,
            "res_id": self.id,
            "record_name": self.name,
            "message_type": "email_outgoing",
            "author_id": (self.user_id.partner_id or self.company_id.partner_id).id,
            "auto_delete": False,
            "attachment_ids": [fields.Command.link(self.file_attachment_id.id)],
        }

    # ------------------------------------------------------------------
    # XLSX
    # ------------------------------------------------------------------

    def _xlsx_sheets(self):
        """The facts of the cover sheet and history as ``[(sheet, headers, rows)]`` for the agency's import."""
        self.ensure_one()
        partner = self.partner_id.commercial_partner_id
        currency = self.currency_id.name
        summary = [
            (self.env._("Case"), self.name),
            (self.env._("Handed over on"), self.date_handover),
            (self.env._("Creditor"), self.company_id.name),
            (self.env._("Creditor registration"), self.company_id.company_registry or ""),
            (self.env._("Creditor VAT"), self.company_id.vat or ""),
            (self.env._("Debtor"), partner.name),
            (self.env._("SIREN"), partner.company_registry or ""),
            (self.env._("VAT"), partner.vat or ""),
            (self.env._("Receiving party"), self.agency_id.name or ""),
            (self.env._("Mandate reference"), self.mandate_ref or ""),
            (self.env._("Currency"), currency),
            (self.env._("Principal"), self.amount_principal),
            (self.env._("Late-payment interest"), self.amount_interest),
            (self.env._("Recovery indemnities"), self.amount_indemnity),
            (self.env._("Credit notes"), self.amount_credited_before),
            (self.env._("Open credit notes"), self.amount_open_credit),
            (self.env._("Payments received"), self.amount_paid_before),
            (self.env._("Total claimed"), self.amount_claimed),
            (self.env._("Recovered"), self.amount_recovered),
        ]
        contacts = [
            (
                contact.name or "",
                dict(contact._fields["type"]._description_selection(self.env)).get(contact.type, ""),
                ", ".join(
                    filter(None, [contact.street, contact.street2, contact.zip, contact.city, contact.country_id.name])
                ),
                contact.phone or "",
                contact.email or "",
            )
            for contact in self._debtor_contacts()
        ]
        invoices = [
            (
                line.move_id.name,
                line.invoice_date,
                line.invoice_date_due,
                line.days_late,
                line.amount_invoice,
                line.amount_paid_before,
                line.amount_credited_before,
                line.amount_principal,
                line.amount_interest,
                line.amount_indemnity,
                line.currency_id.name,
            )
            for line in self.line_ids
        ]
        channels = dict(self.env["kreancia.intervention"]._fields["channel"]._description_selection(self.env))
        states = dict(self.env["kreancia.intervention"]._fields["state"]._description_selection(self.env))
        timeline = [
            (
                intervention.date,
                intervention.name,
                intervention.step_id.name,
                channels.get(intervention.channel, ""),
                states.get(intervention.state, ""),
                intervention.amount_total,
                intervention.posted_date or "",
                intervention.tracking_number or "",
            )
            for intervention in self._timeline()
        ]
        emails = [
            (
                row["day"],
                row["reference"],
                row["date"] or "",
                row["recipient"],
                row["subject"],
                html2plaintext(row["body"]),
            )
            for row in self._emails_sent()
        ]
        outcomes = dict(self.env["kreancia.call"]._fields["outcome"]._description_selection(self.env))
        calls = [
            (_utc(call.date), call.user_id.name, call.phone, outcomes.get(call.outcome, ""), call.note or "")
            for call in self._calls()
        ]
        commitment_states = dict(self.env["kreancia.commitment"]._fields["state"]._description_selection(self.env))
        commitments = [
            (
                commitment.create_date.date(),
                commitment.amount_total,
                commitment_states.get(commitment.state, ""),
                "; ".join(f"{line.date.isoformat()}: {line.amount:.2f}" for line in commitment.line_ids.sorted("date")),
            )
            for commitment in self._commitments()
        ]
        disputes = [
            (
                move.name,
                self.env._("In dispute") if move.dunning_dispute else self.env._("Settled"),
                move.dunning_dispute_note or "",
            )
            for move in self._disputes()
        ]
        kinds = dict(self.env["kreancia.reply"]._fields["kind"]._description_selection(self.env))
        replies = [
            (_utc(reply.date), reply.author or "", kinds[reply.kind], reply.body or "", reply.action_note or "")
            for reply in self._replies()
        ]
        recoveries = [(r.date, r.amount, r.commission_amount, r.bill_id.name or "") for r in self.recovery_ids]
        return [
            (self.env._("Claim"), [self.env._("Item"), self.env._("Value")], summary),
            (
                self.env._("Debtor contacts"),
                [
                    self.env._("Name"),
                    self.env._("Type"),
                    self.env._("Address"),
                    self.env._("Phone"),
                    self.env._("E-mail"),
                ],
                contacts,
            ),
            (
                self.env._("Invoices"),
                [
                    self.env._("Invoice"),
                    self.env._("Date"),
                    self.env._("Due date"),
                    self.env._("Days late"),
                    self.env._("Total"),
                    self.env._("Paid"),
                    self.env._("Credited"),
                    self.env._("Principal"),
                    self.env._("Interest"),
                    self.env._("Indemnity"),
                    self.env._("Currency"),
                ],
                invoices,
            ),
            (
                self.env._("Timeline"),
                [
                    self.env._("Date"),
                    self.env._("Reference"),
                    self.env._("Step"),
                    self.env._("Channel"),
                    self.env._("State"),
                    self.env._("Amount"),
                    self.env._("Posted on"),
                    self.env._("Registered mail number"),
                ],
                timeline,
            ),
            (
                self.env._("E-mails"),
                [
                    self.env._("Date"),
                    self.env._("Reference"),
                    self.env._("Sent at"),
                    self.env._("Recipient"),
                    self.env._("Subject"),
                    self.env._("Body"),
                ],
                emails,
            ),
            (
                self.env._("Calls"),
                [
                    self.env._("Date"),
                    self.env._("Agent"),
                    self.env._("Number"),
                    self.env._("Outcome"),
                    self.env._("Note"),
                ],
                calls,
            ),
            (
                self.env._("Commitments"),
                [self.env._("Promised on"), self.env._("Amount"), self.env._("State"), self.env._("Instalments")],
                commitments,
            ),
            (
                self.env._("Replies"),
                [
                    self.env._("Received"),
                    self.env._("From"),
                    self.env._("Read as"),
                    self.env._("Text"),
                    self.env._("Outcome"),
                ],
                replies,
            ),
            (self.env._("Disputes"), [self.env._("Invoice"), self.env._("State"), self.env._("Reason")], disputes),
            (
                self.env._("Recoveries"),
                [self.env._("Date"), self.env._("Amount"), self.env._("Commission"), self.env._("Commission bill")],
                recoveries,
            ),
        ]


def _utc(moment):
    """A datetime as printed in the file: UTC, whoever prints it."""
    return f"{fields.Datetime.to_string(moment)[:16]} UTC" if moment else ""
