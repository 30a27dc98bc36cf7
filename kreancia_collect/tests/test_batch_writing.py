from datetime import date, timedelta

from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import format_amount

from odoo.addons.mail.models.mail_render_mixin import format_date

from ..speed.bulk import insert_records, insert_relations
from ..speed.formatting import BatchFormatter
from .common import KreanciaCommon

AMOUNTS = (0, 0.004, 0.005, 1, -1.5, 12.345, 999.995, 1000, -1000, 1234567.891, -9876543.21, 1e12)


@tagged("post_install", "-at_install")
class TestBatchFormatter(KreanciaCommon):
    """The run's e-mails write amounts and dates exactly as Odoo's own functions do."""

    def assert_formats_as_odoo(self, env):
        formatter = BatchFormatter(env)
        currencies = [self.env.ref(xmlid) for xmlid in ("base.EUR", "base.USD", "base.JPY", "base.KWD")]
        for currency in currencies:
            for amount in AMOUNTS:
                self.assertEqual(
                    formatter.amount(amount, currency),
                    format_amount(env, amount, currency),
                    f"{amount} {currency.name} in {env.lang}",
                )
                self.assertEqual(
                    formatter.amount(amount, currency, "fr_FR"), format_amount(env, amount, currency, "fr_FR")
                )
        for day in (date(2026, 1, 5), date(2026, 11, 23)):
            self.assertEqual(formatter.date(day), format_date(env, day))
            self.assertEqual(formatter.date(day, "dd MMMM yyyy"), format_date(env, day, "dd MMMM yyyy"))
            self.assertEqual(formatter.date(day, lang_code="fr_FR"), format_date(env, day, lang_code="fr_FR"))

    def test_amounts_and_dates_in_english_and_french(self):
        self.env["res.lang"]._activate_lang("en_US")
        self.addCleanup(self.env.registry.clear_cache, "stable")
        french = self.env(context=dict(self.env.context, lang="fr_FR"))
        self.assert_formats_as_odoo(self.env)
        self.assertEqual(
            BatchFormatter(self.env).amount(-1234.5, self.env.ref("base.USD")),
            "$\N{NO-BREAK SPACE}-\N{ZERO WIDTH NO-BREAK SPACE}1,234.50",
        )
        self.assert_formats_as_odoo(french)
        self.assertEqual(
            BatchFormatter(french).amount(1234.5, self.env.ref("base.EUR")),
            "1\N{NO-BREAK SPACE}234,50\N{NO-BREAK SPACE}€",
        )

    def test_a_context_language_not_installed_falls_back_as_odoo_does(self):
        german = self.env(context=dict(self.env.context, lang="de_DE"))
        formatter = BatchFormatter(german)
        self.assertEqual(
            formatter.amount(1234.5, self.env.ref("base.EUR")), format_amount(german, 1234.5, self.env.ref("base.EUR"))
        )
        self.assertEqual(formatter.date(date(2026, 1, 5)), format_date(german, date(2026, 1, 5)))

    def test_other_language_settings(self):
        # another language than the suite's own: its settings stay cached after the test's transaction
        hindi = self.env["res.lang"].with_context(active_test=False).search([("code", "=", "hi_IN")])
        hindi.write({"active": True, "grouping": "[3,2,0]", "thousands_sep": " ", "decimal_point": ","})
        self.addCleanup(self.env.registry.clear_cache, "stable")
        env = self.env(context=dict(self.env.context, lang="hi_IN"))
        self.assert_formats_as_odoo(env)
        self.assertEqual(
            BatchFormatter(env).amount(-1234567.5, self.env.ref("base.USD")),
            "$\N{NO-BREAK SPACE}-\N{ZERO WIDTH NO-BREAK SPACE}12\N{NO-BREAK SPACE}34\N{NO-BREAK SPACE}567,50",
        )


@tagged("post_install", "-at_install")
class TestBulkCreation(KreanciaCommon):
    """The run inserts its interventions in bulk: they are what create() would have made, and seen at once."""

    def test_run_records_are_complete_and_seen_through_every_relation(self):
        invoice = self.make_invoice(self.customer, 8)
        self.make_invoice(self.customer, 9)
        # read before the run, so that the relations are in the cache when it inserts
        self.assertFalse(invoice.dunning_intervention_ids)
        self.assertFalse(self.customer.dunning_intervention_ids)
        links_before = self.env["kreancia.debtor.link"].search([("partner_id", "=", self.customer.id)])
        self.run_escalation()
        intervention = self.interventions(self.customer)
        self.assertEqual(len(intervention), 1)
        self.assertEqual(invoice.dunning_intervention_ids, intervention)
        self.assertEqual(self.customer.dunning_intervention_ids, intervention)
        self.assertEqual(intervention.move_count, 2)
        self.assertRegex(intervention.name, r"\d")
        self.assertNotEqual(intervention.name, "/")
        self.assertEqual(intervention.scenario_id, self.scenario)
        self.assertEqual(intervention.create_uid, self.env.user)
        self.assertTrue(intervention.create_date)
        link = intervention.debtor_link_id
        self.assertTrue(link)
        self.assertFalse(link & links_before)
        self.assertEqual(len(link.access_token), 43, "256 random bits, URL-safe")
        self.assertEqual(link.intervention_ids, intervention)
        self.assertEqual(link.state, "valid")
        self.assertIn(link.access_token, intervention.debtor_url)
        line = intervention.line_ids.filtered(lambda line: line.move_id == invoice)
        self.assertEqual(line.invoice_date_due, invoice.invoice_date_due)
        self.assertEqual(line.company_id, self.company)
        self.assertEqual(line.days_late, 8)
        self.assertEqual(line.amount_residual, invoice.amount_residual)
        self.assertFalse(line.previous_step_id, "the invoice had no step before")
        self.assertEqual(intervention.amount_total, 2000.0)
        self.assertEqual(intervention.total_due_display, format_amount(self.env, 2000.0, intervention.currency_id))
        self.assertEqual(invoice.dunning_step_id, line.step_id)

    def test_invoice_lines_known_after_the_run_are_those_the_database_gives_in_its_order(self):
        # created in another order than their due dates
        recent = self.make_invoice(self.customer, 8)
        oldest = self.make_invoice(self.customer, 30)
        middle = self.make_invoice(self.customer, 15)
        self.run_escalation()
        intervention = self.interventions(self.customer)
        cached = intervention.line_ids
        self.assertEqual(cached.move_id.ids, [oldest.id, middle.id, recent.id], "the oldest debt first")
        self.env.invalidate_all()
        self.assertEqual(intervention.line_ids.ids, cached.ids)
        body = intervention.mail_id.body_html
        positions = [body.index(move.name) for move in (oldest, middle, recent)]
        self.assertEqual(positions, sorted(positions), "the e-mail lists the oldest debt first")

    def test_invoice_lines_follow_a_due_date_moved_after_planning(self):
        older = self.make_invoice(self.customer, 20)
        moved = self.make_invoice(self.customer, 8)
        engine = self.env["kreancia.escalation"].sudo().with_company(self.company)
        plans = [plan for plan in engine._plan(self.today) if plan.partner_id == self.customer.id]
        # between planning and performing, the recent invoice's due date is moved back before the other's
        self.env.cr.execute(
            "UPDATE account_move SET invoice_date_due = %s WHERE id = %s", [self.today - timedelta(days=40), moved.id]
        )
        self.env.invalidate_all()
        engine._perform_batch(self.company, self.today, plans)
        intervention = self.interventions(self.customer)
        self.assertEqual(intervention.line_ids.move_id.ids, [moved.id, older.id])
        self.env.invalidate_all()
        self.assertEqual(intervention.line_ids.move_id.ids, [moved.id, older.id])

    def test_each_reminder_writes_its_total_in_its_recipient_language(self):
        # with English active, one batch renders an English and a French e-mail: each keeps its own format
        self.env["res.lang"]._activate_lang("en_US")
        self.addCleanup(self.env.registry.clear_cache, "stable")
        self.customer.lang = "en_US"
        (self.customer_2 | self.customer_2.child_ids).lang = "fr_FR"
        self.make_invoice(self.customer, 8, amount=1234.5)
        self.make_invoice(self.customer_2, 8, amount=1234.5)
        self.run_escalation()
        currency = self.company.currency_id
        english = self.interventions(self.customer).mail_id.body_html
        french = self.interventions(self.customer_2).mail_id.body_html
        self.assertIn(f"Total due: {format_amount(self.env, 1234.5, currency, 'en_US')}", english)
        self.assertIn(format_amount(self.env, 1234.5, currency, "fr_FR"), french)
        self.assertNotIn(format_amount(self.env, 1234.5, currency, "en_US"), french)

    def test_due_dates_are_read_again_when_the_batch_locks_its_invoices(self):
        moved = self.make_invoice(self.customer, 8)
        postponed = self.make_invoice(self.customer, 9)
        engine = self.env["kreancia.escalation"].sudo().with_company(self.company)
        plans = [plan for plan in engine._plan(self.today) if plan.partner_id == self.customer.id]
        self.assertEqual(len(plans[0].lines), 2)
        # between planning and performing, another user moves one due date and postpones the other
        self.env.cr.execute(
            "UPDATE account_move SET invoice_date_due = %s WHERE id = %s", [self.today - timedelta(days=3), moved.id]
        )
        self.env.cr.execute(
            "UPDATE account_move SET invoice_date_due = %s WHERE id = %s",
            [self.today + timedelta(days=10), postponed.id],
        )
        self.env.invalidate_all()
        engine._perform_batch(self.company, self.today, plans)
        line = self.interventions(self.customer).line_ids
        self.assertEqual(line.move_id, moved, "an invoice no longer due is not reminded")
        self.assertEqual(line.invoice_date_due, self.today - timedelta(days=3))
        self.assertEqual(line.days_late, 3)
        self.assertIn(moved.name, self.interventions(self.customer).mail_id.body_html)

    def test_linked_invoices_say_at_once_what_comes_next(self):
        invoice = self.make_invoice(self.customer, 8)
        self.run_escalation()
        self.assertNotEqual(invoice.dunning_next_action, "Awaiting validation")
        pending = self.env["kreancia.intervention"].create(
            {
                "partner_id": self.customer.id,
                "company_id": self.company.id,
                "step_id": self.step_manual.id,
                "channel": self.step_manual.channel,
                "state": "to_validate",
            }
        )
        insert_relations(pending, "move_ids", [invoice.ids])
        self.assertEqual(invoice.dunning_next_action, "Awaiting validation")

    def test_records_linked_in_bulk_are_seen_at_once_without_an_inverse_relation(self):
        invoice = self.make_invoice(self.customer, 8)
        self.run_escalation()
        link = self.interventions(self.customer).debtor_link_id
        action_model = self.env["kreancia.debtor.action"].sudo()  # written by the debtor page only
        self.assertFalse(self.env.registry.field_inverses[action_model._fields["move_ids"]], "no inverse relation")
        actions = insert_records(action_model, [{"link_id": link.id, "action": "view"}])
        self.assertFalse(actions.move_ids, "a new record is linked to nothing yet")
        insert_relations(actions, "move_ids", [invoice.ids])
        self.assertEqual(actions.move_ids, invoice)

    def test_bulk_insert_refuses_fields_it_cannot_write_and_users_without_the_right(self):
        intervention_model = self.env["kreancia.intervention"]
        with self.assertRaises(ValueError):
            insert_records(intervention_model, [{"line_ids": []}])
        with self.assertRaises(ValueError):
            insert_records(self.env["kreancia.scenario"], [{"name": "Translated"}])
        with self.assertRaises(ValueError):
            insert_records(intervention_model, [{"name": "A"}, {"name": "B", "date": "2026-01-01"}])
        with self.assertRaises(AccessError):
            insert_records(intervention_model.with_user(self.agent), [{"name": "X"}])

    def test_reminder_headers_render_without_the_expression_evaluator(self):
        """Subject, sender and recipient of the shipped reminders read plain fields only: Odoo renders them
        without compiling an expression per e-mail."""
        for template in (self.template_courteous, self.template_firm):
            for fname in ("subject", "email_from", "reply_to", "partner_to", "lang"):
                self.assertFalse(
                    template._has_unsafe_expression_template_inline_template(
                        template[fname], "kreancia.intervention", fname
                    ),
                    f"{template.name}: {fname}",
                )
        self.make_invoice(self.customer, 8)
        self.run_escalation()
        intervention = self.interventions(self.customer)
        self.assertEqual(
            intervention.mail_id.subject, f"Payment reminder \N{EN DASH} {self.company.name} [{intervention.name}]"
        )
        self.assertEqual(intervention.mail_id.email_from, self.company.email_formatted)
        self.assertEqual(intervention.mail_id.recipient_ids, intervention.recipient_id)
