"""The daily run on real Odoo servers: 1, 2... workers performing its queue jobs.

Usage::

    python3 benchmarks/scale_out.py --invoices 10000 --workers 1 2
    python3 benchmarks/scale_out.py --invoices 500 --workers 1 2 --reuse   # the database built before

Builds (or, with ``--reuse``, takes as it is) the template database
``kc_scale_<invoices>`` (see ``cluster.py``), then for each worker count:
copies it afresh, starts ``odoo-bin --workers=N --max-cron-threads=1
--server-wide-modules=web,queue_job`` with ``[queue_job] channels =
root:N,root.kreancia:N``, makes the scheduled action *Collection: daily dunning
run* due now, and waits until it ran and every queue job ended. Prints the
wall time (trigger -> last batch done), invoices per second, the queue
latency (job created -> started, p50 and max), the longest job, and the
verdict computed from the database against ``kreancia.escalation.plan`` read
before the run.
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import cluster


def measure(template, workers, planned, invoices_due, keep=False):
    db = cluster.fresh_copy(template, f"{template}_w{workers}")
    server = cluster.Server(db, workers)
    try:
        time.sleep(2)  # the job runner connects and listens
        load = cluster.load_average()
        since = cluster.trigger_cron(db)
        cluster.wait_for_run(db, since)
        figures = cluster.job_figures(db, since)
        ok, evidence, _counts = cluster.verdict(db, planned)
    finally:
        server.stop()
        if not keep:
            cluster.drop(db)
    wall = figures["last_done"]
    return {
        "workers": workers,
        "wall": wall,
        "rate": invoices_due / wall if wall else 0.0,
        "load": load,
        "ok": ok,
        "evidence": evidence,
        **figures,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--invoices", type=int, default=10000)
    parser.add_argument("--customers", type=int, default=None, help="default: invoices / 5")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--reuse", action="store_true", help="take kc_scale_<invoices> as it is when it exists")
    parser.add_argument("--keep", action="store_true", help="keep each run's copy (kc_scale_<invoices>_w<N>)")
    args = parser.parse_args()
    customers = args.customers or max(args.invoices // 5, 1)
    template = cluster.ensure_template(args.invoices, customers, reuse=args.reuse)
    probe = cluster.fresh_copy(template, f"{template}_plan")
    planned = cluster.plan(probe)
    invoices_due = planned["invoices"]
    cluster.drop(probe)
    print(
        f"database {template}: {planned['interventions']} interventions planned for {planned['customers']}"
        f" customers due, {invoices_due} invoices; {os.cpu_count()} cores; load {cluster.load_average()}"
    )
    results = []
    for workers in args.workers:
        result = measure(template, workers, planned, invoices_due, keep=args.keep)
        results.append(result)
        print(
            f"{'PASS' if result['ok'] else 'FAIL'} {workers} worker(s): wall {result['wall']:.1f} s,"
            f" {result['rate']:.0f} invoices/s, {result['jobs']} jobs ({result['done']} done,"
            f" {result['retries']} retries),"
            f" queue latency p50 {result['latency_p50']:.0f} s max {result['latency_max']:.0f} s,"
            f" longest job {result['longest']:.2f} s, job time summed {result['busy']:.1f} s,"
            f" load before {result['load']}; {result['evidence']}",
            flush=True,
        )
    print_table(args.invoices, customers, results)
    predict(results)
    sys.exit(0 if all(result["ok"] for result in results) else 1)


def print_table(invoices, customers, results):
    print()
    print(f"{invoices:,} invoices / {customers:,} customers, {time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores:")
    print("| workers | wall | invoices/s | jobs | queue latency p50 / max | longest job | verdict |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for result in results:
        print(
            f"| {result['workers']} | {result['wall']:.1f} s | {result['rate']:.0f} | {result['jobs']} |"
            f" {result['latency_p50']:.0f} s / {result['latency_max']:.0f} s | {result['longest']:.2f} s |"
            f" {'pass' if result['ok'] else 'FAIL'} |"
        )


def predict(results):
    """Amdahl from the measure: the serial part is what one worker cannot share (planning in the cron,
    the queue's hand-over); the rest divides by the workers, up to the cores."""
    if not results:
        return
    one = min(results, key=lambda result: result["workers"])
    busy = one["busy"]  # the batches' own time, in one worker
    serial = max(one["wall"] - busy, 0.0)
    cores = os.cpu_count() or 1
    print()
    print(
        f"prediction: with 1 worker, {busy:.1f} s of the {one['wall']:.1f} s are the batches (parallel part)"
        f" and {serial:.1f} s the rest (planning in the cron, queue hand-over: serial part,"
        f" {serial / one['wall']:.0%})."
    )
    for workers in (2, 3, 4, 8):
        effective = min(workers, cores)
        wall = serial + busy / effective
        print(
            f"  {workers} workers: ~{wall:.1f} s ({one['wall'] / wall:.2f}x)"
            + (
                ""
                if workers <= cores
                else f" — no better than {cores}: this machine has {cores} cores, shared with PostgreSQL and the cron"
            )
        )
    for other in results:
        if other["workers"] > one["workers"] and other["wall"] and other["jobs"] and busy:
            slower = (other["busy"] / other["jobs"]) / (busy / one["jobs"])
            print(
                f"  measured with {other['workers']} workers: {one['wall'] / other['wall']:.2f}x; jobs ran"
                f" {other['busy'] / other['wall']:.1f} at a time on average, each {slower:.1f}x as long as alone"
                + (
                    f": the cores were saturated (load before the run {other['load']}), more workers than free"
                    " cores only share them"
                    if slower > 1.3
                    else ""
                )
            )
    print(
        f"  on more cores (several servers), the bound is 1 / serial share = {one['wall'] / serial:.1f}x"
        if serial
        else "  no serial part measured"
    )


if __name__ == "__main__":
    main()
