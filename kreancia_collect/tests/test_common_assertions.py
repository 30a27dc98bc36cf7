from odoo.tests import tagged

from .common import KreanciaCommon


@tagged("post_install", "-at_install")
class TestCommonAssertions(KreanciaCommon):
    """The assertions of ``tests/common.py`` find what a run did, and fail when it did not."""

    def test_mail_task_and_letter_assertions(self):
        invoice = self.make_invoice(self.customer, 8, 750)
        self.run_escalation()
        intervention = self.interventions(self.customer)
        mail = self.assertMailTo(self.customer, subject="Payment reminder", body_contains=[invoice.name])
        self.assertEqual(self.assertMailTo("compta@boulangerie.example.com"), mail)
        with self.assertRaises(AssertionError):
            self.assertMailTo(self.customer_2)
        with self.assertRaises(AssertionError):
            self.assertMailTo(self.customer, body_contains=["not in the body"])

        task = self.customer.activity_schedule(user_id=self.agent.id, summary="Call back")
        self.assertEqual(self.assertTask(self.customer, user=self.agent, summary="call"), task)
        with self.assertRaises(AssertionError):
            self.assertTask(self.customer, user=self.manager)

        with self.assertRaises(AssertionError):
            self.assertLetterText(intervention, "no PDF for an e-mail")

        with self.assertRaises(AssertionError), self.refused(ValueError, "expected words"):
            raise ValueError("other words")
        self.assertEqual(self.days(-15), self.today.replace(day=31, month=5))
