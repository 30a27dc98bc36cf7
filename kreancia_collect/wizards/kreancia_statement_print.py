from odoo import fields, models

STATEMENT_REPORT = "kreancia_collect.action_report_statement"


class KreanciaStatementPrint(models.TransientModel):
    """Print customers' statements of account under the company's name or a brand's letterhead."""

    _name = "kreancia.statement.print"
    _description = "Print Statement of Account"
    _check_company_auto = True

    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    partner_ids = fields.Many2many("res.partner", string="Customers", required=True)
    brand_id = fields.Many2one(
        "kreancia.brand",
        "Letterhead",
        check_company=True,
        help="Empty prints under the company's own layout.",
    )

    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if self.env.context.get("active_model") == "res.partner" and "partner_ids" in fields_list:
            values["partner_ids"] = [fields.Command.set(self.env.context.get("active_ids", []))]
        return values

    def action_print(self):
        self.ensure_one()
        # with data, the web client sends no record ids: the data carries them
        data = {"brand_id": self.brand_id.id, "partner_ids": self.partner_ids.ids}
        return self.env.ref(STATEMENT_REPORT).report_action(self.partner_ids, data=data)
