"""The daily run beside OCA's account_credit_control 19.0, on the same invoices, in one process.

Usage::

    python3 benchmarks/bench_peer.py --invoices 1000 --customers 200

A benchmark-only requirement: the wheel ``odoo-addon-account-credit-control``
(19.0) is downloaded once with pip into ``benchmarks/.peer/`` (git-ignored)
and put on the addons path of the scratch database ``kc_peer_<invoices>_<customers>``
only (a copy of ``kc_bench_<invoices>_<customers>`` when that one exists); it is
never a dependency of kreancia_collect.

Both runs see the same overdue invoices and send one e-mail per customer:
kreancia_collect's ``kreancia.escalation.run()`` with e-mail steps, then OCA's
run (generate the credit control lines), mark them to do (``credit.control.marker``)
and the e-mail wizard (``credit.control.emailer``), without PDF. Each runs in
a transaction rolled back afterwards; the script prints both times, their
SQL queries and the ratio (the best of ``--rounds`` runs of each, run
alternately, the first one warming Odoo's caches).
"""

import argparse
import glob
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from datetime import date

import bench_escalation as bench

from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.tools import config

PEER_DIR = os.path.join(bench.ROOT, "benchmarks", ".peer")
PEER_ADDONS = os.path.join(PEER_DIR, "odoo", "addons")
PEER_WHEEL = "odoo-addon-account-credit-control>=19.0,<19.1"


def fetch_peer():
    """Unzip OCA's wheel into benchmarks/.peer once."""
    if os.path.isdir(os.path.join(PEER_ADDONS, "account_credit_control")):
        return
    with tempfile.TemporaryDirectory() as download:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-d", download, PEER_WHEEL], check=True)
        (wheel,) = glob.glob(os.path.join(download, "*.whl"))
        print(f"Unzipping {os.path.basename(wheel)} into {PEER_DIR}")
        with zipfile.ZipFile(wheel) as archive:
            archive.extractall(PEER_DIR)


def install(name, paths, odoo_bin, mode):
    print(f"{'Installing into' if mode == '-i' else 'Updating'} {name} ...", flush=True)
    subprocess.run(
        [
            *(sys.executable, odoo_bin, f"--addons-path={paths}", "-d", name, mode),
            "kreancia_collect,account_credit_control",
            *("--stop-after-init", "--log-level=warn", "--without-demo=True"),
        ],
        check=True,
    )


def configure_peer(env):
    """A policy whose levels are all e-mails, the company's default, on the receivable accounts."""
    template = env.ref("account_credit_control.email_template_credit_control_base")
    template.report_template_ids = False  # e-mails without the PDF summary, as ours
    receivable = env["account.account"].search([("account_type", "=", "asset_receivable")])
    policy = env["credit.control.policy"].create(
        {
            "name": "Bench e-mails",
            "company_id": env.company.id,
            "account_ids": [(6, 0, receivable.ids)],
            "level_ids": [
                (
                    0,
                    0,
                    {
                        "name": f"E-mail {level}",
                        "level": level,
                        "computation_mode": "net_days" if level == 1 else "previous_date",
                        "delay_days": delay,
                        "email_template_id": template.id,
                        "channel": "email",
                        "custom_text": "Please pay.",
                        "custom_mail_text": "<p>Please pay.</p>",
                        "mail_show_invoice_detail": True,
                    },
                )
                for level, delay in ((1, 0), (2, 7), (3, 15))
            ],
        }
    )
    env.company.credit_policy_id = policy
    return policy


def measure(env, action):
    env.flush_all()
    env.invalidate_all()
    before = env.cr.sql_log_count
    started = time.monotonic()
    result = action()
    env.flush_all()
    return result, time.monotonic() - started, env.cr.sql_log_count - before


def run_peer(env, today):
    policy = configure_peer(env)
    env.flush_all()

    mails_before = env["mail.mail"].search_count([])

    def action():
        run = env["credit.control.run"].create({"date": today, "policy_ids": [(6, 0, policy.ids)]})
        run.generate_credit_lines()
        lines = run.line_ids
        env["credit.control.marker"].create({"name": "to_be_sent", "line_ids": [(6, 0, lines.ids)]}).mark_lines()
        env["credit.control.emailer"].create({"line_ids": [(6, 0, lines.ids)]}).email_lines()
        return len(lines), len(lines.communication_id), env["mail.mail"].search_count([]) - mails_before

    return measure(env, action)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--invoices", type=int, default=1000)
    parser.add_argument("--customers", type=int, default=None, help="default: invoices / 5")
    parser.add_argument("--no-update", action="store_true")
    parser.add_argument("--rounds", type=int, default=2, help="runs of each, alternately (the first warms caches)")
    args = parser.parse_args()
    customers = args.customers or max(args.invoices // 5, 1)
    name = f"kc_peer_{args.invoices}_{customers}"
    fetch_peer()
    paths, odoo_bin = bench.addons_path()
    paths = f"{paths},{PEER_ADDONS}"
    source = f"kc_bench_{args.invoices}_{customers}"
    if not bench.database_exists(name) and bench.database_exists(source):
        print(f"Copying {source} into {name} ...", flush=True)  # same invoices, no second creation
        subprocess.run(["createdb", "-T", source, name], check=True)
        install(name, paths, odoo_bin, "-i")
    elif not bench.database_exists(name):
        install(name, paths, odoo_bin, "-i")
    elif not args.no_update:
        install(name, paths, odoo_bin, "-u")
    config.parse_config([f"--addons-path={paths}", "-d", name, "--log-level=warn"])
    registry = Registry(name)
    today = date.today()
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        posted = env["account.move"].search_count([("move_type", "=", "out_invoice"), ("state", "=", "posted")])
        if posted < args.invoices:
            bench.populate(env, args.invoices, customers, today)
    ours_runs, peer_runs = [], []
    for _round in range(args.rounds):  # alternately, each in a transaction rolled back; the best of each counts
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            engine = env["kreancia.escalation"].with_context(kreancia_sync=True)
            ours_runs.append(measure(env, lambda engine=engine: engine.run(today=today)))
            cr.rollback()
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            peer_runs.append(run_peer(env, today))
            cr.rollback()
    counts, ours, our_queries = min(ours_runs, key=lambda run: run[1])
    (lines, communications, mails), peer, peer_queries = min(peer_runs, key=lambda run: run[1])
    rounds = zip(ours_runs, peer_runs, strict=True)
    print("rounds:          " + ", ".join(f"{o[1]:.2f} s / {p[1]:.2f} s" for o, p in rounds))
    print(f"database:        {name} ({args.invoices} invoices, {customers} customers)")
    emails = counts.get("interventions", 0)
    print(
        f"kreancia:        {ours:.2f} s, {our_queries} queries, {emails} e-mails, "
        f"{counts.get('invoices', 0)} invoices ({our_queries / max(emails, 1):.1f} queries per e-mail)"
    )
    print(
        f"account_credit_control: {peer:.2f} s, {peer_queries} queries, {mails} e-mails "
        f"({communications} communications, {lines} lines)"
    )
    print(f"ratio:           {peer / ours:.1f}x faster, {peer_queries / max(our_queries, 1):.1f}x fewer queries")


if __name__ == "__main__":
    main()
