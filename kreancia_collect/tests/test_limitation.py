from datetime import date, timedelta

from freezegun import freeze_time
from lxml import etree

from odoo import Command, fields
from odoo.tests import BaseCase, new_test_user, tagged
from odoo.tools import format_amount, format_date
from odoo.tools.safe_eval import safe_eval

from odoo.addons.kreancia_collect.tools.limitation import add_years, is_time_barred, limitation, limitation_date

from .common import KreanciaCommon, pdf_text
from .web_client import eval_context, open_action

D = date


class TestLimitationRule(BaseCase):
    """The last day to claim, by hand (C. com. L110-4, C. conso. L218-2, C. civ. 2240)."""

    def test_table(self):
        # (due date, professional, acknowledgments, last day to claim, acknowledgment that set it)
        table = [
            (D(2026, 3, 31), True, [], D(2031, 3, 31), None),
            (D(2026, 3, 31), False, [], D(2028, 3, 31), None),
            # 29 February: the last day of February of the end year
            (D(2024, 2, 29), False, [], D(2026, 2, 28), None),
            (D(2024, 2, 29), True, [], D(2029, 2, 28), None),
            (D(2024, 2, 29), True, [D(2028, 2, 29)], D(2033, 2, 28), D(2028, 2, 29)),
            (D(2024, 2, 29), False, [D(2024, 3, 1)], D(2026, 3, 1), D(2024, 3, 1)),
            # the latest acknowledgment restarts a full period
            (D(2026, 1, 31), True, [D(2026, 3, 1), D(2026, 4, 12)], D(2031, 4, 12), D(2026, 4, 12)),
            (D(2026, 1, 31), True, [D(2026, 4, 12), D(2026, 3, 1)], D(2031, 4, 12), D(2026, 4, 12)),
            # an acknowledgment before the due date changes nothing
            (D(2026, 1, 31), True, [D(2025, 12, 1)], D(2031, 1, 31), None),
            # on the last day it still counts; the next day the claim is barred and stays so
            (D(2020, 6, 30), True, [D(2025, 6, 30)], D(2030, 6, 30), D(2025, 6, 30)),
            (D(2020, 6, 30), True, [D(2025, 7, 1)], D(2025, 6, 30), None),
            (D(2022, 1, 10), False, [D(2024, 1, 11)], D(2024, 1, 10), None),
            # a restart carries the next one past the first end
            (D(2022, 1, 10), False, [D(2023, 12, 1), D(2024, 6, 1)], D(2026, 6, 1), D(2024, 6, 1)),
        ]
        for due, professional, restarts, last_day, restart in table:
            with self.subTest(due=due, professional=professional, restarts=restarts):
                self.assertEqual(limitation(due, professional, restarts), (last_day, restart))
                self.assertEqual(limitation_date(due, professional, restarts), last_day)

    def test_add_years_and_barred(self):
        self.assertEqual(add_years(D(2025, 12, 31), 5), D(2030, 12, 31))
        self.assertEqual(add_years(D(2028, 2, 29), 1), D(2029, 2, 28))
        self.assertFalse(is_time_barred(D(2031, 3, 31), D(2031, 3, 31)), "the last day is still in time")
        self.assertTrue(is_time_barred(D(2031, 3, 31), D(2031, 4, 1)))


@tagged("post_install", "-at_install")
class TestLimitation(KreanciaCommon):
    """Invoices carry their last day to claim; the run never claims past it; managers are warned before."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.foreign = cls.setup_other_currency("CHF", rates=[("2000-01-01", 2.0)])
        cls.consumer = cls.env["res.partner"].create({"name": "Jean Dupont", "email": "jean@example.com"})
        cls.accountant = new_test_user(
            cls.env, login="kc_limitation_accountant", groups="account.group_account_invoice", lang="en_US"
        )

    @classmethod
    def due_on(cls, partner, due, amount=1000.0, **values):
        """An invoice posted with ``due`` as its invoice and due date."""
        return cls.make_invoice(partner, (cls.today - due).days, amount, **values)

    def fdate(self, day):
        """``day`` as the user reads it (the database's languages decide the format)."""
        return format_date(self.env, day)

    def tasks_on(self, invoice):
        return self.env["mail.activity"].search([("res_model", "=", "account.move"), ("res_id", "=", invoice.id)])

    def pay(self, invoice, amount, day):
        self.env["account.payment.register"].with_context(active_model="account.move", active_ids=invoice.ids).create(
            {"amount": amount, "payment_date": day}
        )._create_payments()

    # ------------------------------------------------------------------
    # the date and its restarts
    # ------------------------------------------------------------------
    def test_professional_five_years_consumer_two(self):
        self.assertEqual(self.customer.dunning_debtor_type, "professional")
        self.assertEqual(self.consumer.dunning_debtor_type, "consumer")
        pro = self.due_on(self.customer, D(2024, 2, 29))
        consumer = self.due_on(self.consumer, D(2024, 2, 29))
        self.assertEqual(pro.dunning_limitation_date, D(2029, 2, 28))
        self.assertEqual(consumer.dunning_limitation_date, D(2026, 2, 28))
        self.assertFalse(pro.dunning_limitation_restart_date)

    def test_partial_payment_restarts_the_period(self):
        invoice = self.due_on(self.customer, D(2025, 1, 31), 1000.0, currency_id=self.foreign.id)
        self.assertEqual(invoice.dunning_limitation_date, D(2030, 1, 31))
        self.pay(invoice, 200.0, D(2026, 3, 1))
        self.assertEqual(invoice.payment_state, "partial")
        self.assertEqual(invoice.dunning_limitation_date, D(2031, 3, 1), "payment date + 5 years")
        self.assertEqual(invoice.dunning_limitation_restart_date, D(2026, 3, 1))
        payment = self.env["account.payment"].search([("partner_id", "=", self.customer.id)])
        note = invoice.dunning_limitation_restart_note
        self.assertIn("Partial payment of", note)
        self.assertIn(self.fdate(D(2026, 3, 1)), note)
        self.assertIn(payment.name, note)
        # the amount paid in the invoice's currency, not the company's
        self.assertIn(format_amount(self.env, 200.0, self.foreign), note)
        # paid in full: nothing left to become time-barred
        self.pay(invoice, 800.0, D(2026, 4, 1))
        self.assertFalse(invoice.dunning_limitation_date)

    def test_credit_note_does_not_restart(self):
        invoice = self.due_on(self.customer, D(2025, 1, 31))
        refund = self._create_invoice_one_line(
            move_type="out_refund", price_unit=100.0, tax_ids=[], partner_id=self.customer.id,
            invoice_date=D(2026, 3, 1), post=True,
        )  # fmt: skip
        receivable = "asset_receivable"
        (refund | invoice).line_ids.filtered(lambda line: line.account_id.account_type == receivable).reconcile()
        self.assertEqual(invoice.payment_state, "partial")
        self.assertEqual(invoice.dunning_limitation_date, D(2030, 1, 31), "a credit note is no acknowledgment")

    def test_signed_commitment_restarts_the_period(self):
        invoice = self.due_on(self.consumer, D(2025, 1, 31))
        self.assertEqual(invoice.dunning_limitation_date, D(2027, 1, 31))
        commitment = (
            self.env["kreancia.commitment"]
            .with_user(self.agent)
            .create(
                {
                    "partner_id": self.consumer.id,
                    "move_ids": [Command.set(invoice.ids)],
                    "amount_total": 1000,
                    "line_ids": [
                        Command.create({"date": fields.Date.context_today(invoice) + timedelta(days=5), "amount": 1000})
                    ],
                }
            )
        )
        signed = commitment.create_date.date()
        self.assertEqual(invoice.dunning_limitation_restart_date, signed)
        self.assertEqual(invoice.dunning_limitation_date, add_years(signed, 2))
        self.assertIn("Payment commitment of", invoice.dunning_limitation_restart_note)
        # a cancelled commitment acknowledges nothing
        commitment.action_cancel()
        self.assertEqual(invoice.dunning_limitation_date, D(2027, 1, 31))

    def test_formal_notice_does_not_restart(self):
        invoice = self.due_on(self.customer, D(2025, 1, 31))
        self.run_escalation()
        self.assertTrue(self.interventions(self.customer), "a reminder was sent")
        self.assertEqual(invoice.dunning_limitation_date, D(2030, 1, 31))

    # ------------------------------------------------------------------
    # never claimed once barred
    # ------------------------------------------------------------------
    def test_run_claims_only_the_live_invoice(self):
        barred = self.due_on(self.customer, D(2021, 6, 13))  # last day 13/06/2026, two days before the run
        last_day = self.due_on(self.customer, D(2021, 6, 15))  # last day: the run's day, still in time
        live = self.make_invoice(self.customer, 10)
        self.assertEqual(barred.dunning_limitation_date, D(2026, 6, 13))
        self.run_escalation()
        mail = self.assertMailTo(self.customer, body_contains=[live.name, last_day.name])
        self.assertNotIn(barred.name, mail.body_html)
        intervention = self.interventions(self.customer)
        self.assertEqual(intervention.move_ids, live | last_day)
        self.assertFalse(barred.dunning_step_id, "the barred invoice climbed no step")

    def test_statement_of_account_leaves_the_barred_invoice_out(self):
        barred = self.due_on(self.customer, D(2021, 6, 13))  # last day 13/06/2026, before the statement's date
        live = self.make_invoice(self.customer, 10, 300.0)
        refund = self.make_invoice(self.customer, 2, 50.0, move_type="out_refund")
        customer = self.customer.with_context(kreancia_statement_date=self.today)
        self.assertEqual(customer._dunning_statement_items(), live | refund)
        raw, _ = (
            self.env["ir.actions.report"]
            .with_context(force_report_rendering=True, kreancia_statement_date=self.today)
            ._render_qweb_pdf("kreancia_collect.action_report_statement", self.customer.ids)
        )
        text = " ".join(pdf_text(raw).split())
        self.assertNotIn(barred.name, text, "the statement claims what it lists: never a time-barred invoice")
        self.assertIn(live.name, text)
        self.assertRegex(text, r"Balance due .{0,3}250[.,]00")

    def test_collection_tab_shows_the_limitation(self):
        barred = self.due_on(self.customer, D(2021, 6, 13))
        soon = self.due_on(self.customer, D(2021, 9, 3))  # last day 03/09/2026, 80 days after 15/06/2026
        with freeze_time("2026-06-15"):
            screens = open_action(self.env(user=self.accountant), "account.action_move_out_invoice_type", barred.id)
            self.assertEqual(screens["form"][0]["dunning_limitation_date"], D(2026, 6, 13))
            hint = screens["form"][0]["dunning_limitation_hint"]
            self.assertEqual(hint, f"Time-barred since {self.fdate(D(2026, 6, 14))}: never claim it")
            self.assertEqual(screens["form"][0]["dunning_next_action"], "Time-barred: never claimed")
            soon_form = open_action(self.env(user=self.accountant), "account.action_move_out_invoice_type", soon.id)
        soon_hint = soon_form["form"][0]["dunning_limitation_hint"]
        self.assertIn(f"Time-barred after {self.fdate(D(2026, 9, 3))} (80 days left)", soon_hint)

    # ------------------------------------------------------------------
    # managers: the filter, the to-do, the overview
    # ------------------------------------------------------------------
    def test_filter_finds_an_invoice_80_days_from_limitation(self):
        soon = self.due_on(self.customer, D(2021, 9, 3))
        later = self.due_on(self.customer, D(2021, 10, 1))  # 108 days
        barred = self.due_on(self.customer, D(2021, 6, 13))
        env = self.env(user=self.manager)
        action = env.ref("kreancia_collect.account_move_action_overdue").sudo()
        arch = env["account.move"].get_views([[action.search_view_id.id, "search"]])["views"]["search"]["arch"]
        [node] = etree.fromstring(arch).xpath("//filter[@name='limitation_90']")
        self.assertEqual(node.get("string"), "Limitation within 90 days")
        names = {**eval_context(env), "context_today": lambda: self.today}
        domain = safe_eval(action.domain, names) + safe_eval(node.get("domain"), names)
        found = env["account.move"].search([*domain, ("id", "in", (soon | later | barred).ids)])
        self.assertEqual(found, soon)

    def test_todo_created_once_for_the_scenario_manager(self):
        self.scenario.user_id = self.manager
        soon = self.due_on(self.customer, D(2021, 9, 3), 700.0)
        sooner = self.due_on(self.customer, D(2021, 8, 1), 300.0, currency_id=self.foreign.id)
        self.due_on(self.customer, D(2021, 10, 1))  # beyond 90 days
        Move = self.env["account.move"]
        self.assertEqual(Move._cron_limitation_watch(today=self.today), 1)
        task = self.assertTask(sooner, user=self.manager, summary=f"Time-barred after {self.fdate(D(2026, 8, 1))}")
        self.assertIn(self.customer.name, task.summary)
        self.assertIn(soon.name, task.note)
        self.assertIn(sooner.name, task.note)
        self.assertIn(self.foreign.symbol, task.note, "each amount in its invoice's currency")
        self.assertIn("order for payment", task.note)
        self.assertFalse(self.tasks_on(soon), "one to-do per customer")
        # the next days: nothing new
        self.assertEqual(Move._cron_limitation_watch(today=self.today + timedelta(days=1)), 0)
        task.action_done()
        self.assertEqual(Move._cron_limitation_watch(today=self.today + timedelta(days=2)), 0)
        self.assertFalse(self.tasks_on(sooner), "done, not created again")

    def test_todo_stays_in_its_company(self):
        self.scenario.user_id = False
        company_b = self.setup_other_company(name="Company B")["company"]
        agent_b = new_test_user(
            self.env, login="kc_limitation_agent_b", groups="kreancia_collect.kreancia_collect_group_agent",
            company_id=company_b.id, company_ids=[Command.set(company_b.ids)],
        )  # fmt: skip
        manager_b = new_test_user(
            self.env, login="kc_limitation_manager_b", groups="kreancia_collect.kreancia_collect_group_manager",
            company_id=company_b.id, company_ids=[Command.set(company_b.ids)],
        )  # fmt: skip
        invoice = self.due_on(self.customer, D(2021, 9, 3))
        self.env["account.move"]._cron_limitation_watch(today=self.today)
        task = self.assertTask(invoice, user=self.manager)
        self.assertFalse(self.env["mail.activity"].search([("user_id", "=", manager_b.id)]), "not for company B")
        self.assertFalse(self.env["mail.activity"].with_user(agent_b).search([("id", "=", task.id)]))
        self.assertTrue(self.env["mail.activity"].with_user(self.manager).search([("id", "=", task.id)]))

    def test_overview_counts_invoices_nearing_limitation(self):
        soon = self.due_on(self.customer, D(2021, 9, 3), 300.0, currency_id=self.foreign.id)  # 150.00 in USD
        self.due_on(self.customer_2, D(2021, 8, 1), 200.0)
        self.due_on(self.customer, D(2021, 10, 1), 5000.0)  # beyond 90 days
        self.due_on(self.customer, D(2021, 6, 13), 7000.0)  # already barred
        overview = self.env["kreancia.collection.overview"].with_user(self.manager).create({"as_of": self.today})
        self.assertEqual(overview.limitation_count, 2)
        self.assertAlmostEqual(overview.limitation_amount, soon.amount_residual_signed + 200.0)
        self.assertAlmostEqual(soon.amount_residual_signed, 150.0)
        action = overview.action_open_limitation()
        self.assertEqual(len(self.env["account.move"].search(action["domain"])), 2)
