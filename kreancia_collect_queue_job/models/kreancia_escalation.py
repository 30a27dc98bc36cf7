import hashlib
import json
import logging
from collections import Counter

from odoo import api, models
from odoo.tools import split_every

from odoo.addons.kreancia_collect.models.kreancia_escalation import PlannedIntervention
from odoo.addons.queue_job.fields import JobEncoder
from odoo.addons.queue_job.utils import must_run_without_delay

_logger = logging.getLogger(__name__)

UNDER_WAY = ("wait_dependencies", "pending", "enqueued", "started")  # job states before an end


def batch_identity(job_):
    """The identity of a batch job: its company, date and planned interventions, whichever run queued it.

    queue_job then queues no batch that waits already (pending or enqueued): the scheduled action
    triggered again while the workers have not taken the day's batches yet plans the same ones, and
    queues nothing twice. A batch a worker has started is queued again; performing it finds its
    invoices locked or reminded, and does nothing twice.
    """
    hasher = hashlib.sha1()
    for part in (job_.model_name, job_.method_name, json.dumps(job_.args, cls=JobEncoder, sort_keys=True)):
        hasher.update(part.encode())
    return hasher.hexdigest()


class KreanciaEscalation(models.AbstractModel):
    """With queue_job, the scheduled action plans and hands each batch to a queue job.

    Workers of every Odoo server sharing the database perform the jobs in
    parallel (channel ``root.kreancia``). A batch job re-reads and locks its
    invoices before acting (:meth:`_perform_batch`): a job retried after a
    crash, performed twice or alongside an overlapping one does nothing twice.
    Runs by hand small enough to answer at once stay in the request.
    """

    _inherit = "kreancia.escalation"

    @api.model
    def _runs_in_jobs(self):
        """Whether the scheduled action hands its batches to queue jobs: yes, unless the system parameter
        ``kreancia_collect.run_in_jobs`` is ``0`` or queue_job is told to run jobs at once."""
        param = self.env["ir.config_parameter"].sudo().get_param("kreancia_collect.run_in_jobs", "1")
        return param.strip() != "0" and not must_run_without_delay(self.env)

    def _in_jobs(self):
        return self.env.context.get("kreancia_commit") and self._runs_in_jobs()

    def _perform_batches(self, company, today, plans, counts):
        """Under the scheduled action, one queue job per batch instead of performing it here.

        The jobs are committed with the company's plan; ``counts`` then says
        how many jobs (``batch_jobs``) and planned interventions (``planned``).
        """
        if not self._in_jobs():
            return super()._perform_batches(company, today, plans, counts)
        run_id = self.env.context.get("kreancia_run_id") or False
        batches = list(split_every(self.BATCH_SIZE, plans))
        # planning hands over 200 customers at a time: the batches are numbered across the company's run
        first = counts["batch_jobs"] + 1
        for index, batch in enumerate(batches, first):
            description = self.env._(
                "Dunning run of %(date)s, %(company)s: batch %(index)s (%(customers)s customers)",
                date=today,
                company=company.name,
                index=index,
                customers=len(batch),
            )
            job = self.with_delay(description=description, identity_key=batch_identity)._job_perform_batch(
                company.id, today, [planned.to_data() for planned in batch], run_id=run_id
            )
            if run_id and isinstance(job, models.BaseModel) and not job.sudo().dunning_run_id:
                # the daily run queued this very batch already: the manager's run counts it as its own
                job.sudo().dunning_run_id = run_id
        counts["batch_jobs"] += len(batches)
        counts["planned"] += len(plans)
        _logger.info(
            "Dunning run of %s, %s: %s interventions planned, queued as %s batch jobs",
            today,
            company.name,
            len(plans),
            len(batches),
        )
        self.env["ir.cron"]._commit_progress(len(plans))  # the workers see the jobs at once
        return True

    def _job_perform_batch(self, company_id, today, plans, run_id=False):
        """Dunning batch: re-read and lock its invoices, then create and perform its interventions.

        :param plans: the batch's planned interventions as ``PlannedIntervention.to_data()`` gives them
        :param run_id: the queued run (by hand) the batch belongs to, if any
        :return: the batch's counts (see :meth:`run`), kept on the job for its run
        """
        company = self.env["res.company"].browse(company_id)
        engine = self.sudo().with_company(company).with_context(kreancia_user_id=self.env.uid)
        step_ids = {data["step_id"] for data in plans} | {line["step_id"] for data in plans for line in data["lines"]}
        steps = {step.id: step for step in engine.env["kreancia.scenario.step"].browse(step_ids).exists()}
        batch = [planned for planned in (PlannedIntervention.from_data(data, steps) for data in plans) if planned]
        counts = Counter()
        engine._count(engine._perform_batch(company, today, batch), counts)
        return dict(counts)

    def _job_store_values(self, job):
        """What a batch job records on its ``queue.job``: its date and run, and its counts once performed."""
        values = super()._job_store_values(job)
        if job.method_name != "_job_perform_batch":
            return values
        values.update({"dunning_date": job.args[1], "dunning_run_id": job.kwargs.get("run_id") or False})
        if isinstance(job.result, dict) and job.result:  # performed again, a done job finds nothing more to do
            values["dunning_counts"] = job.result
        return values
