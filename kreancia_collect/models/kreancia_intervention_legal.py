from odoo import api, fields, models
from odoo.tools import SQL
from odoo.tools.misc import formatLang

from ..tools import legal


class KreanciaInterventionLine(models.Model):
    _inherit = "kreancia.intervention.line"

    interest_amount = fields.Monetary(
        "Late-payment interest",
        currency_field="currency_id",
        readonly=True,
        help="Interest from the day after the due date (Code de commerce L441-10): on the amount due until "
        "the letter's date, and on each sum paid late until the day it was paid.",
    )
    residual_interest = fields.Monetary(
        "Interest on the amount due",
        currency_field="currency_id",
        readonly=True,
        help="Interest on the amount still due, from the day after the due date to the letter's date.",
    )
    late_paid_amount = fields.Monetary(
        "Paid late",
        currency_field="currency_id",
        readonly=True,
        help="Sums paid (or credited) after the due date and before the letter.",
    )
    late_paid_interest = fields.Monetary(
        "Interest on sums paid late",
        currency_field="currency_id",
        readonly=True,
        help="Interest on each sum paid after the due date, until the day it was paid.",
    )
    late_payments = fields.Json(
        readonly=True, help="Each sum paid late: date, amount, days late and interest, as printed on the letter."
    )
    indemnity_amount = fields.Monetary(
        "Recovery indemnity",
        currency_field="currency_id",
        readonly=True,
        help="Fixed 40 EUR recovery indemnity owed by professionals for each late invoice (D441-5).",
    )

    def _late_payment_rows(self):
        """The sums paid late as the letter prints them: ``[(date, amount, days, interest)]``."""
        self.ensure_one()
        return [
            (fields.Date.to_date(row["date"]), row["amount"], row["days"], row["interest"])
            for row in self.late_payments or []
        ]


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
    amount_late_paid_interest = fields.Monetary(
        "Interest on sums paid late",
        compute="_compute_legal_totals",
        help="Part of the interest owed on sums paid late.",
    )

    @api.depends("line_ids.interest_amount", "line_ids.indemnity_amount", "line_ids.late_paid_interest", "amount_net")
    def _compute_legal_totals(self):
        for intervention in self:
            interest = indemnity = late_paid = 0.0
            for line in intervention.line_ids:
                interest += intervention._to_company_currency(line.interest_amount, line.currency_id)
                indemnity += intervention._to_company_currency(line.indemnity_amount, line.currency_id)
                late_paid += intervention._to_company_currency(line.late_paid_interest, line.currency_id)
            intervention.amount_interest = interest
            intervention.amount_late_paid_interest = late_paid
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
        payments = self._payments_by_invoice()
        for intervention in self:
            partner = intervention.partner_id.commercial_partner_id
            professional = partner._is_professional_debtor()
            contract_rate = partner.dunning_contract_rate
            applied = {}
            for line in intervention.line_ids:
                due = line.invoice_date_due
                values = dict.fromkeys(
                    (
                        "interest_amount",
                        "residual_interest",
                        "late_paid_amount",
                        "late_paid_interest",
                        "indemnity_amount",
                    ),
                    0.0,
                )
                values["late_payments"] = []
                if professional and due and due < intervention.date:
                    table_of_period = rates._late_rates(table, due, intervention.date, contract_rate)
                    applied.update(table_of_period)
                    late = legal.interest_on_late_payments(
                        due,
                        intervention.date,
                        payments.get((line.move_id.id, intervention.date, intervention.create_date), []),
                        table_of_period,
                    )
                    values["residual_interest"] = legal.late_interest(
                        line.amount_residual, due, intervention.date, table_of_period
                    )
                    values["late_paid_amount"] = sum(payment.amount for payment in late)
                    values["late_paid_interest"] = sum(payment.interest for payment in late)
                    values["late_payments"] = [
                        {
                            "date": payment.date.isoformat(),
                            "amount": payment.amount,
                            "days": payment.days,
                            "interest": payment.interest,
                        }
                        for payment in late
                    ]
                    values["interest_amount"] = values["residual_interest"] + values["late_paid_interest"]
                    indemnity = legal.recovery_indemnity(professional=True)
                    if line.currency_id != euro:
                        indemnity = euro._convert(
                            indemnity, line.currency_id, intervention.company_id, intervention.date
                        )
                    values["indemnity_amount"] = indemnity
                line.write(values)
            intervention.interest_rate_display = intervention._rates_by_period(applied)

    def _rates_by_period(self, rates_by_key):
        """``H1 2026: 12.15 %; H2 2026: 12.40 %``, in period order and the reader's number format."""
        self.ensure_one()
        partner = self.partner_id.commercial_partner_id
        lang_env = self.with_context(lang=self.recipient_id.lang or partner.lang).env
        return "; ".join(
            lang_env._(
                "H%(half)s %(year)s: %(rate)s %%", half=half, year=year, rate=formatLang(lang_env, rate, digits=2)
            )
            for (year, half), rate in sorted(rates_by_key.items())
        )

    def _payments_by_invoice(self):
        """``{(invoice id, letter date, created): [(date, amount)]}``: what was reconciled with each invoice by the
        letter's date, among what was already reconciled when the intervention recorded its amount due.

        Payments and credit notes alike, in the invoice's currency, dated by
        the reconciliation; one query for the whole batch. A payment recorded
        after the intervention is not in its amount due, hence not among the
        sums paid late either: each sum bears interest once.
        """
        keys = {
            (line.move_id.id, intervention.date, intervention.create_date)
            for intervention in self
            for line in intervention.line_ids
        }
        if not keys:
            return {}
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT l.move_id, apr.max_date, apr.debit_amount_currency, apr.create_date
                  FROM account_partial_reconcile apr
                  JOIN account_move_line l ON l.id = apr.debit_move_id
                  JOIN account_account a ON a.id = l.account_id
                 WHERE l.move_id IN %(moves)s
                   AND a.account_type = 'asset_receivable'
                   AND apr.debit_amount_currency > 0
                """,
                moves=tuple({move_id for move_id, _day, _created in keys}),
            )
        )
        by_move = {}
        for move_id, paid_on, amount, reconciled in self.env.cr.fetchall():
            by_move.setdefault(move_id, []).append((paid_on, amount, reconciled))
        return {
            (move_id, day, created): [
                (paid_on, amount)
                for paid_on, amount, reconciled in by_move.get(move_id, [])
                if paid_on <= day and (not created or reconciled <= created)
            ]
            for move_id, day, created in keys
        }
