from odoo import fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import format_date, formatLang, is_html_empty

from ..groups import MANAGER_GROUP
from ..tools import case_file
from ..tools import order_for_payment as ofp
from ..tools.xlsx import Book
from .kreancia_case_file import _slug

ORDER_PAYMENT_REPORT = "kreancia_collect.action_report_order_for_payment"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class KreanciaCase(models.Model):
    """The request for an order for payment (injonction de payer) of a hand-over case.

    The rule is ``tools/order_for_payment.py``; this file feeds it the case's
    facts (its invoices, the formal notices posted for them, the parties) and
    keeps what it produced: the request as a PDF, for the case file, and its
    data as an XLSX named after the fields of the court's online form.
    """

    _inherit = "kreancia.case"  # pylint: disable=consider-merging-classes-inherited

    order_payment_date = fields.Date("Order for payment requested on", readonly=True, copy=False)
    order_payment_pdf_id = fields.Many2one(
        "ir.attachment", "Order for payment request", readonly=True, copy=False, ondelete="set null"
    )
    order_payment_xlsx_id = fields.Many2one(
        "ir.attachment", "Order for payment form data", readonly=True, copy=False, ondelete="set null"
    )

    # ------------------------------------------------------------------
    # Facts
    # ------------------------------------------------------------------

    def _order_payment_lang(self):
        """The request speaks the creditor's language: it files it."""
        self.ensure_one()
        return self.company_id.partner_id.lang or self.env.user.lang or "en_US"

    def _order_payment_notices(self, moves):
        """Formal notices posted by registered mail for ``moves``, oldest first."""
        return self.env["kreancia.intervention"].search(
            [
                ("company_id", "=", self.company_id.id),
                ("channel", "=", "formal_notice"),
                ("state", "=", "done"),
                ("line_ids.move_id", "in", moves.ids),
            ],
            order="posted_date, id",
        )

    def _order_payment_request(self, today=None):
        """The request as ``tools/order_for_payment.py`` prepares it, from the case's facts.

        The claim is the case's, fixed at the hand-over date, in the company's
        currency; the principal is what each invoice still owes (never more
        than when handed over), an invoice paid since being left out.
        """
        self.ensure_one()
        today = today or fields.Date.context_today(self)
        company, partner = self.company_id, self.partner_id.commercial_partner_id
        lines = self.line_ids.filtered(lambda line: line.move_id.payment_state in ("not_paid", "partial"))
        moves = lines.move_id
        moves.fetch(["name", "amount_residual", "invoice_date", "invoice_date_due"])
        limitation = "dunning_limitation_date" in moves._fields  # added by the limitation rule
        rates = self.env["kreancia.interest.rate"]
        table = rates._rate_table() if lines.filtered("amount_interest") else {}
        invoices = []
        for line in lines:
            move = line.move_id
            principal = min(line.amount_principal, move.amount_residual)
            period = (
                rates._late_rates(table, move.invoice_date_due, self.date_handover, partner.dunning_contract_rate)
                if line.amount_interest
                else {}
            )
            foreign = line.currency_id != company.currency_id
            invoices.append(
                ofp.Invoice(
                    reference=move.name,
                    invoice_date=move.invoice_date,
                    due_date=move.invoice_date_due,
                    principal=self._to_company_currency(principal, line.currency_id),
                    interest=self._to_company_currency(line.amount_interest, line.currency_id),
                    indemnity=self._to_company_currency(line.amount_indemnity, line.currency_id),
                    rates=tuple((year, half, rate) for (year, half), rate in sorted(period.items())),
                    interest_until=self.date_handover,
                    limitation_date=move.dunning_limitation_date if limitation else None,
                    currency=line.currency_id.name if foreign else "",
                    amount_currency=principal if foreign else 0.0,
                )
            )
        notices = [
            ofp.Notice(
                notice.name,
                notice.posted_date or notice.date,
                notice.tracking_number or "",
                tuple(notice.line_ids.move_id.filtered(lambda move: move in moves).mapped("name")),
            )
            for notice in self._order_payment_notices(moves)
        ]
        return ofp.prepare_request(
            self._order_payment_party(company.partner_id, trader=True),
            self._order_payment_party(partner, trader=partner._is_professional_debtor()),
            invoices,
            notices,
            today,
            credit=self.amount_open_credit,
            terms=self._order_payment_terms(),
        )

    def _order_payment_party(self, partner, trader):
        address = ", ".join(
            filter(None, [partner.street, partner.street2, f"{partner.zip or ''} {partner.city or ''}".strip()])
        )
        return ofp.Party(partner.name or "", partner.company_registry or "", address, partner.city or "", trader)

    def _order_payment_terms(self):
        """The contract or terms the claim rests on, when there are any (a supporting document)."""
        partner = self.partner_id.commercial_partner_id
        if partner.dunning_contract_rate:
            return self.env._(
                "Contract setting a late-payment rate of %(rate)s %%",
                rate=formatLang(self.env, partner.dunning_contract_rate, digits=2),
            )
        if not is_html_empty(self.company_id.invoice_terms):
            return self.env._("General terms and conditions of sale")
        return ""

    def _order_payment_refusal(self, request):
        """The refusals of ``request`` in words, one line each, or an empty string."""
        messages = {
            "no_invoice": lambda refusal: self.env._(
                "No invoice of the case %(case)s is still due: there is nothing to claim.", case=self.name
            ),
            "no_seat": lambda refusal: self.env._(
                "Enter the city of the registered office of %(debtor)s: it names the competent court.",
                debtor=request.debtor.name,
            ),
            "no_notice": lambda refusal: self.env._(
                "No formal notice was sent by registered mail for these invoices: %(invoices)s. Send one and mark "
                "it posted before requesting an order for payment.",
                invoices=", ".join(refusal.invoices),
            ),
            "time_barred": lambda refusal: self.env._(
                "These invoices are past their limitation date, their claim is time-barred: %(invoices)s. No order "
                "for payment can be requested for them.",
                invoices=", ".join(refusal.invoices),
            ),
        }
        return "\n".join(messages[refusal.code](refusal) for refusal in request.refusals)

    def _order_payment_texts(self, request):
        """The request's sentences that hold a value, whole, for the translators (the PDF prints them)."""
        self.ensure_one()
        env = self.env
        return {
            "ask": env._(
                "The creditor asks the President of the court to order the debtor to pay the sum of %(amount)s, in "
                "principal, interest and indemnities, with the costs of the proceedings.",
                amount=self._format(request.totals["total"]),
            ),
            "done_at": env._(
                "Done at %(city)s, on %(date)s", city=request.creditor.city, date=format_date(env, request.date)
            ),
            "for": env._("For %(creditor)s", creditor=request.creditor.name),
        }

    def _order_payment_row_texts(self, row):
        """``(invoice date, interest period)`` of a row, in words."""
        env = self.env
        period = (
            env._(
                "from %(start)s to %(end)s",
                start=format_date(env, row.interest_from),
                end=format_date(env, row.interest_until),
            )
            if row.interest
            else ""
        )
        return env._("dated %(date)s", date=format_date(env, row.invoice_date)), period

    def _order_payment_rates_text(self, row):
        """``H1 2026: 12.15 %`` for each half-year of the row's interest period, in the reader's number format."""
        return "; ".join(
            self.env._("H%(half)s %(year)s: %(rate)s %%", half=half, year=year, rate=formatLang(self.env, rate))
            for year, half, rate in row.rates
        )

    # ------------------------------------------------------------------
    # Action
    # ------------------------------------------------------------------

    def action_order_payment_request(self):
        """Prepare the request for an order for payment: its PDF and XLSX, kept on the case, the PDF downloaded.

        :raises AccessError: for anyone but a collection manager of the case's company
        :raises UserError: without a formal notice posted for each invoice, or for a time-barred invoice
        """
        self.ensure_one()
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(self.env._("Only a collection manager can request an order for payment."))
        self.check_access("write")
        if self.state == "closed":
            raise UserError(
                self.env._("The case %(case)s is closed: no order for payment can be requested for it.", case=self.name)
            )
        case = self.with_company(self.company_id).with_context(lang=self._order_payment_lang())
        request = case._order_payment_request()
        if request.refusals:
            raise UserError(self._order_payment_refusal(request))
        pdf_raw, _format = (
            case.env["ir.actions.report"]
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf(ORDER_PAYMENT_REPORT, case.ids, data={"kc_request": request})
        )
        name = f"{_slug(self.name)}_{case.env._('order_for_payment')}_{request.date.isoformat()}"
        Attachment = self.env["ir.attachment"]
        values = {"res_model": self._name, "res_id": self.id}
        pdf = Attachment.create(
            {
                **values,
                "name": f"{name}.pdf",
                "raw": case_file.normalize_pdf(pdf_raw, request.date),
                "mimetype": "application/pdf",
            }
        )
        xlsx = Attachment.create(
            {**values, "name": f"{name}.xlsx", "raw": case._order_payment_xlsx(request), "mimetype": XLSX_MIMETYPE}
        )
        self.write(
            {"order_payment_date": request.date, "order_payment_pdf_id": pdf.id, "order_payment_xlsx_id": xlsx.id}
        )
        self.message_post(
            body=self.env._(
                "Request for an order for payment prepared for the %(court)s: %(amount)s.",
                court=request.court.name,
                amount=self._format(request.totals["total"]),
            ),
            attachment_ids=[pdf.id, xlsx.id],
        )
        return self._order_payment_download(pdf)

    def action_order_payment_download_pdf(self):
        self.ensure_one()
        return self._order_payment_download(self.order_payment_pdf_id)

    def action_order_payment_download_xlsx(self):
        self.ensure_one()
        return self._order_payment_download(self.order_payment_xlsx_id)

    def _order_payment_download(self, attachment):
        if not attachment:
            raise UserError(self.env._("Prepare the order for payment request first."))
        return {"type": "ir.actions.act_url", "url": f"/web/content/{attachment.id}?download=true", "target": "self"}

    # ------------------------------------------------------------------
    # XLSX: the fields of the court's online form, in French whatever the language
    # ------------------------------------------------------------------

    def _order_payment_xlsx(self, request):
        """The request's data, one sheet each: parties, amounts, one row per invoice, supporting documents."""
        self.ensure_one()
        book = Book(created=request.date)
        currency = self.currency_id.name
        book.records(
            "Parties",
            ["Partie", "Dénomination", "SIREN", "Adresse du siège", "Ville"],
            [
                (role, party.name, party.siren, party.address, party.city)
                for role, party in (("Créancier", request.creditor), ("Débiteur", request.debtor))
            ],
        )
        totals = request.totals
        documents = self._order_payment_documents_text(request)
        book.records(
            "Requête",
            [
                "Juridiction",
                "Date de la requête",
                "Créancier",
                "Débiteur",
                "Montant principal",
                "Avoirs à déduire",
                "Intérêts",
                "Indemnités",
                "Total",
                "Devise",
                "Pièces justificatives",
            ],
            [
                (
                    request.court.name,
                    request.date,
                    request.creditor.name,
                    request.debtor.name,
                    float(totals["principal"]),
                    float(totals["credit"]),
                    float(totals["interest"]),
                    float(totals["indemnity"]),
                    float(totals["total"]),
                    currency,
                    "; ".join(documents),
                )
            ],
        )
        book.records(
            "Factures",
            [
                "Facture",
                "Date",
                "Échéance",
                "Montant principal",
                "Intérêts",
                "Taux",
                "Intérêts du",
                "Intérêts au",
                "Indemnités",
                "Total",
                "Mise en demeure",
                "Devise de la facture",
                "Montant en devise",
            ],
            [
                (
                    row.reference,
                    row.invoice_date,
                    row.due_date,
                    float(row.principal),
                    float(row.interest),
                    self._order_payment_rates_text(row),
                    row.interest_from or "",
                    row.interest_until or "",
                    float(row.indemnity),
                    float(row.total),
                    ", ".join(row.notices),
                    row.currency or currency,
                    float(row.amount_currency or row.principal),
                )
                for row in request.rows
            ],
        )
        book.records(
            "Pièces justificatives",
            ["N°", "Pièce"],
            [(index, text) for index, text in enumerate(documents, start=1)],
        )
        return book.close()

    def _order_payment_documents_text(self, request):
        """Each supporting document in one line, in the current language."""
        env = self.env
        date_text = self._order_payment_date_text
        texts = []
        for document in request.documents:
            if document.kind == "invoice":
                texts.append(
                    env._("Invoice %(invoice)s of %(date)s", invoice=document.reference, date=date_text(document.date))
                )
            elif document.kind == "notice":
                texts.append(
                    env._(
                        "Formal notice %(notice)s sent by registered mail no. %(number)s on %(date)s",
                        notice=document.reference,
                        number=document.tracking_number,
                        date=date_text(document.date),
                    )
                )
            elif document.kind == "statement":
                texts.append(env._("Statement of account as of %(date)s", date=date_text(request.date)))
            else:
                texts.append(document.reference)
        return texts

    def _order_payment_currency_text(self, row):
        """The principal in the invoice's own currency, when it is not the company's."""
        currency = self.line_ids.currency_id.filtered(lambda currency: currency.name == row.currency)[:1]
        return formatLang(self.env, row.amount_currency, currency_obj=currency) if currency else ""

    def _order_payment_date_text(self, day):
        return format_date(self.env, day)
