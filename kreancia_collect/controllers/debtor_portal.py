import logging
from datetime import datetime

from werkzeug.exceptions import NotFound

from odoo import SUPERUSER_ID, fields, http
from odoo.exceptions import UserError, ValidationError
from odoo.http import request
from odoo.tools import consteq, is_html_empty

from odoo.addons.payment.controllers.portal import PaymentPortal

_logger = logging.getLogger(__name__)

PAGE_LANGS = ("fr_FR", "en_US")
# what the page says after an action: fixed keys, never text taken from the request
DONE_KEYS = ("commitment", "proposal", "dispute", "declared_payment", "callback", "paid", "auto", "auto_cancelled")


class DebtorPortal(PaymentPortal):
    """The debtor's collection page, opened by the link's token (Odoo's portal token, no login).

    Every route checks the token against the link (constant-time), refuses
    an unknown or wrong one with a 404, shows a closed page for an expired or
    revoked link, rate-limits per link, and acts only on the link's customer
    in the link's company. Forms are POSTed with Odoo's CSRF token.
    """

    # ------------------------------------------------------------------
    # Access
    # ------------------------------------------------------------------

    def _debtor_link(self, link_id, access_token):
        """The link (as the superuser, in the customer's language) if the token matches; else 404.

        What the page creates (tasks, notes, evidence, documents, commitments) is created by the
        superuser, whom every internal user can read, and not by the public user: users of a
        company the public user does not belong to could not open the customer otherwise.
        """
        link = request.env["kreancia.debtor.link"].with_user(SUPERUSER_ID).browse(link_id).exists()
        if not link or not access_token or not consteq(link.access_token or "", str(access_token)):
            raise NotFound()
        request.update_context(lang=self._debtor_lang(link))
        lang = request.env.lang
        return link.with_context(lang=lang).with_company(link.company_id)

    def _debtor_lang(self, link):
        """The customer's language when the page speaks it and it is active, else English, else the company's."""
        installed = [code for code, _name in request.env["res.lang"].get_installed()]
        for lang in (link.partner_id.lang, "en_US", link.company_id.partner_id.lang):
            if lang in PAGE_LANGS and lang in installed:
                return lang
        return installed[0]

    @staticmethod
    def _one_line_address(partner):
        lines = partner._display_address(without_company=True).splitlines() if partner else []
        return ", ".join(line.strip() for line in lines if line.strip())

    def _ip(self):
        return request.httprequest.remote_addr

    def _refuse(self, link, template, message, status):
        return request.render(template, self._page_values(link, error=message), status=status)

    def _guard(self, link, kind):
        """A response to send instead of acting (closed link, too many requests), or None."""
        link._take()
        if not link._is_open():
            return request.render("kreancia_collect.debtor_page_closed", self._page_values(link), status=410)
        if not link._within_rate(kind):
            return request.render(
                "kreancia_collect.debtor_page_closed", self._page_values(link, too_many=True), status=429
            )
        return None

    # ------------------------------------------------------------------
    # The page
    # ------------------------------------------------------------------

    def _page_values(self, link, error=None, done=None, too_many=False):
        invoices = link._open_invoices()
        credit_notes = link._open_credit_notes()
        currency = link.company_id.currency_id
        legal = link._claimed_legal_amounts(invoices)
        today = fields.Date.context_today(link)
        rows = [
            {
                "invoice": invoice,
                "days_late": max((today - invoice.invoice_date_due).days, 0) if invoice.invoice_date_due else 0,
                "interest": legal.get(invoice.id, (0.0, 0.0))[0],
                "indemnity": legal.get(invoice.id, (0.0, 0.0))[1],
            }
            for invoice in invoices
        ]
        due = sum(invoices.mapped("amount_residual_signed"))
        credit_total = -sum(credit_notes.mapped("amount_residual_signed"))
        interest = sum(row["interest"] for row in rows)
        indemnity = sum(row["indemnity"] for row in rows)
        plannable = invoices.filtered(
            lambda move: (
                not move.dunning_dispute
                and not move.dunning_handed_over
                # a claim suspended by an insolvency procedure is declared, never planned (C. com. L622-21)
                and not move.dunning_insolvency_id
                and "open" not in move.dunning_commitment_ids.mapped("state")
            )
        )
        scenario = link._scenario()
        identity = link._identity()
        lang = request.env["res.lang"]._get_data(code=request.env.lang)
        return {
            "link": link,
            "identity": identity,
            "identity_address": self._one_line_address(identity["address"]),
            "creditor_address": self._one_line_address(link.company_id.partner_id),
            "company": link.company_id,
            "customer": link.partner_id,
            "rows": rows,
            "credit_notes": credit_notes,
            "currency": currency,
            "amount_due": due,
            "amount_credit": credit_total,
            "amount_interest": interest,
            "amount_indemnity": indemnity,
            "amount_total": due - credit_total + interest + indemnity,
            # how the page writes amounts, for the totals its script recomputes
            "amount_format": {"thousands": lang.thousands_sep, "point": lang.decimal_point},
            "can_pay": self._can_pay_online(link, due),
            "commitments": self._open_commitments(link),
            "can_save_method": bool(self._tokenizing_providers(link)),
            "letters": link._letters(),
            "plannable": plannable,
            "plannable_total": sum(plannable.mapped("amount_residual_signed")),
            "scenario": scenario,
            "dispute_reasons": link._dispute_reasons(),
            "error": error,
            "done": done if done in DONE_KEYS else None,
            "too_many": too_many,
            "today": today,
            "access_token": link.access_token,
            "base_url": f"/collect/{link.id}",
        }

    def _can_pay_online(self, link, amount):
        """Whether a payment provider of the link's company, and one of its methods, can take the payment."""
        if amount <= 0:
            return False
        partner, currency = link.partner_id, link.company_id.currency_id
        providers = (
            request.env["payment.provider"]
            .sudo()
            ._get_compatible_providers(link.company_id.id, partner.id, amount, currency_id=currency.id)
        )
        return bool(
            providers
            and request.env["payment.method"]
            .sudo()
            ._get_compatible_payment_methods(providers.ids, partner.id, currency_id=currency.id)
        )

    @http.route("/collect/<int:link_id>", type="http", auth="public", methods=["GET"], sitemap=False)
    def debtor_page(self, link_id, access_token=None, done=None, **kwargs):
        link = self._debtor_link(link_id, access_token)
        refusal = self._guard(link, "view")
        if refusal:
            return refusal
        link._record("view", self._ip(), chatter=False)
        return request.render("kreancia_collect.debtor_page", self._page_values(link, done=done))

    @http.route(
        "/collect/<int:link_id>/invoice/<int:move_id>", type="http", auth="public", methods=["GET"], sitemap=False
    )
    def debtor_invoice_pdf(self, link_id, move_id, access_token=None, **kwargs):
        link = self._debtor_link(link_id, access_token)
        refusal = self._guard(link, "view")
        if refusal:
            return refusal
        invoice = link._open_invoices().filtered(lambda move: move.id == move_id) or link._open_credit_notes().filtered(
            lambda move: move.id == move_id
        )
        if not invoice:
            raise NotFound()
        # the PDF Odoo made when the invoice was sent, as Odoo's portal serves it: the document the customer
        # received, and no wkhtmltopdf run holding a worker for each download
        legal = invoice.sudo()._get_invoice_legal_documents("pdf")
        if legal:
            pdf = legal["content"]
        else:
            # forced: Odoo's test mode renders reports as HTML otherwise
            pdf, _kind = (
                request.env["ir.actions.report"]
                .sudo()
                .with_context(force_report_rendering=True)
                ._render_qweb_pdf("account.account_invoices", invoice.ids)
            )
        link._record("download", self._ip(), invoice.name, invoice, chatter=False)
        return self._pdf_response(pdf, f"{invoice.name.replace('/', '-')}.pdf")

    @http.route(
        "/collect/<int:link_id>/letter/<int:intervention_id>",
        type="http",
        auth="public",
        methods=["GET"],
        sitemap=False,
    )
    def debtor_letter_pdf(self, link_id, intervention_id, access_token=None, **kwargs):
        link = self._debtor_link(link_id, access_token)
        refusal = self._guard(link, "view")
        if refusal:
            return refusal
        letter = link._letters().filtered(lambda intervention: intervention.id == intervention_id)
        if not letter:
            raise NotFound()
        link._record("download", self._ip(), letter.name, letter.move_ids, chatter=False)
        return self._pdf_response(letter.attachment_id.raw, letter.attachment_id.name)

    def _pdf_response(self, pdf, filename):
        return request.make_response(
            pdf,
            headers=[
                ("Content-Type", "application/pdf"),
                ("Content-Length", len(pdf)),
                ("Content-Disposition", http.content_disposition(filename)),
                ("X-Content-Type-Options", "nosniff"),
            ],
        )

    # ------------------------------------------------------------------
    # Forms
    # ------------------------------------------------------------------

    def _act(self, link_id, access_token, action):
        """Run ``action(link)`` for a POSTed form; a refusal writes nothing and shows the page again."""
        link = self._debtor_link(link_id, access_token)
        refusal = self._guard(link, "act")
        if refusal:
            return refusal
        try:
            with request.env.cr.savepoint():
                done = action(link)
        except (UserError, ValidationError) as error:
            return self._refuse(link, "kreancia_collect.debtor_page", error.args[0], 400)
        return request.redirect(f"/collect/{link.id}?access_token={link.access_token}&done={done}#o_debtor_done")

    def _selected_invoices(self, link, ids):
        """The invoices named in the form, read as ids of the link's company only."""
        try:
            move_ids = [int(value) for value in ids if value]
        except ValueError:
            raise UserError(request.env._("These invoices cannot be selected on this page.")) from None
        return link._check_invoices(request.env["account.move"].sudo().browse(move_ids).exists())

    def _upload(self, field):
        upload = request.httprequest.files.get(field)
        if not upload or not upload.filename:
            return None
        # read one byte more than allowed: a larger file is refused without reading it all
        return upload.filename, upload.read(5 * 1024 * 1024 + 1)

    @http.route("/collect/<int:link_id>/plan", type="http", auth="public", methods=["POST"], sitemap=False)
    def debtor_plan(self, link_id, access_token=None, message=None, **post):
        def action(link):
            invoices = link._check_invoices(
                self._selected_invoices(link, request.httprequest.form.getlist("invoice_ids"))
            )
            instalments = []
            for index in range(1, 7):
                day, amount = post.get(f"date_{index}"), post.get(f"amount_{index}")
                if not day and not amount:
                    continue
                try:
                    instalments.append((fields.Date.to_date(day), link._parse_amount(amount)))
                except (ValueError, TypeError):
                    raise UserError(request.env._("Give a date and an amount for each instalment.")) from None
            result = link._propose_plan(invoices, instalments, message, self._ip())
            return "commitment" if result._name == "kreancia.commitment" else "proposal"

        return self._act(link_id, access_token, action)

    @http.route("/collect/<int:link_id>/dispute", type="http", auth="public", methods=["POST"], sitemap=False)
    def debtor_dispute(self, link_id, access_token=None, invoice_id=None, reason=None, message=None, **post):
        def action(link):
            invoice = self._selected_invoices(link, [invoice_id])
            link._dispute(invoice, reason, message, self._upload("attachment"), self._ip())
            return "dispute"

        return self._act(link_id, access_token, action)

    @http.route("/collect/<int:link_id>/declare", type="http", auth="public", methods=["POST"], sitemap=False)
    def debtor_declare_payment(
        self, link_id, access_token=None, payment_date=None, amount=None, reference=None, **post
    ):
        def action(link):
            invoices = self._selected_invoices(link, request.httprequest.form.getlist("invoice_ids"))
            try:
                day = fields.Date.to_date(payment_date) if payment_date else None
            except ValueError:
                day = None
            link._declare_payment(
                invoices,
                day,
                link._parse_amount(amount),
                reference=reference,
                upload=self._upload("attachment"),
                ip_address=self._ip(),
            )
            return "declared_payment"

        return self._act(link_id, access_token, action)

    @http.route("/collect/<int:link_id>/callback", type="http", auth="public", methods=["POST"], sitemap=False)
    def debtor_callback(self, link_id, access_token=None, when=None, phone=None, message=None, **post):
        def action(link):
            try:
                moment = datetime.fromisoformat(when) if when else None
            except ValueError:
                moment = None
            link._ask_callback(moment, phone, message, self._ip())
            return "callback"

        return self._act(link_id, access_token, action)

    # ------------------------------------------------------------------
    # Online payment (Odoo's payment form and providers)
    # ------------------------------------------------------------------

    @http.route("/collect/<int:link_id>/pay", type="http", auth="public", methods=["POST"], sitemap=False)
    def debtor_pay(self, link_id, access_token=None, **post):
        link = self._debtor_link(link_id, access_token)
        refusal = self._guard(link, "act")
        if refusal:
            return refusal
        try:
            invoices = self._selected_invoices(link, request.httprequest.form.getlist("invoice_ids"))
            amount = sum(invoices.mapped("amount_residual"))
            link._check_payment_amount(invoices, amount)
        except UserError as error:
            return self._refuse(link, "kreancia_collect.debtor_page", error.args[0], 400)
        currency = invoices.currency_id
        partner = link.partner_id
        providers = (
            request.env["payment.provider"]
            .sudo()
            ._get_compatible_providers(link.company_id.id, partner.id, amount, currency_id=currency.id)
        )
        methods = (
            request.env["payment.method"]
            .sudo()
            ._get_compatible_payment_methods(providers.ids, partner.id, currency_id=currency.id)
        )
        selection = "-".join(str(move_id) for move_id in invoices.ids)
        values = self._page_values(link)
        values.update(
            {
                "invoices": invoices,
                "amount": amount,
                "currency": currency,
                "partner_id": partner.id,
                "providers_sudo": providers,
                "payment_methods_sudo": methods,
                "tokens_sudo": request.env["payment.token"],
                "show_tokenize_input_mapping": dict.fromkeys(providers.ids, False),
                "transaction_route": f"/collect/{link.id}/transaction/{selection}",
                "landing_route": f"/collect/{link.id}?access_token={link.access_token}&done=paid",
                "access_token": link.access_token,
                "reference_prefix": None,
                "is_html_empty": is_html_empty,
            }
        )
        return request.render("kreancia_collect.debtor_pay_page", values)

    @http.route("/collect/<int:link_id>/transaction/<string:selection>", type="jsonrpc", auth="public")
    def debtor_transaction(self, link_id, selection, access_token=None, amount=None, **kwargs):
        """Create the transaction for the invoices selected; the amount must be exactly what they owe."""
        link = self._debtor_link(link_id, access_token)
        link._take()
        if not link._is_open() or not link._within_rate("act"):
            raise ValidationError(request.env._("This link can no longer be used; contact us."))
        self._validate_transaction_kwargs(kwargs)
        try:
            invoices = self._selected_invoices(link, selection.split("-"))
            link._check_payment_amount(invoices, self._cast_as_float(amount))
        except UserError as error:
            raise ValidationError(error.args[0]) from None
        kwargs.pop("partner_id", None)
        tx_sudo = self._create_transaction(
            amount=amount,
            currency_id=invoices.currency_id.id,
            partner_id=link.partner_id.id,
            custom_create_values={"invoice_ids": [fields.Command.set(invoices.ids)]},
            **kwargs,
        )
        link._record(
            "payment",
            self._ip(),
            request.env._("Online payment started: %(reference)s", reference=tx_sudo.reference),
            invoices,
            amount=tx_sudo.amount,
        )
        return tx_sudo._get_processing_values()

    # ------------------------------------------------------------------
    # Automatic payment of a plan's instalments (a payment method saved by the provider)
    # ------------------------------------------------------------------

    def _open_commitments(self, link):
        """The customer's open payment plans in the link's company, whoever recorded them."""
        return (
            request.env["kreancia.commitment"]
            .sudo()
            .search(
                [
                    ("partner_id", "=", link.partner_id.id),
                    ("company_id", "=", link.company_id.id),
                    ("state", "=", "open"),
                ]
            )
        )

    def _link_commitment(self, link, commitment_id):
        """The open plan of the link's customer, else 404."""
        commitment = self._open_commitments(link).filtered(lambda c: c.id == commitment_id)
        if not commitment:
            raise NotFound()
        return commitment.with_context(lang=request.env.lang)

    def _tokenizing_providers(self, link):
        """The providers of the link's company that can save a payment method (a validation operation)."""
        return (
            request.env["payment.provider"]
            .sudo()
            ._get_compatible_providers(
                link.company_id.id, link.partner_id.id, 0.0, force_tokenization=True, is_validation=True
            )
        )

    @http.route(
        "/collect/<int:link_id>/auto/<int:commitment_id>", type="http", auth="public", methods=["GET"], sitemap=False
    )
    def debtor_auto(self, link_id, commitment_id, access_token=None, **kwargs):
        """The mandate and Odoo's payment form, in validation mode: the provider saves the method, never us."""
        link = self._debtor_link(link_id, access_token)
        refusal = self._guard(link, "view")
        if refusal:
            return refusal
        commitment = self._link_commitment(link, commitment_id)
        partner = link.partner_id
        providers = self._tokenizing_providers(link)
        methods = (
            request.env["payment.method"]
            .sudo()
            ._get_compatible_payment_methods(providers.ids, partner.id, force_tokenization=True)
        )
        values = self._page_values(link)
        values.update(
            {
                "commitment": commitment,
                "mandate_text": commitment._mandate_text(),
                "mode": "validation",
                "allow_token_selection": False,
                "allow_token_deletion": False,
                "partner_id": partner.id,
                "providers_sudo": providers,
                "payment_methods_sudo": methods,
                "tokens_sudo": request.env["payment.token"],
                "transaction_route": f"/collect/{link.id}/auto/{commitment.id}/transaction",
                "landing_route": f"/collect/{link.id}?access_token={link.access_token}&done=auto",
                "access_token": link.access_token,
                "reference_prefix": None,
                "submit_button_label": request.env._("Save and accept"),
                "is_html_empty": is_html_empty,
            }
        )
        return request.render("kreancia_collect.debtor_auto_page", values)

    @http.route("/collect/<int:link_id>/auto/<int:commitment_id>/transaction", type="jsonrpc", auth="public")
    def debtor_auto_transaction(self, link_id, commitment_id, access_token=None, **kwargs):
        """A validation transaction that saves the debtor's payment method; the mandate goes with it."""
        link = self._debtor_link(link_id, access_token)
        if not link._is_open() or not link._within_rate("act"):
            raise ValidationError(request.env._("This link can no longer be used; contact us."))
        self._validate_transaction_kwargs(kwargs)
        commitment = self._link_commitment(link, commitment_id)
        if kwargs.get("flow") not in ("direct", "redirect"):
            raise ValidationError(request.env._("Enter a new payment method to pay automatically."))
        mandate = commitment._mandate_text()
        for key in ("partner_id", "amount", "currency_id", "is_validation", "tokenization_requested"):
            kwargs.pop(key, None)
        kwargs["landing_route"] = f"/collect/{link.id}?access_token={link.access_token}&done=auto"
        tx_sudo = self._create_transaction(
            amount=None,
            currency_id=None,
            partner_id=link.partner_id.id,
            is_validation=True,
            tokenization_requested=True,
            custom_create_values={
                "kreancia_commitment_id": commitment.id,
                "kreancia_mandate_text": mandate,
                "kreancia_mandate_ip": self._ip(),
            },
            **kwargs,
        )
        if not tx_sudo.tokenize:
            raise ValidationError(request.env._("This payment method cannot be saved for automatic payment."))
        link._record(
            "auto_pay",
            self._ip(),
            request.env._(
                "Mandate accepted, payment method being saved: %(reference)s\n%(mandate)s",
                reference=tx_sudo.reference,
                mandate=mandate,
            ),
            commitment.move_ids,
            commitment_id=commitment.id,
            amount=commitment.amount_total,
        )
        return tx_sudo._get_processing_values()

    @http.route(
        "/collect/<int:link_id>/auto/<int:commitment_id>/cancel",
        type="http",
        auth="public",
        methods=["POST"],
        sitemap=False,
    )
    def debtor_auto_cancel(self, link_id, commitment_id, access_token=None, **post):
        def action(link):
            commitment = self._link_commitment(link, commitment_id)
            if commitment.auto_method == "none":
                raise UserError(request.env._("This plan is not paid automatically."))
            commitment._auto_cancel(self._ip())
            link._record(
                "auto_cancel",
                self._ip(),
                request.env._("Automatic payment stopped; the customer pays the next instalments."),
                commitment.move_ids,
                commitment_id=commitment.id,
                chatter=False,
            )
            return "auto_cancelled"

        return self._act(link_id, access_token, action)
