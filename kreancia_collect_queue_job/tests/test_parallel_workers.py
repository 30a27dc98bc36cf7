import contextlib
import json
import threading
import time

import psycopg2

from odoo.tests import tagged

from odoo.addons.kreancia_collect.tests.common import SeparateConnectionsCase
from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.fields import JobDecoder, JobEncoder


@tagged("post_install", "-at_install")
class TestParallelWorkers(SeparateConnectionsCase):
    """A batch job that crashed, retried while a duplicate runs on another server, then run once more:
    its customer is reminded once. Real, separate database connections, as the workers of several
    servers have; what a job receives goes through the job's own JSON storage."""

    def test_crashed_retried_and_duplicated_batch_reminds_once(self):
        with self.registry.cursor() as cr:
            env = self.env_of(cr)
            customer, invoices = self.make_customer(env, "Two Servers SARL")
            self.created = {"partners": [customer.id], "moves": invoices.ids}
            company = env.company
            engine = env["kreancia.escalation"].with_company(company)
            batch = [plan for plan in engine._plan_company(company, self.today) if plan.partner_id == customer.id]
            stored = json.dumps([company.id, self.today, [plan.to_data() for plan in batch]], cls=JobEncoder)

        def perform(cr):
            """The batch job as a worker reads it back from its storage and performs it."""
            args = json.loads(stored, cls=JobDecoder, env=self.env_of(cr))
            return self.env_of(cr)["kreancia.escalation"]._job_perform_batch(*args)

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
            self.assertEqual(sorted(intervention.move_ids.ids), sorted(invoices.ids), "listing its five invoices")
            self.assertEqual(len(intervention.mail_id), 1, "one e-mail")


@tagged("post_install", "-at_install")
class TestBatchCutFromTheDatabase(SeparateConnectionsCase):
    """PostgreSQL restarted or the worker's connection cut half-way through a batch job: the job asks
    queue_job to try it again later (queue_job fails it otherwise), and the retry reminds once."""

    def test_batch_cut_half_way_is_retried_and_reminds_once(self):
        with self.registry.cursor() as cr:
            env = self.env_of(cr)
            customer, invoices = self.make_customer(env, "Cut Connection SARL")
            self.created = {"partners": [customer.id], "moves": invoices.ids}
            company = env.company
            engine = env["kreancia.escalation"].with_company(company)
            batch = [plan for plan in engine._plan_company(company, self.today) if plan.partner_id == customer.id]
            stored = json.dumps([company.id, self.today, [plan.to_data() for plan in batch]], cls=JobEncoder)

        def perform(cr):
            args = json.loads(stored, cls=JobDecoder, env=self.env_of(cr))
            return self.env_of(cr)["kreancia.escalation"]._job_perform_batch(*args)

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
            with self.assertRaises(RetryableJobError) as retry:
                perform(worker)
        finally:
            cut.join()
            holder.rollback()
            with contextlib.suppress(psycopg2.Error):  # its connection is gone
                worker.close()
        self.assertIn("The database connection was lost", retry.exception.args[0])
        self.assertEqual(retry.exception.seconds, 10, "tried again once the database is back")

        with self.registry.cursor() as retried:
            self.assertEqual(perform(retried)["interventions"], 1, "performed on its next try")
        with self.registry.cursor() as cr:
            count = self.env_of(cr)["kreancia.intervention"].search_count([("partner_id", "=", customer.id)])
            self.assertEqual(count, 1, "reminded once")

    def cut_when_waiting(self, pid):
        """Terminate backend ``pid`` once it waits for a lock (at most 20 s), as a PostgreSQL restart would."""
        with self.registry.cursor() as cr:
            for _attempt in range(200):
                cr.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s AND wait_event_type = 'Lock'", [pid])
                if cr.fetchone():
                    break
                time.sleep(0.1)
            cr.execute("SELECT pg_terminate_backend(%s)", [pid])
