from collections import Counter

from odoo import fields, models

from odoo.addons.queue_job.exception import RetryableJobError

from .kreancia_escalation import UNDER_WAY

FINISH_DELAY = 10  # seconds between two looks of the closing job at the run's batches


class KreanciaEscalationRun(models.Model):
    """A run queued by hand, its batches handed to queue jobs: a closing job ends it.

    The scheduled action plans the run and queues one job per batch and a
    closing job (:meth:`_job_finish`); the run stays *running* until every
    batch job has ended, then records the counts and tells the manager.
    """

    _inherit = "kreancia.escalation.run"

    job_ids = fields.One2many(
        "queue.job", "dunning_run_id", "Jobs", readonly=True, groups="queue_job.group_queue_job_manager"
    )

    def _to_dict(self):
        """While its batch jobs are under way, ``performed`` counts the interventions of the jobs done."""
        result = super()._to_dict()
        if self.state == "running":
            batches = self._batch_jobs()
            if batches:
                result["performed"] = self._sum_counts(batches)["interventions"]
        return result

    def _perform(self):
        """A run whose batches are with the workers waits for its closing job; any other is performed."""
        self.ensure_one()
        if self.sudo().job_ids.filtered(
            lambda job: job.method_name == "_job_finish" and job.state not in ("failed", "cancelled")
        ):
            return True
        return super()._perform()

    def _done(self, counts):
        """When batch jobs were queued, the run is done once they have all ended: a closing job waits for them."""
        if not counts.get("batch_jobs"):
            return super()._done(counts)
        self.write({"counts": counts})
        description = self.env._("Dunning run of %(date)s: closing once its batches are done", date=self.date)
        self.with_delay(eta=FINISH_DELAY, description=description)._job_finish()
        return None

    def _job_finish(self):
        """Close the queued run once its batch jobs have all ended: sum their counts, tell the manager.

        Until then the job is postponed (retried without counting a try).
        """
        self.ensure_one()
        run = self.with_context(lang=self.lang or self.user_id.lang)
        batches = run._batch_jobs()
        under_way = batches.filtered(lambda job: job.state in UNDER_WAY)
        if under_way:
            raise RetryableJobError(
                run.env._("%(count)s of %(total)s batches still to perform", count=len(under_way), total=len(batches)),
                seconds=FINISH_DELAY,
                ignore_retry=True,
            )
        counts = dict(run._sum_counts(batches))
        failed = batches.filtered(lambda job: job.state != "done")
        if failed:
            error = run.env._(
                "%(count)s of %(total)s batches of the run failed (see Job Queue): %(error)s",
                count=len(failed),
                total=len(batches),
                error=failed[0].exc_message or failed[0].state,
            )
            run.write(
                {"state": "failed", "error": error, "counts": counts, "performed": counts.get("interventions", 0)}
            )
            run._notify(error, "danger")
            return error
        run.performed = counts.get("interventions", 0)
        run._done(counts)
        return counts

    def _batch_jobs(self):
        return self.sudo().job_ids.filtered(lambda job: job.method_name == "_job_perform_batch")

    def _sum_counts(self, jobs):
        counts = Counter()
        for job in jobs.filtered(lambda job: job.state == "done"):
            counts.update(job.dunning_counts or {})
        return counts

    def _job_store_values(self, job):
        """The closing job is one of the run's jobs."""
        values = super()._job_store_values(job)
        if job.method_name == "_job_finish":
            values["dunning_run_id"] = self.id
        return values
