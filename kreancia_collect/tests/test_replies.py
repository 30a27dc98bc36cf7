from datetime import date, datetime
from email.message import EmailMessage
from email.utils import format_datetime

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import KreanciaCommon

NOW = datetime(2026, 6, 15, 10, 0)


@tagged("post_install", "-at_install")
class TestReplies(KreanciaCommon):
    """Debtors answer reminders: the answers reach the customer, are read, and become actions."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        domain = cls.env["mail.alias.domain"].create({"name": "kreancia.test"})
        cls.company.alias_domain_id = domain
        cls.company.kreancia_reply_alias_name = "relances"
        cls.brand.alias_name = "agence"
        cls.invoice = cls.make_invoice(cls.customer, 3, 1200.0)
        cls.accounting = cls.customer.child_ids

    # ------------------------------------------------------------------
    # helpers
    # ------------------------------------------------------------------

    def remind(self):
        """Run the day's escalation; the customer's reminder (intervention) with its e-mail."""
        with freeze_time(NOW):
            self.run_escalation()
        intervention = self.interventions(self.customer)
        self.assertEqual(len(intervention), 1)
        self.assertTrue(intervention.message_id.message_id)
        return intervention

    def receive(
        self, to, subject, body, *, html=False, in_reply_to=None, sender=None, headers=None, model=None, when=NOW
    ):
        """Feed a raw RFC 822 e-mail through Odoo's mail gateway, as the incoming mail server would."""
        message = EmailMessage()
        message["From"] = sender or f"Compta Boulangerie <{self.accounting.email}>"
        message["To"] = to
        message["Subject"] = subject
        message["Date"] = format_datetime(when)
        message["Message-Id"] = f"<reply-{abs(hash((subject, body, to)))}@boulangerie.example.com>"
        if in_reply_to:
            message["In-Reply-To"] = in_reply_to
            message["References"] = in_reply_to
        for name, value in (headers or {}).items():
            message[name] = value
        message.set_content(body, subtype="html" if html else "plain")
        with freeze_time(when):
            self.env["mail.thread"].message_process(model, message.as_string())
        return self.env["kreancia.reply"].search([], order="id desc", limit=1)

    # ------------------------------------------------------------------
    # Replies reach Odoo
    # ------------------------------------------------------------------

    def test_reminders_give_the_identity_alias_as_reply_to(self):
        intervention = self.remind()
        self.assertEqual(
            intervention.mail_id.reply_to,
            '"YourCompany" <relances@kreancia.test>'.replace("YourCompany", self.company.name),
        )
        self.assertIn(f"[{intervention.name}]", intervention.mail_id.subject)
        sender = self.brand._sender(self.company)
        self.assertEqual(sender["reply_to"], '"Recouvrement Test" <agence@kreancia.test>')
        # the sender stays the brand's own address: the debtor still reads the brand
        self.assertEqual(sender["email_from"], '"Recouvrement Test" <relances@agency.example.com>')

    def test_threaded_reply_lands_under_the_reminder_and_is_read(self):
        intervention = self.remind()
        reply = self.receive(
            "relances@kreancia.test",
            f"RE: {intervention.mail_id.subject}",
            "Bonjour,\n\nNous réglerons la facture le 30 juin.\n\nCordialement,\nMme Martin\n\n"
            "Le 15 juin 2026 à 09:00, YourCompany <relances@kreancia.test> a écrit :\n> Madame, Monsieur,\n"
            "> Sauf erreur de notre part, la facture reste impayée.\n",
            in_reply_to=intervention.message_id.message_id,
        )
        self.assertEqual(reply.partner_id, self.customer)
        self.assertEqual(reply.intervention_id, intervention)
        self.assertEqual(reply.kind, "promise")
        self.assertEqual(reply.promise_date, date(2026, 6, 30))
        self.assertEqual(reply.state, "new")
        self.assertNotIn("Sauf erreur", reply.body)
        message = reply.mail_message_id
        self.assertEqual((message.model, message.res_id), ("res.partner", self.customer.id))
        self.assertEqual(message.parent_id, intervention.message_id)
        # no commitment without a person: the scenario does not allow it
        self.assertFalse(reply.commitment_id)
        self.assertEqual(self.invoice.dunning_state, "running")

    def test_unthreaded_reply_is_matched_by_the_subject_reference(self):
        intervention = self.remind()
        reply = self.receive(
            "relances@kreancia.test",
            f"Re: Payment reminder [{intervention.name}]",
            f"<div>Hello,<br>We received the goods damaged, invoice {self.invoice.name} is not due.</div>"
            "<div>Best regards,<br>John</div>",
            html=True,
            sender="someone@elsewhere.example.com",
        )
        self.assertEqual(reply.partner_id, self.customer)
        self.assertEqual(reply.intervention_id, intervention)
        self.assertEqual(reply.kind, "dispute")
        self.assertEqual(reply.reason, "goods")
        self.assertEqual(reply.move_ids, self.invoice)
        self.assertEqual(reply.mail_message_id.res_id, self.customer.id)

    def test_unthreaded_reply_to_the_brand_is_matched_by_its_sender(self):
        reply = self.receive(
            "Recouvrement Test <agence@kreancia.test>",
            "Votre courrier",
            "Bonjour, nous avons déjà payé par virement le 10 juin, référence VIR-88213.",
        )
        self.assertEqual(reply.partner_id, self.customer)
        self.assertEqual(reply.brand_id, self.brand)
        self.assertEqual(reply.kind, "paid")
        self.assertEqual(reply.paid_date, date(2026, 6, 10))
        self.assertEqual(reply.paid_reference, "VIR-88213")

    def test_reply_from_a_stranger_waits_for_a_customer(self):
        reply = self.receive(
            "relances@kreancia.test",
            "Question",
            "Hello, can you send me a copy of the invoice?",
            sender="unknown@nowhere.example.com",
        )
        self.assertFalse(reply.partner_id)
        self.assertEqual(reply.kind, "document")
        self.assertEqual(reply.mail_message_id.model, "kreancia.reply")
        reply.with_user(self.manager).partner_id = self.customer
        self.assertEqual((reply.mail_message_id.model, reply.mail_message_id.res_id), ("res.partner", self.customer.id))

    def test_reply_to_a_fetched_mailbox_takes_the_same_path(self):
        """An agency that keeps its own address: its incoming mail server creates replies."""
        intervention = self.remind()
        reply = self.receive(
            "relances@agency.example.com",
            f"RE: {intervention.mail_id.subject}",
            "We will pay on 30 June 2026.",
            in_reply_to=intervention.message_id.message_id,
            model="kreancia.reply",
        )
        self.assertEqual(reply.partner_id, self.customer)
        self.assertEqual(reply.kind, "promise")

    def test_out_of_office_postpones_and_fails_nothing(self):
        intervention = self.remind()
        intervention.mail_id.sudo().send()
        state = intervention.delivery_state
        reply = self.receive(
            "relances@kreancia.test",
            "Réponse automatique : Payment reminder",
            "Bonjour, je suis absente du bureau jusqu'au 29 juin inclus. Pour toute urgence, contactez le standard.",
            in_reply_to=intervention.message_id.message_id,
            headers={"Auto-Submitted": "auto-replied"},
        )
        self.assertEqual(reply.kind, "absence")
        self.assertEqual(reply.state, "handled")
        self.assertEqual(reply.action, "postponed")
        self.assertEqual(intervention.delivery_state, state)
        self.assertEqual(intervention.state, "done")
        self.assertGreaterEqual(self.customer.dunning_pause_until, date(2026, 6, 29))
        # the firm reminder is due on day 7: it waits for the return
        self.assertEqual(self.run_escalation(days=7), {})

    # ------------------------------------------------------------------
    # The inbox
    # ------------------------------------------------------------------

    def process(self, reply, user, **changes):
        with freeze_time(NOW):
            env = self.env(user=user)
            wizard = env["kreancia.reply.process"].with_context(default_reply_id=reply.id).create({})
            if changes:
                wizard.write(changes)
            wizard.action_confirm()
        return reply

    def test_agent_accepts_a_promise_in_two_instalments(self):
        self.customer.dunning_collector_id = self.agent
        intervention = self.remind()
        reply = self.receive(
            "Recouvrement Test <agence@kreancia.test>",
            "Re: relance",
            "Bonjour, nous pouvons payer 500 € le 30 juin et le solde le 31 juillet. Cordialement",
        )
        self.assertEqual(reply.kind, "promise")
        self.assertIn(reply, self.env["kreancia.reply"].with_user(self.agent).search([]))
        with freeze_time(NOW):
            wizard = (
                self.env(user=self.agent)["kreancia.reply.process"].with_context(default_reply_id=reply.id).create({})
            )
        self.assertEqual(wizard.action, "promise")
        self.assertEqual(
            [(line.date, line.amount) for line in wizard.instalment_ids],
            [(date(2026, 6, 30), 500.0), (date(2026, 7, 31), 700.0)],
        )
        with freeze_time(NOW):
            wizard.action_confirm()
        commitment = reply.commitment_id
        self.assertEqual(reply.state, "handled")
        self.assertEqual(commitment.amount_total, 1200.0)
        self.assertEqual(commitment.brand_id, self.brand)
        self.assertEqual(self.invoice.dunning_state, "promised")
        self.assertMailTo(self.accounting, subject="Your payment commitment \N{EN DASH} Recouvrement Test")
        self.assertTrue(intervention)
        self.assertIn("payment commitment", self.customer.message_ids[0].body)

    def test_agent_opens_the_dispute_named(self):
        other = self.make_invoice(self.customer, 2, 300.0)
        reply = self.receive(
            "relances@kreancia.test",
            "Facture",
            f"La facture {self.invoice.name} nous a été facturée en double. Merci de l'annuler.",
        )
        self.assertEqual(reply.kind, "dispute")
        self.process(reply, self.agent, note="Doublon de la commande 118")
        self.assertTrue(self.invoice.dunning_dispute)
        self.assertIn("Doublon", self.invoice.dunning_dispute_note)
        self.assertFalse(other.dunning_dispute)
        self.assertEqual(reply.action, "dispute")

    def test_agent_records_a_payment_claim(self):
        reply = self.receive(
            "relances@kreancia.test", "Payment", "We already paid this invoice last week by bank transfer."
        )
        self.assertEqual(reply.kind, "paid")
        self.process(reply, self.agent, pause_days=5)
        self.assertEqual(self.invoice.dunning_pause_until, date(2026, 6, 20))
        self.assertEqual(reply.activity_id.summary, "Check a payment the customer says it made")
        self.assertEqual(reply.action, "payment_claim")

    def test_agent_sends_the_documents_under_the_identity_written_to(self):
        reply = self.receive(
            "Recouvrement Test <agence@kreancia.test>",
            "Duplicata",
            "Bonjour, pouvez-vous m'envoyer une copie de la facture et votre RIB ?",
        )
        self.assertEqual(reply.kind, "document")
        self.process(reply, self.agent)
        mail = reply.documents_mail_id
        self.assertEqual(mail.email_from, '"Recouvrement Test" <relances@agency.example.com>')
        self.assertIn("/collect/", mail.body_html)
        self.assertEqual(len(mail.attachment_ids), 1)
        self.assertEqual(mail.attachment_ids.mimetype, "application/pdf")
        self.assertEqual(reply.action, "documents")

    def test_bad_input_is_refused_and_writes_nothing(self):
        reply = self.receive("relances@kreancia.test", "Re", "Nous paierons le 30 juin.")
        with self.assertRaises(UserError), self.cr.savepoint():
            past = [Command.clear(), Command.create({"date": date(2026, 6, 1), "amount": 1200.0})]
            self.process(reply, self.agent, instalment_ids=past)
        with self.assertRaises(UserError), self.cr.savepoint():
            self.process(reply, self.agent, action="dispute", move_ids=[Command.clear()], reason="goods")
        self.assertEqual(reply.state, "new")
        self.assertFalse(self.invoice.dunning_dispute)
        self.process(reply, self.agent)
        with self.assertRaises(UserError):
            reply.with_user(self.agent).action_process()

    def test_clear_promise_accepted_alone_when_the_scenario_allows(self):
        self.scenario.write({"reply_auto_promise": True, "plan_max_days": 60})
        reply = self.receive("relances@kreancia.test", "Re", "Nous paierons l'intégralité le 30 juin.")
        self.assertEqual(reply.state, "handled")
        self.assertEqual(reply.commitment_id.line_ids.mapped("date"), [date(2026, 6, 30)])
        self.assertEqual(self.invoice.dunning_state, "promised")
        # beyond the plan limits: a person decides
        other = self._make_customer("Garage Test", "compta@garage.example.com")
        self.make_invoice(other, 3, 800.0)
        late = self.receive(
            "relances@kreancia.test", "Re", "Nous paierons le 30 décembre.", sender="compta@garage.example.com"
        )
        self.assertEqual(late.partner_id, other)
        self.assertEqual(late.state, "new")
        self.assertFalse(late.commitment_id)

    # ------------------------------------------------------------------
    # Who sees what
    # ------------------------------------------------------------------

    def test_agents_see_their_portfolio_and_companies_stay_apart(self):
        other_agent = new_test_user(
            self.env, login="kc_agent_other", groups="kreancia_collect.kreancia_collect_group_agent"
        )
        self.customer.dunning_collector_id = self.agent
        reply = self.receive("relances@kreancia.test", "Re", "Nous paierons le 30 juin.")
        self.assertIn(reply, self.env["kreancia.reply"].with_user(self.agent).search([]))
        self.assertNotIn(reply, self.env["kreancia.reply"].with_user(other_agent).search([]))
        self.assertIn(reply, self.env["kreancia.reply"].with_user(self.manager).search([]))
        company_b = self.env["res.company"].create({"name": "Company B"})
        manager_b = new_test_user(
            self.env,
            login="kc_manager_b",
            groups="kreancia_collect.kreancia_collect_group_manager",
            company_id=company_b.id,
            company_ids=[Command.set(company_b.ids)],
        )
        self.assertNotIn(reply, self.env["kreancia.reply"].with_user(manager_b).search([]))
        with self.assertRaises(AccessError):
            self.env["kreancia.reply"].with_user(self.agent).receive_sms("+33612345678", "ok")

    def test_sms_reply_follows_the_same_path(self):
        self.customer.write({"phone": "06 12 34 56 78", "country_id": self.env.ref("base.fr").id})
        result = (
            self.env["kreancia.reply"]
            .with_user(self.manager)
            .receive_sms("+33612345678", "ok je paie vendredi", "2026-06-15 09:00:00")
        )
        reply = self.env["kreancia.reply"].browse(result["reply_id"])
        self.assertEqual(reply.partner_id, self.customer)
        self.assertEqual(reply.channel, "sms")
        self.assertEqual(reply.kind, "promise")
        self.assertEqual(reply.promise_date, date(2026, 6, 19))
        self.assertEqual(reply.mail_message_id.res_id, self.customer.id)
        with self.assertRaises(UserError):
            self.env["kreancia.reply"].with_user(self.manager).receive_sms("not a number", "ok")
