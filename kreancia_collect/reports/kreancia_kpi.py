from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..groups import MANAGER_GROUP
from ..tools import kpi

# what the promises ``c`` brought in: the residual of their invoices when promised, less what is still owed
OWED_ON_PROMISE = SQL(
    """LEFT JOIN LATERAL (
                SELECT SUM(move.amount_residual_signed) AS residual
                  FROM account_move_kreancia_commitment_rel rel
                  JOIN account_move move ON move.id = rel.account_move_id
                 WHERE rel.kreancia_commitment_id = c.id) owed ON TRUE"""
)
RECEIVED_ON_PROMISES = SQL("COALESCE(SUM(GREATEST(c.residual_at_start - COALESCE(owed.residual, 0), 0)), 0)")


class KreanciaKpi(models.AbstractModel):
    """Collection KPIs: each method reads its rows in one query and hands them to ``tools.kpi``.

    Public methods take ISO date strings (or dates) and return plain data
    (lists of dicts), for the overview, the XLSX export and integrations.
    Agents get the figures of their own portfolio (customers whose
    collector they are), managers those of every customer; always within
    the companies the user may see.
    """

    _name = "kreancia.kpi"
    _description = "Collection KPIs"

    # ------------------------------------------------------------------
    # Scope
    # ------------------------------------------------------------------
    @api.model
    def _scope(self, company_id=None):
        """The company (allowed to the user) and the portfolio filter on a customer alias ``customer``."""
        self.env["kreancia.aged.balance"].check_access("read")
        company = self.env["kreancia.aged.balance"]._check_companies(
            [company_id] if company_id else self.env.company.ids
        )
        if self.env.user.has_group(MANAGER_GROUP):
            return company, SQL("TRUE")
        return company, SQL("customer.dunning_collector_id = %s", self.env.uid)

    @api.model
    def _date(self, value, default=None):
        as_of = fields.Date.to_date(value) if value else default or fields.Date.context_today(self)
        return self.env["kreancia.aged.balance"]._check_as_of(as_of)

    # ------------------------------------------------------------------
    # DSO, best possible DSO, average days delinquent, CEI
    # ------------------------------------------------------------------
    @api.model
    def monthly_figures(self, end=None, months=12, company_id=None):
        """DSO (count-back), best possible DSO, average days delinquent and CEI of each month.

        :return: ``{"months": [{"month_start", "month_end", "days", "sales", "receivable", "current",
            "dso", "best_dso", "add", "cei"}, ...] (oldest first), "dso_trend": slope per month}``
        """
        end = self._date(end)
        company, portfolio = self._scope(company_id)
        span = months * 2
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                WITH months AS (
                    SELECT (date_trunc('month', %(end)s::date) - make_interval(months => n))::date AS month_start,
                           LEAST((date_trunc('month', %(end)s::date) - make_interval(months => n)
                                  + interval '1 month' - interval '1 day')::date, %(end)s::date) AS month_end
                      FROM generate_series(0, %(span)s - 1) n
                ), lines AS (
                    SELECT line.id, line.date, COALESCE(line.date_maturity, line.date) AS due, line.balance
                      FROM account_move_line line
                      JOIN account_account account ON account.id = line.account_id
                 LEFT JOIN res_partner partner ON partner.id = line.partner_id
                 LEFT JOIN res_partner customer
                        ON customer.id = COALESCE(partner.commercial_partner_id, line.partner_id)
                     WHERE line.parent_state = 'posted' AND account.account_type = 'asset_receivable'
                       AND line.company_id = %(company)s AND line.date <= %(end)s AND %(portfolio)s
                )
                SELECT m.month_start, m.month_end,
                       (SELECT COALESCE(SUM(balance), 0) FROM lines WHERE lines.date <= m.month_end),
                       (SELECT COALESCE(SUM(l.balance - COALESCE(
                                   (SELECT SUM(apr.amount) FROM account_partial_reconcile apr
                                     WHERE apr.debit_move_id = l.id AND apr.max_date <= m.month_end), 0)), 0)
                          FROM lines l WHERE l.balance > 0 AND l.date <= m.month_end AND l.due > m.month_end),
                       (SELECT COALESCE(SUM(move.amount_total_signed), 0)
                          FROM account_move move
                          JOIN res_partner customer ON customer.id = move.commercial_partner_id
                         WHERE move.company_id = %(company)s AND move.state = 'posted'
                           AND move.move_type IN ('out_invoice', 'out_refund')
                           AND move.invoice_date BETWEEN m.month_start AND m.month_end AND %(portfolio)s)
                  FROM months m
              ORDER BY m.month_start
                """,
                end=end,
                span=span,
                company=company.id,
                portfolio=portfolio,
            )
        )
        rows = [
            {
                "month_start": start,
                "month_end": month_end,
                "days": (month_end - start).days + 1,
                "receivable": float(receivable),
                "current": float(current),
                "sales": float(sales),
            }
            for start, month_end, receivable, current, sales in self.env.cr.fetchall()
        ]
        result = []
        for index in range(len(rows) - months, len(rows)):
            row = dict(rows[index])
            history = [(rows[j]["sales"], rows[j]["days"]) for j in range(index, index - months, -1)]
            row["dso"] = kpi.dso_countback(row["receivable"], history)
            row["best_dso"] = kpi.best_possible_dso(row["current"], row["sales"], row["days"])
            row["add"] = round(row["dso"] - row["best_dso"], 2)
            opening = rows[index - 1]["receivable"]
            row["opening"] = opening
            row["cei"] = kpi.cei(opening, row["sales"], row["receivable"], row["current"])
            result.append(row)
        return {"months": result, "dso_trend": kpi.trend([row["dso"] for row in result])}

    # ------------------------------------------------------------------
    # Promises
    # ------------------------------------------------------------------
    @api.model
    def promise_figures(self, date_from=None, date_to=None, company_id=None):
        """Promise-kept rate and amounts promised vs received, per agent and brand.

        :return: rows ``{"user_id", "brand_id", "kept", "broken", "open", "kept_rate", "promised", "received"}``
        """
        date_to = self._date(date_to)
        date_from = fields.Date.to_date(date_from) if date_from else date_to - timedelta(days=365)
        company, portfolio = self._scope(company_id)
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT c.user_id, call.brand_id,
                       COUNT(*) FILTER (WHERE c.state = 'kept'),
                       COUNT(*) FILTER (WHERE c.state = 'broken'),
                       COUNT(*) FILTER (WHERE c.state = 'open'),
                       COALESCE(SUM(c.amount_total), 0),
                       %(received)s
                  FROM kreancia_commitment c
                  JOIN res_partner customer ON customer.id = c.partner_id
             LEFT JOIN kreancia_call call ON call.id = c.call_id AND call.identity = 'brand'
             %(owed)s
                 WHERE c.company_id = %(company)s AND c.state != 'cancelled'
                   AND c.create_date::date BETWEEN %(date_from)s AND %(date_to)s AND %(portfolio)s
              GROUP BY c.user_id, call.brand_id
              ORDER BY c.user_id, call.brand_id
                """,
                company=company.id,
                date_from=date_from,
                date_to=date_to,
                portfolio=portfolio,
                received=RECEIVED_ON_PROMISES,
                owed=OWED_ON_PROMISE,
            )
        )
        return [
            {
                "user_id": user_id,
                "brand_id": brand_id,
                "kept": kept,
                "broken": broken,
                "open": still_open,
                "kept_rate": kpi.kept_rate(kept, broken),
                "promised": float(promised),
                "received": float(received),
            }
            for user_id, brand_id, kept, broken, still_open, promised, received in self.env.cr.fetchall()
        ]

    # ------------------------------------------------------------------
    # Steps and channels
    # ------------------------------------------------------------------
    @api.model
    def step_effectiveness(self, date_from=None, date_to=None, company_id=None, windows=(7, 14, 30)):
        """Share of invoices (and amount) paid within 7 / 14 / 30 days after each step.

        :return: rows ``{"scenario_id", "step_id", "channel", "brand_id", "count", "amount",
            7: (share of invoices, share of amount), 14: ..., 30: ...}``
        """
        date_to = self._date(date_to)
        date_from = fields.Date.to_date(date_from) if date_from else date_to - timedelta(days=365)
        company, portfolio = self._scope(company_id)
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT i.scenario_id, il.step_id, i.channel, i.brand_id, i.date, ABS(il.amount_residual),
                       CASE WHEN move.payment_state IN ('paid', 'in_payment') THEN (
                            SELECT MAX(apr.max_date)
                              FROM account_move_line line
                              JOIN account_partial_reconcile apr ON apr.debit_move_id = line.id
                             WHERE line.move_id = move.id) END
                  FROM kreancia_intervention_line il
                  JOIN kreancia_intervention i ON i.id = il.intervention_id
                  JOIN account_move move ON move.id = il.move_id
                  JOIN res_partner customer ON customer.id = i.partner_id
                 WHERE i.company_id = %(company)s AND i.state IN ('done', 'to_send')
                   AND i.date BETWEEN %(date_from)s AND %(date_to)s AND %(portfolio)s
                """,
                company=company.id,
                date_from=date_from,
                date_to=date_to,
                portfolio=portfolio,
            )
        )
        rows = [(tuple(row[:4]), row[4], float(row[5]), row[6]) for row in self.env.cr.fetchall()]
        stats = kpi.paid_within(rows, windows)
        return [
            {"scenario_id": key[0], "step_id": key[1], "channel": key[2], "brand_id": key[3], **values}
            for key, values in sorted(stats.items(), key=lambda item: tuple(str(part) for part in item[0]))
        ]

    # ------------------------------------------------------------------
    # Calls
    # ------------------------------------------------------------------
    @api.model
    def call_outcomes(self, date_from=None, date_to=None, company_id=None):
        """Calls per agent and outcome, and the amount received on the promises the agent obtained.

        :return: rows ``{"user_id", "calls", "outcomes": {outcome: count}, "collected"}``
        """
        date_to = self._date(date_to)
        date_from = fields.Date.to_date(date_from) if date_from else date_to - timedelta(days=365)
        company, portfolio = self._scope(company_id)
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT call.user_id, call.outcome, COUNT(*),
                       %(received)s
                  FROM kreancia_call call
                  JOIN res_partner customer ON customer.id = call.partner_id
             LEFT JOIN kreancia_commitment c ON c.call_id = call.id AND c.state != 'cancelled'
             %(owed)s
                 WHERE call.company_id = %(company)s AND call.active
                   AND call.date::date BETWEEN %(date_from)s AND %(date_to)s AND %(portfolio)s
              GROUP BY call.user_id, call.outcome
              ORDER BY call.user_id, call.outcome
                """,
                company=company.id,
                date_from=date_from,
                date_to=date_to,
                portfolio=portfolio,
                received=RECEIVED_ON_PROMISES,
                owed=OWED_ON_PROMISE,
            )
        )
        agents = {}
        for user_id, outcome, count, collected in self.env.cr.fetchall():
            agent = agents.setdefault(user_id, {"user_id": user_id, "calls": 0, "outcomes": {}, "collected": 0.0})
            agent["calls"] += count
            agent["outcomes"][outcome] = count
            agent["collected"] += float(collected)
        return list(agents.values())

    # ------------------------------------------------------------------
    # Expected collection
    # ------------------------------------------------------------------
    @api.model
    def _deduct_credits(self, invoices, credit):
        """Set each invoice's ``to_collect``: its amount once its customer's ``credit`` settled the first expected."""
        by_partner = {}
        for invoice in sorted(invoices, key=lambda inv: (inv["expected"], inv["date_due"], inv["move_id"])):
            by_partner.setdefault(invoice["partner_id"], []).append(invoice)
        for partner_id, partner_invoices in by_partner.items():
            amounts = kpi.deduct_credits([inv["amount"] for inv in partner_invoices], credit.get(partner_id, 0.0))
            for invoice, amount in zip(partner_invoices, amounts, strict=True):
                invoice["to_collect"] = amount

    @api.model
    def expected_collection(self, as_of=None, company_id=None, weeks=13):
        """Expected payment date of each open invoice and a weekly cash-in forecast.

        A customer's typical delay is the median (and spread) of the days
        late of its invoices paid in the 12 months before ``as_of``; a
        customer without history takes its payer segment's, else every
        customer's, else none (paid on the due date). A customer's open
        credit notes and unallocated payments settle its invoices expected
        first: what is left of each invoice is what it brings in.

        :return: ``{"profiles": {partner_id: (median, spread, source)}, "invoices": [{"move_id",
            "partner_id", "date_due", "amount" (open), "expected", "to_collect" (after the customer's
            credits)}], "weeks": [{"week_start", "amount"}]}``
        """
        as_of = self._date(as_of)
        company, portfolio = self._scope(company_id)
        since = as_of - timedelta(days=365)
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT move.commercial_partner_id, %(trust)s, MAX(apr.max_date) - move.invoice_date_due
                  FROM account_move move
                  JOIN res_partner customer ON customer.id = move.commercial_partner_id
                  JOIN account_move_line line ON line.move_id = move.id
                  JOIN account_partial_reconcile apr ON apr.debit_move_id = line.id
                 WHERE move.company_id = %(company)s AND move.move_type = 'out_invoice' AND move.state = 'posted'
                   AND move.payment_state IN ('paid', 'in_payment') AND %(portfolio)s
              GROUP BY move.id, customer.id
                HAVING MAX(apr.max_date) BETWEEN %(since)s AND %(as_of)s
                """,
                company=company.id,
                portfolio=portfolio,
                since=since,
                as_of=as_of,
                trust=self.env["res.partner"]._dunning_trust_sql("customer", SQL("move.company_id")),
            )
        )
        by_partner, by_segment, everyone = {}, {}, []
        trusts = {}
        for partner_id, trust, days_late in self.env.cr.fetchall():
            by_partner.setdefault(partner_id, []).append(days_late)
            by_segment.setdefault(trust, []).append(days_late)
            everyone.append(days_late)
            trusts[partner_id] = trust
        report = self.env["kreancia.aged.balance"].with_context(kreancia_as_of=fields.Date.to_string(as_of))
        items = report.search_fetch(
            [("company_id", "=", company.id)], ["move_id", "partner_id", "trust", "kind", "date_due", "amount_residual"]
        )
        credit = {}
        for item in items.filtered(lambda item: item.kind != "invoice"):
            credit[item.partner_id.id] = credit.get(item.partner_id.id, 0.0) - item.amount_residual
        items = items.filtered(lambda item: item.kind == "invoice")
        segment_profiles = {trust: kpi.delay_profile(days) for trust, days in by_segment.items()}
        overall = kpi.delay_profile(everyone)
        profiles = {}
        invoices = []
        for item in items:
            partner_id = item.partner_id.id
            if partner_id not in profiles:
                own = kpi.delay_profile(by_partner.get(partner_id, []))
                segment = segment_profiles.get(item.trust)
                profile, source = (
                    (own, "customer") if own else (segment, "segment") if segment else (overall, "company")
                )
                profiles[partner_id] = (*profile, source) if profile else (0, 0.0, "none")
            expected = kpi.expected_date(item.date_due, profiles[partner_id][:2], as_of)
            invoices.append(
                {
                    "move_id": item.move_id.id,
                    "partner_id": partner_id,
                    "date_due": item.date_due,
                    "amount": item.amount_residual,
                    "expected": expected,
                }
            )
        self._deduct_credits(invoices, credit)
        totals = kpi.weekly_forecast([(inv["expected"], inv["to_collect"]) for inv in invoices], as_of, weeks)
        return {
            "profiles": profiles,
            "invoices": invoices,
            "weeks": [
                {"week_start": as_of + timedelta(days=7 * index), "amount": amount}
                for index, amount in enumerate(totals)
            ],
        }
