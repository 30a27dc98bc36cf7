"""Real Odoo servers on a copy of a benchmark database: the shared tooling of ``scale_out.py`` and ``faults.py``.

A template database ``kc_scale_<invoices>`` holds the add-on, queue_job (so
``kreancia_collect_queue_job``), ``rpc`` (JSON-2) and the invoices of
``bench_escalation.py`` (e-mail steps). Every measure runs on a fresh copy of
it (``createdb -T``, filestore copied), served by ``odoo-bin --workers=N
--server-wide-modules=web,queue_job``; the verdicts are SQL on the copy.

Run as a script it performs one ORM task on a database, in its own process
(the orchestrator holds no Odoo registry, so the template has no open
connection when it is copied)::

    python3 benchmarks/cluster.py populate <db> <invoices> <customers>
    python3 benchmarks/cluster.py plan <db>            # JSON: what the run plans today
    python3 benchmarks/cluster.py letters <db> <marker> <count>
    python3 benchmarks/cluster.py pay <db> <partner id>
"""

import json
import math
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import date

import psycopg2

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA_DIR = os.path.join(ROOT, "var", "data")
ESCALATION_CRON = "kreancia_collect.ir_cron_kreancia_escalation"
MAIL_CRON = "mail.ir_cron_mail_scheduler_action"
WRITTEN = ("email", "letter", "formal_notice")  # one voice per customer and run
UNDER_WAY = ("wait_dependencies", "pending", "enqueued", "started")


def odoo_paths():
    """(addons path, odoo-bin) with queue_job's folder of ``.odoo-addons`` (see scripts/odoo-env.sh)."""
    import odoo  # noqa: PLC0415  (imported late: the orchestrator needs no registry)

    odoo_root = os.path.dirname(os.path.abspath(next(iter(odoo.__path__))))
    paths = [f"{odoo_root}/addons", ROOT]
    extra = os.path.join(ROOT, ".odoo-addons", "odoo", "addons")
    if os.path.isdir(os.path.join(extra, "queue_job")):
        paths.append(extra)
    else:
        sys.exit("queue_job is missing: pip install -r requirements-addons.txt (see docs/SCALE_OUT.md).")
    return ",".join(paths), os.path.join(odoo_root, "odoo-bin")


def connect(db, autocommit=True):
    connection = psycopg2.connect(dbname=db)
    connection.autocommit = autocommit
    return connection


def sql(db, query, args=None):
    """Rows of ``query`` on ``db`` (its own short connection)."""
    with connect(db) as connection, connection.cursor() as cr:
        cr.execute(query, args)
        rows = cr.fetchall() if cr.description else []
    connection.close()
    return rows


def database_exists(name):
    return bool(sql("postgres", "SELECT 1 FROM pg_database WHERE datname = %s", [name]))


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def orm(db, *args):
    """Run one task of this file (see the module's docstring) in a process of its own; its stdout."""
    result = subprocess.run(
        [sys.executable, os.path.abspath(__file__), args[0], db, *map(str, args[1:])],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode:
        sys.exit(f"cluster.py {args[0]} {db} failed:\n{result.stderr[-3000:]}")
    return result.stdout


# ----------------------------------------------------------------------
# Databases
# ----------------------------------------------------------------------


def ensure_template(invoices, customers, reuse=True):
    """The template ``kc_scale_<invoices>``, built once: add-on, queue_job, rpc, invoices, an API key."""
    name = f"kc_scale_{invoices}"
    if database_exists(name) and reuse:
        return name
    if database_exists(name):
        drop(name)
    paths, odoo_bin = odoo_paths()
    print(f"building {name}: kreancia_collect, queue_job, rpc, {invoices} invoices of {customers} customers ...")
    subprocess.run(
        [
            *(sys.executable, odoo_bin, f"--addons-path={paths}", f"--data-dir={DATA_DIR}", "-d", name),
            *("-i", "kreancia_collect,queue_job,rpc", "--stop-after-init", "--log-level=warn", "--without-demo=True"),
        ],
        check=True,
    )
    if not sql(
        name, "SELECT 1 FROM ir_module_module WHERE name = 'kreancia_collect_queue_job' AND state = 'installed'"
    ):
        sys.exit(f"{name}: kreancia_collect_queue_job was not installed with queue_job.")
    orm(name, "populate", invoices, customers)
    return name


def drop(name):
    subprocess.run(["dropdb", "--if-exists", "--force", name], check=True)
    shutil.rmtree(os.path.join(DATA_DIR, "filestore", name), ignore_errors=True)


def fresh_copy(template, name):
    """``name`` as a copy of ``template`` (database and filestore), its crons off but the daily run's."""
    drop(name)
    subprocess.run(["createdb", "-T", template, name], check=True)
    source = os.path.join(DATA_DIR, "filestore", template)
    if os.path.isdir(source):
        shutil.copytree(source, os.path.join(DATA_DIR, "filestore", name), copy_function=os.link)
    # nothing but the measured run on the cron worker (no ECB fetch, no mail queue unless a fault asks)
    sql(
        name,
        "UPDATE ir_cron SET active = (id = %s), nextcall = (now() AT TIME ZONE 'utc') + interval '1 day'",
        [xmlid(name, ESCALATION_CRON)],
    )
    return name


def xmlid(db, full_name):
    module, name = full_name.split(".")
    rows = sql(db, "SELECT res_id FROM ir_model_data WHERE module = %s AND name = %s", [module, name])
    return rows[0][0]


def set_param(db, key, value):
    sql(
        db,
        "INSERT INTO ir_config_parameter (key, value, create_date, write_date) VALUES (%s, %s, now(), now())"
        " ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
        [key, value],
    )


# ----------------------------------------------------------------------
# Servers
# ----------------------------------------------------------------------


class Server:
    """``odoo-bin --workers=N`` with queue_job's runner on a database; ``stop()`` ends it and its workers."""

    def __init__(self, db, workers, channels=None, *, runner=True, env=None, options=None):
        self.db, self.workers = db, workers
        self.port, self.gevent_port = free_port(), free_port()
        paths, odoo_bin = odoo_paths()
        self.folder = tempfile.mkdtemp(prefix=f"kc_{db}_")
        self.logfile = os.path.join(self.folder, "odoo.log")
        config = os.path.join(self.folder, "odoo.conf")
        lines = [
            "[options]",
            f"addons_path = {paths}",
            f"data_dir = {DATA_DIR}",
            f"db_name = {db}",
            f"dbfilter = ^{db}$",
            "list_db = False",
            "http_interface = 127.0.0.1",
            f"http_port = {self.port}",
            f"gevent_port = {self.gevent_port}",
            f"workers = {workers}",
            "max_cron_threads = 1",
            f"server_wide_modules = {'web,queue_job' if runner else 'web'}",
            "log_level = warn",
            "log_handler = odoo.addons.queue_job:INFO,odoo.service.server:INFO",
            f"logfile = {self.logfile}",
            *(f"{key} = {value}" for key, value in (options or {}).items()),
            "",
            "[queue_job]",
            f"channels = {channels or f'root:{workers},root.kreancia:{workers}'}",
        ]
        with open(config, "w", encoding="utf-8") as file:
            file.write("\n".join(lines) + "\n")
        self.command, self.env = [sys.executable, odoo_bin, "-c", config], {**os.environ, **(env or {})}
        self.restarts = []  # exit codes of the server, each time supervise() started it again
        self._spawn()

    def _spawn(self):
        self.process = subprocess.Popen(
            self.command,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: stop() ends the workers it forked
        )
        for _attempt in range(240):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/web/health", timeout=2)
                return
            except OSError:
                if self.process.poll() is not None:
                    break
                time.sleep(0.5)
        self.stop()
        sys.exit(f"odoo-bin did not start on {self.db}: see {self.logfile}")

    def supervise(self):
        """Start the server again if it stopped, as systemd's ``Restart=on-failure`` does in production.

        Odoo's prefork server stops itself when PostgreSQL refuses its connections (it checks the
        registries before spawning a worker): nothing in Odoo restarts it, its supervisor does.
        """
        code = self.process.poll()
        if code is None:
            return False
        self.restarts.append(code)
        for _attempt in range(120):  # PostgreSQL may still be starting
            if subprocess.run(["pg_isready", "-q"], check=False).returncode == 0:
                break
            time.sleep(0.5)
        self._spawn()
        return True

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def log(self):
        with open(self.logfile, encoding="utf-8", errors="replace") as file:
            return file.read()

    def json2(self, model, method, api_key, **kwargs):
        """Call ``model.method`` over JSON-2 as the key's user; (HTTP status, decoded answer)."""
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/json/2/{model}/{method}",
            data=json.dumps(kwargs).encode(),
            headers={
                "Content-Type": "application/json",
                "Authorization": f"bearer {api_key}",
                "X-Odoo-Database": self.db,
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=600) as answer:
                return answer.status, json.loads(answer.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")[:500]


# ----------------------------------------------------------------------
# The run
# ----------------------------------------------------------------------


def trigger_cron(db, cron=ESCALATION_CRON):
    """Make the scheduled action due now and wake the cron workers; returns the database's UTC time."""
    cron_id = xmlid(db, cron)
    (now,) = sql(
        db,
        "UPDATE ir_cron SET active = TRUE, nextcall = (now() AT TIME ZONE 'utc') - interval '1 second'"
        " WHERE id = %s RETURNING (now() AT TIME ZONE 'utc')",
        [cron_id],
    )[0]
    sql("postgres", "SELECT pg_notify('cron_trigger', %s)", [db])
    return now


def cron_idle_since(db, since, cron=ESCALATION_CRON):
    """Whether the scheduled action ran since ``since`` and is not running now (a running one holds its row)."""
    cron_id = xmlid(db, cron)
    with connect(db, autocommit=False) as connection, connection.cursor() as cr:
        cr.execute("SELECT lastcall FROM ir_cron WHERE id = %s FOR UPDATE SKIP LOCKED", [cron_id])
        row = cr.fetchone()
        connection.rollback()
    connection.close()
    return bool(row and row[0] and row[0] >= since.replace(microsecond=0))


def jobs_under_way(db):
    return sql(db, "SELECT count(*) FROM queue_job WHERE state IN %s", [UNDER_WAY])[0][0]


def wait_for_run(db, since, timeout=1800, cron=ESCALATION_CRON, on_poll=None):
    """Wait until the scheduled action ran since ``since`` and every queue job ended; seconds waited."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if on_poll:
            on_poll()
        if cron_idle_since(db, since, cron) and not jobs_under_way(db):
            return time.monotonic() - started
        time.sleep(0.25)
    raise TimeoutError(f"{db}: the run did not end within {timeout} s")


def plan(db):
    """What the run plans today, computed by ``kreancia.escalation.plan`` (read only)."""
    return json.loads(orm(db, "plan"))


def percentile(values, share):
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))]


def job_figures(db, since):
    """Batch jobs' latency (enqueue -> start, s), longest job (s), last end (s after ``since``), retries."""
    rows = sql(
        db,
        """SELECT EXTRACT(EPOCH FROM date_started - date_created), exec_time,
                  EXTRACT(EPOCH FROM date_done - %s), retry, state
             FROM queue_job WHERE method_name = '_job_perform_batch' ORDER BY id""",
        [since],
    )
    latencies = [float(row[0]) for row in rows if row[0] is not None]
    return {
        "jobs": len(rows),
        "done": sum(1 for row in rows if row[4] == "done"),
        "latency_p50": percentile(latencies, 0.5),
        "latency_max": max(latencies, default=0.0),
        "longest": max((float(row[1] or 0) for row in rows), default=0.0),
        "busy": sum(float(row[1] or 0) for row in rows),
        "last_done": max((float(row[2]) for row in rows if row[2] is not None), default=0.0),
        "retries": sum(max((row[3] or 0) - 1, 0) for row in rows),  # queue_job counts the first try
    }


def verdict(db, planned, today=None):
    """Checks computed from the database: (ok, evidence, counts)."""
    today = today or date.today()
    (interventions, customers, written, mails, messages) = sql(
        db,
        """SELECT count(*), count(DISTINCT partner_id), count(*) FILTER (WHERE channel IN %(written)s),
                  count(mail_id), count(message_id)
             FROM kreancia_intervention WHERE date = %(today)s AND channel != 'claim'""",
        {"written": WRITTEN, "today": today},
    )[0]
    (emails,) = sql(db, "SELECT count(*) FROM kreancia_intervention WHERE date = %s AND channel = 'email'", [today])[0]
    twice = sql(
        db,
        """SELECT partner_id, count(*) FROM kreancia_intervention
            WHERE date = %s AND channel IN %s GROUP BY partner_id, date HAVING count(*) > 1""",
        [today, WRITTEN],
    )
    expected = planned["interventions"]
    checks = [
        (interventions == expected, f"interventions {interventions} = planned {expected}"),
        (customers == planned["customers"], f"customers {customers} = customers due {planned['customers']}"),
        (
            mails == emails and messages >= emails,
            f"e-mails {mails} (messages {messages}) = e-mail interventions {emails}",
        ),
        (not twice, f"customers twice {len(twice)}"),
    ]
    ok = all(passed for passed, _text in checks)
    counts = {"interventions": interventions, "customers": customers, "written": written, "mails": mails}
    return ok, ", ".join(text for _passed, text in checks), counts


def load_average():
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


# ----------------------------------------------------------------------
# ORM tasks, each in a process of its own
# ----------------------------------------------------------------------


def _env(db):
    from odoo import SUPERUSER_ID, api  # noqa: PLC0415
    from odoo.modules.registry import Registry  # noqa: PLC0415
    from odoo.tools import config  # noqa: PLC0415

    paths, _odoo_bin = odoo_paths()
    config.parse_config([f"--addons-path={paths}", f"--data-dir={DATA_DIR}", "-d", db, "--log-level=warn"])
    registry = Registry(db)
    cr = registry.cursor()
    return api.Environment(cr, SUPERUSER_ID, {})


def task_populate(db, invoices, customers):
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import bench_escalation  # noqa: PLC0415

    env = _env(db)
    bench_escalation.populate(env, int(invoices), int(customers), date.today())
    # an API key of the administrator (a collection manager) for the JSON-2 calls of the benchmarks
    admin = env.ref("base.user_admin")
    key = env["res.users.apikeys"].with_user(admin).sudo()._generate(None, "benchmarks", None)
    env["ir.config_parameter"].set_param("kreancia_bench.api_key", key)
    env.cr.commit()
    env.cr.close()


def task_plan(db):
    env = _env(db)
    plans = env["kreancia.escalation"].plan()
    partners = sorted({line["partner_id"] for line in plans})
    result = {
        "interventions": len(plans),
        "customers": len(partners),
        "written": sum(1 for line in plans if line["channel"] in WRITTEN),
        "invoices": sum(len(line["invoices"]) for line in plans),
        "partners": partners,
    }
    env.cr.rollback()
    env.cr.close()
    print(json.dumps(result))


def task_letters(db, marker, count):
    """Every step a letter (as bench_escalation.py --letters), and ``count`` planned customers named ``marker``."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import bench_escalation  # noqa: PLC0415

    env = _env(db)
    bench_escalation.use_letters(env, 0)
    env["ir.config_parameter"].set_param("report.url", "http://127.0.0.1:1")  # no assets: as the benchmark
    plans = env["kreancia.escalation"]._plan()
    marked = env["res.partner"].browse(sorted({planned.partner_id for planned in plans})[-int(count) :])
    for partner in marked:
        partner.name = f"{partner.name} {marker}"
    env.cr.commit()
    env.cr.close()
    print(json.dumps(marked.ids))


def task_pay(db, partner_id):
    """Register the full payment of the customer's open invoices (as an accountant does), commit."""
    env = _env(db)
    moves = env["account.move"].search(
        [
            ("commercial_partner_id", "=", int(partner_id)),
            ("move_type", "=", "out_invoice"),
            ("state", "=", "posted"),
            ("payment_state", "in", ("not_paid", "partial")),
        ]
    )
    env["account.payment.register"].with_context(active_model="account.move", active_ids=moves.ids).create(
        {"group_payment": True}
    ).action_create_payments()
    env.cr.commit()
    env.cr.close()
    print(json.dumps(moves.ids))


def task_mailserver(db, port):
    """The only outgoing mail server: plain SMTP on 127.0.0.1:``port``; the mail queue's scheduled action on."""
    env = _env(db)
    env["ir.mail_server"].search([]).active = False
    # a sender: the benchmark's company has no address of its own
    env["ir.config_parameter"].set_param("mail.catchall.domain", "bench.example.com")
    env["ir.config_parameter"].set_param("mail.default.from", "collections")
    env.company.email = "collections@bench.example.com"
    env["ir.mail_server"].create(
        {"name": "benchmark", "smtp_host": "127.0.0.1", "smtp_port": int(port), "smtp_encryption": "none"}
    )
    env.cr.commit()
    env.cr.close()


if __name__ == "__main__":
    tasks = {
        "populate": task_populate,
        "plan": task_plan,
        "letters": task_letters,
        "pay": task_pay,
        "mailserver": task_mailserver,
    }
    tasks[sys.argv[1]](*sys.argv[2:])
