"""Time the daily dunning run on a scratch database.

Usage::

    python3 benchmarks/bench_escalation.py --invoices 10000 --customers 2000
    python3 benchmarks/bench_escalation.py --invoices 100000 --customers 20000 --plan

Creates (once) a scratch database ``kc_bench_<invoices>_<customers>`` with
the add-on installed and the requested overdue invoices (by SQL copies of one
invoice posted through the ORM, under two minutes for 100,000;
``--populate orm`` posts every one through the ORM instead), then times
``kreancia.escalation.run()`` inside a transaction that is rolled back, so
the measure can be repeated. Prints invoices per second, interventions per
second, SQL queries per 1,000 invoices, each batch's time and queries, and
the process's resident memory before, at the peak of and after the run.
"""

import argparse
import cProfile
import gc
import os
import pstats
import resource
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from datetime import date, timedelta

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

try:
    import odoo
    from odoo import SUPERUSER_ID, api
    from odoo.modules.registry import Registry
    from odoo.tools import SQL, config
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


def populate(env, invoices, customers, today, method="sql"):
    """Create ``customers`` customers and ``invoices`` posted invoices due 0 to 120 days ago, then commit.

    Invoice ``n`` belongs to customer ``n % customers``, is due ``n % 120`` days
    ago and amounts to ``100 + n % 900``. ``method="orm"`` creates and posts
    every invoice through the ORM (over two hours for 100,000); ``"sql"`` (the
    default) creates customer 0 and invoice 0 through the ORM and copies their
    rows by SQL for the others (4 s for 10,000, under two minutes for 100,000),
    so that every column holds what the ORM writes (see :func:`clone_by_sql`).
    """
    scenario = env["kreancia.scenario"].search([("company_id", "=", env.company.id), ("is_default", "=", True)])
    if not scenario:
        raise SystemExit("No default scenario in the scratch database.")
    # e-mail steps only: the benchmark measures the e-mail run
    template = env.ref("kreancia_collect.mail_template_reminder_firm")
    scenario.step_ids.filtered(lambda step: step.channel != "email").write(
        {"channel": "email", "mail_template_id": template.id, "manual": False}
    )
    started = time.monotonic()
    if method == "orm":
        create_by_orm(env, invoices, customers, today)
    else:
        partner, move = create_by_orm(env, 1, 1, today)
        clone_by_sql(env, partner, move, invoices=invoices, customers=customers, today=today)
    env.cr.commit()
    print(f"  {invoices} invoices of {customers} customers created in {time.monotonic() - started:.0f} s", flush=True)


def create_by_orm(env, invoices, customers, today):
    """Customers and posted invoices through the ORM, in batches of 500; returns the first of each."""
    partners = env["res.partner"].create(
        [
            {"name": f"Bench customer {index}", "is_company": True, "email": f"customer{index}@bench.example.com"}
            for index in range(customers)
        ]
    )
    journal = env["account.journal"].search([("type", "=", "sale"), ("company_id", "=", env.company.id)], limit=1)
    batch = 500
    started = time.monotonic()
    first = None
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
        first = first or moves[0]
        if invoices > 1:
            env.cr.commit()
            print(f"  {start + len(vals_list)} invoices created ({time.monotonic() - started:.0f} s)", flush=True)
    env.flush_all()
    return partners[0], first


def clone_by_sql(env, partner, move, *, invoices, customers, today):
    """Copy customer ``partner`` into customers 1 to ``customers - 1`` and its invoice ``move`` (due today,
    100.00) into invoices 1 to ``invoices - 1``, with their lines and creation messages, by SQL.

    Every column is copied from the ORM's row except those that tell one
    record from another, found by value: the customer's name and e-mail
    address, the invoice's name and number, the references to the customer
    and to the invoice, the dates (shifted by the invoice's due date) and the
    monetary amounts (scaled to the invoice's amount). So the copies hold
    what posting through the ORM writes: ``amount_residual(_signed)``,
    ``payment_state``, ``commercial_partner_id``, ``dunning_state``,
    ``dunning_next_date``, the receivable line's ``date_maturity``...
    """
    cr = env.cr
    prefix, number = move.sequence_prefix, move.sequence_number
    width = len(move.name) - len(prefix)
    cr.execute(
        SQL(
            """
            CREATE TEMP TABLE bench_partner ON COMMIT DROP AS
                SELECT 0 AS n, %(partner)s AS id, %(partner_name)s AS name, %(email)s AS email
                 UNION ALL
                SELECT g, nextval('res_partner_id_seq'), 'Bench customer ' || g, 'customer' || g || '@bench.example.com'
                  FROM generate_series(1, %(customers)s - 1) g;
            CREATE UNIQUE INDEX ON bench_partner (n);
            CREATE TEMP TABLE bench_invoice ON COMMIT DROP AS
                SELECT g AS n, nextval('account_move_id_seq') AS id, %(number)s + g AS number,
                       p.id AS partner_id, p.name AS partner_name,
                       %(today)s::date - g %% 120 AS due, (100 + g %% 900) / %(amount)s::numeric AS factor,
                       %(prefix)s || lpad((%(number)s + g)::text, greatest(%(width)s, length((%(number)s + g)::text)),
                                         '0') AS name
                  FROM generate_series(1, %(invoices)s - 1) g
                  JOIN bench_partner p ON p.n = g %% %(customers)s;
            CREATE TEMP TABLE bench_line ON COMMIT DROP AS
                SELECT i.*, i.id AS move_id, l.id AS proto_id, nextval('account_move_line_id_seq') AS line_id
                  FROM bench_invoice i CROSS JOIN account_move_line l WHERE l.move_id = %(move)s;
            """,
            partner=partner.id,
            partner_name=partner.name,
            email=partner.email,
            customers=customers,
            invoices=invoices,
            today=today,
            amount=move.amount_total,
            prefix=prefix,
            number=number,
            width=width,
            move=move.id,
        )
    )
    texts = {partner.name: "name", partner.email: "email"}
    links = {"res.partner": (partner.id, "id")}
    clone_rows(env, partner, "bench_partner", where=SQL("src.n > 0"), links=links, texts=texts)
    texts = {move.name: "name", partner.name: "partner_name"}
    links = {"res.partner": (partner.id, "partner_id"), "account.move": (move.id, "id")}
    numbers = {"sequence_number": "number"}
    due = move.invoice_date_due
    clone_rows(env, move, "bench_invoice", where=SQL("TRUE"), links=links, texts=texts, columns=numbers, due=due)
    links["account.move"] = (move.id, "move_id")
    for line in move.line_ids:
        links["account.move.line"] = (line.id, "line_id")
        where = SQL("src.proto_id = %s", line.id)
        clone_rows(env, line, "bench_line", where=where, links=links, texts=texts, due=due)
    cr.execute(
        SQL(
            """
            -- the creation messages ("Contact created", "Invoice created")
            INSERT INTO mail_message (%(columns)s)
            SELECT %(message_values)s
              FROM mail_message proto
              JOIN (SELECT 'res.partner' AS model, n, id FROM bench_partner WHERE n > 0
                     UNION ALL SELECT 'account.move', n, id FROM bench_invoice) src
                ON proto.model = src.model
               AND proto.res_id = CASE src.model WHEN 'res.partner' THEN %(partner)s ELSE %(move)s END;
            -- posting counts the customer's invoices
            UPDATE res_partner p SET customer_rank = invoiced.count
              FROM (SELECT commercial_partner_id AS id, COUNT(*) AS count FROM account_move
                     WHERE move_type = 'out_invoice' AND state = 'posted'
                       AND commercial_partner_id IN (SELECT id FROM bench_partner)
                  GROUP BY commercial_partner_id) invoiced
             WHERE p.id = invoiced.id;
            ANALYZE res_partner; ANALYZE account_move; ANALYZE account_move_line; ANALYZE mail_message;
            """,
            columns=SQL(", ").join(SQL.identifier(column) for column in message_columns(cr)),
            message_values=SQL(", ").join(
                SQL("src.id")
                if column == "res_id"
                else SQL("replace(proto.message_id, '@', '-bench-' || src.n || '@')")
                if column == "message_id"
                else SQL.identifier("proto", column)
                for column in message_columns(cr)
            ),
            partner=partner.id,
            move=move.id,
        )
    )
    env.invalidate_all()


def message_columns(cr):
    cr.execute(
        "SELECT column_name FROM information_schema.columns"
        " WHERE table_schema = current_schema() AND table_name = 'mail_message' AND column_name != 'id'"
        " ORDER BY ordinal_position"
    )
    return [column for (column,) in cr.fetchall()]


def clone_rows(env, record, source, *, where, links, texts, columns=None, due=None):
    """Insert a copy of ``record``'s row for each row ``src`` of the temp table ``source`` matching ``where``.

    ``links`` maps a model to ``(id, column)``: a reference to that record
    (the prototype's customer, invoice or line) takes the value of that
    column of ``src``; ``texts`` maps a text of the prototype, ``columns`` a
    column, to the column of ``src`` replacing it. Dates shift by
    ``src.due - due``; monetary amounts and unit prices are multiplied by
    ``src.factor``. The prototype's many2many links are copied too.
    """
    model = record.browse()
    env.cr.execute(SQL("SELECT * FROM %s WHERE id = %s", SQL.identifier(model._table), record.id))
    row = env.cr.dictfetchone()
    names, values = [], []
    for column, value in row.items():
        field = model._fields.get(column)
        if column == "id":
            expression = SQL.identifier("src", links[model._name][1])
        elif column in (columns or {}):
            expression = SQL.identifier("src", columns[column])
        elif value is None or field is None:
            expression = SQL.identifier("proto", column)
        elif field.type == "many2one" and links.get(field.comodel_name, (None,))[0] == value:
            expression = SQL.identifier("src", links[field.comodel_name][1])
        elif isinstance(value, str) and value in texts:
            expression = SQL.identifier("src", texts[value])
        elif field.type == "date" and due:
            expression = SQL("%s + (src.due - %s::date)", SQL.identifier("proto", column), due)
        elif field.type == "monetary" or column == "price_unit":
            expression = SQL("ROUND((%s * src.factor)::numeric, 2)", SQL.identifier("proto", column))
        else:
            expression = SQL.identifier("proto", column)
        names.append(SQL.identifier(column))
        values.append(expression)
    env.cr.execute(
        SQL(
            "INSERT INTO %(table)s (%(columns)s) SELECT %(values)s FROM %(table)s proto, %(source)s src"
            " WHERE proto.id = %(id)s AND %(where)s",
            table=SQL.identifier(model._table),
            columns=SQL(", ").join(names),
            values=SQL(", ").join(values),
            source=SQL.identifier(source),
            id=record.id,
            where=where,
        )
    )
    for field in model._fields.values():
        if field.type == "many2many" and field.store:
            env.cr.execute(
                SQL(
                    "INSERT INTO %(relation)s (%(column1)s, %(column2)s)"
                    " SELECT src.%(link)s, rel.%(column2)s FROM %(relation)s rel, %(source)s src"
                    " WHERE rel.%(column1)s = %(id)s AND %(where)s ON CONFLICT DO NOTHING",
                    relation=SQL.identifier(field.relation),
                    column1=SQL.identifier(field.column1),
                    column2=SQL.identifier(field.column2),
                    link=SQL.identifier(links[model._name][1]),
                    source=SQL.identifier(source),
                    id=record.id,
                    where=where,
                )
            )


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
    # the partners' tracking messages are written now, not inside the measured run
    env.flush_all()
    env.cr.precommit.run()
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


def resident_memory():
    """Resident memory of this process now, in bytes."""
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def reset_peak_memory():
    """Start the kernel's peak resident memory (VmHWM) afresh; False where it cannot be reset (not Linux)."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as clear_refs:
            clear_refs.write("5")
    except OSError:
        return False
    return True


def peak_memory():
    """Peak resident memory since the last :func:`reset_peak_memory` (else since the start), in bytes."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def longest_batch(registry):
    """Time each batch (one transaction when the scheduled action runs): a wrapper of ``_perform_batch``
    that also notes the batch's SQL queries and the resident memory as it starts (the previous batch
    left the cache).

    The engine starts each batch with ``DISCARD PLANS`` (see ``_perform_batch``): PostgreSQL keeps, for the
    session, the plans of its foreign-key checks; planned while ``kreancia_intervention`` is empty (a fresh
    database, or after a rolled-back run once autovacuum has truncated it), they scan it whole, and a run
    that creates 20,000 interventions in one transaction slowed down batch after batch (1.9 s to 13 s at
    100,000 invoices).
    """
    engine = registry["kreancia.escalation"]
    perform_batch = engine._perform_batch
    batches = []

    def timed(self, *args):
        memory, queries = resident_memory(), self.env.cr.sql_log_count
        started = time.monotonic()
        try:
            return perform_batch(self, *args)
        finally:
            batches.append((time.monotonic() - started, self.env.cr.sql_log_count - queries, memory))

    engine._perform_batch = timed
    return batches


PHASES = (
    (
        "plan",
        "kreancia.escalation",
        ("_plan_company", "_plan_rules", "_candidate_customers", "_candidate_rows", "_plan_customers"),
    ),
    ("re-check and lock", "kreancia.escalation", ("_recheck",)),
    ("create interventions", "kreancia.escalation", ("_create_interventions",)),
    ("perform (render, queue)", "kreancia.intervention", ("_perform",)),
)


def time_phases(registry):
    """Total time spent in each phase of the run: wrappers of the engine's methods (those it has)."""
    totals = dict.fromkeys(name for name, _model, _methods in PHASES)
    running = set()  # a phase's methods calling each other count once
    for name, model, methods in PHASES:
        cls = registry[model]
        for method in methods:
            original = getattr(cls, method, None)
            if original is None:
                continue

            def timed(self, *args, _original=original, _name=name, **kwargs):
                if _name in running:
                    return _original(self, *args, **kwargs)
                running.add(_name)
                started = time.monotonic()
                try:
                    return _original(self, *args, **kwargs)
                finally:
                    running.discard(_name)
                    totals[_name] = (totals[_name] or 0.0) + time.monotonic() - started

            setattr(cls, method, timed)
    return totals


def measure(env, today, profile=False):
    """Run the escalation once; return its counts, time, SQL queries and memory (resident before the
    run, peak during it, after it; bytes)."""
    env.flush_all()
    env.invalidate_all()
    gc.collect()
    queries_before = env.cr.sql_log_count
    profiler = cProfile.Profile() if profile else None
    memory_before = resident_memory()
    peak_reset = reset_peak_memory()
    started = time.monotonic()
    if profiler:
        profiler.enable()
    counts = env["kreancia.escalation"].with_context(kreancia_sync=True).run(today=today)
    env.flush_all()
    if profiler:
        profiler.disable()
    elapsed = time.monotonic() - started
    memory = (memory_before, peak_memory() if peak_reset else None, resident_memory())
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(profile)
    queries = env.cr.sql_log_count - queries_before
    return counts, elapsed, queries, memory


def print_plan(env, today):
    """What the run is about to do: interventions, invoices and amount, by step."""
    started = time.monotonic()
    plans = env["kreancia.escalation"]._plan(today)
    elapsed = time.monotonic() - started
    by_step = Counter()
    for planned in plans:
        for line in planned.lines:
            by_step[planned.line_step(line).name] += 1
    invoices = sum(len(planned.lines) for planned in plans)
    amount = sum(planned.amount_company for planned in plans)
    print(f"planned:               {len(plans)} interventions, {invoices} invoices, {amount:,.2f} ({elapsed:.1f} s)")
    print("planned by step:       " + ", ".join(f"{step} {count}" for step, count in sorted(by_step.items())))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--invoices", type=int, default=1000)
    parser.add_argument("--customers", type=int, default=None, help="default: invoices / 5")
    parser.add_argument("--database", default=None)
    parser.add_argument("--no-update", action="store_true", help="reuse the scratch database as it is")
    parser.add_argument(
        "--populate",
        choices=("sql", "orm"),
        default="sql",
        help="create the invoices by SQL copies of one ORM invoice (default, fast) or all through the ORM",
    )
    parser.add_argument("--plan", action="store_true", help="print what the run plans (not timed)")
    parser.add_argument("--letters", action="store_true", help="every step a letter (one PDF per customer)")
    parser.add_argument(
        "--http-port", type=int, default=0, help="with --letters: run an HTTP server on this port for the PDF assets"
    )
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="print the N top cumulative entries")
    parser.add_argument(
        "--repeat", type=int, default=1, metavar="N", help="run N times (each rolled back): the first warms the caches"
    )
    return parser.parse_args()


def main():
    args = parse_args()
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
        if not open_invoices:
            populate(env, args.invoices, customers, today, args.populate)
        elif open_invoices < args.invoices:
            raise SystemExit(f"{name} holds {open_invoices} invoices only: drop it (dropdb {name}) and start again.")
        if args.plan:
            print_plan(env, today)
            cr.rollback()
    batches = longest_batch(registry)
    phases = time_phases(registry)
    server = start_server(name, paths, odoo_bin, args.http_port) if args.letters and args.http_port else None
    rounds = []
    try:
        for _round in range(args.repeat):
            batches.clear()  # the figures printed are the last round's
            phases.update(dict.fromkeys(phases))
            with registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                if args.letters:
                    use_letters(env, customers)
                    base_url = f"http://127.0.0.1:{args.http_port or 1}"  # port 1: nothing answers
                    env["ir.config_parameter"].set_param("report.url", base_url)
                counts, elapsed, queries, memory = measure(env, today, args.profile)
                rounds.append(elapsed)
                cr.rollback()
    finally:
        if server:
            server.terminate()
            server.wait()
    report(args, name, customers, (counts, elapsed, queries), server)
    if len(rounds) > 1:
        print(f"rounds (s):            {' '.join(f'{duration:.2f}' for duration in rounds)} (best {min(rounds):.2f})")
    print_batches(batches, phases, memory)


def print_batches(batches, phases, memory):
    """Phases, batches (time, queries, memory as each starts) and the memory of the run."""
    megabyte = 1024 * 1024
    durations = [duration for duration, _queries, _memory in batches]
    print("phases:                " + ", ".join(f"{name} {total or 0:.2f} s" for name, total in phases.items()))
    print(f"longest batch:         {max(durations, default=0):.1f} s ({len(batches)} batches of up to 200 customers)")
    print("batches (s):           " + " ".join(f"{duration:.1f}" for duration in durations))
    queries = [queries for _duration, queries, _memory in batches]
    if queries:
        print(
            f"queries per batch:     {queries[0]} (first)"
            + (f", then {min(queries[1:])} to {max(queries[1:])}" if len(queries) > 1 else "")
        )
    before, peak, after = memory
    starts = [start for _duration, _queries, start in batches]
    if starts:
        step = max(len(starts) // 10, 1)  # about ten samples, the first and the last batch among them
        samples = [*starts[:-1:step], starts[-1]]
        print(
            f"memory at batch start: {' '.join(f'{start / megabyte:.0f}' for start in samples)} MB"
            + (" (every batch)" if step == 1 else f" (batches 1, {step + 1}, {2 * step + 1}... and the last)")
        )
    print(
        f"memory (resident):     {before / megabyte:.0f} MB before the run, "
        + (f"peak +{(peak - before) / megabyte:.0f} MB during it, " if peak else "")
        + f"+{(after - before) / megabyte:.0f} MB after it"
    )
    print(f"process peak (maxrss): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


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
