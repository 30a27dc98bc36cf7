import json

from odoo.tests import tagged

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.job import Job

from .common import KreanciaJobsCommon


@tagged("post_install", "-at_install")
class TestQueuedRunInJobs(KreanciaJobsCommon):
    """A manager's run too large for a request: the scheduled action queues its batches as jobs,
    a closing job records the counts and tells the manager once they are all done."""

    def setUp(self):
        super().setUp()
        self.env["ir.config_parameter"].sudo().set_param("kreancia_collect.run_queue_threshold", "1")
        self.last_bus_id = self.env["bus.bus"].sudo().search([], order="id desc", limit=1).id or 0

    def status(self, run_id):
        return self.env["kreancia.escalation"].with_user(self.manager).run_status(run_id)

    def notifications(self):
        """The pop-ups sent to the manager (written to the bus when the job's savepoint is released)."""
        self.env.cr.flush()
        messages = self.env["bus.bus"].sudo().search([("id", ">", self.last_bus_id)], order="id").mapped("message")
        return [
            json.loads(message)["payload"]
            for message in messages
            if json.loads(message)["type"] == "simple_notification"
        ]

    def test_queued_run_performed_by_jobs(self):
        result = self.env["kreancia.escalation"].with_user(self.manager).run(today=self.run_date)
        self.assertEqual((result["queued"], result["planned"]), (True, 3))
        counter = self.job_counter()

        self.scheduled_run(batch_size=1)
        batches = self.kreancia_jobs(counter)
        [closing] = self.kreancia_jobs(counter, "_job_finish")
        run = self.env["kreancia.escalation.run"].browse(result["run_id"])
        self.assertEqual(len(batches), 3, "one job per batch")
        self.assertEqual(batches.dunning_run_id, run)
        self.assertEqual(closing.dunning_run_id, run)
        self.assertEqual(set((batches | closing).mapped("channel")), {"root.kreancia"})
        self.assertEqual(batches.user_id, self.manager, "the jobs act as the manager who asked")
        self.assertFalse(self.our_interventions())
        status = self.status(result["run_id"])
        self.assertEqual((status["state"], status["planned"], status["performed"]), ("running", 3, 0))

        # the closing job waits for the batches, without using up its tries
        with self.assertRaisesRegex(RetryableJobError, "3 of 3 batches still to perform"):
            Job.load(self.env, closing.uuid).perform()

        self.perform_jobs_as_runner(batches[:2])
        self.assertEqual(self.status(result["run_id"])["performed"], 2, "progress while the run is under way")
        # the scheduled action again: the run waits for its jobs, the daily run leaves them alone
        self.scheduled_run(batch_size=1)
        self.assertEqual(len(counter.search_created()), 4)
        self.perform_jobs_as_runner(batches[2:])

        interventions = self.our_interventions()
        self.assertEqual(interventions.partner_id, self.customers)
        self.assertEqual(interventions.user_id, self.manager, "performed in the name of who asked")
        self.assertEqual(len(interventions.mail_id), 3)

        self.perform_jobs_as_runner(closing)
        status = self.status(result["run_id"])
        self.assertEqual((status["state"], status["performed"]), ("done", 3))
        self.assertEqual(status["counts"], {"interventions": 3, "done": 3, "channel_email": 3, "invoices": 3})
        self.assertEqual(
            self.notifications()[-1]["message"],
            f"Dunning run of {self.run_date} performed: 3 intervention(s) on 3 invoice(s); 0 to validate, 0 failed.",
        )

    def test_failed_batch_fails_the_run_and_tells_the_manager_in_their_language(self):
        manager = self.env["kreancia.escalation"].with_user(self.manager).with_context(lang="fr_FR")
        result = manager.run(today=self.run_date)
        counter = self.job_counter()
        self.scheduled_run(batch_size=2)
        batches = self.kreancia_jobs(counter)
        self.perform_jobs_as_runner(batches[:1])
        lost = Job.load(self.env, batches[1].uuid)
        lost.set_failed(exc_message="Worker lost")  # its retries used up
        lost.store()

        self.perform_jobs_as_runner(self.kreancia_jobs(counter, "_job_finish"))
        status = self.status(result["run_id"])
        self.assertEqual((status["state"], status["performed"]), ("failed", 2))
        self.assertEqual(
            status["error"], "1 lot(s) sur 2 de la campagne en échec (voir le menu Job Queue) : Worker lost"
        )
        self.assertEqual(self.notifications()[-1]["type"], "danger")
