from odoo import api, fields, models

from ..groups import MANAGER_GROUP


class ResCompany(models.Model):
    _inherit = "res.company"

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
