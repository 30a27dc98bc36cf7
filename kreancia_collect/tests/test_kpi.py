from datetime import date, timedelta

from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import KreanciaFiguresCommon


@tagged("post_install", "-at_install")
class TestKpi(KreanciaFiguresCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.kpi = cls.env["kreancia.kpi"]

    def test_dso_month_by_month(self):
        """DOMAIN.md's example: receivable 20,000 at the end of June, June sales 12,500, May sales 10,000."""
        may = self.invoice_at(self.customer, date(2026, 5, 10), date(2026, 6, 9), 10000)
        self.invoice_at(self.customer_2, date(2026, 6, 5), date(2026, 7, 5), 12500)
        self.pay_at(may, 2500, date(2026, 6, 20))
        figures = self.kpi.monthly_figures("2026-06-30")
        months = figures["months"]
        self.assertEqual(len(months), 12)
        self.assertEqual(months[0]["month_start"], date(2025, 7, 1))
        june, may_row = months[-1], months[-2]
        self.assertEqual((june["receivable"], june["sales"], june["current"]), (20000, 12500, 12500))
        self.assertEqual(june["dso"], 53.25)
        self.assertEqual(june["best_dso"], 30.0, "12,500 not yet due / 12,500 sales x 30 days")
        self.assertEqual(june["add"], 23.25)
        self.assertEqual(june["cei"], 25.0, "(10,000 + 12,500 - 20,000) / (10,000 + 12,500 - 12,500)")
        self.assertEqual((may_row["dso"], may_row["best_dso"], may_row["cei"]), (31.0, 31.0, None))
        self.assertGreater(figures["dso_trend"], 0)

    def test_promises_per_agent(self):
        first = self.invoice_at(self.customer, date(2026, 5, 1), date(2026, 5, 31), 1000)
        second = self.invoice_at(self.customer_2, date(2026, 5, 1), date(2026, 5, 31), 500)
        # the real date: a promise may not fall before the real today
        later = fields.Date.context_today(self.env.user) + timedelta(days=10)
        kept, broken = self.env["kreancia.commitment"].create(
            [
                {
                    "partner_id": invoice.partner_id.id,
                    "move_ids": [Command.set(invoice.ids)],
                    "amount_total": amount,
                    "user_id": self.agent.id,
                    "line_ids": [Command.create({"date": later, "amount": amount})],
                }
                for invoice, amount in ((first, 300), (second, 200))
            ]
        )
        self.pay_at(first, 300, date(2026, 6, 1))
        kept.state, broken.state = "kept", "broken"
        (row,) = self.kpi.promise_figures()
        self.assertEqual(row["user_id"], self.agent.id)
        self.assertEqual((row["kept"], row["broken"], row["kept_rate"]), (1, 1, 0.5))
        self.assertEqual((row["promised"], row["received"]), (500, 300))

    def test_step_effectiveness(self):
        invoices = [
            self.invoice_at(self.customer, date(2026, 2, 1), date(2026, 2, 28), amount) for amount in (300, 100, 100)
        ]
        intervention = self.env["kreancia.intervention"].create(
            {
                "date": date(2026, 3, 1),
                "partner_id": self.customer.id,
                "step_id": self.step_firm.id,
                "channel": "email",
                "move_ids": [Command.set([inv.id for inv in invoices])],
                "line_ids": [
                    Command.create(
                        {"move_id": inv.id, "step_id": self.step_firm.id, "currency_id": inv.currency_id.id,
                         "amount_residual": inv.amount_total}
                    )
                    for inv in invoices
                ],
            }
        )  # fmt: skip
        self.pay_at(invoices[0], 300, date(2026, 3, 5))
        self.pay_at(invoices[1], 100, date(2026, 3, 20))
        (row,) = self.kpi.step_effectiveness("2026-01-01", "2026-06-30")
        self.assertEqual(
            (row["step_id"], row["channel"], row["scenario_id"]), (self.step_firm.id, "email", self.scenario.id)
        )
        self.assertEqual((row["count"], row["amount"]), (3, 500))
        self.assertEqual(row[7], (0.3333, 0.6))
        self.assertEqual(row[14], (0.3333, 0.6))
        self.assertEqual(row[30], (0.6667, 0.8))
        self.assertEqual(intervention.state, "done")

    def test_call_outcomes_per_agent(self):
        self.env["kreancia.call"].with_user(self.agent).create(
            [
                {"partner_id": self.customer.id, "phone": "+33478123456", "outcome": outcome}
                for outcome in ("reached", "reached", "no_answer")
            ]
        )
        (row,) = self.kpi.call_outcomes()
        self.assertEqual(row["user_id"], self.agent.id)
        self.assertEqual(row["outcomes"], {"reached": 2, "no_answer": 1})
        self.assertEqual(row["calls"], 3)

    def test_expected_collection_from_history(self):
        """Atelier paid its last invoices 10, 20 and 40 days late: it pays ~20 days late (spread 7.5)."""
        self.customer_2.with_company(self.company).trust = "good"
        self.customer.with_company(self.company).trust = "bad"
        for due, late in ((date(2026, 1, 1), 10), (date(2026, 2, 1), 20), (date(2026, 3, 1), 40)):
            invoice = self.invoice_at(self.customer_2, due - timedelta(days=30), due, 100)
            self.pay_at(invoice, 100, due + timedelta(days=late))
        workshop_open = self.invoice_at(self.customer_2, date(2026, 5, 21), date(2026, 6, 20), 600)
        bakery_open = self.invoice_at(self.customer, date(2026, 5, 1), date(2026, 6, 1), 400)
        result = self.kpi.expected_collection("2026-06-15")
        self.assertEqual(result["profiles"][self.customer_2.id], (20, 7.5, "customer"))
        self.assertEqual(result["profiles"][self.customer.id], (20, 7.5, "company"), "no 'bad' history: everyone's")
        expected = {row["move_id"]: row["expected"] for row in result["invoices"]}
        self.assertEqual(expected[workshop_open.id], date(2026, 7, 10))
        self.assertEqual(expected[bakery_open.id], date(2026, 6, 21))
        self.assertEqual(len(result["weeks"]), 13)
        self.assertEqual([week["amount"] for week in result["weeks"][:4]], [400, 0, 0, 600])

    def test_agent_sees_own_portfolio_and_no_future(self):
        self.invoice_at(self.customer, date(2026, 6, 1), date(2026, 7, 1), 1000)
        self.invoice_at(self.customer_2, date(2026, 6, 1), date(2026, 7, 1), 400)
        self.customer.dunning_collector_id = self.agent
        june = self.kpi.with_user(self.agent).monthly_figures("2026-06-30")["months"][-1]
        self.assertEqual(june["sales"], 1000, "only the agent's customer")
        self.assertEqual(self.kpi.monthly_figures("2026-06-30")["months"][-1]["sales"], 1400)
        with self.assertRaisesRegex(UserError, "future"):
            self.kpi.monthly_figures("2099-01-31")
