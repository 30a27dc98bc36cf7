from datetime import timedelta
from unittest.mock import patch

from odoo.tests import tagged

from .common import KreanciaCommon


@tagged("post_install", "-at_install")
class TestEscalation(KreanciaCommon):
    def test_invoices_of_several_ages_climb_one_step(self):
        fresh = self.make_invoice(self.customer, 0)
        late_8 = self.make_invoice(self.customer, 8)
        late_40 = self.make_invoice(self.customer_2, 40)
        not_due = self.make_invoice(self.customer_2, -5)

        counts = self.run_escalation()
        self.assertEqual(counts["interventions"], 2)
        self.assertEqual(counts["invoices"], 3)
        for invoice in fresh | late_8 | late_40:
            self.assertEqual(invoice.dunning_step_id, self.step_courteous, "first step first, whatever the age")
            self.assertEqual(invoice.dunning_state, "running")
            self.assertEqual(invoice.dunning_last_date, self.today)
        self.assertFalse(not_due.dunning_step_id)
        self.assertEqual(late_8.dunning_next_date, self.today + timedelta(days=3), "minimum gap after a reminder")
        self.assertEqual(fresh.dunning_next_date, self.today + timedelta(days=7))

        # three days later: the gap has elapsed; 11 and 43 days late climb, 3 days late waits for day 7
        counts = self.run_escalation(days=3)
        self.assertEqual(late_8.dunning_step_id, self.step_firm)
        self.assertEqual(late_40.dunning_step_id, self.step_firm)
        self.assertEqual(fresh.dunning_step_id, self.step_courteous)
        self.assertEqual(counts["invoices"], 2)

    def test_one_email_per_customer_listing_every_invoice(self):
        invoices = (
            self.make_invoice(self.customer, 1, 100)
            | self.make_invoice(self.customer, 5, 250)
            | self.make_invoice(self.customer, 9, 400)
        )
        self.run_escalation()
        intervention = self.interventions(self.customer)
        self.assertEqual(len(intervention), 1)
        self.assertEqual(intervention.move_ids, invoices)
        self.assertEqual(intervention.amount_total, 750)
        self.assertEqual(intervention.state, "done")
        mail = self.assertMailTo(self.customer)  # one e-mail for three invoices
        self.assertEqual(intervention.mail_id, mail)
        self.assertEqual(mail.state, "outgoing", "queued in Odoo's mail queue")
        accounting = self.customer.child_ids.filtered(lambda contact: contact.type == "invoice")
        self.assertEqual(mail.recipient_ids, accounting, "sent to the accounting contact")
        for invoice in invoices:
            self.assertIn(invoice.name, mail.body_html)
        self.assertRegex(mail.body_html, r"Total due: .{0,12}750[.,]00")
        self.assertIn("billing@creditor.example.com", mail.email_from)
        self.assertIn(self.customer, mail.mail_message_id.mapped(lambda m: self.env[m.model].browse(m.res_id)))

    def test_second_run_the_same_day_does_nothing(self):
        self.make_invoice(self.customer, 10)
        self.make_invoice(self.customer_2, 2)
        first = self.run_escalation()
        self.assertEqual(first["interventions"], 2)
        mails = self.env["mail.mail"].search_count([])
        self.assertEqual(self.run_escalation(), {})
        self.assertEqual(self.env["mail.mail"].search_count([]), mails)
        self.assertEqual(len(self.interventions()), 2)

    def test_settled_and_excluded_invoices_are_never_dunned(self):
        paid = self.make_invoice(self.customer, 10, 500)
        self._register_payment(paid)
        self.assertIn(paid.payment_state, ("paid", "in_payment"))
        in_payment = self.make_invoice(self.customer, 10, 600)
        self._register_payment(in_payment)
        in_payment.payment_state = "in_payment"
        self.make_invoice(self.customer, 10, 700, move_type="out_refund")
        draft = self.make_invoice(self.customer, 10, 800, post=False)
        cancelled = self.make_invoice(self.customer, 10, 900, post=False)
        cancelled.button_cancel()
        excluded = self.make_invoice(self.customer, 10, 1000)
        excluded.no_followup = True
        self.assertTrue(excluded.no_followup)

        self.assertEqual(self.run_escalation(), {})
        self.assertFalse(self.interventions(self.customer))
        self.assertFalse(self.mails_to(self.customer))
        self.assertFalse((paid | in_payment | draft | cancelled | excluded).dunning_step_id)

    def test_partial_payment_keeps_the_invoice_in_its_step(self):
        invoice = self.make_invoice(self.customer, 8, 1000)
        self.run_escalation()
        self.assertEqual(invoice.dunning_step_id, self.step_courteous)
        self._register_payment(invoice, amount=400, payment_date=self.today + timedelta(days=1))
        self.assertEqual(invoice.payment_state, "partial")
        self.assertEqual(invoice.dunning_step_id, self.step_courteous, "a partial payment does not restart dunning")
        self.run_escalation(days=3)
        self.assertEqual(invoice.dunning_step_id, self.step_firm)
        last = self.interventions(self.customer)[:1]
        self.assertEqual(last.step_id, self.step_firm)
        self.assertEqual(last.line_ids.amount_residual, 600, "the reminder claims the residual")

    def test_paid_invoice_leaves_the_scenario(self):
        invoice = self.make_invoice(self.customer, 8, 1000)
        self.run_escalation()
        self._register_payment(invoice)
        self.assertEqual(invoice.dunning_state, "done")
        self.assertFalse(invoice.dunning_next_date)
        self.assertEqual(self.run_escalation(days=10), {})

    def test_reopened_invoice_continues_from_its_step(self):
        invoice = self.make_invoice(self.customer, 8, 1000)
        self.run_escalation()
        payment = self._register_payment(invoice)
        self.assertEqual(invoice.dunning_state, "done")
        # the payment bounces: the invoice is open again, at the step it had reached
        payment.move_id.line_ids.remove_move_reconcile()
        self.assertEqual(invoice.payment_state, "not_paid")
        self.assertEqual(invoice.dunning_state, "running")
        self.assertEqual(invoice.dunning_step_id, self.step_courteous)
        self.run_escalation(days=3)
        self.assertEqual(invoice.dunning_step_id, self.step_firm, "not restarted from scratch")

    def test_french_customer_reads_french(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(["kreancia_collect"], ["fr_FR"], overwrite=True)
        self.customer.child_ids.lang = "fr_FR"
        self.make_invoice(self.customer, 2, 480)
        self.run_escalation()
        mail = self.interventions(self.customer).mail_id
        self.assertTrue(mail.subject.startswith("Relance de paiement"), mail.subject)
        self.assertIn("Sauf erreur de notre part", mail.body_html)
        self.assertIn("Date d'échéance", mail.body_html.replace("&#39;", "'"))
        self.assertIn("Total dû", mail.body_html)

    def test_brand_step_speaks_under_the_brand(self):
        invoice = self.make_invoice(self.customer, 20)
        invoice._dunning_write({"dunning_step_id": self.step_firm.id})
        self.run_escalation()
        intervention = self.interventions(self.customer)
        self.assertEqual(intervention.step_id, self.step_agency)
        self.assertEqual(intervention.identity, "brand")
        mail = self.assertMailTo(self.customer, subject="Recouvrement Test")
        self.assertEqual(intervention.mail_id, mail)
        self.assertIn("relances@agency.example.com", mail.email_from)

    def test_manual_step_waits_for_a_manager(self):
        invoice = self.make_invoice(self.customer, 35)
        invoice._dunning_write({"dunning_step_id": self.step_agency.id})
        counts = self.run_escalation()
        self.assertEqual(counts["to_validate"], 1)
        intervention = self.interventions(self.customer)
        self.assertEqual(intervention.state, "to_validate")
        self.assertFalse(intervention.mail_id, "nothing sent before validation")
        self.assertEqual(invoice.dunning_step_id, self.step_agency)
        self.assertEqual(self.run_escalation(days=5), {}, "a pending intervention blocks its invoices")

        intervention.with_user(self.manager).action_validate()
        self.assertEqual(intervention.state, "done")
        self.assertTrue(intervention.mail_id)
        self.assertEqual(invoice.dunning_step_id, self.step_manual)

    def test_customer_without_email_fails_alone(self):
        nomail = self.env["res.partner"].create({"name": "No Mail SARL", "is_company": True})
        self.make_invoice(nomail, 5)
        ok = self.make_invoice(self.customer, 5)
        counts = self.run_escalation()
        self.assertEqual(counts["failed"], 1)
        self.assertEqual(counts["done"], 1)
        failed = self.interventions(nomail)
        self.assertEqual(failed.state, "failed")
        self.assertIn("no e-mail address", failed.error)
        self.assertEqual(ok.dunning_step_id, self.step_courteous)

    def test_cron_runs_and_commits_in_batches(self):
        invoice = self.make_invoice(self.customer, 3)
        cron = self.env.ref("kreancia_collect.ir_cron_kreancia_escalation")
        self.assertEqual(cron.code, "model._cron_run()")
        commits = []
        IrCron = type(self.env["ir.cron"])
        with patch.object(IrCron, "_commit_progress", lambda _self, processed=0, **kw: commits.append(processed)):
            # queue_job__no_delay: where OCA's queue_job is installed too, still the batches of the cron itself
            self.env["kreancia.escalation"].with_context(queue_job__no_delay=True)._cron_run()
        self.assertEqual(invoice.dunning_step_id, self.step_courteous)
        self.assertEqual(sum(commits), 1, "the customer's batch was committed")
