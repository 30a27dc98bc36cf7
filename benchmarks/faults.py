"""The daily run on real Odoo servers, under faults; one line per fault: ``PASS|FAIL|SKIP <fault>: <evidence>``.

Usage::

    python3 benchmarks/faults.py                      # on copies of kc_scale_10000 (built once, see scale_out.py)
    python3 benchmarks/faults.py --invoices 500 --only kill smtp
    make faults

Each fault runs on a fresh copy of the template ``kc_scale_<invoices>`` served by
``odoo-bin --workers=2 --server-wide-modules=web,queue_job`` (channels
``root:2,root.kreancia:2``); its verdict is SQL on the copy, against what
``kreancia.escalation.plan`` planned before the run: interventions = customers
due, e-mails = e-mail interventions, no customer twice in a written channel
(e-mail, letter, formal notice) on the day, plus the fault's own checks. A
fault this machine cannot produce prints ``SKIP`` and why.

``--pg-restart`` chooses how PostgreSQL goes away: ``service`` (``service
postgresql restart``, as root only: every database of the machine loses its
connections), ``terminate`` (``pg_terminate_backend`` of the copy's connections
only, reported as a fault of its own), ``skip``.
"""

import argparse
import asyncio
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import cluster

MARKER = "KCFAILPDF"


class Fault:
    """A fault's copy of the template and its server; ``checks`` gathers (passed, evidence)."""

    def __init__(self, template, name):
        self.db = cluster.fresh_copy(template, f"{template}_{name}")
        self.server = None
        self.checks = []

    def check(self, passed, evidence):
        self.checks.append((bool(passed), evidence))

    def verdict(self, planned):
        ok, evidence, counts = cluster.verdict(self.db, planned)
        self.check(ok, evidence)
        return counts

    def close(self, keep=False):
        if self.server:
            self.server.stop()
        if not keep:
            cluster.drop(self.db)


def partner_in_args(args_text):
    return {int(match) for match in re.findall(r'"partner_id": (\d+)', args_text)}


# ----------------------------------------------------------------------
# The faults: each returns its Fault (checks filled) or a str (why it is skipped)
# ----------------------------------------------------------------------


def fault_kill(template, planned, options):
    """SIGKILL the worker performing a batch job, while the job is held in the middle of its transaction."""
    fault = Fault(template, "kill")
    victim = planned["partners"][0]
    # the batch inserting this customer's intervention waits for this lock: the job is caught half-way
    holder = cluster.connect(fault.db, autocommit=False)
    holder_cr = holder.cursor()
    holder_cr.execute("SELECT pg_backend_pid()")
    holder_pid = holder_cr.fetchone()[0]
    holder_cr.execute("SELECT id FROM res_partner WHERE id = %s FOR UPDATE", [victim])
    fault.server = cluster.Server(fault.db, 2)
    time.sleep(2)
    since = cluster.trigger_cron(fault.db)
    job = None
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and not job:
        blocked = cluster.sql(
            fault.db, "SELECT pid FROM pg_stat_activity WHERE %s = ANY(pg_blocking_pids(pid))", [holder_pid]
        )
        if blocked:
            for uuid, worker_pid, retry, args in cluster.sql(
                fault.db,
                "SELECT uuid, worker_pid, retry, (args #>> '{}') FROM queue_job"
                " WHERE state = 'started' AND method_name = '_job_perform_batch'",
            ):
                if victim in partner_in_args(args):
                    job = (uuid, worker_pid, retry)
        time.sleep(0.2)
    if not job:
        holder.rollback()
        holder.close()
        fault.check(False, "no batch job was seen waiting half-way")
        return fault
    uuid, worker_pid, retry = job
    (done_before,) = cluster.sql(
        fault.db,
        "SELECT count(*) FROM kreancia_intervention WHERE partner_id = %s AND date = %s",
        [victim, date.today()],
    )[0]
    os.kill(worker_pid, signal.SIGKILL)
    killed = time.monotonic()
    holder.rollback()
    holder.close()
    cluster.wait_for_run(fault.db, since)
    state, retry_after = cluster.sql(fault.db, "SELECT state, retry FROM queue_job WHERE uuid = %s", [uuid])[0]
    requeued = f"Re-queued dead job with uuid: {uuid}" in fault.server.log()
    fault.check(
        state == "done" and retry_after > retry and requeued,
        f"worker {worker_pid} killed half-way through job {uuid[:8]} (its customer's intervention not yet written:"
        f" {done_before}), job re-queued by the runner ({'logged' if requeued else 'NOT logged'}), tries {retry} ->"
        f" {retry_after}, {state} {time.monotonic() - killed:.0f} s after the kill",
    )
    fault.verdict(planned)
    return fault


def fault_postgres(template, planned, options):
    """PostgreSQL goes away while batch jobs run; the run ends (re-triggered if the scheduler lost it)."""
    how = options.pg_restart
    if how == "skip":
        return "skipped (--pg-restart skip)"
    if how == "service" and os.geteuid() != 0:
        return "service postgresql restart needs root; try --pg-restart terminate"
    fault = Fault(template, "pg")
    fault.server = cluster.Server(fault.db, 2)
    time.sleep(2)
    since = cluster.trigger_cron(fault.db)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        started = cluster.sql(fault.db, "SELECT count(*) FROM queue_job WHERE state = 'started'")[0][0]
        if started:
            break
        time.sleep(0.1)
    (interventions_before,) = cluster.sql(
        fault.db, "SELECT count(*) FROM kreancia_intervention WHERE date = %s", [date.today()]
    )[0]
    cut = time.monotonic()
    if how == "service":
        subprocess.run(["service", "postgresql", "restart"], check=True, capture_output=True)
        for _attempt in range(60):
            if subprocess.run(["pg_isready", "-q"], check=False).returncode == 0:
                break
            time.sleep(0.5)
    else:
        cluster.sql(
            "postgres",
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid != pg_backend_pid()",
            [fault.db],
        )
    down = time.monotonic() - cut
    # the server is supervised: started again if it stopped (Odoo's does when PostgreSQL goes away)
    retriggered = False
    try:
        cluster.wait_for_run(fault.db, since, timeout=600, on_poll=fault.server.supervise)
    except TimeoutError:
        pass
    counts = cluster.verdict(fault.db, planned)[2]
    if counts["interventions"] < planned["interventions"] or cluster.jobs_under_way(fault.db):
        # the run did not resume by itself: a manager (or tomorrow's scheduler) runs it again; nothing twice
        retriggered = True
        since = cluster.trigger_cron(fault.db)
        cluster.wait_for_run(fault.db, since, timeout=900, on_poll=fault.server.supervise)
    jobs = cluster.sql(fault.db, "SELECT state, count(*) FROM queue_job GROUP BY state ORDER BY state")
    errors = cluster.sql(fault.db, "SELECT DISTINCT exc_name FROM queue_job WHERE state = 'failed'")
    retried = cluster.sql(
        fault.db, "SELECT count(*) FROM queue_job WHERE method_name = '_job_perform_batch' AND retry > 1"
    )[0][0]
    restarts = fault.server.restarts
    # the batch jobs cut by the database are tried again (kreancia_collect_queue_job), the jobs a stopped
    # server left started are re-queued by the runner: the run ends by itself, nothing failed or left
    fault.check(
        not cluster.jobs_under_way(fault.db) and not errors and not retriggered,
        f"{'service postgresql restart' if how == 'service' else 'connections terminated'} ({down:.1f} s) with"
        f" {interventions_before} interventions committed; "
        + (
            f"Odoo's server stopped itself (exit {', '.join(map(str, restarts))}) and its supervisor started it again; "
            if restarts
            else "Odoo's server kept running; "
        )
        + f"{retried} batch jobs tried again; jobs after: "
        + ", ".join(f"{state} {count}" for state, count in jobs)
        + (f" (failed: {', '.join(str(name) for (name,) in errors)})" if errors else "")
        + ("; daily run triggered again by hand" if retriggered else "; the run resumed by itself"),
    )
    fault.verdict(planned)
    return fault


class SmtpSink:
    """A local SMTP server that accepts every message and counts them (a thread of this process)."""

    def __init__(self, port):
        self.port, self.messages = port, 0
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()
        self.ready.wait(10)

    def _serve(self):
        asyncio.set_event_loop(self.loop)
        self.server = self.loop.run_until_complete(asyncio.start_server(self._session, "127.0.0.1", self.port))
        self.ready.set()
        self.loop.run_forever()

    async def _session(self, reader, writer):
        writer.write(b"220 kc-sink\r\n")
        while line := await reader.readline():
            command = line[:4].upper()
            if command == b"DATA":
                writer.write(b"354 go on\r\n")
                await writer.drain()
                while (await reader.readline()) not in (b".\r\n", b""):
                    pass
                self.messages += 1
                writer.write(b"250 queued\r\n")
            elif command == b"QUIT":
                writer.write(b"221 bye\r\n")
                break
            else:
                writer.write(b"250 kc-sink\r\n")
            await writer.drain()
        writer.close()

    def stop(self):
        self.loop.call_soon_threadsafe(self.server.close)
        self.loop.call_soon_threadsafe(self.loop.stop)


def mail_states(db):
    return cluster.sql(
        db,
        """SELECT i.delivery_state, m.state, count(*), count(i.delivery_error)
             FROM kreancia_intervention i JOIN mail_mail m ON m.id = i.mail_id
            WHERE i.date = %s GROUP BY 1, 2 ORDER BY 1, 2""",
        [date.today()],
    )


def run_mail_queue(db, times=6, condition="m.state = 'outgoing'"):
    """Trigger the mail queue's scheduled action (it takes a batch of e-mails a pass) until no dunning e-mail
    matches ``condition`` (default: left outgoing), at most ``times`` passes."""
    for _attempt in range(times):
        since = cluster.trigger_cron(db, cluster.MAIL_CRON)
        cluster.wait_for_run(db, since, cron=cluster.MAIL_CRON, timeout=900)
        left = cluster.sql(
            db,
            "SELECT count(*) FROM kreancia_intervention i JOIN mail_mail m ON m.id = i.mail_id"
            f" WHERE i.date = %s AND {condition}",
            [date.today()],
        )[0][0]
        if not left:
            break


def fault_smtp(template, planned, options):
    """No SMTP server for the whole run and the mail queue's first pass; then a server, and the queue again."""
    fault = Fault(template, "smtp")
    port = cluster.free_port()  # nothing listens there yet
    cluster.orm(fault.db, "mailserver", port)
    fault.server = cluster.Server(fault.db, 2)
    time.sleep(2)
    since = cluster.trigger_cron(fault.db)
    cluster.wait_for_run(fault.db, since)
    # passes of the mail queue against the missing server; each pass takes the oldest batch of outgoing e-mails
    # (1,000 by default), so the same e-mails are tried again and the later ones wait: none may leave
    run_mail_queue(fault.db, times=3, condition="i.delivery_error IS NULL")
    down = mail_states(fault.db)
    emails = sum(count for _delivery, _state, count, _errors in down)
    fault.check(
        emails
        and all(delivery == "queued" and state != "sent" for delivery, state, _count, _errors in down)
        and sum(errors for *_rest, errors in down) > 0,
        "server down: "
        + ", ".join(
            f"{count} {delivery}/mail {state} ({errors} with 'not sent yet')" for delivery, state, count, errors in down
        ),
    )
    sink = SmtpSink(port)
    try:
        run_mail_queue(fault.db)
    finally:
        sink.stop()
    up = mail_states(fault.db)
    fault.check(
        all(delivery == "sent" and state in ("sent", False, None) for delivery, state, _count, _errors in up)
        and sink.messages == emails,
        "server back: "
        + ", ".join(f"{count} {delivery}/mail {state}" for delivery, state, count, _errors in up)
        + f", {sink.messages} messages received by the SMTP server",
    )
    fault.verdict(planned)
    return fault


def fault_wkhtmltopdf(template, planned, options):
    """Every step a letter; wkhtmltopdf crashes (SIGSEGV) on any document naming a marked customer."""
    real = shutil.which("wkhtmltopdf")
    if not real:
        return "wkhtmltopdf is not installed"
    fault = Fault(template, "pdf")
    marked = json.loads(cluster.orm(fault.db, "letters", MARKER, options.marked))
    planned = cluster.plan(fault.db)
    folder = tempfile.mkdtemp(prefix="kc_wkhtml_")
    wrapper = os.path.join(folder, "wkhtmltopdf")
    with open(wrapper, "w", encoding="utf-8") as file:
        file.write(
            "#!/bin/sh\n# benchmarks/faults.py: crash on the documents naming a marked customer\n"
            f'for a in "$@"; do case "$a" in *.html) grep -q {MARKER} "$a" && kill -SEGV $$;; esac; done\n'
            f'exec {real} "$@"\n'
        )
    os.chmod(wrapper, 0o755)
    options_ = {"limit_time_real": 3600, "limit_time_cpu": 3600}  # a failed batch renders its letters one by one
    fault.server = cluster.Server(fault.db, 2, env={"PATH": f"{folder}:{os.environ['PATH']}"}, options=options_)
    time.sleep(2)
    since = cluster.trigger_cron(fault.db)
    cluster.wait_for_run(fault.db, since, timeout=3600)
    rows = cluster.sql(
        fault.db,
        """SELECT i.partner_id, i.state, i.error, a.id, COALESCE(a.file_size, 0)
             FROM kreancia_intervention i LEFT JOIN ir_attachment a ON a.id = i.attachment_id
            WHERE i.date = %s""",
        [date.today()],
    )
    failed = [row for row in rows if row[0] in marked]
    others = [row for row in rows if row[0] not in marked]
    empty = [row for row in rows if row[1] == "to_send" and not row[4]]
    fault.check(
        failed and all(row[1] == "failed" and row[2] for row in failed),
        f"{len(failed)} letters of marked customers: "
        + ", ".join(sorted({row[1] for row in failed}))
        + (f" ({failed[0][2][:90]!r})" if failed and failed[0][2] else ""),
    )
    fault.check(
        others and all(row[1] == "to_send" and row[4] for row in others),
        f"{sum(1 for row in others if row[1] == 'to_send' and row[4])} of {len(others)} other letters produced"
        f" (to send, PDF attached)",
    )
    fault.check(not empty, f"letters to send without a PDF: {len(empty)}")
    fault.verdict(planned)
    return fault


def fault_twice(template, planned, options):
    """The scheduled action and a manager's run (JSON-2) started at the same moment."""
    fault = Fault(template, "twice")
    # the manager's run stays in the request (not handed over to the scheduled action)
    cluster.set_param(fault.db, "kreancia_collect.run_queue_threshold", "100000000")
    (key,) = cluster.sql(fault.db, "SELECT value FROM ir_config_parameter WHERE key = 'kreancia_bench.api_key'")[0]
    fault.server = cluster.Server(fault.db, 2)
    time.sleep(2)
    barrier, answer, since = threading.Barrier(2), {}, {}

    def manager():
        barrier.wait()
        answer["status"], answer["body"] = fault.server.json2("kreancia.escalation", "run", key)

    def scheduler():
        barrier.wait()
        since["at"] = cluster.trigger_cron(fault.db)

    threads = [threading.Thread(target=manager), threading.Thread(target=scheduler)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    cluster.wait_for_run(fault.db, since["at"])
    by_manager = answer["body"].get("interventions", 0) if isinstance(answer["body"], dict) else None
    by_jobs = sum(
        (counts or {}).get("interventions", 0)
        for (counts,) in cluster.sql(fault.db, "SELECT dunning_counts FROM queue_job WHERE state = 'done'")
    )
    fault.check(
        answer["status"] == 200 and by_manager is not None,
        f"manager's run: HTTP {answer['status']}, {by_manager} interventions; scheduled run's jobs: {by_jobs}",
    )
    fault.verdict(planned)
    return fault


def fault_payment(template, planned, options):
    """A customer pays (another process) after the scheduled action planned its batch, before a worker performs it."""
    fault = Fault(template, "pay")
    # a server without the job runner: the scheduled action plans and queues the batches, nobody performs them yet
    fault.server = cluster.Server(fault.db, 2, runner=False)
    time.sleep(2)
    since = cluster.trigger_cron(fault.db)
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline and not cluster.cron_idle_since(fault.db, since):
        time.sleep(0.25)
    jobs = cluster.sql(
        fault.db, "SELECT (args #>> '{}') FROM queue_job WHERE method_name = '_job_perform_batch' ORDER BY id DESC"
    )
    if not jobs:
        fault.check(False, "no batch job queued")
        return fault
    victim = min(partner_in_args(jobs[0][0]))
    paid = json.loads(cluster.orm(fault.db, "pay", victim))
    fault.server.stop()
    fault.server = cluster.Server(fault.db, 2)  # now the runner hands the batches to the workers
    deadline = time.monotonic() + 1800
    while time.monotonic() < deadline and cluster.jobs_under_way(fault.db):
        time.sleep(0.25)
    (reminded,) = cluster.sql(
        fault.db,
        "SELECT count(*) FROM kreancia_intervention WHERE partner_id = %s AND date = %s",
        [victim, date.today()],
    )[0]
    fault.check(
        reminded == 0,
        f"customer {victim} paid its {len(paid)} invoices after {len(jobs)} batch jobs were queued:"
        f" {reminded} intervention for it",
    )
    planned = {**planned, "interventions": planned["interventions"] - 1, "customers": planned["customers"] - 1}
    fault.verdict(planned)
    return fault


FAULTS = {
    "kill": ("a worker killed with SIGKILL in the middle of a batch job", fault_kill),
    "postgres": ("PostgreSQL restarted during the run", fault_postgres),
    "smtp": ("the SMTP server unreachable for the whole run, then back", fault_smtp),
    "wkhtmltopdf": ("wkhtmltopdf crashing for some letters of a batch", fault_wkhtmltopdf),
    "twice": ("the same day's run started twice at once (scheduler + manager over JSON-2)", fault_twice),
    "payment": ("a customer paying between planning and performing, across processes", fault_payment),
}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--invoices", type=int, default=10000)
    parser.add_argument("--customers", type=int, default=None, help="default: invoices / 5")
    parser.add_argument("--only", nargs="+", choices=sorted(FAULTS), default=list(FAULTS))
    parser.add_argument(
        "--pg-restart",
        choices=("service", "terminate", "skip"),
        default="service" if os.geteuid() == 0 else "terminate",
    )
    parser.add_argument("--marked", type=int, default=3, help="customers whose letters make wkhtmltopdf crash")
    parser.add_argument("--keep", action="store_true", help="keep each fault's copy of the database")
    args = parser.parse_args()
    customers = args.customers or max(args.invoices // 5, 1)
    template = cluster.ensure_template(args.invoices, customers)
    probe = cluster.fresh_copy(template, f"{template}_plan")
    planned = cluster.plan(probe)
    cluster.drop(probe)
    print(
        f"{template}: {planned['interventions']} interventions planned for {planned['customers']} customers;"
        f" {os.cpu_count()} cores, load {cluster.load_average()}, {time.strftime('%Y-%m-%d %H:%M')}",
        flush=True,
    )
    failures = 0
    for key in args.only:
        label, function = FAULTS[key]
        if key == "postgres" and args.pg_restart == "terminate":
            label = "PostgreSQL connections of the database cut (pg_terminate_backend) during the run"
        started = time.monotonic()
        fault = None
        try:
            fault = function(template, planned, args)
            if isinstance(fault, str):
                print(f"SKIP {label}: {fault}", flush=True)
                continue
            passed = all(ok for ok, _evidence in fault.checks)
            evidence = "; ".join(evidence for _ok, evidence in fault.checks)
        except Exception as error:  # a fault that breaks the script is a failure
            passed, evidence = False, f"{type(error).__name__}: {error}"
        finally:
            if isinstance(fault, Fault):
                fault.close(keep=args.keep)
        failures += not passed
        print(f"{'PASS' if passed else 'FAIL'} {label}: {evidence} ({time.monotonic() - started:.0f} s)", flush=True)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
