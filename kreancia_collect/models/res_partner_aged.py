from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    dunning_aged_html = fields.Html("Aged balance", compute="_compute_dunning_aged_html", sanitize=False, readonly=True)

    def _compute_dunning_aged_html(self):
        partners = self.filtered(lambda partner: partner._origin.id and not partner.parent_id)
        (self - partners).dunning_aged_html = False
        if not partners:
            return
        report = self.env["kreancia.aged.balance"]
        company = self.env.company
        if not report.has_access("read"):
            partners.dunning_aged_html = False
            return
        balance = report.aged_balance(
            self.env.context.get("kreancia_as_of"),
            domain=[("partner_id", "in", partners._origin.ids)],
            company_ids=company.ids,
            group_by=("partner_id",),
        )[company.id]
        buckets = self.env["kreancia.aging.bucket"]._company_buckets(company).sorted(lambda b: (b.sequence, b.id))
        for partner in partners:
            line = balance.lines.get((partner._origin.id,))
            partner.dunning_aged_html = self.env["ir.qweb"]._render(
                "kreancia_collect.res_partner_aged_line",
                {"line": line, "buckets": buckets, "currency": company.currency_id},
            )

    def action_dunning_open_items(self):
        """The customer's open items today, in the aged balance."""
        self.ensure_one()
        return self.env["kreancia.aged.balance"].action_open(
            domain=[("partner_id", "=", self.commercial_partner_id.id)],
            name=self.env._("Open items of %(customer)s", customer=self.commercial_partner_id.display_name),
        ) | {"view_mode": "list,pivot,graph", "views": [(False, "list"), (False, "pivot"), (False, "graph")]}

    def action_dunning_export_account_xlsx(self):
        """Download the customer's account (statement, reminders, calls, commitments) as XLSX."""
        self.ensure_one()
        export = self.env["kreancia.xlsx.export"]
        raw = export.customer_account_xlsx(self)
        return export._download(self.commercial_partner_id, f"account_{self.commercial_partner_id.id}.xlsx", raw)
