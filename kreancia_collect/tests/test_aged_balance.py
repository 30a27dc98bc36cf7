import re
from datetime import date

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import KreanciaFiguresCommon

AS_OF = date(2026, 6, 15)
PAST = date(2026, 5, 31)


@tagged("post_install", "-at_install")
class TestAgedBalance(KreanciaFiguresCommon):
    """Hand-computed aged balances, today (15 June) and at a past date (31 May).

    Boulangerie: invoice 1,000 due 1 May, paid 400 on 20 May and 300 on 10 June;
    invoice 500 of 1 June due 25 June; invoice 800 due 1 February reduced by a
    100 credit note of 5 June; an open 200 credit note of 10 May.
    Atelier: invoice of 300 EUR (150 in company currency) due 1 May; a 50
    payment of 15 May allocated to nothing.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.eur = cls.setup_other_currency("EUR", rounding=0.01, rates=[("2026-01-01", 2.0)])
        cls.inv_paid = cls.invoice_at(cls.customer, date(2026, 4, 1), date(2026, 5, 1), 1000)
        cls.pay_at(cls.inv_paid, 400, date(2026, 5, 20))
        cls.pay_at(cls.inv_paid, 300, date(2026, 6, 10))
        cls.inv_not_due = cls.invoice_at(cls.customer, date(2026, 6, 1), date(2026, 6, 25), 500)
        cls.inv_old = cls.invoice_at(cls.customer, date(2026, 1, 1), date(2026, 2, 1), 800)
        cls.refund_at(cls.customer, date(2026, 6, 5), 100, invoice=cls.inv_old)
        cls.refund_open = cls.refund_at(cls.customer, date(2026, 5, 10), 200)
        cls.inv_eur = cls.invoice_at(cls.customer_2, date(2026, 4, 1), date(2026, 5, 1), 300, currency_id=cls.eur.id)
        cls.unallocated_payment(cls.customer_2, date(2026, 5, 15), 50)
        cls.report = cls.env["kreancia.aged.balance"]

    def lines(self, as_of, **kwargs):
        result = self.report.aged_balance(as_of, company_ids=self.company.ids, group_by=("partner_id",), **kwargs)[
            self.company.id
        ]
        return {key[0]: line for key, line in result.lines.items()}, result

    def test_aged_balance_today(self):
        lines, result = self.lines(fields_date(AS_OF))
        bakery, workshop = lines[self.customer.id], lines[self.customer_2.id]
        self.assertEqual(bakery.buckets, [500, 0, 300, 0, 700])
        self.assertEqual(bakery.invoiced, 1500)
        self.assertEqual(bakery.credit_notes, -200)
        self.assertEqual(bakery.payments, 0)
        self.assertEqual(bakery.net, 1300)
        self.assertAlmostEqual(bakery.share_oldest, 700 / 1500)
        self.assertEqual(workshop.buckets, [0, 0, 150, 0, 0], "300 EUR at 2 EUR per unit, 45 days late")
        self.assertEqual(workshop.payments, -50)
        self.assertEqual(workshop.net, 100)
        self.assertEqual(result.total.net, 1400)

    def test_aged_balance_at_a_past_date(self):
        """On 31 May the 300 payment, the 100 credit note and the June invoice did not exist yet."""
        lines, _result = self.lines(PAST)
        bakery, workshop = lines[self.customer.id], lines[self.customer_2.id]
        self.assertEqual(bakery.buckets, [0, 600, 0, 0, 800])
        self.assertEqual(bakery.credit_notes, -200)
        self.assertEqual(bakery.net, 1200)
        self.assertEqual(workshop.buckets, [0, 150, 0, 0, 0], "30 days late on 31 May")
        self.assertEqual(workshop.payments, -50)

    def test_report_view_agrees_with_the_tools(self):
        """The pivot's figures (SQL buckets) are the tools' figures (Python buckets)."""
        report = self.report.with_context(kreancia_as_of="2026-05-31")
        groups = report._read_group(
            [("company_id", "=", self.company.id), ("partner_id", "=", self.customer.id)],
            ["bucket_id", "kind"],
            ["amount_residual:sum"],
        )
        by_bucket = {(bucket.name, kind): amount for bucket, kind, amount in groups}
        self.assertEqual(by_bucket, {("1-30", "invoice"): 600, ("> 90", "invoice"): 800, (False, "credit_note"): -200})
        items = report.search([("partner_id", "=", self.customer.id)])
        self.assertEqual(items.move_id, self.inv_paid | self.inv_old | self.refund_open)
        paid = items.filtered(lambda item: item.move_id == self.inv_paid)
        self.assertEqual((paid.days_late, paid.amount_residual), (30, 600))

    def test_original_currency_on_demand(self):
        item = self.report.search([("move_id", "=", self.inv_eur.id)])
        self.assertEqual((item.amount_residual, item.amount_residual_currency), (150, 300))
        self.assertEqual(item.move_currency_id, self.eur)
        self.assertEqual(item.currency_id, self.company.currency_id)

    def test_one_query_for_the_items(self):
        self.env.flush_all()
        self.report.aged_balance(AS_OF, company_ids=self.company.ids)  # buckets read once
        with self.assertQueryCount(2):  # the items, the buckets
            self.report.aged_balance(AS_OF, company_ids=self.company.ids)

    def test_filters_and_dimensions(self):
        self.customer.dunning_collector_id = self.agent
        self.inv_old.dunning_dispute = True
        wizard = self.env["kreancia.aged.balance.wizard"].create(
            {"as_of": AS_OF, "company_ids": [Command.set(self.company.ids)], "dunning_state": "disputed"}
        )
        items = self.report.with_context(kreancia_as_of="2026-06-15").search(wizard._domain())
        self.assertEqual(items.move_id, self.inv_old)
        self.assertEqual(items.collector_id, self.agent)
        self.assertEqual(items.scenario_id, self.scenario, "the company default scenario")
        action = wizard.action_show()
        self.assertEqual(action["res_model"], "kreancia.aged.balance")
        self.assertEqual(action["context"]["kreancia_as_of"], "2026-06-15")
        self.assertIn("In dispute", wizard._filters_text())

    def test_customer_form_shows_its_aged_line(self):
        self.customer.invalidate_recordset(["dunning_aged_html"])
        html = str(self.customer.with_context(kreancia_as_of="2026-06-15").dunning_aged_html)
        self.assertIn("&gt; 90", html)
        amounts = re.findall(r'oe_currency_value">([^<]*)<', html)
        self.assertEqual(
            [re.sub(r"\D", "", amount) for amount in amounts],
            ["50000", "000", "30000", "000", "70000", "150000", "20000", "000", "130000"],
            "buckets, open invoices, credit notes (negative), payments, balance",
        )
        action = self.customer.action_dunning_open_items()
        self.assertEqual(action["domain"], [("partner_id", "=", self.customer.id)])

    # ------------------------------------------------------------------
    # Bad input
    # ------------------------------------------------------------------
    def test_future_date_refused(self):
        with self.assertRaisesRegex(UserError, "in the future"):
            self.report.aged_balance(date(2099, 1, 1))
        wizard = self.env["kreancia.aged.balance.wizard"].create({"as_of": date(2099, 1, 1)})
        with self.assertRaisesRegex(UserError, "in the future"):
            wizard.action_show()

    def test_empty_selection_refused(self):
        wizard = self.env["kreancia.aged.balance.wizard"].create(
            {"as_of": AS_OF, "partner_ids": [Command.set(self.brand_address.ids)]}
        )
        with self.assertRaisesRegex(UserError, "No open item"):
            wizard.action_show()

    def assertRefused(self, pattern, values, bucket):
        with self.assertRaises(ValidationError) as caught:  # rolls the refused write back
            bucket.write(values)
        self.assertRegex(str(caught.exception), pattern)

    def test_bucket_configurations_refused(self):
        buckets = self.env["kreancia.aging.bucket"]._company_buckets(self.company).sorted("sequence")
        self.assertRefused("overlap: 1 to 40 and 31 to 60 days", {"days_to": 40}, buckets[1])
        self.assertRefused("leave a hole: nothing from 31 to 40 days", {"days_from": 41}, buckets[2])
        self.assertRefused("more than 120 days late", {"days_to_set": True, "days_to": 120}, buckets[4])
        self.assertRefused("less than -30 days late", {"days_from_set": True, "days_from": -30}, buckets[0])
        self.assertRefused(r"ends \(20 days\) before it starts \(31 days\)", {"days_to": 20}, buckets[2])
        with self.assertRaises(ValidationError):
            buckets[2].unlink()
        # a consistent change in one save is accepted: 1-45, 46-60
        self.company.write(
            {"kreancia_aging_bucket_ids": [Command.update(buckets[1].id, {"days_to": 45, "name": "1-45"}),
                                           Command.update(buckets[2].id, {"days_from": 46, "name": "46-60"})]}
        )  # fmt: skip
        lines, _result = self.lines(AS_OF)
        self.assertEqual(lines[self.customer_2.id].buckets, [0, 150, 0, 0, 0], "45 days late is now in 1-45")


@tagged("post_install", "-at_install")
class TestAgedBalanceAccess(KreanciaFiguresCommon):
    """Agents see their portfolio, managers every customer of their companies."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.setup_other_company(name="Company B")["company"]
        cls.invoice_at(cls.customer, date(2026, 5, 1), date(2026, 5, 31), 1000)
        cls.invoice_at(cls.customer_2, date(2026, 5, 1), date(2026, 5, 31), 400)
        cls.invoice_at(
            cls.customer,
            date(2026, 5, 1),
            date(2026, 5, 1),
            700,
            company_id=cls.company_b.id,
            journal_id=cls.company_data_2["default_journal_sale"].id,
        )
        cls.customer.dunning_collector_id = cls.agent
        cls.manager.write({"company_ids": [Command.link(cls.company_b.id)]})

    @classmethod
    def setup_other_company(cls, **kwargs):
        data = super().setup_other_company(**kwargs)
        cls.company_data_2 = data
        return data

    def test_agent_sees_own_portfolio(self):
        result = (
            self.env["kreancia.aged.balance"]
            .with_user(self.agent)
            .aged_balance(AS_OF, company_ids=self.company.ids, group_by=("partner_id",))
        )
        self.assertEqual(list(result[self.company.id].lines), [(self.customer.id,)])
        self.assertEqual(result[self.company.id].total.buckets, [0, 1000, 0, 0, 0])

    def test_manager_sees_every_company_with_its_buckets(self):
        buckets_b = self.env["kreancia.aging.bucket"]._company_buckets(self.company_b).sorted("sequence")
        self.company_b.write(
            {
                "kreancia_aging_bucket_ids": [
                    Command.delete(buckets_b[2].id),
                    Command.delete(buckets_b[3].id),
                    Command.delete(buckets_b[4].id),
                    Command.update(buckets_b[1].id, {"days_to_set": False, "name": "Overdue"}),
                ]
            }
        )
        result = (
            self.env["kreancia.aged.balance"]
            .with_user(self.manager)
            .aged_balance(AS_OF, company_ids=(self.company | self.company_b).ids)
        )
        self.assertEqual(result[self.company.id].total.buckets, [0, 1400, 0, 0, 0])
        self.assertEqual(result[self.company_b.id].total.buckets, [0, 700], "Company B: not due, overdue")

    def test_company_not_allowed_refused(self):
        with self.assertRaisesRegex(AccessError, "Company B"):
            self.env["kreancia.aged.balance"].with_user(self.agent).aged_balance(AS_OF, company_ids=self.company_b.ids)
        other = new_test_user(self.env, login="kc_plain", groups="base.group_user", company_id=self.company.id)
        with self.assertRaises(AccessError):
            self.env["kreancia.aged.balance"].with_user(other).search([])


def fields_date(value):
    return value.isoformat()
