from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools import legal


class ResPartner(models.Model):
    """What French law lets a creditor claim from this customer beyond the principal."""

    _inherit = "res.partner"

    dunning_debtor_type = fields.Selection(
        [("professional", "Professional"), ("consumer", "Consumer")],
        "Debtor type",
        compute="_compute_dunning_debtor_type",
        store=True,
        readonly=False,
        help="Professionals owe late-payment interest (L441-10) and the 40 EUR recovery indemnity "
        "per late invoice (D441-5); consumers owe neither.",
    )
    dunning_contract_rate = fields.Float(
        "Contractual late-payment rate (%)",
        digits=(5, 2),
        help="Rate agreed in this customer's contract; empty applies the legal rate of each half-year "
        "(ECB rate + 10 points). It may not be below three times the legal interest rate.",
    )

    @api.depends("is_company", "parent_id.is_company", "vat")
    def _compute_dunning_debtor_type(self):
        for partner in self:
            professional = partner.is_company or partner.parent_id.is_company or partner.vat
            partner.dunning_debtor_type = "professional" if professional else "consumer"

    @api.constrains("dunning_contract_rate")
    def _check_dunning_contract_rate(self):
        today = fields.Date.context_today(self)
        legal_rate = self.env["kreancia.interest.rate"]._legal_rate_on(today)
        for partner in self:
            rate = partner.dunning_contract_rate
            if rate < 0:
                raise ValidationError(self.env._("A late-payment rate cannot be negative."))
            if rate and legal_rate is not None and rate < legal.minimum_contractual_rate(legal_rate):
                raise ValidationError(
                    self.env._(
                        "A contractual late-payment rate of %(rate)s%% is below the legal floor of "
                        "%(floor)s%% (three times the legal interest rate of %(legal)s%%).",
                        rate=rate,
                        floor=legal.minimum_contractual_rate(legal_rate),
                        legal=legal_rate,
                    )
                )

    def _is_professional_debtor(self):
        self.ensure_one()
        return self.commercial_partner_id.dunning_debtor_type != "consumer"
