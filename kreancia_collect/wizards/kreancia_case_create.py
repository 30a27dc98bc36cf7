from odoo import api, fields, models
from odoo.exceptions import UserError

from ..models.kreancia_case import PARTY_ROLES


class KreanciaCaseCreate(models.TransientModel):
    """Hand invoices over by hand, from a customer or a selection of invoices."""

    _name = "kreancia.case.create"
    _description = "Open Hand-over Cases"
    _check_company_auto = True

    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    move_ids = fields.Many2many(
        "account.move",
        string="Invoices",
        domain="[('move_type', '=', 'out_invoice'), ('state', '=', 'posted'), "
        "('payment_state', 'in', ('not_paid', 'partial')), ('company_id', '=', company_id)]",
    )
    agency_id = fields.Many2one("res.partner", "Receiving party", domain="[('company_id', 'in', (False, company_id))]")
    # the receiving party's terms, as set on it; editable for this hand-over
    party_role = fields.Selection(
        PARTY_ROLES, "Acting as", compute="_compute_party_terms", store=True, readonly=False, precompute=True
    )
    mandate_ref = fields.Char(
        "Mandate reference", compute="_compute_party_terms", store=True, readonly=False, precompute=True
    )
    commission_rate = fields.Float(
        "Commission (%)", digits=(5, 2), compute="_compute_party_terms", store=True, readonly=False, precompute=True
    )
    user_id = fields.Many2one("res.users", "Responsible manager", default=lambda self: self.env.user)
    date_handover = fields.Date("Handed over on", required=True, default=fields.Date.context_today)

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        context = self.env.context
        ids = context.get("active_ids") or []
        if context.get("active_model") == "account.move":
            values["move_ids"] = [fields.Command.set(ids)]
        elif context.get("active_model") == "res.partner":
            partners = self.env["res.partner"].browse(ids).commercial_partner_id
            moves = self.env["account.move"].search(
                [
                    ("commercial_partner_id", "in", partners.ids),
                    ("company_id", "=", self.env.company.id),
                    ("move_type", "=", "out_invoice"),
                    ("state", "=", "posted"),
                    ("payment_state", "in", ("not_paid", "partial")),
                    ("invoice_date_due", "<", fields.Date.context_today(self)),
                    ("dunning_handed_over", "=", False),
                ]
            )
            values["move_ids"] = [fields.Command.set(moves.ids)]
        return values

    @api.depends("agency_id")
    def _compute_party_terms(self):
        for wizard in self:
            wizard.update(wizard.agency_id._dunning_case_terms())

    def action_confirm(self):
        """Open one case per customer and show them."""
        self.ensure_one()
        self.env["kreancia.case"]._check_manager()
        if not self.agency_id:
            raise UserError(self.env._("Choose the receiving party (agency, bailiff or lawyer) of the hand-over."))
        if self.move_ids.company_id and self.move_ids.company_id != self.company_id:
            raise UserError(
                self.env._(
                    "The invoices belong to %(companies)s, not to %(company)s.",
                    companies=", ".join(self.move_ids.company_id.mapped("name")),
                    company=self.company_id.name,
                )
            )
        cases = (
            self.env["kreancia.case"]
            .with_company(self.company_id)
            ._open_cases(
                self.move_ids,
                {
                    "agency_id": self.agency_id.id,
                    "party_role": self.party_role,
                    "mandate_ref": self.mandate_ref,
                    "commission_rate": self.commission_rate,
                    "user_id": self.user_id.id,
                },
                day=self.date_handover,
            )
        )
        action = self.env["ir.actions.act_window"]._for_xml_id("kreancia_collect.kreancia_case_action")
        if len(cases) == 1:
            action.update({"view_mode": "form", "views": [(False, "form")], "res_id": cases.id})
        else:
            action["domain"] = [("id", "in", cases.ids)]
        return action
