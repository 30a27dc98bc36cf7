import logging
from collections import Counter

from odoo import api, fields, models
from odoo.tools import split_every

from odoo.addons.kreancia_collect.models.kreancia_escalation import PlannedIntervention, PlannedLine
from odoo.addons.queue_job.utils import must_run_without_delay

_logger = logging.getLogger(__name__)

UNDER_WAY = ("wait_dependencies", "pending", "enqueued", "started")  # job states before an end


def plan_to_data(planned):
    """A :class:`PlannedIntervention` as plain data a queue job stores (ids and numbers, no records).

    Residuals, due dates and days late travel for the record only: the batch re-reads them when it locks
    the invoices.
    """
    return {
        "partner_id": planned.partner_id,
        "step_id": planned.step.id,
        "one_voice": planned.one_voice,
        "credit": planned.credit,
        "lines": [
            [
                line.move_id,
                line.step.id,
                line.days_late,
                line.currency_id,
                line.residual,
                line.residual_company,
                line.due_date and line.due_date.isoformat(),
            ]
            for line in planned.lines
        ],
    }


def plan_from_data(data, steps):
    """The :class:`PlannedIntervention` of :func:`plan_to_data`, its steps taken from ``steps`` (``{id: step}``).

    Lines whose step was deleted since planning are left out; None when no line is left.
    """
    lines = [
        PlannedLine(
            move_id, steps[step_id], days_late, currency_id, residual, residual_company, fields.Date.to_date(due_date)
        )
        for move_id, step_id, days_late, currency_id, residual, residual_company, due_date in data["lines"]
        if step_id in steps
    ]
    if not lines or data["step_id"] not in steps:
        return None
    return PlannedIntervention(
        data["partner_id"], steps[data["step_id"]], one_voice=data["one_voice"], lines=lines, credit=data["credit"]
    )


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

    def _run_company(self, company, today, counts, plans=None):
        """The daily run leaves alone a company whose batch jobs of ``today`` are still under way:
        they perform what is due, planning again would only queue the same customers twice."""
        if self._in_jobs() and not self.env.context.get("kreancia_run_id") and self._batches_under_way(company, today):
            _logger.info("Dunning batch jobs of %s for %s still under way: not planned again", company.name, today)
            return True
        return super()._run_company(company, today, counts, plans)

    def _batches_under_way(self, company, today):
        return bool(
            self.env["queue.job"]
            .sudo()
            .search_count(
                [
                    ("model_name", "=", self._name),
                    ("method_name", "=", "_job_perform_batch"),
                    ("company_id", "=", company.id),
                    ("dunning_date", "=", today),
                    ("state", "in", UNDER_WAY),
                ],
                limit=1,
            )
        )

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
            self.with_delay(description=description)._job_perform_batch(
                company.id, today, [plan_to_data(planned) for planned in batch], run_id=run_id
            )
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

        :param plans: the batch's planned interventions as :func:`plan_to_data` gives them
        :param run_id: the queued run (by hand) the batch belongs to, if any
        :return: the batch's counts (see :meth:`run`), kept on the job for its run
        """
        company = self.env["res.company"].browse(company_id)
        engine = self.sudo().with_company(company).with_context(kreancia_user_id=self.env.uid)
        step_ids = {data["step_id"] for data in plans} | {line[1] for data in plans for line in data["lines"]}
        steps = {step.id: step for step in engine.env["kreancia.scenario.step"].browse(step_ids).exists()}
        batch = [planned for planned in (plan_from_data(data, steps) for data in plans) if planned]
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
