import contextlib
import json
import threading
import time

import psycopg2

from odoo.tests import tagged

from odoo.addons.kreancia_collect.tests.common import SeparateConnectionsCase
from odoo.addons.kreancia_collect_queue_job.controllers.main import KreanciaRunJobController
from odoo.addons.queue_job.fields import JobDecoder, JobEncoder


def stored_batch_job(case, name):
    """A committed customer ``name`` with its batch job stored as queue_job stores it: (customer, perform),
    ``perform(cr)`` performing the job as a worker of ``cr`` reads it back and performs it."""
    with case.registry.cursor() as cr:
        env = case.env_of(cr)
        customer, invoices = case.make_customer(env, name)
        case.created = {"partners": [customer.id], "moves": invoices.ids}
        company = env.company
        engine = env["kreancia.escalation"].with_company(company)
        batch = [plan for plan in engine._plan_company(company, case.today) if plan.partner_id == customer.id]
        stored = json.dumps([company.id, case.today, [plan.to_data() for plan in batch]], cls=JobEncoder)

    def perform(cr):
        args = json.loads(stored, cls=JobDecoder, env=case.env_of(cr))
        return case.env_of(cr)["kreancia.escalation"]._job_perform_batch(*args)

    return customer, perform


@tagged("post_install", "-at_install")
class TestParallelWorkers(SeparateConnectionsCase):
    """A batch job that crashed, retried while a duplicate runs on another server, then run once more:
    its customer is reminded once. Real, separate database connections, as the workers of several
    servers have; what a job receives goes through the job's own JSON storage."""

    def test_crashed_retried_and_duplicated_batch_reminds_once(self):
        customer, perform = stored_batch_job(self, "Two Servers SARL")

        with self.registry.cursor() as crashed:
            self.assertEqual(perform(crashed)["interventions"], 1)
            crashed.rollback()  # the worker died before committing: nothing of it stays

        with self.registry.cursor() as retried, self.registry.cursor() as duplicate:
            self.assertEqual(perform(retried), {"interventions": 1, "done": 1, "channel_email": 1, "invoices": 5})
            self.assertEqual(perform(duplicate), {}, "the invoices the retried job holds are left to it")
            retried.commit()

        with self.registry.cursor() as again:
            self.assertEqual(perform(again), {}, "reminded today already")

        with self.registry.cursor() as cr:
            env = self.env_of(cr)
            intervention = env["kreancia.intervention"].search([("partner_id", "=", customer.id)])
            self.assertEqual(len(intervention), 1, "one reminder")
            self.assertEqual(
                sorted(intervention.move_ids.ids), sorted(self.created["moves"]), "listing its five invoices"
            )
            self.assertEqual(len(intervention.mail_id), 1, "one e-mail")


@tagged("post_install", "-at_install")
class TestBatchCutFromTheDatabase(SeparateConnectionsCase):
    """PostgreSQL restarted or the worker's connection cut half-way through a batch job: the job is
    postponed and tried again, not failed as queue_job fails a job whose connection was lost, and the
    retry reminds once. The job goes through queue_job's controller, as the job runner sends it."""

    def test_batch_cut_half_way_is_postponed_then_reminds_once(self):
        with self.registry.cursor() as cr:
            env = self.env_of(cr)
            customer, invoices = self.make_customer(env, "Cut Connection SARL")
            self.created = {"partners": [customer.id], "moves": invoices.ids}
            engine = env["kreancia.escalation"].with_company(env.company)
            batch = [plan for plan in engine._plan_company(env.company, self.today) if plan.partner_id == customer.id]
            job = engine.with_delay()._job_perform_batch(env.company.id, self.today, [p.to_data() for p in batch])
            cr.execute("UPDATE queue_job SET state = 'enqueued' WHERE uuid = %s", [job.uuid])  # the runner's part
        self.addCleanup(self.drop_job, job.uuid)

        # another transaction holds the customer: the job waits half-way through its batch, and is cut there
        holder = self.registry.cursor()
        self.addCleanup(holder.close)
        holder.execute("SELECT id FROM res_partner WHERE id = %s FOR UPDATE", [customer.id])
        worker = self.registry.cursor()
        worker.execute("SELECT pg_backend_pid()")
        (worker_pid,) = worker.fetchone()
        cut = threading.Thread(target=self.cut_when_waiting, args=(worker_pid,))
        cut.start()
        try:
            # queue_job rolls back the cursor of the postponed job: its connection is gone, it raises
            with contextlib.suppress(psycopg2.Error):
                self.run_as_worker(worker, job.uuid)
        finally:
            cut.join()
            holder.rollback()
            with contextlib.suppress(psycopg2.Error):
                worker.close()

        with self.registry.cursor() as cr:
            cr.execute("SELECT state, retry, result, exc_name FROM queue_job WHERE uuid = %s", [job.uuid])
            state, retry, result, exc_name = cr.fetchone()
        self.assertEqual((state, retry, exc_name), ("pending", 1, None), "postponed, not failed")
        self.assertIn("Database connection lost, tried again in 10 s", result)

        with self.registry.cursor() as cr:
            cr.execute("UPDATE queue_job SET state = 'enqueued' WHERE uuid = %s", [job.uuid])
        with self.registry.cursor() as retried:
            self.run_as_worker(retried, job.uuid)
        with self.registry.cursor() as cr:
            env = self.env_of(cr)
            cr.execute("SELECT state, retry FROM queue_job WHERE uuid = %s", [job.uuid])
            self.assertEqual(cr.fetchone(), ("done", 2), "performed on its second try")
            count = env["kreancia.intervention"].search_count([("partner_id", "=", customer.id)])
            self.assertEqual(count, 1, "reminded once")

    def run_as_worker(self, cr, uuid):
        """What a worker does when the job runner sends it job ``uuid``."""
        env = self.env_of(cr)
        job = KreanciaRunJobController._acquire_job(env, uuid)
        self.assertTrue(job, "the job is free to take")
        KreanciaRunJobController._runjob(env, job)

    def cut_when_waiting(self, pid):
        """Terminate backend ``pid`` once it waits for a lock (at most 20 s), as a PostgreSQL restart would."""
        with self.registry.cursor() as cr:
            for _attempt in range(200):
                cr.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s AND wait_event_type = 'Lock'", [pid])
                if cr.fetchone():
                    break
                time.sleep(0.1)
            cr.execute("SELECT pg_terminate_backend(%s)", [pid])

    def drop_job(self, uuid):
        with self.registry.cursor() as cr:
            cr.execute("DELETE FROM queue_job WHERE uuid = %s", [uuid])
