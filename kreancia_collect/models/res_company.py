from odoo import api, fields, models

from ..groups import MANAGER_GROUP


class ResCompany(models.Model):
    _inherit = "res.company"

    # ------------------------------------------------------------------
    # Payment commitments
    # ------------------------------------------------------------------
    kreancia_commitment_tolerance_days = fields.Integer(
        "Commitment tolerance (days)",
        default=2,
        help="Days after an instalment's date before a missing payment breaks the commitment.",
    )

    # ------------------------------------------------------------------
    # Debtor page
    # ------------------------------------------------------------------
    kreancia_declared_payment_pause_days = fields.Integer(
        "Pause after a declared payment (days)",
        default=7,
        help="Days the dunning of invoices pauses when the customer declares on its page a payment already made.",
    )

    # ------------------------------------------------------------------
    # Aged balance buckets: every company has a valid set
    # ------------------------------------------------------------------
    kreancia_aging_bucket_ids = fields.One2many(
        "kreancia.aging.bucket",
        "company_id",
        "Aged balance buckets",
        groups=MANAGER_GROUP,
    )

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        self.env["kreancia.aging.bucket"]._ensure_company_buckets(companies)
        return companies

    def write(self, vals):
        if "kreancia_aging_bucket_ids" not in vals:
            return super().write(vals)
        result = super(ResCompany, self.with_context(kreancia_defer_bucket_check=True)).write(vals)
        for company in self:
            self.env["kreancia.aging.bucket"]._check_company_buckets(company)
        return result
