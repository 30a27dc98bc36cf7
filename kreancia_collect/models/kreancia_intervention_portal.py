import base64
import io

import qrcode

from odoo import api, fields, models

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
        """Give each written intervention the customer's valid link for the intervention's identity."""
        links = self.env["kreancia.debtor.link"]
        for intervention in self.filtered(lambda i: i.channel in WRITTEN_CHANNELS and i.state != "cancelled"):
            current = intervention.debtor_link_id.sudo()
            if current and current.state == "valid":
                continue
            brand = intervention.brand_id if intervention.identity == "brand" else self.env["kreancia.brand"]
            intervention.debtor_link_id = links._link_for(
                intervention.partner_id,
                intervention.company_id,
                brand,
                intervention.step_id.scenario_id.link_validity_days,
            )

    def _debtor_qr_data_uri(self):
        """The debtor page's address as a QR code, a PNG data URI (wkhtmltopdf fetches no URL)."""
        self.ensure_one()
        if not self.debtor_url:
            return False
        image = qrcode.make(self.debtor_url, box_size=4, border=1)
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
