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
    # Debtor replies: the inbound address reminders under the company's name give as Reply-To
    # ------------------------------------------------------------------
    kreancia_reply_alias_id = fields.Many2one("mail.alias", "Replies alias", copy=False, ondelete="set null")
    kreancia_reply_alias_name = fields.Char(
        "Replies address",
        compute="_compute_kreancia_reply_alias_name",
        inverse="_inverse_kreancia_reply_alias_name",
        help="Local part of the address, on the company's alias domain, that reminders give for answers: "
        "replies then reach Odoo, where they are read and listed in the replies inbox.",
    )
    kreancia_reply_alias_email = fields.Char("Replies e-mail", related="kreancia_reply_alias_id.display_name")

    @api.depends("kreancia_reply_alias_id.alias_name")
    def _compute_kreancia_reply_alias_name(self):
        for company in self:
            company.kreancia_reply_alias_name = company.kreancia_reply_alias_id.alias_name

    def _inverse_kreancia_reply_alias_name(self):
        Alias = self.env["mail.alias"].sudo()
        for company in self:
            name = company.kreancia_reply_alias_name
            if not name:
                company.kreancia_reply_alias_id.sudo().unlink()
                continue
            values = {
                "alias_name": Alias._sanitize_alias_name(name),
                "alias_model_id": self.env["ir.model"]._get_id("kreancia.reply"),
                "alias_defaults": repr({"company_id": company.id}),
                "alias_domain_id": company.alias_domain_id.id,
                "alias_parent_model_id": self.env["ir.model"]._get_id("res.company"),
                "alias_parent_thread_id": company.id,
            }
            if company.kreancia_reply_alias_id:
                company.kreancia_reply_alias_id.sudo().write(values)
            else:
                company.kreancia_reply_alias_id = Alias.create(values)

    def _kreancia_reply_address(self):
        """The company's replies alias as an address, or False when it has none (or no alias domain)."""
        self.ensure_one()
        alias = self.sudo().kreancia_reply_alias_id
        return alias.alias_full_name if alias.alias_name and alias.alias_domain else False

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

    # ------------------------------------------------------------------
    # Late-payment mentions on invoices (C. com. L441-9)
    # ------------------------------------------------------------------
    kreancia_invoice_mentions = fields.Boolean(
        "Late-payment mentions on invoices",
        help="Invoices to professional customers state the late-payment penalty rate in force at their date "
        "and the 40 EUR fixed recovery indemnity, as French law requires (C. com. L441-9).",
    )
