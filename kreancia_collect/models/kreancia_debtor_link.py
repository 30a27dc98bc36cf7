import secrets
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools.image import image_data_uri

from ..groups import MANAGER_GROUP

DEFAULT_VALIDITY_DAYS = 90


class KreanciaDebtorLink(models.Model):
    """A customer's personal link to its collection page, under one identity.

    Built on Odoo's ``portal.mixin``: the link's ``access_token`` opens the
    page at ``access_url`` without a login. The token holds 256 bits of
    randomness (``secrets.token_urlsafe(32)``), is scoped to one customer and
    one identity (the company, or a brand), expires and can be revoked.
    Every written intervention carries the customer's link for its identity
    (see ``_ensure_debtor_links`` in ``kreancia_intervention.py``).

    The model lives in two files: this one (the link, its token, validity
    and revocation) and ``kreancia_debtor_link_actions.py``, what the debtor
    can do on the page (propose a plan, dispute an invoice, declare a
    payment, ask for a callback), each action checked, applied and recorded.
    """

    _name = "kreancia.debtor.link"
    _inherit = ["portal.mixin"]
    _description = "Debtor Page Link"
    _order = "create_date desc, id desc"
    _check_company_auto = True
    _rec_name = "partner_id"

    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    partner_id = fields.Many2one(
        "res.partner", "Customer", required=True, readonly=True, index=True, check_company=True
    )
    brand_id = fields.Many2one(
        "kreancia.brand",
        readonly=True,
        check_company=True,
        help="The brand the page speaks under; empty: the company's own name.",
    )
    expiry_date = fields.Date("Valid until", required=True, readonly=True)
    revoked = fields.Boolean(readonly=True, copy=False)
    revoked_date = fields.Datetime("Revoked on", readonly=True, copy=False)
    revoked_by_id = fields.Many2one("res.users", "Revoked by", readonly=True, copy=False)
    state = fields.Selection(
        [("valid", "Valid"), ("expired", "Expired"), ("revoked", "Revoked")], compute="_compute_state"
    )
    intervention_ids = fields.One2many("kreancia.intervention", "debtor_link_id", "Interventions", readonly=True)
    action_ids = fields.One2many("kreancia.debtor.action", "link_id", "Debtor actions", readonly=True)
    url = fields.Char("Link", compute="_compute_url", help="The address the customer receives, token included.")

    @api.depends("expiry_date", "revoked")
    def _compute_state(self):
        today = fields.Date.context_today(self)
        for link in self:
            if link.revoked:
                link.state = "revoked"
            elif link.expiry_date < today:
                link.state = "expired"
            else:
                link.state = "valid"

    def _compute_access_url(self):
        for link in self:
            link.access_url = f"/collect/{link.id}"

    @api.depends("access_token")
    def _compute_url(self):
        for link in self:
            link.url = link._debtor_url() if link.id and link.access_token else False

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            vals.setdefault("access_token", self._new_token())
        return super().create(vals_list)

    @api.model
    def _new_token(self):
        """256 bits from the system's secure random source (Odoo's uuid4 has only 122)."""
        return secrets.token_urlsafe(32)

    def _portal_ensure_token(self):
        if not self.access_token:
            self.sudo().write({"access_token": self._new_token()})
        return self.access_token

    def action_revoke(self):
        """Close the links at once: the page shows whom to contact instead."""
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(self.env._("Only a collection manager can revoke a debtor link."))
        self.filtered(lambda link: not link.revoked).write(
            {"revoked": True, "revoked_date": fields.Datetime.now(), "revoked_by_id": self.env.uid}
        )
        return True

    def _debtor_url(self):
        """Full address of the page, token included."""
        self.ensure_one()
        base = self.company_id.get_base_url()
        return f"{base}{self.access_url}?access_token={self.access_token}"

    def _is_open(self):
        self.ensure_one()
        return self.state == "valid"

    @api.model
    def _link_for(self, partner, company, brand, validity_days):
        """The customer's valid link for this identity, created or extended to ``validity_days`` from today."""
        today = fields.Date.context_today(self)
        expiry = today + timedelta(days=validity_days or DEFAULT_VALIDITY_DAYS)
        link = self.sudo().search(
            [
                ("partner_id", "=", partner.id),
                ("company_id", "=", company.id),
                ("brand_id", "=", brand.id or False),
                ("revoked", "=", False),
                ("expiry_date", ">=", today),
            ],
            limit=1,
        )
        if link:
            link.expiry_date = max(link.expiry_date, expiry)
            return link
        return self.sudo().create(
            {"partner_id": partner.id, "company_id": company.id, "brand_id": brand.id or False, "expiry_date": expiry}
        )

    # ------------------------------------------------------------------
    # What the page shows under the link's identity
    # ------------------------------------------------------------------

    def _identity(self):
        """``{name, logo, address (partner), phone, email, website, legal_notice, third_party}``."""
        self.ensure_one()
        brand, company = self.brand_id, self.company_id
        if brand:
            return {
                "name": brand.name,
                "logo": image_data_uri(brand.logo) if brand.logo else False,
                "address": brand.partner_id,
                "phone": brand.phone or brand.partner_id.phone,
                "email": brand.email or brand.partner_id.email,
                "website": brand.website,
                "legal_notice": brand.legal_notice,
                "third_party": brand.is_third_party,
            }
        return {
            "name": company.name,
            # never Odoo's "Your logo" placeholder of a company that has none
            "logo": image_data_uri(company.logo) if company.logo and not company.uses_default_logo else False,
            "address": company.partner_id,
            "phone": company.phone,
            "email": company.email,
            "website": company.website,
            "legal_notice": False,
            "third_party": False,
        }

    def _open_invoices(self):
        """The customer's open invoices in the link's company, oldest due first."""
        return self._open_moves("out_invoice", "invoice_date_due, id")

    def _open_credit_notes(self):
        return self._open_moves("out_refund", "invoice_date, id")

    def _open_moves(self, move_type, order):
        """Open entries of ``move_type``; a time-barred invoice is neither shown nor offered a plan."""
        self.ensure_one()
        moves = self.env["account.move"].sudo()
        today = fields.Date.context_today(self)
        domain = moves._dunning_claimable_domain(self.partner_id, self.company_id, [move_type], today)
        return moves.search(domain, order=order)

    def _letters(self):
        """The letters the customer received in the link's company: posted ones only, never one still to post."""
        self.ensure_one()
        return (
            self.env["kreancia.intervention"]
            .sudo()
            .search(
                [
                    ("partner_id", "=", self.partner_id.id),
                    ("company_id", "=", self.company_id.id),
                    ("channel", "in", ("letter", "formal_notice")),
                    ("state", "=", "done"),
                    ("attachment_id", "!=", False),
                ],
                order="date desc, id desc",
            )
        )

    def _claimed_legal_amounts(self, invoices):
        """``{invoice id: (interest, indemnity)}`` as the last posted letter claiming them stated.

        The letter's own figures, read through ``_claimed_amounts`` of its line:
        the interest on the amount due and on the sums paid late, converted to
        the company's currency at the letter's date as its totals are.
        """
        self.ensure_one()
        lines = (
            self.env["kreancia.intervention.line"]
            .sudo()
            .search(
                [
                    ("move_id", "in", invoices.ids),
                    ("intervention_id.channel", "in", ("letter", "formal_notice")),
                    ("intervention_id.state", "=", "done"),
                ],
                order="id desc",
            )
        )
        result = {}
        for line in lines:
            if line.move_id.id not in result and (line.interest_amount or line.indemnity_amount):
                result[line.move_id.id] = line._claimed_amounts()
        return result

    def _pause_days(self):
        return self.company_id.kreancia_declared_payment_pause_days

    def _scenario(self):
        """The scenario whose limits apply to the customer's plans: its most advanced invoice's, else the default."""
        self.ensure_one()
        invoices = self._open_invoices()
        return invoices._dunning_leading_scenario(self.company_id)
