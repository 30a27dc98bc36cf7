from datetime import timedelta

from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.base.models.ir_mail_server import MailDeliveryException
from odoo.addons.mail.tests.common import MockEmail

from .common import KreanciaCommon

DSN_BOUNCE = """\
Return-Path: <>
From: MAILER-DAEMON@mx.example.com (Mail Delivery System)
To: {to}
Subject: Undelivered Mail Returned to Sender
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="BOUNDARY"
Message-Id: <dsn-{mail_id}@mx.example.com>

--BOUNDARY
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

<{email}>: host mx.example.com said: 550 5.1.1 No such user here

--BOUNDARY
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.com

Final-Recipient: rfc822; {email}
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 No such user here

--BOUNDARY
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers

From: {to}
To: {email}
Subject: Payment reminder
Message-Id: {message_id}

--BOUNDARY--
"""


@tagged("post_install", "-at_install")
class TestDelivery(KreanciaCommon, MockEmail):
    """An e-mail reminder counts only once Odoo's mail queue has sent it and it did not bounce."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.dunning_collector_id = cls.agent
        cls.accounting = cls.customer.child_ids

    def firm_reminder(self):
        """Two invoices at the courteous step, reminded a week ago, climb to the firm e-mail."""
        invoices = self.make_invoice(self.customer, 8, 500) | self.make_invoice(self.customer, 9, 700)
        last_week = self.today - timedelta(days=7)
        invoices._dunning_write({"dunning_step_id": self.step_courteous.id, "dunning_last_date": last_week})
        self.run_escalation()
        reminder = self.interventions(self.customer)
        self.assertEqual(reminder.step_id, self.step_firm)
        self.assertEqual(reminder.delivery_state, "queued", "waiting in the mail queue")
        self.assertEqual(invoices.dunning_step_id, self.step_firm)
        return reminder, invoices

    def collector_tasks(self):
        return self.env["mail.activity"].search(
            [
                ("res_model", "=", "res.partner"),
                ("res_id", "=", self.customer.id),
                ("activity_type_id", "=", self.env.ref("mail.mail_activity_data_todo").id),
            ]
        )

    def assert_reminded_again(self, invoices):
        """The customer counts as not reminded: the next run sends the firm e-mail again."""
        self.run_escalation(days=1)
        again = self.interventions(self.customer).filtered(lambda i: i.state == "done")
        self.assertEqual(len(again), 1, "the next run reminds the customer again")
        self.assertEqual(again.step_id, self.step_firm)
        self.assertEqual(again.move_ids, invoices)
        self.assertEqual(again.delivery_state, "queued")

    def test_email_sent_by_the_queue(self):
        reminder, invoices = self.firm_reminder()
        with self.mock_mail_gateway():
            reminder.mail_id.send()
        self.assertEqual(len(self._mails), 1)
        self.assertEqual(reminder.mail_id.state, "sent")
        self.assertEqual(reminder.delivery_state, "sent")
        self.assertEqual(reminder.state, "done")
        self.assertFalse(self.collector_tasks())
        self.assertEqual(invoices.dunning_step_id, self.step_firm)
        # the form shows what was sent
        for invoice in invoices:
            self.assertIn(invoice.name, reminder.mail_body)
        self.assertEqual(self.run_escalation(days=1), {}, "reminded: nothing to do the next day")

    @mute_logger("odoo.addons.mail.models.mail_mail")
    def test_smtp_failure_fails_the_reminder_and_undoes_the_step(self):
        reminder, invoices = self.firm_reminder()
        with self.mock_mail_gateway():
            self.send_email_mocked.side_effect = MailDeliveryException("550 Mailbox unavailable")
            self.env["mail.mail"].browse(reminder.mail_id.ids).send()
        self.assertEqual(reminder.mail_id.state, "exception")
        self.assertEqual(reminder.state, "failed")
        self.assertEqual(reminder.delivery_state, "failed")
        self.assertIn("550 Mailbox unavailable", reminder.delivery_error)
        self.assertIn("550 Mailbox unavailable", reminder.error)
        self.assertIn("compta@boulangerie.example.com", reminder.error)
        task = self.collector_tasks()
        self.assertEqual(len(task), 1)
        self.assertEqual(task.user_id, self.agent, "the customer's collector")
        self.assertIn("not delivered", task.summary)
        self.assertEqual(reminder.activity_id, task)
        self.assertEqual(invoices.dunning_step_id, self.step_courteous, "back to the step before the e-mail")
        self.assertEqual(set(invoices.mapped("dunning_last_date")), {self.today - timedelta(days=7)})
        self.assert_reminded_again(invoices)

    @mute_logger("odoo.addons.mail.models.mail_mail")
    def test_smtp_connection_failure_leaves_the_reminder_queued(self):
        """A server that cannot be reached says nothing of the address (see test_run_fixes for a real one)."""
        reminder, invoices = self.firm_reminder()
        with self.mock_mail_gateway():
            self.connect_mocked.side_effect = ConnectionRefusedError("Connection refused")
            reminder.mail_id.send()
        self.assertEqual(reminder.mail_id.state, "outgoing", "the mail queue tries again")
        self.assertEqual(reminder.delivery_state, "queued")
        self.assertEqual(reminder.state, "done")
        self.assertIn("Connection refused", reminder.delivery_error)
        self.assertEqual(invoices.dunning_step_id, self.step_firm)
        self.assertFalse(self.collector_tasks())

    def test_bounce_fails_the_reminder_and_undoes_the_step(self):
        reminder, invoices = self.firm_reminder()
        with self.mock_mail_gateway():
            reminder.mail_id.send()
        self.assertEqual(reminder.delivery_state, "sent")
        bounce = DSN_BOUNCE.format(
            to="billing@creditor.example.com",
            email="compta@boulangerie.example.com",
            mail_id=reminder.mail_id.id,
            message_id=reminder.message_id.message_id,
        )
        self.env["mail.thread"].message_process(False, bounce)
        self.assertEqual(reminder.delivery_state, "bounced")
        self.assertEqual(reminder.state, "failed")
        self.assertIn("compta@boulangerie.example.com", reminder.delivery_error)
        self.assertIn("No such user", reminder.delivery_error)
        self.assertEqual(self.collector_tasks().user_id, self.agent)
        self.assertEqual(invoices.dunning_step_id, self.step_courteous)
        self.assert_reminded_again(invoices)

    @mute_logger("odoo.addons.mail.models.mail_mail")
    def test_only_invoices_still_at_the_step_go_back(self):
        reminder, invoices = self.firm_reminder()
        moved_on = invoices[0]
        self.at_step(moved_on, self.step_agency)
        with self.mock_mail_gateway():
            self.send_email_mocked.side_effect = MailDeliveryException("refused")
            reminder.mail_id.send()
        self.assertEqual(reminder.state, "failed")
        self.assertEqual(moved_on.dunning_step_id, self.step_agency, "a later step is kept")
        self.assertEqual((invoices - moved_on).dunning_step_id, self.step_courteous)

    def test_first_reminder_goes_back_to_no_step(self):
        invoice = self.make_invoice(self.customer, 1, 400)
        self.run_escalation()
        reminder = self.interventions(self.customer)
        self.assertEqual(invoice.dunning_step_id, self.step_courteous)
        self.assertFalse(reminder.line_ids.previous_step_id)
        with mute_logger("odoo.addons.mail.models.mail_mail"), self.mock_mail_gateway():
            self.send_email_mocked.side_effect = MailDeliveryException("refused")
            reminder.mail_id.send()
        self.assertFalse(invoice.dunning_step_id)
        self.assertFalse(invoice.dunning_last_date)
        self.assertEqual(invoice.dunning_state, "none")

    def test_list_shows_the_delivery_state(self):
        arch = self.env["kreancia.intervention"].get_views([(False, "list")])["views"]["list"]["arch"]
        self.assertIn('name="delivery_state"', arch, "the list shows the delivery state")
