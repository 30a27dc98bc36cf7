import socket
from contextlib import contextmanager
from datetime import datetime, timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo.tests import Form, tagged
from odoo.tools import format_date, mute_logger

from odoo.addons.mail.tests.common import MockEmail

from .common import KreanciaCommon


@tagged("post_install", "-at_install")
class TestPreviewFollowsItsDate(KreanciaCommon):
    """*Preview / Run*: the list shows the date of the form, and *Run now* names the date it runs."""

    def test_list_follows_the_date_and_run_now_names_it(self):
        self.make_invoice(self.customer, 2, 640)
        self.make_invoice(self.customer_2, -5, 300)  # due in five days
        later = self.today + timedelta(days=10)
        preview = self.env["kreancia.escalation.preview"].with_user(self.manager).create({"date": self.today})
        preview.action_compute()
        self.assertEqual(preview.line_ids.partner_id, self.customer)

        with Form(preview) as form:
            form.date = later
            self.assertEqual(
                {vals["partner_id"] for vals in form.line_ids._records},
                {self.customer.id, self.customer_2.id},
                "the list follows the new date at once",
            )
            self.assertEqual((form.customer_count, form.invoice_count), (2, 2))
        self.assertEqual(preview.date, later)

        preview.action_confirm_run()
        self.assertTrue(preview.confirming)
        self.assertEqual(preview.line_ids.partner_id, self.customer | self.customer_2)
        self.assertIn(format_date(self.env, later), preview.run_confirmation, "the confirmation names the date")
        self.assertIn("2 intervention(s)", preview.run_confirmation)
        self.assertFalse(self.interventions(), "nothing runs before the confirmation")

        preview.action_run()
        interventions = self.interventions()
        self.assertEqual(interventions.partner_id, self.customer | self.customer_2)
        self.assertEqual(set(interventions.mapped("date")), {later}, "the run performs the date the list showed")

    def test_changing_the_date_while_confirming_asks_again(self):
        self.make_invoice(self.customer, 2, 640)
        preview = self.env["kreancia.escalation.preview"].with_user(self.manager).create({"date": self.today})
        preview.action_confirm_run()
        self.assertTrue(preview.confirming)
        with Form(preview) as form:
            form.date = self.today - timedelta(days=30)
            self.assertFalse(form.confirming, "another date: back to the preview, to confirm again")
            self.assertEqual(len(form.line_ids), 0, "nothing was due a month ago")
        preview.action_confirm_run()
        self.assertIn("Nothing to do on", preview.run_confirmation)

    def test_run_now_has_no_confirmation_without_its_date(self):
        arch = self.env["kreancia.escalation.preview"].get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertNotIn("Perform the dunning run for this date now?", arch)
        self.assertIn('name="run_confirmation"', arch)


@tagged("post_install", "-at_install")
class TestMailServerDown(KreanciaCommon, MockEmail):
    """A mail server that refuses the connection is not a bad address: the reminder waits in the queue."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.dunning_collector_id = cls.agent

    def firm_reminder(self):
        """Two invoices at the courteous step, reminded a week ago, climb to the firm e-mail."""
        invoices = self.make_invoice(self.customer, 8, 500) | self.make_invoice(self.customer, 9, 700)
        invoices._dunning_write(
            {"dunning_step_id": self.step_courteous.id, "dunning_last_date": self.today - timedelta(days=7)}
        )
        self.run_escalation()
        reminder = self.interventions(self.customer)
        self.assertEqual((reminder.step_id, reminder.delivery_state), (self.step_firm, "queued"))
        return reminder, invoices

    @contextmanager
    def mail_server_down(self):
        """The outgoing mail server on a closed local port, and Odoo's test switch that blocks sending off:
        the mail queue really connects, and is refused."""
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.env["ir.mail_server"].create(
            {"name": "Down", "smtp_host": "127.0.0.1", "smtp_port": port, "smtp_encryption": "none", "sequence": 1}
        )
        with (
            patch.object(type(self.env["ir.mail_server"]), "_disable_send", lambda _: False),
            mute_logger("odoo.addons.mail.models.mail_mail", "odoo.addons.base.models.ir_mail_server"),
        ):
            yield

    def process_queue(self, reminder):
        self.env["mail.mail"].process_email_queue(email_ids=reminder.mail_id.ids)

    def collector_tasks(self):
        return self.env["mail.activity"].search([("res_model", "=", "res.partner"), ("res_id", "=", self.customer.id)])

    def test_refused_connection_leaves_the_reminder_queued(self):
        reminder, invoices = self.firm_reminder()
        with self.mail_server_down():
            self.process_queue(reminder)
        self.assertEqual(reminder.mail_id.state, "outgoing", "back in the queue, which tries again")
        self.assertIn("Connection refused", reminder.mail_id.failure_reason)
        self.assertEqual(reminder.state, "done")
        self.assertEqual(reminder.delivery_state, "queued")
        self.assertTrue(reminder.delivery_error.startswith("Not sent yet"), reminder.delivery_error)
        self.assertIn("Connection refused", reminder.delivery_error)
        self.assertNotIn("bounced", reminder.delivery_error.lower())
        self.assertEqual(invoices.dunning_step_id, self.step_firm, "the step stands")
        self.assertFalse(self.collector_tasks(), "no address to check")

        with self.mock_mail_gateway():  # the server is back: the queue's next pass sends the reminder
            self.process_queue(reminder)
        self.assertEqual(len(self._mails), 1)
        self.assertEqual(reminder.mail_id.state, "sent")
        self.assertEqual(reminder.delivery_state, "sent")
        self.assertFalse(reminder.delivery_error)
        self.assertEqual(invoices.dunning_step_id, self.step_firm)

    def test_server_down_for_two_days_fails_without_blaming_the_address(self):
        reminder, invoices = self.firm_reminder()
        with self.mail_server_down():
            self.process_queue(reminder)
            self.assertEqual(reminder.delivery_state, "queued")
            # the real clock moved on: the mail queue ages a mail from the real now
            with freeze_time(datetime.now() + timedelta(hours=49)):
                self.process_queue(reminder)
        self.assertEqual(reminder.mail_id.state, "exception", "out of the queue: it may not leave late")
        self.assertEqual((reminder.state, reminder.delivery_state), ("failed", "failed"))
        self.assertIn("could not be reached for 48 hours", reminder.error)
        self.assertEqual(invoices.dunning_step_id, self.step_courteous, "not reminded: back to the step before")
        task = self.collector_tasks()
        self.assertEqual(task.user_id, self.agent)
        self.assertIn("outgoing mail server", task.summary)
        self.assertNotIn("check the e-mail address", task.summary)
