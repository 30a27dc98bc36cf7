from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..tools import legal


class KreanciaInterestRate(models.Model):
    """Late-payment rates of one half-year (Code de commerce L441-10 II).

    French law sets one rate per half-year, the same for every company, so
    the table is shared: the ECB main refinancing rate in force on 1 January
    or 1 July plus 10 points, and the legal interest rate of the period,
    whose triple is the floor of a contractual rate.

    The model lives in two files: this one (the table and the rates it
    answers) and ``kreancia_interest_rate_ecb.py``, which keeps the table up
    to date from the ECB Data Portal and warns managers of a missing rate.
    """

    _name = "kreancia.interest.rate"
    _description = "Late-Payment Interest Rate"
    _order = "date_start desc"

    date_start = fields.Date(
        "Half-year starting on", required=True, help="1 January or 1 July: the rate applies to the whole half-year."
    )
    period = fields.Char(compute="_compute_period")
    ecb_rate = fields.Float(
        "ECB refinancing rate (%)",
        digits=(5, 2),
        required=True,
        help="Main refinancing rate of the European Central Bank in force on the first day of the half-year.",
    )
    rate = fields.Float(
        "Late-payment rate (%)",
        digits=(5, 2),
        compute="_compute_rate",
        store=True,
        readonly=False,
        help="Annual rate of late-payment interest: by default the ECB rate plus 10 points.",
    )
    legal_rate = fields.Float(
        "Legal interest rate (%)",
        digits=(5, 2),
        help="Legal interest rate of the half-year for professional creditors; "
        "a contractual late-payment rate may not be below three times this rate.",
    )
    note = fields.Char(help="Source of the figures, e.g. the decree or the ECB decision.")

    _date_start_uniq = models.Constraint("unique(date_start)", "This half-year already has its rates.")
    _rate_positive = models.Constraint(
        "CHECK(rate >= 0 AND ecb_rate >= -1 AND legal_rate >= 0)",
        "Rates cannot be negative.",
    )

    @api.depends("date_start")
    @api.depends_context("lang")
    def _compute_period(self):
        for record in self:
            if not record.date_start:
                record.period = False
                continue
            year, half = legal.half_year(record.date_start)
            record.period = self.env._("%(year)s, half-year %(half)s", year=year, half=half)

    @api.depends("period")
    def _compute_display_name(self):
        for record in self:
            record.display_name = record.period

    @api.depends("ecb_rate")
    def _compute_rate(self):
        for record in self:
            record.rate = record.ecb_rate + legal.ECB_MARGIN

    @api.constrains("date_start")
    def _check_date_start(self):
        for record in self:
            if (record.date_start.month, record.date_start.day) not in ((1, 1), (7, 1)):
                raise ValidationError(
                    self.env._("A half-year starts on 1 January or 1 July, not on %(date)s.", date=record.date_start)
                )

    @api.model
    def _rate_table(self):
        """``{(year, half): record}`` of the whole table: a few rows, read once per batch of letters."""
        return {legal.half_year(record.date_start): record for record in self.sudo().search([])}

    @api.model
    def _late_rates(self, table, due_date, until, contract_rate=0.0):
        """``{(year, half): rate}`` for every half-year from ``due_date`` to ``until``.

        A customer's contractual rate replaces the legal default, but never goes
        below the floor of a half-year (3 x its legal interest rate).

        :param table: the result of :meth:`_rate_table`
        :raises UserError: when a half-year of the period has no rate, or, under a contractual
            rate, no legal interest rate (its floor)
        """
        keys = legal.half_years_between(due_date + timedelta(days=1), until)
        missing = self._missing_half_years(due_date, until, contract_rate, table=table)
        if missing:
            year, half = missing[0]
            if (year, half) in table:
                raise UserError(
                    self.env._(
                        "No legal interest rate is recorded for half-year %(half)s of %(year)s: it sets the floor "
                        "of the contractual late-payment rate (3 x the legal interest rate). Add it in "
                        "Accounting > Configuration > Collection > Late-Payment Rates.",
                        half=half,
                        year=year,
                    )
                )
            raise UserError(
                self.env._(
                    "No late-payment rate is recorded for half-year %(half)s of %(year)s: "
                    "add it in Accounting > Configuration > Collection > Late-Payment Rates.",
                    half=half,
                    year=year,
                )
            )
        if contract_rate:
            return {key: max(contract_rate, legal.minimum_contractual_rate(table[key].legal_rate)) for key in keys}
        return {key: table[key].rate for key in keys}

    @api.model
    def _missing_half_years(self, due_date, until, contract_rate=0.0, table=None):
        """``[(year, half)]`` of the late period from ``due_date`` to ``until`` that a letter cannot price.

        A half-year is missing when it has no row, or, under a contractual rate, when its
        legal interest rate (whose triple is the contractual rate's floor) is not recorded.

        :param table: the result of :meth:`_rate_table`, read here when not given
        """
        if not due_date or not until or until <= due_date:
            return []
        if table is None:
            table = self._rate_table()
        return [
            key
            for key in legal.half_years_between(due_date + timedelta(days=1), until)
            if key not in table or (contract_rate and not table[key].legal_rate)
        ]

    @api.model
    def _legal_rate_on(self, day):
        """Legal interest rate in force on ``day`` (the latest known before it), or None."""
        record = self.sudo().search([("date_start", "<=", day), ("legal_rate", ">", 0)], limit=1)
        return record.legal_rate if record else None
