from odoo import api, fields, models
from odoo.tools.misc import formatLang

from ..tools import legal


class KreanciaInterventionLine(models.Model):
    _inherit = "kreancia.intervention.line"

    interest_amount = fields.Monetary(
        "Late-payment interest",
        currency_field="currency_id",
        readonly=True,
        help="Interest from the day after the due date to the letter's date (Code de commerce L441-10).",
    )
    indemnity_amount = fields.Monetary(
        "Recovery indemnity",
        currency_field="currency_id",
        readonly=True,
        help="Fixed 40 EUR recovery indemnity owed by professionals for each late invoice (D441-5).",
    )


class KreanciaIntervention(models.Model):
    """Legal amounts claimed on top of the principal, fixed when the letter is produced."""

    _inherit = "kreancia.intervention"

    amount_interest = fields.Monetary("Late-payment interest", compute="_compute_legal_totals")
    amount_indemnity = fields.Monetary("Recovery indemnities", compute="_compute_legal_totals")
    amount_claimed = fields.Monetary(
        "Total claimed",
        compute="_compute_legal_totals",
        help="Net principal plus late-payment interest and recovery indemnities.",
    )
    interest_rate_display = fields.Char("Interest rate", readonly=True)

    @api.depends("line_ids.interest_amount", "line_ids.indemnity_amount", "amount_net")
    def _compute_legal_totals(self):
        for intervention in self:
            interest = indemnity = 0.0
            for line in intervention.line_ids:
                interest += intervention._to_company_currency(line.interest_amount, line.currency_id)
                indemnity += intervention._to_company_currency(line.indemnity_amount, line.currency_id)
            intervention.amount_interest = interest
            intervention.amount_indemnity = indemnity
            intervention.amount_claimed = intervention.amount_net + interest + indemnity

    def _to_company_currency(self, amount, currency):
        company = self.company_id
        if not amount or currency == company.currency_id:
            return amount
        return currency._convert(amount, company.currency_id, company, self.date)

    def _compute_legal_amounts(self):
        """Write on each invoice line the interest and indemnity owed on the intervention's date.

        :raises UserError: when the rate table has no rate for a half-year of a late period
        """
        rates = self.env["kreancia.interest.rate"]
        table = rates._rate_table()
        euro = self.env.ref("base.EUR")
        for intervention in self:
            partner = intervention.partner_id.commercial_partner_id
            professional = partner._is_professional_debtor()
            contract_rate = partner.dunning_contract_rate
            applied = set()
            for line in intervention.line_ids:
                due = line.invoice_date_due
                interest = indemnity = 0.0
                if professional and due and due < intervention.date:
                    table_of_period = rates._late_rates(table, due, intervention.date, contract_rate)
                    applied.update(table_of_period.values())
                    interest = legal.late_interest(line.amount_residual, due, intervention.date, table_of_period)
                    indemnity = legal.recovery_indemnity(professional=True)
                    if line.currency_id != euro:
                        indemnity = euro._convert(
                            indemnity, line.currency_id, intervention.company_id, intervention.date
                        )
                line.write({"interest_amount": interest, "indemnity_amount": indemnity})
            lang_env = self.with_context(lang=intervention.recipient_id.lang or partner.lang).env
            intervention.interest_rate_display = " / ".join(
                f"{formatLang(lang_env, rate, digits=2)} %" for rate in sorted(applied)
            )
