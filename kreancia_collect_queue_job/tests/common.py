from contextlib import contextmanager
from unittest.mock import patch

from odoo import fields

from odoo.addons.kreancia_collect.tests.common import KreanciaCommon
from odoo.addons.queue_job.controllers.main import RunJobController
from odoo.addons.queue_job.job import Job
from odoo.addons.queue_job.tests.common import JobMixin


class KreanciaJobsCommon(KreanciaCommon, JobMixin):
    """Three customers with an invoice due for a step, and helpers to run the daily run through queue jobs.

    ``scheduled_run(batch_size)`` runs the scheduled action (its commits
    left out, as in the main suite); ``perform_jobs_as_runner(jobs)``
    performs stored jobs the way a worker does when the job runner sends it
    one (started, performed with commits forbidden, done, stored).
    Combine with queue_job's ``trap_jobs()`` to look at the jobs without
    storing them, or with ``job_counter()`` to find the stored ones.
    """

    @classmethod
    def get_default_groups(cls):
        return super().get_default_groups() | cls.env.ref("queue_job.group_queue_job_manager")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer_3 = cls._make_customer("Garage Test SARL", "compta@garage.example.com")
        cls.customers = cls.customer | cls.customer_2 | cls.customer_3
        cls.invoices = cls.env["account.move"].union(*(cls.make_invoice(customer, 8) for customer in cls.customers))
        cls.Escalation = cls.env["kreancia.escalation"]
        cls.run_date = fields.Date.context_today(cls.Escalation)  # the scheduled action runs as of today

    @contextmanager
    def batch_size(self, size):
        with patch.object(type(self.Escalation), "BATCH_SIZE", size):
            yield

    def scheduled_run(self, batch_size):
        """The daily scheduled action, with ``batch_size`` customers per batch; returns what it committed."""
        commits = []
        IrCron = type(self.env["ir.cron"])
        with (
            self.batch_size(batch_size),
            patch.object(
                IrCron, "_commit_progress", lambda _self, processed=0, **kw: commits.append(processed) or float("inf")
            ),
        ):
            self.Escalation._cron_run()
        return commits

    def perform_jobs_as_runner(self, jobs):
        """Perform the stored ``jobs`` (queue.job records) as a worker asked by the job runner does."""
        results = []
        for record in jobs:
            job = Job.load(self.env, record.uuid)
            job.set_started()
            job.store()
            RunJobController._try_perform_job(self.env, job)
            results.append(job.result)
        return results

    def kreancia_jobs(self, counter, method="_job_perform_batch"):
        return counter.search_created().filtered(lambda job: job.method_name == method).sorted("id")

    def our_interventions(self):
        return self.env["kreancia.intervention"].search([("partner_id", "in", self.customers.ids)])
