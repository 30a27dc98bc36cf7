import ast
import json
from datetime import date
from pathlib import Path
from unittest.mock import patch

import requests
from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import BaseCase, new_test_user, tagged

from ..tools import insolvency as rules
from .common import KreanciaCommon, pdf_text

DATA = Path(__file__).parent / "data" / "bodacc"
WATCH = "odoo.addons.kreancia_collect.models.kreancia_insolvency_watch.requests.get"


class FakeResponse:
    """An answer of the BODACC open-data API, from a file shaped like its records (no network in tests)."""

    def __init__(self, name):
        self.payload = json.loads((DATA / name).read_text())

    def raise_for_status(self):
        return None

    def json(self):
        return self.payload


class TestInsolvencyRules(BaseCase):
    def test_deadline_is_two_months_after_publication(self):
        for publication, deadline in (
            (date(2026, 6, 10), date(2026, 8, 10)),
            (date(2026, 12, 31), date(2027, 2, 28)),  # no 31 February: the month's last day
            (date(2027, 12, 30), date(2028, 2, 29)),  # a leap year
        ):
            with self.subTest(publication=publication):
                self.assertEqual(rules.claim_deadline(publication), deadline)

    def test_judgments_read(self):
        for nature, expected in (
            ("Jugement d'ouverture d'une procédure de sauvegarde", ("safeguard", "opening")),
            ("Jugement d'ouverture d'une procédure de redressement judiciaire", ("receivership", "opening")),
            ("Jugement d'ouverture d'une procédure de liquidation judiciaire", ("liquidation", "opening")),
            ("Jugement arrêtant le plan de redressement", ("receivership", "plan")),
            ("Jugement de conversion en liquidation judiciaire", ("liquidation", "conversion")),
            ("Jugement de clôture pour insuffisance d'actif", (None, "closure_insufficient")),
            ("Jugement de clôture pour extinction du passif", (None, "closure_paid")),
            ("Avis de dépôt de l'état des créances", (None, "other")),
        ):
            with self.subTest(nature=nature):
                self.assertEqual(rules.read_judgment(nature), expected)

    def test_recorded_notice_read(self):
        record = FakeResponse("opening_receivership.json").payload["results"][0]
        notice = rules.read_notice(record)
        self.assertEqual(notice.sirens, ("552100554",))
        self.assertEqual((notice.kind, notice.event), ("receivership", "opening"))
        self.assertEqual((notice.judgment_date, notice.publication_date), (date(2026, 6, 1), date(2026, 6, 10)))
        self.assertEqual(notice.court, "TRIBUNAL DE COMMERCE DE LYON")
        self.assertEqual(
            notice.representative,
            "SELARL MJ Synergie, prise en la personne de Me Paul Martin, 10 rue de la Bourse 69002 Lyon",
        )

    def test_claims_born_before_the_judgment_only(self):
        judgment = date(2026, 6, 1)
        self.assertTrue(rules.frozen_by(date(2026, 5, 31), judgment))
        self.assertFalse(rules.frozen_by(judgment, judgment), "the judgment takes effect at 0:00 on its day")
        self.assertFalse(rules.frozen_by(date(2026, 6, 2), judgment))


@tagged("post_install", "-at_install")
class TestInsolvencyWatch(KreanciaCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.write({"company_registry": "552 100 554", "country_id": cls.env.ref("base.fr").id})
        # the declaration speaks the creditor's language: English here, for the texts below
        cls.company.partner_id.lang = "en_US"
        cls.give_postal_addresses(cls.customer)
        # dated 16 May: before the judgment of 1 June, 30 days late today (15 June)
        cls.before = cls.make_invoice(cls.customer, 30, 1000.0)
        # dated 10 June: after the judgment, stays in the run
        cls.after = cls.make_invoice(cls.customer, 5, 400.0)

    def watch(self, *responses):
        with patch(WATCH, side_effect=[FakeResponse(name) for name in responses]), freeze_time(self.today):
            return self.env["kreancia.insolvency"]._cron_watch_bodacc(self.today)

    def procedure(self):
        return self.env["kreancia.insolvency"].search([("partner_id", "=", self.customer.id)])

    def test_receivership_freezes_earlier_invoices_and_prepares_the_declaration(self):
        self.customer.activity_schedule(
            "mail.mail_activity_data_call", summary="Collection call", user_id=self.agent.id
        )
        result = self.watch("opening_receivership.json")
        self.assertEqual(result, {"watched": 1, "applied": 1, "failed_batches": 0})
        procedure = self.procedure()
        self.assertEqual((procedure.kind, procedure.state), ("receivership", "open"))
        self.assertEqual(procedure.court, "TRIBUNAL DE COMMERCE DE LYON")
        self.assertEqual(procedure.judgment_date, date(2026, 6, 1))
        self.assertEqual(procedure.declaration_deadline, date(2026, 8, 10), "publication + 2 months (R622-24)")
        self.assertIn("Me Paul Martin", procedure.representative)
        self.assertEqual(self.before.dunning_state, "insolvency")
        self.assertEqual(self.after.dunning_insolvency_id, procedure.browse())
        # planned calls are cancelled
        self.assertFalse(self.customer.activity_ids.filtered(lambda a: a.summary == "Collection call"))

        # the run the same day reminds only of the invoice born after the judgment
        self.run_escalation()
        reminded = self.interventions(self.customer).filtered(lambda i: i.channel != "claim")
        self.assertEqual(reminded.move_ids, self.after)

        declaration = procedure.declaration_id
        self.assertEqual((declaration.channel, declaration.state), ("claim", "to_send"))
        self.assertEqual(declaration.deadline_date, date(2026, 8, 10))
        self.assertEqual(declaration.recipient_id, procedure.representative_id)
        self.assertEqual(declaration.move_ids, self.before)
        # by hand: 1,000.00 x 12.15 % x 16 days (due 16 May, judgment 1 June) / 365 = 5.33; 40 EUR indemnity
        self.assertAlmostEqual(declaration.amount_total, 1000.0)
        self.assertAlmostEqual(declaration.amount_interest, 5.33, places=2)
        self.assertAlmostEqual(declaration.amount_indemnity, 40.0)
        text = pdf_text(declaration.attachment_id.raw)
        for expected in ("Declaration of claim", "SELARL MJ Synergie", self.before.name, "552 100 554", "L622-28"):
            self.assertIn(expected, text)
        self.assertRegex(text, r"Total claim declared +\S* ?1[ ,.\u202f\xa0]?045[.,]33")
        self.assertNotIn(self.after.name, text)
        # the managers are told, with the deadline
        todo = self.customer.activity_ids.filtered(lambda a: "declare the claim by" in (a.summary or ""))
        self.assertIn(self.manager, todo.user_id)

    def test_declaration_prepared_at_install_is_rendered_by_the_scheduled_action(self):
        """Data loaded at install (the demo) defers the PDF: no HTTP server serves its stylesheets yet."""
        with patch(WATCH, side_effect=[FakeResponse("opening_receivership.json")]), freeze_time(self.today):
            self.env["kreancia.insolvency"].with_context(kreancia_defer_pdf=True)._cron_watch_bodacc(self.today)
        declaration = self.procedure().declaration_id
        self.assertEqual((declaration.channel, declaration.state), ("claim", "to_send"))
        self.assertFalse(declaration.attachment_id, "left to the scheduled action")

        # what the scheduled action (_cron_run) does first; wkhtmltopdf failing leaves it for the next run
        Intervention = self.env["kreancia.intervention"]
        Report = type(self.env["ir.actions.report"])
        crash = UserError("Wkhtmltopdf failed (error code: -11)")
        with (
            patch.object(Report, "_render_qweb_pdf", side_effect=crash),
            self.assertLogs("odoo.addons.kreancia_collect", "WARNING") as logs,
        ):
            self.assertEqual(Intervention._render_deferred_claim_declarations(), Intervention)
        self.assertIn("left for the next run", logs.output[0])
        self.assertFalse(declaration.attachment_id)
        self.assertEqual(Intervention._render_deferred_claim_declarations(), declaration)
        self.assertIn("Declaration of claim", pdf_text(declaration.attachment_id.raw))
        self.assertEqual(Intervention._render_deferred_claim_declarations(), Intervention, "rendered once")

    def test_declaration_is_posted_by_registered_mail(self):
        self.watch("opening_receivership.json")
        declaration = self.procedure().declaration_id
        letters_to_send = self.env.ref("kreancia_collect.kreancia_intervention_action_to_send")
        to_send = (
            self.env["kreancia.intervention"]
            .with_user(self.manager)
            .search([*ast.literal_eval(letters_to_send.domain), ("state", "=", "to_send")])
        )
        self.assertIn(declaration, to_send, "listed in Letters to Send")
        wizard = (
            self.env["kreancia.intervention.mark.posted"]
            .with_user(self.manager)
            .with_context(active_model="kreancia.intervention", active_ids=declaration.ids)
            .create({"posted_date": self.today})
        )
        with self.assertRaises(UserError):
            wizard.action_confirm()
        wizard.tracking_number = "1A 999 888 7776 5"
        wizard.action_confirm()
        self.assertEqual((declaration.state, declaration.tracking_number), ("done", "1A 999 888 7776 5"))

    def test_watch_twice_applies_nothing_twice(self):
        self.watch("opening_receivership.json")
        self.watch("opening_receivership.json")
        self.assertEqual(len(self.procedure()), 1)
        self.assertEqual(len(self.procedure().event_ids), 1)
        self.assertEqual(len(self.env["kreancia.intervention"].search([("channel", "=", "claim")])), 1)

    def test_manager_reminded_before_the_deadline(self):
        self.watch("opening_receivership.json")
        procedure = self.procedure()
        procedure._remind_deadlines(date(2026, 8, 3))
        reminders = self.customer.activity_ids.filtered(lambda a: "not posted" in (a.summary or ""))
        self.assertIn(self.manager, reminders.user_id)
        procedure.declaration_id.write({"state": "done"})
        self.assertFalse(procedure._remind_deadlines(date(2026, 8, 3)), "a posted declaration needs no reminder")

    def test_conversion_then_closure_lists_the_claims_to_write_off(self):
        self.watch("opening_receivership.json")
        self.watch("conversion.json")
        procedure = self.procedure()
        self.assertEqual((procedure.kind, procedure.state), ("liquidation", "liquidation"))
        self.watch("closure_insufficient.json")
        self.assertEqual(procedure.state, "closed")
        self.assertEqual(procedure.write_off_move_ids, self.before)
        action = procedure.with_user(self.manager).action_write_off()
        self.assertEqual(action["res_model"], "account.move.reversal")
        self.assertEqual(action["context"]["active_ids"], self.before.ids)
        todo = self.customer.activity_ids.filtered(lambda a: "write off" in (a.summary or ""))
        self.assertIn(self.manager, todo.user_id)

    def test_failed_fetch_leaves_a_log_and_a_manager_todo_never_a_guess(self):
        with (
            patch(WATCH, side_effect=requests.ConnectionError("Name or service not known")),
            self.assertLogs("odoo.addons.kreancia_collect.models.kreancia_insolvency_watch", "WARNING"),
        ):
            result = self.env["kreancia.insolvency"]._cron_watch_bodacc(self.today)
        self.assertEqual(result["failed_batches"], 1)
        self.assertFalse(self.procedure())
        self.assertEqual(self.before.dunning_state, "none")
        todos = self.env["mail.activity"].search(
            [("summary", "=", "BODACC watch failed"), ("user_id", "=", self.manager.id)]
        )
        self.assertEqual(len(todos), 1)

    def test_plans_refused_for_frozen_invoices(self):
        self.watch("opening_receivership.json")
        with self.assertRaises(UserError):
            self.env["kreancia.case.line"]._check_plannable(self.before)

    def test_agents_read_managers_act_companies_apart(self):
        self.watch("opening_receivership.json")
        procedure = self.procedure()
        self.assertTrue(procedure.with_user(self.agent).read(["kind"]))
        with self.assertRaises(AccessError):
            procedure.with_user(self.agent).write({"representative": "Someone else"})
        accountant = new_test_user(self.env, login="kc_accountant_ins", groups="account.group_account_invoice")
        self.assertEqual(self.before.with_user(accountant).dunning_insolvency_id.kind, "receivership")
        company_b = self.env["res.company"].create({"name": "Company B"})
        manager_b = new_test_user(
            self.env,
            login="kc_manager_b_ins",
            groups="kreancia_collect.kreancia_collect_group_manager",
            company_id=company_b.id,
            company_ids=[Command.set(company_b.ids)],
        )
        self.assertFalse(self.env["kreancia.insolvency"].with_user(manager_b).search([]))

    def test_missing_rate_leaves_a_todo_not_a_guess(self):
        """A judgment in a half-year whose late-payment rate is not recorded: no declaration with made-up interest."""
        late = self._create_invoice_one_line(
            price_unit=700.0,
            tax_ids=[],
            partner_id=self.customer.id,
            invoice_date=date(2027, 1, 15),
            invoice_date_due=date(2027, 1, 20),
            invoice_payment_term_id=False,
            post=True,
        )
        record = dict(
            FakeResponse("opening_receivership.json").payload["results"][0],
            id="A202700001111",
            dateparution="2027-03-10",
            jugement=json.dumps({"nature": "Jugement d'ouverture d'une procédure de sauvegarde", "date": "2027-03-01"}),
        )
        with freeze_time(self.today):
            self.env["kreancia.insolvency"]._apply_notices(
                [record], self.env["kreancia.insolvency"]._watched_customers()
            )
        procedure = self.procedure()
        self.assertIn(late, procedure.move_ids)
        self.assertFalse(procedure.declaration_id)
        todo = self.customer.activity_ids.filtered(lambda a: a.summary == "Claim declaration to prepare by hand")
        self.assertIn(self.manager, todo.user_id)
        self.env["kreancia.interest.rate"].create({"date_start": date(2027, 1, 1), "ecb_rate": 2.0, "legal_rate": 2.5})
        with self.assertRaises(UserError):
            procedure.with_user(self.agent).action_prepare_declaration()
        with freeze_time(self.today):
            procedure.with_user(self.manager).action_prepare_declaration()
        self.assertEqual(procedure.declaration_id.state, "to_send")
