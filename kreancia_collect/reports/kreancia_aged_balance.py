from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.fields import Domain
from odoo.tools import SQL, format_date

from ..models.account_move import DUNNING_STATES
from ..tools.aging import AgedItem, age

KIND_SELECTION = [("invoice", "Invoice"), ("credit_note", "Credit note"), ("payment", "Unallocated payment")]
# a row's id is its journal item's and its as-of date's: line id x DAYS + the date's ordinal (under 10**6 until 2738)
DAYS = 10**6
TRUST_SELECTION = [("good", "Good Debtor"), ("normal", "Normal Debtor"), ("bad", "Bad Debtor")]


class KreanciaAgedBalance(models.Model):
    """Open receivable items as of a date, with their aged balance bucket.

    The as-of date is a parameter (context key ``kreancia_as_of``, today by
    default), never ``CURRENT_DATE``: an item's open amount at a date is its
    amount less what was reconciled with it on or before that date
    (``account_partial_reconcile.max_date``), so a past date shows the
    balance the ledger had then. Invoices fall into their company's buckets;
    credit notes and unallocated payments have no bucket and are shown apart.

    A row is a journal item at a date: its id holds both (see ``DAYS``), so
    the same item read at two dates in one transaction is two records, each
    with its own figures in the cache.

    :meth:`aged_balance` ages the same rows, read in one query, with
    :func:`..tools.aging.age`.
    """

    _name = "kreancia.aged.balance"
    _description = "Aged Balance"
    _auto = False
    _rec_name = "move_id"
    _order = "partner_id, date_due, id"

    move_id = fields.Many2one("account.move", "Entry", readonly=True)
    move_name = fields.Char("Reference", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", "Company currency", readonly=True)
    move_currency_id = fields.Many2one("res.currency", "Currency", readonly=True)
    partner_id = fields.Many2one("res.partner", "Customer", readonly=True)
    collector_id = fields.Many2one("res.users", readonly=True)
    trust = fields.Selection(TRUST_SELECTION, "Payer segment", readonly=True)
    scenario_id = fields.Many2one("kreancia.scenario", readonly=True)
    step_id = fields.Many2one("kreancia.scenario.step", "Current step", readonly=True)
    dunning_state = fields.Selection(DUNNING_STATES, "Dunning state", readonly=True)
    kind = fields.Selection(KIND_SELECTION, readonly=True)
    date = fields.Date(readonly=True)
    date_due = fields.Date("Due date", readonly=True)
    days_late = fields.Integer("Days late", readonly=True, aggregator="max")
    bucket_id = fields.Many2one("kreancia.aging.bucket", readonly=True)
    amount_residual = fields.Monetary("Open amount", currency_field="currency_id", readonly=True)
    amount_residual_currency = fields.Monetary(
        "Open amount in currency", currency_field="move_currency_id", readonly=True, aggregator=None
    )

    _depends = {
        "account.move": [
            "name",
            "state",
            "move_type",
            "invoice_date_due",
            "dunning_scenario_id",
            "dunning_step_id",
            "dunning_state",
        ],
        "account.move.line": [
            "move_id",
            "account_id",
            "partner_id",
            "company_id",
            "currency_id",
            "balance",
            "amount_currency",
            "date",
            "date_maturity",
            "parent_state",
        ],
        "account.partial.reconcile": [
            "debit_move_id",
            "credit_move_id",
            "amount",
            "debit_amount_currency",
            "credit_amount_currency",
            "max_date",
        ],
        "res.partner": ["commercial_partner_id", "dunning_collector_id", "dunning_scenario_id", "trust"],
        "kreancia.scenario": ["company_id", "is_default", "trust", "active"],
        "kreancia.scenario.step": ["scenario_id"],
        "kreancia.aging.bucket": ["company_id", "days_from", "days_to", "days_from_set", "days_to_set"],
    }

    # ------------------------------------------------------------------
    # SQL pieces (an integrator may override one of them)
    # ------------------------------------------------------------------
    @property
    def _table_query(self):
        return SQL(
            "SELECT items.*, bucket.id AS bucket_id FROM (%s) items %s WHERE items.amount_residual <> 0",
            SQL("%s %s %s", self._select(), self._from(), self._where()),
            self._join_bucket(),
        )

    def _as_of(self):
        """The as-of date of the figures: context ``kreancia_as_of``, else today."""
        value = self.env.context.get("kreancia_as_of")
        return fields.Date.to_date(value) if value else fields.Date.context_today(self)

    @api.model
    def _select(self):
        as_of = self._as_of()
        due = SQL("COALESCE(line.date_maturity, move.invoice_date_due, line.date)")
        return SQL(
            """
            SELECT line.id::bigint * %(days)s + %(day)s AS id,
                   line.move_id AS move_id,
                   move.name AS move_name,
                   line.company_id AS company_id,
                   company.currency_id AS currency_id,
                   line.currency_id AS move_currency_id,
                   customer.id AS partner_id,
                   customer.dunning_collector_id AS collector_id,
                   %(trust)s AS trust,
                   %(scenario)s AS scenario_id,
                   move.dunning_step_id AS step_id,
                   move.dunning_state AS dunning_state,
                   CASE WHEN line.balance > 0 THEN 'invoice'
                        WHEN move.move_type = 'out_refund' THEN 'credit_note'
                        ELSE 'payment' END AS kind,
                   line.date AS date,
                   %(due)s AS date_due,
                   %(as_of)s::date - %(due)s AS days_late,
                   line.balance - COALESCE(debit.amount, 0) + COALESCE(credit.amount, 0) AS amount_residual,
                   line.amount_currency - COALESCE(debit.amount_currency, 0) + COALESCE(credit.amount_currency, 0)
                       AS amount_residual_currency
            """,
            due=due,
            as_of=as_of,
            days=DAYS,
            day=as_of.toordinal(),
            trust=self._customer_trust(),
            scenario=self._scenario(),
        )

    @api.model
    def _scenario(self):
        """The scenario the item's invoice follows, by the run's rule (``kreancia.scenario._resolver``)."""
        return self.env["kreancia.scenario"]._resolution_sql(
            SQL("line.company_id"),
            SQL("move.dunning_scenario_id"),
            SQL("customer.dunning_scenario_id"),
            self._customer_trust(),
        )

    @api.model
    def _customer_trust(self):
        """The customer's payer segment in the item's company, Odoo's default applied."""
        return self.env["res.partner"]._dunning_trust_sql("customer", SQL("line.company_id"))

    @api.model
    def _from(self):
        as_of = self._as_of()
        return SQL(
            """
              FROM account_move_line line
              JOIN account_move move ON move.id = line.move_id
              JOIN account_account account ON account.id = line.account_id
              JOIN res_company company ON company.id = line.company_id
         LEFT JOIN res_partner partner ON partner.id = line.partner_id
         LEFT JOIN res_partner customer ON customer.id = COALESCE(partner.commercial_partner_id, line.partner_id)
         LEFT JOIN (SELECT debit_move_id AS line_id, SUM(amount) AS amount,
                           SUM(debit_amount_currency) AS amount_currency
                      FROM account_partial_reconcile
                     WHERE max_date <= %(as_of)s
                  GROUP BY debit_move_id) debit ON debit.line_id = line.id
         LEFT JOIN (SELECT credit_move_id AS line_id, SUM(amount) AS amount,
                           SUM(credit_amount_currency) AS amount_currency
                      FROM account_partial_reconcile
                     WHERE max_date <= %(as_of)s
                  GROUP BY credit_move_id) credit ON credit.line_id = line.id
            """,
            as_of=as_of,
        )

    @api.model
    def _where(self):
        return SQL(
            "WHERE line.parent_state = 'posted' AND account.account_type = 'asset_receivable' AND line.date <= %s",
            self._as_of(),
        )

    @api.model
    def _join_bucket(self):
        return SQL(
            """
         LEFT JOIN kreancia_aging_bucket bucket
                ON bucket.company_id = items.company_id AND items.kind = 'invoice'
               AND (bucket.days_from_set IS NOT TRUE OR items.days_late >= bucket.days_from)
               AND (bucket.days_to_set IS NOT TRUE OR items.days_late <= bucket.days_to)
            """
        )

    # ------------------------------------------------------------------
    # Figures
    # ------------------------------------------------------------------
    @api.model
    def _check_as_of(self, as_of):
        """Refuse a date in the future: the ledger does not know it yet."""
        as_of = fields.Date.to_date(as_of) if as_of else fields.Date.context_today(self)
        if as_of > fields.Date.context_today(self):
            raise UserError(
                self.env._(
                    "The aged balance cannot be computed at %(date)s, a date in the future.",
                    date=fields.Date.to_string(as_of),
                )
            )
        return as_of

    @api.model
    def _check_companies(self, company_ids):
        """The companies asked for, each one allowed to the user."""
        companies = self.env["res.company"].browse(company_ids) if company_ids else self.env.companies
        forbidden = companies - self.env.user.company_ids
        if forbidden:
            raise AccessError(
                self.env._(
                    "You may not see the figures of %(companies)s.",
                    companies=", ".join(forbidden.sudo().mapped("name")),
                )
            )
        if not companies:
            raise UserError(self.env._("Choose at least one company."))
        return companies

    @api.model
    def aged_balance(self, as_of=None, domain=None, company_ids=None, group_by=("company_id", "partner_id")):
        """Aged balance at ``as_of`` (ISO string or date; today when empty), in one query.

        :param domain: extra domain on this model (customer, collector, segment...)
        :param group_by: fields of this model whose values make a line's key
        :return: ``{company_id: AgedBalance}`` (one per company, whose
            buckets may differ); a line's key is the tuple of the
            ``group_by`` ids
        """
        as_of = self._check_as_of(as_of)
        companies = self._check_companies(company_ids)
        report = self.with_context(kreancia_as_of=fields.Date.to_string(as_of)).with_companies(companies)
        rows = report._aged_rows(Domain.AND([domain or [], [("company_id", "in", companies.ids)]]), group_by)
        bounds = self.env["kreancia.aging.bucket"]._companies_bounds(companies)
        return {
            company.id: age(
                (
                    AgedItem(key, kind, due, amount)
                    for company_id, key, kind, due, amount in rows
                    if company_id == company.id
                ),
                as_of,
                bounds[company.id],
            )
            for company in companies
        }

    def with_companies(self, companies):
        """The report restricted to ``companies`` (record rules follow the allowed companies)."""
        return self.with_context(allowed_company_ids=companies.ids)

    @api.model
    def _aged_rows(self, domain, group_by):
        """``(company_id, key, kind, date_due, amount)`` of the open items matching ``domain``, one query."""
        self.env.flush_all()
        query = self._search(domain)
        group_sql = [self._field_to_sql(self._table, name, query) for name in group_by]
        self.env.cr.execute(
            query.select(
                SQL.identifier(self._table, "company_id"),
                *group_sql,
                SQL.identifier(self._table, "kind"),
                SQL.identifier(self._table, "date_due"),
                SQL.identifier(self._table, "amount_residual"),
            )
        )
        width = len(group_by)
        return [
            (row[0], tuple(row[1 : 1 + width]), row[1 + width], row[2 + width], float(row[3 + width]))
            for row in self.env.cr.fetchall()
        ]

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_open_document(self):
        """Open the invoice, credit note or payment of this item."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.move",
            "res_id": self.move_id.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }

    @api.model
    def action_open(self, as_of=None, domain=None, name=None):
        """The aged balance window at ``as_of``: pivot, graph and list of the open items."""
        as_of = self._check_as_of(as_of)
        action = self.env["ir.actions.act_window"]._for_xml_id("kreancia_collect.kreancia_aged_balance_action")
        context = dict(self.env.context, kreancia_as_of=fields.Date.to_string(as_of))
        context.pop("params", None)
        name = name or self.env._("Aged balance at %(date)s", date=format_date(self.env, as_of))
        # the web client titles the window with the action's display name
        action.update(context=context, domain=domain or [], name=name, display_name=name)
        return action
