from datetime import timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from .common import KreanciaCommon, pdf_text


@tagged("post_install", "-at_install")
class TestValidationRecheck(KreanciaCommon):
    """What a batch re-checks before acting, re-checked when a manager validates an intervention or marks a
    letter as posted: the debtor is never sent what is no longer true."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({"street": "5 quai du Créancier", "zip": "69001", "city": "Lyon"})
        cls.foreign = cls.setup_other_currency("CHF", rates=[("2000-01-01", 2.0)])
        cls.letters = cls.env["kreancia.scenario"].create(
            {
                "name": "Letters",
                "company_id": cls.company.id,
                "min_gap_days": 1,
                "step_ids": [
                    Command.create({"name": "Letter", "delay_days": 10, "channel": "letter"}),
                    Command.create(
                        {
                            "name": "Notice",
                            "delay_days": 20,
                            "channel": "formal_notice",
                            "manual": True,
                            "deadline_days": 8,
                        }
                    ),
                ],
            }
        )
        cls.letter_step, cls.notice_step = cls.letters.step_ids.sorted("delay_days")
        cls.customer.dunning_scenario_id = cls.letters
        cls.customer_2.dunning_scenario_id = cls.letters
        cls.give_postal_addresses(cls.customer, cls.customer_2)

    def setUp(self):
        super().setUp()
        # the run's day is the day people act: due dates, pauses and promises are read as of it
        frozen = freeze_time(self.today)
        frozen.start()
        self.addCleanup(frozen.stop)

    def pay(self, invoice, amount):
        self.env["account.payment.register"].with_context(active_model="account.move", active_ids=invoice.ids).create(
            {"amount": amount, "payment_date": self.today}
        )._create_payments()

    def promise(self, invoices, instalments):
        """The agent records a promise on the phone, as in the issue: three instalments."""
        self.env(user=self.agent)["kreancia.call.log"].create(
            {
                "partner_id": invoices.commercial_partner_id.id,
                "phone": "+33 4 78 12 34 56",
                "outcome": "promise",
                "move_ids": [Command.set(invoices.ids)],
                "instalment_ids": [Command.create({"date": day, "amount": amount}) for day, amount in instalments],
            }
        ).action_confirm()

    def planned_notice(self, customer, *invoices):
        for invoice in invoices:
            self.at_step(invoice, self.letter_step)
        self.run_escalation()
        notice = self.interventions(customer).filtered(lambda i: i.channel == "formal_notice")
        self.assertEqual(notice.state, "to_validate")
        return notice

    def validate(self, interventions):
        return interventions.with_user(self.manager).action_validate()

    def letters_to_send(self):
        return self.env["kreancia.intervention"].search(
            [("channel", "in", ("letter", "formal_notice")), ("state", "=", "to_send")]
        )

    # ------------------------------------------------------------------
    # Validation
    # ------------------------------------------------------------------

    def test_notice_validated_after_a_promise_is_cancelled_with_a_message(self):
        first = self.make_invoice(self.customer, 25, 600.0)
        second = self.make_invoice(self.customer, 22, 300.0, currency_id=self.foreign.id)
        notice = self.planned_notice(self.customer, first, second)
        instalments = [(self.today + timedelta(days=days), 250.0) for days in (14, 44, 74)]
        self.promise(first | second, instalments)
        self.assertEqual(first.dunning_state, "promised")

        result = self.validate(notice)

        self.assertEqual(notice.state, "cancelled")
        self.assertEqual(result["params"]["type"], "warning", "the manager is told, not left guessing")
        message = result["params"]["message"]
        self.assertIn(notice.name, message)
        self.assertIn(f"{first.name}: a payment was promised", message)
        self.assertIn(f"{second.name}: a payment was promised", message)
        self.assertIn("cancelled", message)
        self.assertIn("a payment was promised", notice.error, "the cancelled notice keeps the reason")
        self.assertFalse(notice.attachment_id, "no letter produced")
        self.assertNotIn(notice, self.letters_to_send())
        self.assertEqual((first | second).dunning_step_id, self.letter_step, "the invoices stay at their step")
        self.assertEqual(notice.line_ids.move_id, first | second, "what the notice was about stays on record")

    def test_validation_drops_what_changed_and_performs_the_rest(self):
        paid = self.make_invoice(self.customer, 25, 400.0)
        disputed = self.make_invoice(self.customer, 24, 500.0)
        partly_paid = self.make_invoice(self.customer, 23, 300.0, currency_id=self.foreign.id)
        notice = self.planned_notice(self.customer, paid, disputed, partly_paid)
        self.pay(paid, 400.0)
        disputed.dunning_dispute = True
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=partly_paid.ids
        ).create({"amount": 100.0, "payment_date": self.today, "currency_id": self.foreign.id})._create_payments()

        result = self.validate(notice)

        self.assertEqual(notice.state, "to_send")
        self.assertEqual(notice.line_ids.move_id, partly_paid, "only the invoice still due is claimed")
        self.assertEqual(notice.move_ids, partly_paid)
        self.assertEqual(notice.line_ids.amount_residual, 200.0, "what is due now, not when it was planned")
        self.assertEqual(notice.amount_total, 100.0, "200 CHF at 2 CHF for 1")
        message = result["params"]["message"]
        self.assertIn(f"{paid.name}: paid", message)
        self.assertIn(f"{disputed.name}: disputed", message)
        self.assertNotIn(partly_paid.name, message)
        text = pdf_text(notice.attachment_id.raw)
        self.assertIn(partly_paid.name, text)
        self.assertNotIn(paid.name, text)
        self.assertNotIn(disputed.name, text)
        self.assertEqual(partly_paid.dunning_step_id, self.notice_step)
        self.assertEqual((paid | disputed).dunning_step_id, self.letter_step, "dropped invoices stay at their step")

    def test_each_reason_the_run_would_skip_an_invoice(self):
        invoices = {
            reason: self.make_invoice(self.customer, 25 + index, 100.0 * (index + 1))
            for index, reason in enumerate(("paused", "handed over", "not due yet", "excluded from follow-ups"))
        }
        notice = self.planned_notice(self.customer, *invoices.values())
        invoices["paused"].dunning_pause_until = self.today + timedelta(days=10)
        self.env["kreancia.case"]._open_cases(invoices["handed over"], {"agency_id": self.brand_address.id})
        self.env.cr.execute(
            "UPDATE account_move SET invoice_date_due = %s WHERE id = %s",
            [self.today + timedelta(days=5), invoices["not due yet"].id],
        )
        invoices["not due yet"].invalidate_recordset(["invoice_date_due"])
        invoices["excluded from follow-ups"].no_followup = True

        message = self.validate(notice)["params"]["message"]

        self.assertEqual(notice.state, "cancelled")
        for reason, invoice in invoices.items():
            self.assertIn(f"{invoice.name}: {reason}", message)

    def test_unchanged_interventions_are_validated_as_before(self):
        invoice = self.make_invoice(self.customer, 25, 600.0)
        notice = self.planned_notice(self.customer, invoice)
        self.assertIs(self.validate(notice), True)
        self.assertEqual(notice.state, "to_send")
        self.assertFalse(notice.moves_changed)

    def test_one_notice_cancelled_does_not_hold_back_the_others(self):
        promised = self.make_invoice(self.customer, 25, 600.0)
        kept = self.make_invoice(self.customer_2, 25, 700.0)
        self.at_step(kept, self.letter_step)
        notices = self.planned_notice(self.customer, promised) | self.interventions(self.customer_2)
        self.promise(promised, [(self.today + timedelta(days=14), 600.0)])
        self.validate(notices)
        self.assertEqual(notices.mapped("state"), ["cancelled", "to_send"])

    # ------------------------------------------------------------------
    # Letters to Send
    # ------------------------------------------------------------------

    def produced_letter(self, customer):
        self.run_escalation()
        letter = self.interventions(customer).filtered(lambda i: i.channel == "letter")
        self.assertEqual(letter.state, "to_send")
        return letter

    def test_letters_to_send_say_which_changed_since_produced(self):
        self.make_invoice(self.customer, 12, 500.0)
        self.make_invoice(self.customer_2, 12, 800.0, currency_id=self.foreign.id)
        changed, unchanged = self.produced_letter(self.customer), self.interventions(self.customer_2)
        self.assertFalse(changed.moves_changed)
        self.pay(changed.move_ids, 200.0)
        changed.invalidate_recordset(["moves_changed", "moves_changed_note"])

        self.assertTrue(changed.moves_changed)
        self.assertIn(changed.move_ids.name, changed.moves_changed_note)
        self.assertIn("partly paid", changed.moves_changed_note)
        self.assertFalse(unchanged.moves_changed)
        flagged = self.env["kreancia.intervention"].search([("moves_changed", "=", True)])
        self.assertIn(changed, flagged)
        self.assertNotIn(unchanged, flagged)
        letters_view = self.env.ref("kreancia_collect.kreancia_intervention_view_list_letters")
        list_arch = self.env["kreancia.intervention"].get_view(letters_view.id, "list")["arch"]
        self.assertIn('name="moves_changed"', list_arch, "a badge in Letters to Send")
        form_arch = self.env["kreancia.intervention"].get_view(view_type="form")["arch"]
        self.assertIn('name="moves_changed_note"', form_arch, "a warning on the letter")

    def test_marking_as_posted_rechecks_each_letter(self):
        self.make_invoice(self.customer, 12, 500.0)
        stays, promised = self.make_invoice(self.customer_2, 12, 800.0), self.make_invoice(self.customer_2, 12, 200.0)
        unchanged, partly = self.produced_letter(self.customer), self.interventions(self.customer_2)
        old_pdf = partly.attachment_id
        self.promise(promised, [(self.today + timedelta(days=14), 200.0)])
        all_paid_customer = self._make_customer("Payé SARL", "compta@paye.example.com")
        self.give_postal_addresses(all_paid_customer)
        all_paid_customer.dunning_scenario_id = self.letters
        paid = self.make_invoice(all_paid_customer, 12, 300.0, currency_id=self.foreign.id)
        gone = self.produced_letter(all_paid_customer)
        self.pay(paid, 300.0)

        wizard = (
            self.env(user=self.manager)["kreancia.intervention.mark.posted"]
            .with_context(active_model="kreancia.intervention", active_ids=(unchanged | partly | gone).ids)
            .create({})
        )
        self.assertIn(f"{partly.name}: {promised.name}: a payment was promised", wizard.changed_note, "said first")
        self.assertNotIn(unchanged.name, wizard.changed_note)
        result = wizard.action_confirm()

        self.assertEqual(unchanged.state, "done")
        self.assertEqual(partly.state, "to_send", "not posted: it claimed an invoice promised since")
        self.assertEqual(partly.line_ids.move_id, stays)
        self.assertNotEqual(partly.attachment_id, old_pdf, "a new letter to print")
        self.assertNotIn(promised.name, pdf_text(partly.attachment_id.raw))
        self.assertEqual(promised.dunning_step_id, self.env["kreancia.scenario.step"], "back where it stood")
        self.assertEqual(gone.state, "cancelled")
        self.assertFalse(paid.dunning_step_id)
        message = result["params"]["message"]
        self.assertIn(f"{promised.name}: a payment was promised", message)
        self.assertIn(f"{paid.name}: paid", message)
        self.assertIn(partly.name, message)
        self.assertIn(gone.name, message)
        self.assertNotIn(unchanged.name, message)
