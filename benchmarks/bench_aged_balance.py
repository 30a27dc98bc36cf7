"""Time the aged balance at a past date on a scratch database.

Usage::

    python3 benchmarks/bench_aged_balance.py --invoices 100000 --customers 20000

Creates (once) a scratch database ``kc_bench_aged_<invoices>_<customers>``
with the add-on installed, then inserts by SQL the posted customer invoices
(a receivable and an income line each), a partial payment of every third
invoice (its entry and its ``account_partial_reconcile``, dated 20 days
after the invoice) and a collector on a quarter of the customers: the rows
the aged balance reads, consistent as Odoo would write them. Then it times,
as of 60 days ago and cold (cache invalidated), the aged balance of every
customer (``kreancia.aged.balance.aged_balance``: one query plus the
Python bucketing) and the pivot's grouping by bucket, and prints their SQL
query counts.
"""

import argparse
import os
import sys
import time
from datetime import date, timedelta

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from bench_escalation import addons_path, database_exists, install_module

from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.tools import SQL, config


def populate(env, invoices, customers, today):
    """Insert customers, invoices, partial payments and their reconciliations, by SQL."""
    cr = env.cr
    company = env.company
    journal = env["account.journal"].search([("type", "=", "sale"), ("company_id", "=", company.id)], limit=1)
    misc = env["account.journal"].search([("type", "=", "general"), ("company_id", "=", company.id)], limit=1)
    receivable = env["account.account"].search(
        [("company_ids", "in", company.id), ("account_type", "=", "asset_receivable")], limit=1
    )
    income = journal.default_account_id
    bank = env["account.account"].search(
        [("company_ids", "in", company.id), ("account_type", "=", "asset_cash")], limit=1
    )
    values = {
        "company": company.id,
        "currency": company.currency_id.id,
        "journal": journal.id,
        "misc": misc.id,
        "receivable": receivable.id,
        "income": income.id,
        "bank": bank.id,
        "collector": env.ref("base.user_admin").id,
        "customers": customers,
        "invoices": invoices,
        "today": today,
    }
    started = time.monotonic()
    cr.execute(
        SQL(
            """
            INSERT INTO res_partner (name, complete_name, is_company, active, type, autopost_bills, ref)
            SELECT 'Bench customer ' || g, 'Bench customer ' || g, TRUE, TRUE, 'contact', 'ask', 'BENCH-' || g
              FROM generate_series(1, %(customers)s) g;
            UPDATE res_partner SET commercial_partner_id = id,
                   dunning_collector_id = CASE WHEN id %% 4 = 0 THEN %(collector)s END
             WHERE ref LIKE 'BENCH-%%';
            CREATE TEMP TABLE bench_partner AS
                SELECT ROW_NUMBER() OVER (ORDER BY id) - 1 AS n, id FROM res_partner WHERE ref LIKE 'BENCH-%%';
            CREATE UNIQUE INDEX ON bench_partner (n);
            ANALYZE bench_partner;
            INSERT INTO account_move (name, move_type, state, auto_post, journal_id, company_id, currency_id,
                                      partner_id, commercial_partner_id, date, invoice_date, invoice_date_due,
                                      amount_total, amount_total_signed, amount_residual, amount_residual_signed,
                                      payment_state, ref)
            SELECT 'BINV/' || g, 'out_invoice', 'posted', 'no', %(journal)s, %(company)s, %(currency)s,
                   p.id, p.id, %(today)s::date - (g %% 400), %(today)s::date - (g %% 400),
                   %(today)s::date - (g %% 400) + 30, 100 + g %% 900, 100 + g %% 900,
                   100 + g %% 900, 100 + g %% 900, 'not_paid', 'BENCH'
              FROM generate_series(1, %(invoices)s) g
              JOIN bench_partner p ON p.n = g %% %(customers)s;
            INSERT INTO account_move_line (move_id, journal_id, company_id, company_currency_id, currency_id,
                                           account_id, partner_id, name, display_type, parent_state, date,
                                           date_maturity, debit, credit, balance, amount_currency,
                                           amount_residual, amount_residual_currency, reconciled)
            SELECT m.id, m.journal_id, m.company_id, m.currency_id, m.currency_id, %(receivable)s,
                   m.partner_id, m.name, 'payment_term', 'posted', m.date, m.invoice_date_due,
                   m.amount_total, 0, m.amount_total, m.amount_total, m.amount_total, m.amount_total, FALSE
              FROM account_move m WHERE m.ref = 'BENCH'
            UNION ALL
            SELECT m.id, m.journal_id, m.company_id, m.currency_id, m.currency_id, %(income)s,
                   m.partner_id, 'Service', 'product', 'posted', m.date, NULL,
                   0, m.amount_total, -m.amount_total, -m.amount_total, 0, 0, FALSE
              FROM account_move m WHERE m.ref = 'BENCH';
            ANALYZE account_move; ANALYZE account_move_line;
            -- every third invoice: half paid 20 days after its date
            INSERT INTO account_move (name, move_type, state, auto_post, journal_id, company_id, currency_id,
                                      partner_id, commercial_partner_id, date, ref)
            SELECT 'BPAY/' || substr(m.name, 6), 'entry', 'posted', 'no', %(misc)s, m.company_id, m.currency_id,
                   m.partner_id, m.partner_id, m.date + 20, 'BENCH-PAY'
              FROM account_move m WHERE m.ref = 'BENCH' AND m.id %% 3 = 0;
            ANALYZE account_move;
            INSERT INTO account_move_line (move_id, journal_id, company_id, company_currency_id, currency_id,
                                           account_id, partner_id, name, display_type, parent_state, date,
                                           debit, credit, balance, amount_currency, amount_residual,
                                           amount_residual_currency, reconciled)
            SELECT pay.id, pay.journal_id, pay.company_id, pay.currency_id, pay.currency_id, %(receivable)s,
                   pay.partner_id, pay.name, 'product', 'posted', pay.date,
                   0, inv.amount_total / 2, -inv.amount_total / 2, -inv.amount_total / 2, 0, 0, TRUE
              FROM account_move pay JOIN account_move inv ON inv.name = 'BINV/' || substr(pay.name, 6)
             WHERE pay.ref = 'BENCH-PAY'
            UNION ALL
            SELECT pay.id, pay.journal_id, pay.company_id, pay.currency_id, pay.currency_id, %(bank)s,
                   pay.partner_id, pay.name, 'product', 'posted', pay.date,
                   inv.amount_total / 2, 0, inv.amount_total / 2, inv.amount_total / 2, 0, 0, FALSE
              FROM account_move pay JOIN account_move inv ON inv.name = 'BINV/' || substr(pay.name, 6)
             WHERE pay.ref = 'BENCH-PAY';
            ANALYZE account_move; ANALYZE account_move_line;
            INSERT INTO account_partial_reconcile (debit_move_id, credit_move_id, amount, debit_amount_currency,
                                                   credit_amount_currency, debit_currency_id, credit_currency_id,
                                                   company_id, max_date)
            SELECT inv_line.id, pay_line.id, -pay_line.balance, -pay_line.balance, -pay_line.balance,
                   inv_line.currency_id, pay_line.currency_id, inv_line.company_id, pay_line.date
              FROM account_move pay
              JOIN account_move_line pay_line ON pay_line.move_id = pay.id AND pay_line.account_id = %(receivable)s
              JOIN account_move inv ON inv.name = 'BINV/' || substr(pay.name, 6)
              JOIN account_move_line inv_line ON inv_line.move_id = inv.id AND inv_line.account_id = %(receivable)s
             WHERE pay.ref = 'BENCH-PAY';
            UPDATE account_move_line l SET amount_residual = l.balance - apr.amount,
                   amount_residual_currency = l.balance - apr.amount
              FROM account_partial_reconcile apr WHERE apr.debit_move_id = l.id;
            UPDATE account_move m SET payment_state = 'partial', amount_residual = amount_total / 2,
                   amount_residual_signed = amount_total / 2
             WHERE m.ref = 'BENCH' AND m.id %% 3 = 0;
            ANALYZE account_move; ANALYZE account_move_line; ANALYZE account_partial_reconcile; ANALYZE res_partner;
            """,
            **values,
        )
    )
    env.cr.commit()
    print(f"  {invoices} invoices of {customers} customers inserted in {time.monotonic() - started:.0f} s", flush=True)


def timed(env, function):
    env.invalidate_all()
    queries = env.cr.sql_log_count
    started = time.monotonic()
    result = function()
    return result, time.monotonic() - started, env.cr.sql_log_count - queries


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--invoices", type=int, default=5000)
    parser.add_argument("--customers", type=int, default=None, help="default: invoices / 5")
    parser.add_argument("--database", default=None)
    parser.add_argument("--no-update", action="store_true", help="reuse the scratch database as it is")
    args = parser.parse_args()
    customers = args.customers or max(args.invoices // 5, 1)
    name = args.database or f"kc_bench_aged_{args.invoices}_{customers}"
    paths, odoo_bin = addons_path()
    if not database_exists(name):
        install_module(name, paths, odoo_bin)
    elif not args.no_update:
        install_module(name, paths, odoo_bin, mode="-u")
    config.parse_config([f"--addons-path={paths}", "-d", name, "--log-level=warn"])
    registry = Registry(name)
    today = date.today()
    as_of = today - timedelta(days=60)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        if not env["account.move"].search_count([("ref", "=", "BENCH")], limit=1):
            populate(env, args.invoices, customers, today)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        report = env["kreancia.aged.balance"]
        report.aged_balance(as_of)  # warm the registry and PostgreSQL's cache
        balances, elapsed, queries = timed(env, lambda: report.aged_balance(as_of, group_by=("partner_id",)))
        balance = balances[env.company.id]
        pivot = report.with_context(kreancia_as_of=as_of.isoformat())
        groups, pivot_elapsed, pivot_queries = timed(
            env, lambda: pivot._read_group([], ["bucket_id"], ["amount_residual:sum", "__count"])
        )
        cr.rollback()
    total = balance.total
    print(f"database:            {name}")
    print(f"as of:               {as_of} (today - 60 days)")
    print(f"open items:          {total.items} ({len(balance.lines)} customers)")
    print(f"open invoices:       {total.invoiced:,.2f}  by bucket: {', '.join(f'{a:,.0f}' for a in total.buckets)}")
    print(f"aged balance:        {elapsed:.2f} s, {queries} SQL queries")
    print(f"pivot by bucket:     {pivot_elapsed:.2f} s, {pivot_queries} SQL queries, {len(groups)} groups")


if __name__ == "__main__":
    main()
