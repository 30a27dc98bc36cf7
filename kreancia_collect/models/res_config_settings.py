from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    # ------------------------------------------------------------------
    # Payment commitments
    # ------------------------------------------------------------------
    kreancia_commitment_tolerance_days = fields.Integer(
        related="company_id.kreancia_commitment_tolerance_days", readonly=False
    )

    # ------------------------------------------------------------------
    # Debtor page
    # ------------------------------------------------------------------
    kreancia_declared_payment_pause_days = fields.Integer(
        related="company_id.kreancia_declared_payment_pause_days", readonly=False
    )

    # ------------------------------------------------------------------
    # Debtor replies
    # ------------------------------------------------------------------
    kreancia_reply_alias_name = fields.Char(related="company_id.kreancia_reply_alias_name", readonly=False)
    kreancia_reply_alias_domain = fields.Char(related="company_id.alias_domain_id.name", string="Replies domain")

    # ------------------------------------------------------------------
    # Late-payment mentions on invoices
    # ------------------------------------------------------------------
    kreancia_invoice_mentions = fields.Boolean(related="company_id.kreancia_invoice_mentions", readonly=False)
