from datetime import timedelta
from unittest.mock import patch

from odoo import Command, fields
from odoo.tests import tagged

from odoo.addons.sms.models.sms_sms import SmsSms

from .common import KreanciaCommon


@tagged("post_install", "-at_install")
class TestCommitmentSms(KreanciaCommon):
    """The commitment recap SMS waits in Odoo's SMS queue: never sent inside the agent's transaction."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        france = cls.env.ref("base.fr")
        cls.customer.child_ids.write({"phone": "06 12 34 56 78", "country_id": france.id})
        cls.invoice = cls.make_invoice(cls.customer, 10, 900)

    def commit_to_pay(self):
        # the real date: a promise may not fall before the real today
        return self.env["kreancia.commitment"].create(
            {
                "partner_id": self.customer.id,
                "move_ids": [Command.set(self.invoice.ids)],
                "amount_total": 900,
                "line_ids": [
                    Command.create(
                        {"date": fields.Date.context_today(self.customer) + timedelta(days=5), "amount": 900}
                    )
                ],
            }
        )

    def recap_sms(self):
        return self.env["sms.sms"].search([("number", "=", "+33612345678")])

    def test_recap_sms_is_queued_not_sent(self):
        with patch.object(SmsSms, "send", autospec=True) as send, patch.object(SmsSms, "_send", autospec=True) as _send:
            self.commit_to_pay()
        send.assert_not_called()
        _send.assert_not_called()
        sms = self.recap_sms()
        self.assertEqual(len(sms), 1)
        self.assertEqual(sms.state, "outgoing", "left to the SMS queue's scheduled action")
        self.assertIn("900", sms.body)
        self.assertIn("900", sms.mail_message_id.body, "the recap is in the customer's chatter")
        self.assertEqual(sms.mail_message_id.model, "res.partner")
        self.assertEqual(sms.mail_message_id.res_id, self.customer.id)

    def test_rolled_back_commitment_leaves_no_sms(self):
        with patch.object(SmsSms, "_send", autospec=True) as _send:
            with self.env.cr.savepoint() as savepoint:
                self.commit_to_pay()
                self.assertTrue(self.recap_sms())
                savepoint.close(rollback=True)
        _send.assert_not_called()
        self.assertFalse(self.recap_sms(), "no SMS for a commitment that does not exist")
        self.assertFalse(self.env["kreancia.commitment"].search([("partner_id", "=", self.customer.id)]))
