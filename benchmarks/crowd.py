"""A crowd of debtors on their pages, against a real multi-worker Odoo server.

Usage::

    python3 benchmarks/crowd.py --debtors 200 --duration 120
    python3 benchmarks/crowd.py --debtors 20 --duration 30        # while developing

Creates (once) the scratch database ``kc_crowd`` with kreancia_collect and
payment_demo installed, copies it into ``kc_crowd_run`` for each run, gives it
``--debtors`` customers with three overdue invoices each and a valid debtor
link, publishes the demo payment provider, starts ``odoo-bin --workers=2
--max-cron-threads=0`` on free ports and runs locust headless
(``benchmarks/crowd/locustfile.py``): each simulated debtor opens its page,
downloads an invoice, proposes a plan, disputes an invoice, then pays through
payment_demo or declares a payment, double-clicking the forms; one more user
hammers a single link (the rate limits), another tries wrong tokens. Then it
prints requests per second, p50/p95/p99 per route, the statuses answered, and
checks the database: no duplicate commitment, transaction or dispute, and the
rate limits held. Any 5xx or failed check prints a FAIL line (exit status 1).

locust is a benchmark-only tool, installed in its own virtualenv
``benchmarks/.locust/`` (git-ignored): its Flask needs a Werkzeug newer than
the one Odoo 19 pins, so it never goes into Odoo's environment.
"""

import argparse
import base64
import csv
import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from datetime import date, datetime, timedelta

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from bench_escalation import addons_path, database_exists  # noqa: E402
from reportlab.pdfgen import canvas  # noqa: E402

from odoo import SUPERUSER_ID, Command, api  # noqa: E402
from odoo.modules.registry import Registry  # noqa: E402
from odoo.tools import config  # noqa: E402

VENV = os.path.join(HERE, ".locust")
LOCUSTFILE = os.path.join(HERE, "crowd", "locustfile.py")
SERVER = os.path.join(HERE, "crowd", "odoo_server.py")  # odoo-bin, see there why
BASE_DB = "kc_crowd"
RUN_DB = "kc_crowd_run"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--debtors", type=int, default=200, help="simulated debtors (one link each)")
    parser.add_argument("--duration", type=int, default=120, help="seconds of load")
    parser.add_argument("--think", default="10-30", help="seconds a debtor waits between two steps (min-max)")
    parser.add_argument("--spawn-rate", type=float, default=20, help="users started per second")
    parser.add_argument("--workers", type=int, default=2, help="Odoo HTTP workers")
    parser.add_argument(
        "--unsent",
        action="store_true",
        help="invoices never sent through Odoo (no legal PDF): every download renders one with wkhtmltopdf",
    )
    parser.add_argument("--log-level", default="warn", help="the server's log level (its log is in --out)")
    parser.add_argument("--no-update", action="store_true", help="do not update the add-on in kc_crowd")
    parser.add_argument("--out", default=os.path.join(HERE, ".crowd"), help="folder of locust's CSV and logs")
    return parser.parse_args()


def ensure_locust():
    locust = os.path.join(VENV, "bin", "locust")
    if not os.path.exists(locust):
        print("Installing locust in benchmarks/.locust/ ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", VENV], check=True)
        subprocess.run([os.path.join(VENV, "bin", "pip"), "install", "-q", "locust"], check=True)
    return locust


def free_port():
    """A free port followed by two free ones (the workers' gevent process, the stylesheets' server)."""
    for _attempt in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        try:
            for offset in (1, 2):
                with socket.socket() as probe:
                    probe.bind(("127.0.0.1", port + offset))
        except OSError:
            continue
        return port
    raise SystemExit("No three free consecutive ports.")


def prepare_databases(args, paths, odoo_bin):
    odoo_args = [sys.executable, odoo_bin, f"--addons-path={paths}", "--stop-after-init", "--log-level=warn"]
    if not database_exists(BASE_DB):
        print(f"Creating {BASE_DB} (kreancia_collect, payment_demo) ...", flush=True)
        modules = "kreancia_collect,payment_demo"
        subprocess.run([*odoo_args, "-d", BASE_DB, "-i", modules, "--without-demo=True"], check=True)
    elif not args.no_update:
        print(f"Updating {BASE_DB} ...", flush=True)
        subprocess.run([*odoo_args, "-d", BASE_DB, "-u", "kreancia_collect"], check=True)
    subprocess.run(["dropdb", "--if-exists", "--force", RUN_DB], check=True)
    subprocess.run(["createdb", "-T", BASE_DB, RUN_DB], check=True)


def stand_in_pdf(title):
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.drawString(72, 770, title)
    page.save()
    return buffer.getvalue()


def populate(env, debtors, port, sent=True):
    """``debtors`` + 2 customers (the abusive user's, the warm-up's) with three overdue invoices and a link."""
    company = env.company
    today = date.today()
    env["res.lang"]._activate_lang("en_US")
    provider = env.ref("payment.payment_provider_demo")
    method = env.ref("payment_demo.payment_method_demo")
    provider.write(
        {
            "state": "test",
            "is_published": True,
            "company_id": company.id,
            "payment_method_ids": [Command.set(method.ids)],
        }
    )
    # wkhtmltopdf loads the report's stylesheets from a server of their own (see start_server)
    env["ir.config_parameter"].set_param("report.url", f"http://127.0.0.1:{port + 2}")
    env["ir.config_parameter"].set_param("web.base.url", f"http://127.0.0.1:{port}")
    env["ir.config_parameter"].set_param("web.base.url.freeze", "True")
    scenario = env["kreancia.scenario"].search([("company_id", "=", company.id), ("is_default", "=", True)], limit=1)
    partners = env["res.partner"].create(
        [
            {
                "name": f"Crowd debtor {index}",
                "is_company": True,
                "lang": "en_US",
                "email": f"d{index}@crowd.example.com",
            }
            for index in range(debtors + 2)
        ]
    )
    journal = env["account.journal"].search([("type", "=", "sale"), ("company_id", "=", company.id)], limit=1)
    moves = env["account.move"].create(
        [
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "journal_id": journal.id,
                "invoice_date": today - timedelta(days=40 + 10 * rank),
                "invoice_date_due": today - timedelta(days=10 + 10 * rank),
                "invoice_line_ids": [
                    Command.create({"name": "Service", "quantity": 1, "price_unit": 300 + 100 * rank, "tax_ids": []})
                ],
            }
            for partner in partners
            for rank in range(3)
        ]
    )
    moves.action_post()
    if sent:
        # as if each invoice went out through Odoo's Send & Print: its legal PDF stored, which the debtor page
        # serves (a small stand-in PDF naming the invoice: what is measured is serving it, not its layout)
        for move in moves:
            move.invoice_pdf_report_file = base64.b64encode(stand_in_pdf(move.name))
    links = env["kreancia.debtor.link"]
    no_brand = env["kreancia.brand"]
    first_percent = (scenario.plan_min_first_percent or 0) / 100
    users = []
    for index, partner in enumerate(partners):
        link = links._link_for(partner, company, no_brand, 90)
        invoices = moves.filtered(lambda move, partner=partner: move.partner_id == partner).sorted("id")
        plan_amount = invoices[0].amount_residual
        first = round(max(plan_amount * first_percent, plan_amount / 2), 2)
        users.append(
            {
                "index": index,
                "link": link.id,
                "token": link.access_token,
                "invoices": [[move.id, move.amount_residual] for move in invoices],
                "plan": [
                    [str(today + timedelta(days=10)), f"{first:.2f}"],
                    [str(today + timedelta(days=40)), f"{plan_amount - first:.2f}"],
                ],
            }
        )
    env.cr.commit()
    return {
        "today": str(today),
        "provider_id": provider.id,
        "method_id": method.id,
        "debtors": users[:-2],
        "abuser": users[-2],
        "warm": users[-1],
    }


def start_server(paths, odoo_bin, port, workers, logfile, *, log_level="warn"):
    """The server under test on ``port`` (its gevent process on ``port + 1``).

    A second, threaded server on ``port + 2`` serves the
    stylesheets wkhtmltopdf loads while a worker renders a PDF (``report.url``):
    asked of the server under test, they wait for a free worker, and with two
    workers both rendering a PDF, none comes: every PDF of a crowd then times
    out after a minute (measured: 70 s, connections lost). A deployment with few
    workers needs the same, or more workers than PDFs rendered at once.
    """
    env = dict(os.environ, CROWD_ODOO_BIN=odoo_bin)
    common = [sys.executable, SERVER, f"--addons-path={paths}", "-d", RUN_DB, f"--db-filter=^{RUN_DB}$"]
    common += ["--http-interface=127.0.0.1", "--max-cron-threads=0", f"--log-level={log_level}"]
    assets = subprocess.Popen(
        [*common, f"--http-port={port + 2}", "--workers=0", f"--logfile={logfile}.assets"],
        start_new_session=True,
        env=env,
    )
    command = [
        *(sys.executable, SERVER, f"--addons-path={paths}", "-d", RUN_DB, f"--db-filter=^{RUN_DB}$"),
        *(f"--http-port={port}", f"--gevent-port={port + 1}", "--http-interface=127.0.0.1"),
        *(f"--workers={workers}", "--max-cron-threads=0", f"--log-level={log_level}", f"--logfile={logfile}"),
    ]
    server = subprocess.Popen(command, start_new_session=True, env=env)
    servers = (server, assets)
    deadline = time.monotonic() + 120
    waiting = [port, port + 2]
    while waiting and time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{waiting[0]}/web/health", timeout=5) as response:
                if response.status == 200:
                    waiting.pop(0)
        except OSError:
            time.sleep(1)
    if waiting:
        stop_server(servers)
        raise SystemExit(f"The server did not answer on port {waiting[0]}: see {logfile}")
    return servers


def warm_up(port, warm):
    """Each worker loads the registry and the page's assets, and renders a PDF once, before the crowd comes."""
    page = f"http://127.0.0.1:{port}/collect/{warm['link']}"
    for url in (page, f"{page}/invoice/{warm['invoices'][0][0]}") * 3:
        with urllib.request.urlopen(f"{url}?access_token={warm['token']}", timeout=120) as response:
            response.read()


def stop_server(servers):
    for server in servers:
        os.killpg(server.pid, signal.SIGTERM)
    for server in servers:
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def run_locust(locust, args, port, data_path, prefix):
    env = dict(os.environ, CROWD_DATA=data_path, CROWD_STATUS=f"{prefix}_statuses.json", CROWD_THINK=args.think)
    users = args.debtors + 2  # the debtors, the abusive user, the intruder
    command = [
        *(locust, "-f", LOCUSTFILE, "--headless", "-u", str(users), "-r", str(args.spawn_rate)),
        *("-t", f"{args.duration}s", "--csv", prefix, "--host", f"http://127.0.0.1:{port}"),
        *("--only-summary", "--stop-timeout", "30", "--loglevel", "WARNING"),
    ]
    with open(f"{prefix}_locust.log", "w") as log:
        subprocess.run(command, env=env, stdout=log, stderr=subprocess.STDOUT, check=False)


# ----------------------------------------------------------------------
# Figures
# ----------------------------------------------------------------------


def print_figures(prefix, duration):
    with open(f"{prefix}_stats.csv") as stats_file:
        rows = list(csv.DictReader(stats_file))
    total = next(row for row in rows if row["Name"] == "Aggregated")
    print(
        f"\nRequests: {total['Request Count']} in {duration} s, {float(total['Requests/s']):.1f} requests/s, "
        f"p50 {total['50%']} ms, p95 {total['95%']} ms, p99 {total['99%']} ms"
    )
    print("\n| route | requests | p50 ms | p95 ms | p99 ms | max ms |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for row in rows:
        if row["Name"] != "Aggregated":
            print(
                f"| {row['Type']} {row['Name']} | {row['Request Count']} | {row['50%']} | {row['95%']} "
                f"| {row['99%']} | {float(row['Max Response Time']):.0f} |"
            )
    with open(f"{prefix}_statuses.json") as status_file:
        statuses = json.load(status_file)
    by_status = Counter()
    for counts in statuses.values():
        by_status.update(counts)
    print("\nStatuses: " + ", ".join(f"{status}: {count}" for status, count in sorted(by_status.items())))
    failures = []
    for name, counts in sorted(statuses.items()):
        server_errors = {status: count for status, count in counts.items() if status.startswith("5")}
        if server_errors:
            failures.append(f"FAIL {name}: {server_errors} (5xx)")
    refused = {status: count for status, count in by_status.items() if status.startswith("0")}
    if refused:
        # Odoo's prefork server listens with a backlog of 8 connections per worker: beyond, the
        # kernel resets or drops new connections (behind a proxy: a 502 or 504 of the proxy)
        print(
            f"OVERLOAD {sum(refused.values())} requests got no answer ({refused}): more than the "
            "workers' listen backlog (8 per worker) waited at once (not a 5xx)"
        )
    return statuses, failures


def check_database(env, data, statuses):
    """The verdicts read from the database after the run: (lines, failures)."""
    lines, failures = [], []

    def verdict(ok, text):
        lines.append(f"{'ok  ' if ok else 'FAIL'} {text}")
        if not ok:
            failures.append(f"FAIL {text}")

    link_ids = [debtor["link"] for debtor in data["debtors"]]
    links = env["kreancia.debtor.link"].browse(link_ids)
    partners = links.partner_id
    actions = env["kreancia.debtor.action"].search([("link_id", "in", link_ids)])
    done = Counter(actions.mapped("action"))
    lines.append("actions recorded: " + ", ".join(f"{name} {count}" for name, count in sorted(done.items())))

    commitments = env["kreancia.commitment"].search([("partner_id", "in", partners.ids), ("state", "!=", "cancelled")])
    per_invoice = Counter(move.id for commitment in commitments for move in commitment.move_ids)
    doubled = [move_id for move_id, count in per_invoice.items() if count > 1]
    plans = actions.filtered(lambda action: action.action == "plan" and action.commitment_id)
    per_link = Counter((action.link_id.id, tuple(action.move_ids.ids)) for action in plans)
    doubled_plans = [key for key, count in per_link.items() if count > 1]
    verdict(
        not doubled and not doubled_plans,
        f"no duplicate commitment: {len(commitments)} commitments, {len(doubled)} invoices in two, "
        f"{len(doubled_plans)} link+plan recorded twice",
    )

    transactions = env["payment.transaction"].search([("partner_id", "in", partners.ids)], order="id")
    paid = Counter(move.id for tx in transactions.filtered(lambda tx: tx.state == "done") for move in tx.invoice_ids)
    paid_twice = [move_id for move_id, count in paid.items() if count > 1]
    last_seen, close = {}, 0
    for tx in transactions:
        key = (tx.partner_id.id, tuple(tx.invoice_ids.ids))
        if key in last_seen and (tx.create_date - last_seen[key]).total_seconds() < 1:
            close += 1
        last_seen[key] = tx.create_date
    references = Counter(transactions.mapped("reference"))
    verdict(
        not paid_twice and not close and max(references.values(), default=1) == 1,
        f"no duplicate transaction: {len(transactions)} transactions "
        f"({Counter(transactions.mapped('state'))}), {len(paid_twice)} invoices paid twice, "
        f"{close} for the same link and invoices within a second",
    )
    paid_invoices = env["account.move"].browse(list(paid)).filtered(lambda move: move.payment_state != "not_paid")
    lines.append(f"invoices paid online and reconciled: {len(paid_invoices)} of {len(paid)}")

    disputes = actions.filtered(lambda action: action.action == "dispute")
    per_dispute = Counter((action.link_id.id, move.id) for action in disputes for move in action.move_ids)
    verdict(
        max(per_dispute.values(), default=1) == 1,
        f"no duplicate dispute: {len(disputes)} disputes, "
        f"{sum(1 for count in per_dispute.values() if count > 1)} invoices disputed twice on one link",
    )
    declared = actions.filtered(lambda action: action.action == "declared_payment")
    per_declared = Counter((action.link_id.id, tuple(action.move_ids.ids)) for action in declared)
    lines.append(
        f"declared payments: {len(declared)}, {sum(1 for c in per_declared.values() if c > 1)} declared twice "
        "(a debtor may declare two payments: not a failure)"
    )

    check_refusals(env, data, statuses, verdict, lines)
    return lines, failures


def check_refusals(env, data, statuses, verdict, lines):
    """The abusive link within the rate limits, the ordinary debtors never limited, the intruder refused."""
    from odoo.addons.kreancia_collect.models.kreancia_debtor_link_actions import RATE_LIMITS  # noqa: PLC0415

    abuser = env["kreancia.debtor.link"].browse(data["abuser"]["link"])
    abuse = env["kreancia.debtor.action"].search([("link_id", "=", abuser.id)])
    views = len(abuse.filtered(lambda action: action.action in ("view", "download")))
    acts = len(abuse) - views
    answers = Counter()
    for name, counts in statuses.items():
        if name.startswith("abuse"):
            answers.update({f"{name.split('/')[-1] or 'page'} {status}": count for status, count in counts.items()})
    accepted_views, accepted_acts = answers["[link] 200"], answers["callback 303"]
    view_limit, act_limit = RATE_LIMITS["view"][0], RATE_LIMITS["act"][0]
    verdict(
        views <= view_limit and acts <= act_limit and accepted_views <= view_limit and accepted_acts <= act_limit,
        f"rate limits hold for the abusive link: {views} views recorded, {accepted_views} answered 200 "
        f"(limit {view_limit}); {acts} actions recorded, {accepted_acts} answered 303 (limit {act_limit}); "
        f"answers {dict(answers)}",
    )
    if answers["[link] 429"] + answers["callback 429"] == 0:
        lines.append("(the abusive link did not reach its limits in this run: the server answered too few)")
    limited = sum(
        count
        for name, counts in statuses.items()
        if not name.startswith(("abuse", "intruder"))
        for status, count in counts.items()
        if status == "429"
    )
    verdict(limited == 0, f"no ordinary debtor refused for too many requests: {limited} answers 429")
    intruder = Counter()
    for name, counts in statuses.items():
        if name.startswith("intruder") and name != "intruder its own page":
            # no answer at all is an overload, counted above
            intruder.update({status: count for status, count in counts.items() if not status.startswith("0")})
    verdict(
        all(status.startswith("4") for status in intruder),
        f"wrong tokens refused with a 4xx: {dict(intruder)}",
    )


def main():
    args = parse_args()
    locust = ensure_locust()
    paths, odoo_bin = addons_path()
    prepare_databases(args, paths, odoo_bin)
    port = free_port()
    config.parse_config([f"--addons-path={paths}", "-d", RUN_DB, "--log-level=warn"])
    registry = Registry(RUN_DB)
    started = time.monotonic()
    with registry.cursor() as cr:
        data = populate(api.Environment(cr, SUPERUSER_ID, {}), args.debtors, port, sent=not args.unsent)
    print(
        f"{args.debtors} debtors with 3 invoices each created in {time.monotonic() - started:.0f} s"
        f" ({'never sent: downloads render their PDF' if args.unsent else 'sent through Odoo: legal PDF stored'})",
        flush=True,
    )
    os.makedirs(args.out, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    prefix = os.path.join(args.out, f"crowd-{args.debtors}-{stamp}")
    data_path = f"{prefix}_data.json"
    with open(data_path, "w") as data_file:
        json.dump(data, data_file)
    server = start_server(paths, odoo_bin, port, args.workers, f"{prefix}_odoo.log", log_level=args.log_level)
    load = os.getloadavg()
    print(
        f"Server on port {port} ({args.workers} workers); locust: {args.debtors + 2} users for {args.duration} s "
        f"(load average before: {load[0]:.2f})",
        flush=True,
    )
    try:
        warm_up(port, data["warm"])
        run_locust(locust, args, port, data_path, prefix)
    finally:
        load = os.getloadavg()
        stop_server(server)
    print(f"Load average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; files: {prefix}_*")
    statuses, failures = print_figures(prefix, args.duration)
    with registry.cursor() as cr:
        lines, db_failures = check_database(api.Environment(cr, SUPERUSER_ID, {}), data, statuses)
    print("\nDatabase checks:")
    for line in lines:
        print(f"  {line}")
    failures += db_failures
    for failure in failures:
        print(failure)
    print("PASS" if not failures else f"FAIL ({len(failures)})")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
