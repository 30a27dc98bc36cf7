import json

from odoo.tests import tagged

from odoo.addons.kreancia_collect.tests.common import SeparateConnectionsCase
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
