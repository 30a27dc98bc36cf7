"""Time the daily dunning run on a scratch database.

Usage::

    python3 benchmarks/bench_escalation.py --invoices 10000 --customers 2000

Creates (once) a scratch database ``kc_bench_<invoices>`` with the add-on
installed and the requested overdue invoices, then times
``kreancia.escalation.run()`` inside a transaction that is rolled back, so
the measure can be repeated. Prints invoices per second, interventions per
second and SQL queries per 1,000 invoices.
"""

import argparse
import os
import subprocess
import sys
import time
from datetime import date, timedelta

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

try:
    import odoo
    from odoo import SUPERUSER_ID, api
    from odoo.modules.registry import Registry
    from odoo.tools import config
except ImportError:
    sys.exit("Odoo 19.0 is not importable by python3: see README.md, 'Prerequisites'.")


def addons_path():
    odoo_root = os.path.dirname(os.path.abspath(next(iter(odoo.__path__))))
    return f"{odoo_root}/addons,{ROOT}", os.path.join(odoo_root, "odoo-bin")


def database_exists(name):
    result = subprocess.run(
        ["psql", "-d", "postgres", "-Atc", f"select 1 from pg_database where datname = '{name}'"],
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout.strip() == "1"


def install_module(name, paths, odoo_bin, mode="-i"):
    """Install (``-i``) or update (``-u``) the add-on in the scratch database."""
    print(f"{'Creating' if mode == '-i' else 'Updating'} {name} ...", flush=True)
    subprocess.run(
        [
            *(sys.executable, odoo_bin, f"--addons-path={paths}", "-d", name, mode, "kreancia_collect"),
            *("--stop-after-init", "--log-level=warn", "--without-demo=True"),
        ],
        check=True,
    )


def populate(env, invoices, customers, today):
    """Create ``customers`` customers and ``invoices`` posted invoices due 0 to 120 days ago."""
    company = env.company
    scenario = env["kreancia.scenario"].search([("company_id", "=", company.id), ("is_default", "=", True)])
    if not scenario:
        raise SystemExit("No default scenario in the scratch database.")
    # e-mail steps only: the benchmark measures the e-mail run
    template = env.ref("kreancia_collect.mail_template_reminder_firm")
    scenario.step_ids.filtered(lambda step: step.channel != "email").write(
        {"channel": "email", "mail_template_id": template.id, "manual": False}
    )
    partners = env["res.partner"].create(
        [
            {"name": f"Bench customer {index}", "is_company": True, "email": f"customer{index}@bench.example.com"}
            for index in range(customers)
        ]
    )
    journal = env["account.journal"].search([("type", "=", "sale"), ("company_id", "=", company.id)], limit=1)
    batch = 500
    started = time.monotonic()
    for start in range(0, invoices, batch):
        vals_list = []
        for index in range(start, min(start + batch, invoices)):
            due = today - timedelta(days=index % 120)
            vals_list.append(
                {
                    "move_type": "out_invoice",
                    "partner_id": partners[index % customers].id,
                    "journal_id": journal.id,
                    "invoice_date": due,
                    "invoice_date_due": due,
                    "invoice_line_ids": [(0, 0, {"name": "Service", "quantity": 1, "price_unit": 100 + index % 900})],
                }
            )
        moves = env["account.move"].create(vals_list)
        moves.action_post()
        env.cr.commit()
        print(f"  {start + len(vals_list)} invoices created ({time.monotonic() - started:.0f} s)", flush=True)


def measure(env, today):
    env.flush_all()
    env.invalidate_all()
    queries_before = env.cr.sql_log_count
    started = time.monotonic()
    counts = env["kreancia.escalation"].run(today=today)
    env.flush_all()
    elapsed = time.monotonic() - started
    queries = env.cr.sql_log_count - queries_before
    return counts, elapsed, queries


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--invoices", type=int, default=1000)
    parser.add_argument("--customers", type=int, default=None, help="default: invoices / 5")
    parser.add_argument("--database", default=None)
    parser.add_argument("--no-update", action="store_true", help="reuse the scratch database as it is")
    args = parser.parse_args()
    customers = args.customers or max(args.invoices // 5, 1)
    name = args.database or f"kc_bench_{args.invoices}_{customers}"
    paths, odoo_bin = addons_path()
    if not database_exists(name):
        install_module(name, paths, odoo_bin)
    elif not args.no_update:
        install_module(name, paths, odoo_bin, mode="-u")  # measure the code of the work tree
    config.parse_config([f"--addons-path={paths}", "-d", name, "--log-level=warn"])
    registry = Registry(name)
    today = date.today()
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        open_invoices = env["account.move"].search_count([("move_type", "=", "out_invoice"), ("state", "=", "posted")])
        if open_invoices < args.invoices:
            populate(env, args.invoices, customers, today)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        counts, elapsed, queries = measure(env, today)
        cr.rollback()
    performed = counts.get("invoices", 0)
    interventions = counts.get("interventions", 0)
    print(f"database:              {name}")
    print(f"invoices dunned:       {performed} ({customers} customers)")
    print(f"interventions:         {interventions} ({counts.get('done', 0)} done, {counts.get('failed', 0)} failed)")
    print(f"run time:              {elapsed:.1f} s")
    print(f"invoices per second:   {performed / elapsed:.0f}")
    print(f"interventions per s:   {interventions / elapsed:.0f}")
    print(f"SQL queries:           {queries} ({queries * 1000 / max(performed, 1):.0f} per 1,000 invoices)")


if __name__ == "__main__":
    main()
