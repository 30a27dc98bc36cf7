from werkzeug.exceptions import NotFound

from odoo import http
from odoo.http import request

from odoo.addons.kreancia_collect.controllers.debtor_portal import DebtorPortal


class DebtorPortalSepa(DebtorPortal):
    @http.route(
        "/collect/<int:link_id>/mandate/<int:mandate_id>", type="http", auth="public", methods=["GET"], sitemap=False
    )
    def debtor_mandate_pdf(self, link_id, mandate_id, access_token=None, **kwargs):
        """The SEPA mandate form requested for one of the customer's commitments, to print, sign and send back."""
        link = self._debtor_link(link_id, access_token)
        refusal = self._guard(link, "view")
        if refusal:
            return refusal
        commitment = link.env["kreancia.commitment"].search(
            [
                ("partner_id", "=", link.partner_id.id),
                ("company_id", "=", link.company_id.id),
                ("mandate_id", "=", mandate_id),
            ],
            limit=1,
        )
        if not commitment:
            raise NotFound()
        mandate = commitment.mandate_id
        # forced: Odoo's test mode renders reports as HTML otherwise
        pdf, _kind = (
            request.env["ir.actions.report"]
            .sudo()
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf("account_banking_sepa_direct_debit.report_sepa_direct_debit_mandate", mandate.ids)
        )
        link._record("download", self._ip(), mandate.unique_mandate_reference, commitment.move_ids, chatter=False)
        return self._pdf_response(pdf, f"Mandate-{mandate.unique_mandate_reference}.pdf")
