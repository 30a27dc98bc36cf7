from datetime import timedelta
from email.message import EmailMessage

from odoo import fields
from odoo.tests import HttpCase, tagged

from .common import KreanciaCommon


@tagged("post_install", "-at_install")
class TestRepliesTour(KreanciaCommon, HttpCase):
    def receive(self, sender, body):
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = sender, "relances@kreancia.test", "Re: Payment reminder"
        message.set_content(body)
        self.env["mail.thread"].message_process(None, message.as_string())

    def test_agent_accepts_a_promise_from_the_inbox(self):
        self.company.alias_domain_id = self.env["mail.alias.domain"].create({"name": "kreancia.test"})
        self.company.kreancia_reply_alias_name = "relances"
        promising = self._make_customer("Tour Reply SARL", "compta@tour-reply.example.com")
        disputing = self._make_customer("Tour Dispute SAS", "compta@tour-dispute.example.com")
        self.make_invoice(promising, 10, 900.0)
        self.make_invoice(disputing, 10, 500.0)
        # the real date: the dialog checks promised dates against the real today
        today = fields.Date.today()
        first, second = today + timedelta(days=10), today + timedelta(days=40)
        self.receive(
            "compta@tour-reply.example.com",
            f"Hello, we will pay 300 EUR on {first:%d %B %Y} and the rest on {second:%d %B %Y}.\nRegards,\nAnna",
        )
        self.receive("compta@tour-dispute.example.com", "Hello, the goods arrived damaged, we will not pay.")
        reply = self.env["kreancia.reply"].search([("partner_id", "=", promising.id)])
        self.assertEqual(reply.kind, "promise")
        inbox = "/odoo/action-kreancia_collect.kreancia_reply_action"
        self.start_tour(inbox, "kreancia_replies_inbox_tour", login="kc_agent")
        self.assertEqual(reply.state, "handled")
        self.assertEqual(
            [(line.date, line.amount) for line in reply.commitment_id.line_ids.sorted("date")],
            [(first, 300.0), (second, 600.0)],
        )
