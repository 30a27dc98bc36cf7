import base64
import io
from datetime import timedelta

import qrcode

from odoo import api, fields, models

from .kreancia_debtor_link import DEFAULT_VALIDITY_DAYS

WRITTEN_CHANNELS = ("email", "sms", "letter", "formal_notice")


class KreanciaIntervention(models.Model):
    """Every written intervention carries the customer's link to its collection page."""

    _inherit = "kreancia.intervention"

    debtor_link_id = fields.Many2one("kreancia.debtor.link", "Debtor link", readonly=True, index="btree_not_null")
    debtor_url = fields.Char("Debtor page", compute="_compute_debtor_url")

    @api.depends("debtor_link_id.access_token")
    def _compute_debtor_url(self):
        for intervention in self:
            link = intervention.debtor_link_id.sudo()
            intervention.debtor_url = link._debtor_url() if link else False

    @api.model_create_multi
    def create(self, vals_list):
        interventions = super().create(vals_list)
        interventions._ensure_debtor_links()
        return interventions

    def _perform(self):
        # a link may have expired or been revoked while the intervention waited for validation
        self._ensure_debtor_links()
        return super()._perform()

    def _ensure_debtor_links(self):
        """Give each written intervention the customer's valid link for the intervention's identity.

        In batches, as the daily run creates thousands of interventions: one
        search for the links already valid, one create for the missing ones.
        """
        todo = self.filtered(
            lambda i: (
                i.channel in WRITTEN_CHANNELS
                and i.state != "cancelled"
                and (not i.debtor_link_id or i.debtor_link_id.sudo().state != "valid")
            )
        )
        if not todo:
            return
        links = self.env["kreancia.debtor.link"].sudo()
        today = fields.Date.context_today(self)

        def key(intervention):
            brand = intervention.brand_id if intervention.identity == "brand" else intervention.brand_id.browse()
            return intervention.partner_id.id, intervention.company_id.id, brand.id or False

        existing = {
            (link.partner_id.id, link.company_id.id, link.brand_id.id or False): link
            for link in links.search(
                [
                    ("partner_id", "in", todo.partner_id.ids),
                    ("company_id", "in", todo.company_id.ids),
                    ("revoked", "=", False),
                    ("expiry_date", ">=", today),
                ],
                order="id",
            )
        }
        expiries = {}
        for intervention in todo:
            days = intervention.step_id.scenario_id.link_validity_days or DEFAULT_VALIDITY_DAYS
            expiries[key(intervention)] = max(expiries.get(key(intervention), today), today + timedelta(days=days))
        missing = [k for k in expiries if k not in existing]
        created = links.create(
            [
                {
                    "partner_id": partner,
                    "company_id": company,
                    "brand_id": brand,
                    "expiry_date": expiries[partner, company, brand],
                }
                for partner, company, brand in missing
            ]
        )
        existing.update(zip(missing, created, strict=True))
        for k, link in existing.items():
            if k in expiries and link.expiry_date < expiries[k]:
                link.expiry_date = expiries[k]
        for intervention in todo:
            intervention.debtor_link_id = existing[key(intervention)]

    def _debtor_qr_data_uri(self):
        """The debtor page's address as a QR code, a PNG data URI (wkhtmltopdf fetches no URL)."""
        self.ensure_one()
        if not self.debtor_url:
            return False
        image = qrcode.make(self.debtor_url, box_size=4, border=1)
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
