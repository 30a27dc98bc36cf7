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
import cProfile
import os
import pstats
import resource
import subprocess
import sys
import time
import urllib.request
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


def use_letters(env, customers):
    """Turn every step into a reminder letter and give the customers a postal address (rolled back)."""
    scenario = env["kreancia.scenario"].search([("company_id", "=", env.company.id), ("is_default", "=", True)])
    scenario.step_ids.write({"channel": "letter", "manual": False, "attach_letter": False})
    partners = env["res.partner"].search([("name", "=like", "Bench customer %")])
    partners.write({"street": "1 rue de la Paix", "zip": "75002", "city": "Paris", "country_id": env.ref("base.fr").id})
    # late-payment interest needs a rate for every half-year of the late periods
    rates = env["kreancia.interest.rate"]
    for year in range(date.today().year - 1, date.today().year + 1):
        for month in (1, 7):
            start = date(year, month, 1)
            if not rates.search_count([("date_start", "=", start)]):
                rates.create({"date_start": start, "ecb_rate": 2.15, "legal_rate": 3.16})
    return len(partners)


def start_server(name, paths, odoo_bin, port):
    """An Odoo HTTP server on ``port`` serving the report assets wkhtmltopdf fetches."""
    process = subprocess.Popen(
        [
            *(sys.executable, odoo_bin, f"--addons-path={paths}", "-d", name, f"--http-port={port}"),
            *("--log-level=warn", "--max-cron-threads=0", "--http-interface=127.0.0.1"),
        ]
    )
    for _attempt in range(120):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/web/health", timeout=2)
            return process
        except OSError:
            time.sleep(0.5)
    process.terminate()
    raise SystemExit("The HTTP server did not start.")


def longest_batch(registry):
    """Time each batch (one transaction when the scheduled action runs): a wrapper of ``_perform_batch``."""
    engine = registry["kreancia.escalation"]
    perform_batch = engine._perform_batch
    durations = []

    def timed(self, *args):
        started = time.monotonic()
        try:
            return perform_batch(self, *args)
        finally:
            durations.append(time.monotonic() - started)

    engine._perform_batch = timed
    return durations


PHASES = (
    ("plan", "kreancia.escalation", "_plan_company"),
    ("re-check and lock", "kreancia.escalation", "_recheck"),
    ("create interventions", "kreancia.escalation", "_create_interventions"),
    ("perform (render, queue)", "kreancia.intervention", "_perform"),
)


def time_phases(registry):
    """Total time spent in each phase of the run: wrappers of the engine's methods."""
    totals = dict.fromkeys(name for name, _model, _method in PHASES)
    for name, model, method in PHASES:
        cls = registry[model]
        original = getattr(cls, method)

        def timed(self, *args, _original=original, _name=name, **kwargs):
            started = time.monotonic()
            try:
                return _original(self, *args, **kwargs)
            finally:
                totals[_name] = (totals[_name] or 0.0) + time.monotonic() - started

        setattr(cls, method, timed)
    return totals


def measure(env, today, profile=False):
    env.flush_all()
    env.invalidate_all()
    queries_before = env.cr.sql_log_count
    profiler = cProfile.Profile() if profile else None
    started = time.monotonic()
    if profiler:
        profiler.enable()
    counts = env["kreancia.escalation"].with_context(kreancia_sync=True).run(today=today)
    env.flush_all()
    if profiler:
        profiler.disable()
    elapsed = time.monotonic() - started
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(profile)
    queries = env.cr.sql_log_count - queries_before
    return counts, elapsed, queries


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--invoices", type=int, default=1000)
    parser.add_argument("--customers", type=int, default=None, help="default: invoices / 5")
    parser.add_argument("--database", default=None)
    parser.add_argument("--no-update", action="store_true", help="reuse the scratch database as it is")
    parser.add_argument("--letters", action="store_true", help="every step a letter (one PDF per customer)")
    parser.add_argument(
        "--http-port", type=int, default=0, help="with --letters: run an HTTP server on this port for the PDF assets"
    )
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="print the N top cumulative entries")
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
    batches = longest_batch(registry)
    phases = time_phases(registry)
    memory_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    server = start_server(name, paths, odoo_bin, args.http_port) if args.letters and args.http_port else None
    try:
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            if args.letters:
                use_letters(env, customers)
                base_url = f"http://127.0.0.1:{args.http_port or 1}"  # port 1: nothing answers
                env["ir.config_parameter"].set_param("report.url", base_url)
            counts, elapsed, queries = measure(env, today, args.profile)
            cr.rollback()
    finally:
        if server:
            server.terminate()
            server.wait()
    report(args, name, customers, (counts, elapsed, queries), server)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print("phases:                " + ", ".join(f"{name} {total or 0:.2f} s" for name, total in phases.items()))
    print(f"longest batch:         {max(batches, default=0):.1f} s ({len(batches)} batches of up to 200 customers)")
    print("batches:               " + " ".join(f"{duration:.1f}" for duration in batches))
    print(f"peak memory:           {peak / 1024:.0f} MB (run: +{(peak - memory_before) / 1024:.0f} MB)")


def report(args, name, customers, measured, server):
    counts, elapsed, queries = measured
    if args.letters:
        letters = counts.get("to_send", 0)
        print(f"letters:               {letters} in {elapsed:.1f} s, {letters / elapsed:.1f} letters per second")
        print(f"HTTP server:           {f'running on port {args.http_port}' if server else 'none'}")
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
