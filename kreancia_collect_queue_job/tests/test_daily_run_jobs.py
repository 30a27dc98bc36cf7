from odoo.tests import tagged

from odoo.addons.queue_job.tests.common import trap_jobs

from .common import KreanciaJobsCommon


@tagged("post_install", "-at_install")
class TestDailyRunInJobs(KreanciaJobsCommon):
    """With queue_job, the scheduled action plans and queues one job per batch; the jobs perform the run."""

    def test_one_job_per_batch_then_the_jobs_remind_each_customer(self):
        with trap_jobs() as trap:
            commits = self.scheduled_run(batch_size=1)

            trap.assert_jobs_count(3, only=self.Escalation._job_perform_batch)
            self.assertEqual({job.channel for job in trap.enqueued_jobs}, {"root.kreancia"})
            self.assertEqual(sum(commits), 3, "the three planned customers committed with their jobs")
            self.assertFalse(self.our_interventions(), "nothing performed by the scheduled action itself")
            invoice = self.invoices.filtered(lambda move: move.partner_id == self.customer_2)
            # plain data, not records: what a job stores and a worker of another server reads back
            trap.assert_enqueued_job(
                self.Escalation._job_perform_batch,
                args=(
                    self.company.id,
                    self.run_date,
                    [
                        {
                            "partner_id": self.customer_2.id,
                            "step_id": self.step_courteous.id,
                            "one_voice": True,
                            "credit": 0.0,
                            "lines": [
                                {
                                    "move_id": invoice.id,
                                    "step_id": self.step_courteous.id,
                                    "days_late": (self.run_date - invoice.invoice_date_due).days,
                                    "currency_id": invoice.currency_id.id,
                                    "residual": 1000.0,
                                    "residual_company": 1000.0,
                                    "due_date": invoice.invoice_date_due.isoformat(),
                                }
                            ],
                        }
                    ],
                ),
                kwargs={"run_id": False},
            )

            trap.perform_enqueued_jobs()

        interventions = self.our_interventions()
        self.assertEqual(interventions.partner_id, self.customers, "one reminder per customer")
        self.assertEqual(set(interventions.mapped("state")), {"done"})
        self.assertEqual(
            sorted(interventions.mail_id.recipient_ids.mapped("email")),
            ["compta@boulangerie.example.com", "compta@garage.example.com", "factures@atelier.example.com"],
        )
        self.assertEqual(set(interventions.mail_id.mapped("state")), {"outgoing"}, "in Odoo's mail queue")
        self.assertEqual(self.invoices.dunning_step_id, self.step_courteous)
        self.assertEqual(set(self.invoices.mapped("dunning_last_date")), {self.run_date})

    def test_a_job_performed_twice_does_nothing_the_second_time(self):
        counter = self.job_counter()
        self.scheduled_run(batch_size=2)
        jobs = self.kreancia_jobs(counter)
        self.assertEqual(len(jobs), 2, "three customers in batches of two")
        self.assertEqual(set(jobs.mapped("dunning_date")), {self.run_date})

        results = self.perform_jobs_as_runner(jobs)
        self.assertEqual(set(jobs.mapped("state")), {"done"})
        self.assertEqual([result["interventions"] for result in results], [2, 1])
        self.assertEqual(jobs[0].dunning_counts, {"interventions": 2, "done": 2, "channel_email": 2, "invoices": 2})
        interventions = self.our_interventions()
        self.assertEqual(len(interventions), 3)
        self.assertEqual(len(interventions.mail_id), 3)
        mails = self.env["mail.mail"].search_count([])

        # a job retried after a crash, or requeued by hand, finds its customers reminded today
        self.assertEqual(self.perform_jobs_as_runner(jobs), [{}, {}], "nothing done, nothing counted")
        self.assertEqual(self.our_interventions(), interventions, "no second intervention")
        self.assertEqual(self.env["mail.mail"].search_count([]), mails, "no second e-mail")
        self.assertEqual(set(jobs.mapped("state")), {"done"})

    def test_the_scheduled_action_again_queues_nothing_twice(self):
        counter = self.job_counter()
        self.scheduled_run(batch_size=1)
        jobs = self.kreancia_jobs(counter)
        self.assertEqual(len(jobs), 3)
        self.assertEqual(len(set(jobs.mapped("identity_key"))), 3, "each batch known by its identity")
        # triggered again (a manager's queued run) while the batches wait for a worker: not planned again
        self.scheduled_run(batch_size=1)
        self.assertEqual(len(self.kreancia_jobs(counter)), 3)

        self.perform_jobs_as_runner(self.kreancia_jobs(counter))
        self.assertEqual(len(self.our_interventions()), 3)
        # once performed, nothing is due any more today
        self.scheduled_run(batch_size=1)
        self.assertEqual(len(self.kreancia_jobs(counter)), 3)
        self.assertEqual(len(self.our_interventions()), 3)

    def test_small_run_by_hand_answers_at_once_without_jobs(self):
        counter = self.job_counter()
        counts = self.env["kreancia.escalation"].with_user(self.manager).run()
        self.assertEqual(counts["interventions"], 3)
        self.assertEqual(counter.count_created(), 0)
        self.assertEqual(self.our_interventions().user_id, self.manager)

    def test_cron_path_when_jobs_are_switched_off(self):
        self.env["ir.config_parameter"].sudo().set_param("kreancia_collect.run_in_jobs", "0")
        counter = self.job_counter()
        commits = self.scheduled_run(batch_size=1)
        self.assertEqual(counter.count_created(), 0)
        self.assertEqual(len(self.our_interventions()), 3, "performed by the scheduled action, batch by batch")
        self.assertEqual(sum(commits), 3)
