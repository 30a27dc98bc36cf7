import io
import re
from datetime import date, timedelta

from lxml import html as lxml_html
from openpyxl import load_workbook

from odoo import Command, fields
from odoo.tests import BaseCase, tagged
from odoo.tools import format_date

from odoo.addons.kreancia_collect.tools import kpi
from odoo.addons.kreancia_collect.tools.xlsx import Book, Column

from .common import KreanciaFiguresCommon

AS_OF = date(2026, 6, 15)


def workbook(raw):
    return load_workbook(io.BytesIO(raw))


def html_tables(markup):
    """Rows of each table of ``markup`` as lists of cell texts (header row first)."""
    tree = lxml_html.fromstring(f"<div>{markup}</div>")
    return [
        [[cell.text_content().strip() for cell in row.xpath("./th|./td")] for row in table.xpath(".//tr")]
        for table in tree.xpath(".//table")
    ]


@tagged("post_install", "-at_install")
class TestDefaultPayerSegment(KreanciaFiguresCommon):
    """A customer nobody classified is a "Normal debtor", as Odoo shows it, in the run and in every figure.

    Odoo stores nothing in ``res_partner.trust`` until someone edits it, and
    reads the field's default (``ir.default``: "normal") instead.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.newcomer = cls._make_customer("Fromagerie Test SARL", "compta@fromagerie.example.com")
        cls.newcomer.write({"dunning_collector_id": cls.agent.id, "phone": "+33 4 78 00 00 01"})
        cls.normal_scenario = cls.env["kreancia.scenario"].create(
            {
                "name": "Normal payers",
                "company_id": cls.company.id,
                "trust": "normal",
                "step_ids": [
                    Command.create(
                        {
                            "name": "Normal payer reminder",
                            "delay_days": 0,
                            "channel": "email",
                            "mail_template_id": cls.template_courteous.id,
                        }
                    )
                ],
            }
        )

    def stored_trust(self, partner):
        self.env.flush_all()
        self.env.cr.execute("SELECT trust FROM res_partner WHERE id = %s", [partner.id])
        return self.env.cr.fetchone()[0]

    def test_run_aged_balance_and_call_list_agree_on_a_never_edited_customer(self):
        invoice = self.make_invoice(self.newcomer, 3, 2000)
        self.assertIsNone(self.stored_trust(self.newcomer), "never edited: nothing stored")
        self.assertEqual(self.newcomer.with_company(self.company).trust, "normal", "what Odoo shows")

        # the aged balance, as the manager and as the agent whose customer it is
        for user in (self.manager, self.agent):
            report = self.env(user=user)["kreancia.aged.balance"].with_context(kreancia_as_of="2026-06-15")
            item = report.search([("move_id", "=", invoice.id)])
            self.assertEqual(item.trust, "normal")
            self.assertEqual(item.scenario_id, self.normal_scenario, "the normal payers' scenario, not the default")
        wizard = self.env(user=self.manager)["kreancia.aged.balance.wizard"].create({"as_of": AS_OF, "trust": "normal"})
        items = self.env(user=self.manager)["kreancia.aged.balance"].with_context(kreancia_as_of="2026-06-15")
        self.assertIn(invoice, items.search(wizard._domain()).move_id, "the 'Normal Debtor' filter keeps it")
        by_segment = dict(
            items._read_group([("partner_id", "=", self.newcomer.id)], ["trust"], ["amount_residual:sum"])
        )
        self.assertEqual(by_segment, {"normal": 2000})

        # the call list: 5 points of payer segment, as the header documents
        self.newcomer.activity_schedule(
            "mail.mail_activity_data_call", user_id=self.agent.id, summary="Collection call"
        )
        row = self.env(user=self.agent)["kreancia.worklist"].search([("partner_id", "=", self.newcomer.id)])
        self.assertEqual(row.priority_segment, 5)
        self.assertIn("normal debtor 5", row.priority_explained)

        # the run: the scenario of normal payers speaks
        self.assertEqual(invoice.dunning_effective_scenario_id, self.normal_scenario)
        self.run_escalation()
        self.assertEqual(invoice.dunning_step_id, self.normal_scenario.step_ids)
        self.assertEqual(self.interventions(self.newcomer).step_id, self.normal_scenario.step_ids)

    def test_a_segment_chosen_or_emptied_by_hand_is_kept(self):
        bad, emptied = self.customer, self.customer_2
        bad.with_company(self.company).trust = "bad"
        emptied.with_company(self.company).trust = False  # stored as an explicit "none" by Odoo
        invoices = self.make_invoice(bad, 3) | self.make_invoice(emptied, 3)
        items = self.env["kreancia.aged.balance"].with_context(kreancia_as_of="2026-06-15")
        segments = {item.partner_id: item.trust for item in items.search([("move_id", "in", invoices.ids)])}
        self.assertEqual(segments, {bad: "bad", emptied: False})
        self.assertEqual(
            segments, {partner: partner.with_company(self.company).trust for partner in (bad | emptied)}, "as Odoo"
        )

    def test_a_company_default_of_its_own(self):
        """Company B made its customers good debtors by default (Odoo's "set default"): B's figures say so."""
        company_data = self.setup_other_company(name="Company B")
        company_b = company_data["company"]
        self.env["ir.default"].set("res.partner", "trust", "good", company_id=company_b.id)
        self.manager.write({"company_ids": [Command.link(company_b.id)]})
        invoice_a = self.make_invoice(self.newcomer, 3)
        invoice_b = self.invoice_at(
            self.newcomer, date(2026, 5, 1), date(2026, 5, 1), 300, company_id=company_b.id,
            journal_id=company_data["default_journal_sale"].id,
        )  # fmt: skip
        report = self.env(user=self.manager)["kreancia.aged.balance"].with_context(
            kreancia_as_of="2026-06-15", allowed_company_ids=[self.company.id, company_b.id]
        )
        items = report.search([("move_id", "in", (invoice_a | invoice_b).ids)])
        segments = {item.company_id: item.trust for item in items}
        self.assertEqual(segments, {self.company: "normal", company_b: "good"})
        self.assertEqual(self.newcomer.with_company(company_b).trust, "good", "as Odoo shows it in B")

    def test_forecast_falls_back_on_the_segment_of_never_edited_customers(self):
        """Boulangerie (never edited) pays 10 days late; Fromagerie (never edited) has no history: 10 days too."""
        late_payer = self._make_customer("Late Payer SA", "compta@late.example.com")
        late_payer.with_company(self.company).trust = "bad"
        for due in (date(2026, 2, 1), date(2026, 3, 1), date(2026, 4, 1)):
            self.pay_at(self.invoice_at(self.customer, due - timedelta(days=30), due, 100), 100, due + timedelta(10))
            self.pay_at(self.invoice_at(late_payer, due - timedelta(days=30), due, 100), 100, due + timedelta(60))
        self.invoice_at(self.newcomer, date(2026, 5, 20), date(2026, 6, 20), 500)
        result = self.env(user=self.manager)["kreancia.kpi"].expected_collection("2026-06-15")
        self.assertEqual(result["profiles"][self.newcomer.id], (10, 0.0, "segment"), "the normal payers' delay")
        (row,) = [row for row in result["invoices"] if row["partner_id"] == self.newcomer.id]
        self.assertEqual(row["expected"], date(2026, 6, 30))


@tagged("post_install", "-at_install")
class TestFiguresFixes(KreanciaFiguresCommon):
    """The figures a user reads: at two dates, the forecast, XLSX totals, the overview in French."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.eur = cls.setup_other_currency("EUR", rounding=0.01, rates=[("2026-01-01", 2.0)])
        cls.report = cls.env["kreancia.aged.balance"]

    # ------------------------------------------------------------------
    # Two dates in one transaction
    # ------------------------------------------------------------------
    def test_two_dates_in_one_transaction(self):
        """1,000 due 1 May, 400 paid on 20 May: 9 days late and 1,000 open on 10 May; 45 days and 600 on 15 June."""
        invoice = self.invoice_at(self.customer, date(2026, 4, 1), date(2026, 5, 1), 1000)
        self.pay_at(invoice, 400, date(2026, 5, 20))
        report = self.env(user=self.manager)["kreancia.aged.balance"]
        readings = {}
        for as_of in ("2026-05-10", "2026-06-15"):
            items = report.with_context(kreancia_as_of=as_of).search([("move_id", "=", invoice.id)])
            readings[as_of] = (items.days_late, items.amount_residual, items.bucket_id.name)
        self.assertEqual(readings, {"2026-05-10": (9, 1000, "1-30"), "2026-06-15": (45, 600, "31-60")})
        listed = {
            as_of: report.with_context(kreancia_as_of=as_of).search_read(
                [("move_id", "=", invoice.id)], ["days_late", "amount_residual"]
            )
            for as_of in ("2026-05-10", "2026-06-15")
        }
        self.assertEqual(
            [(rows[0]["days_late"], rows[0]["amount_residual"]) for rows in listed.values()], [(9, 1000), (45, 600)]
        )
        # the customer's account downloaded at both dates
        export = self.env(user=self.manager)["kreancia.xlsx.export"]
        days_late = [
            workbook(export.customer_account_xlsx(self.customer, as_of)).worksheets[0]["E8"].value
            for as_of in ("2026-05-10", "2026-06-15")
        ]
        self.assertEqual(days_late, [9, 45])

    def test_aged_balance_window_names_its_date(self):
        action = self.env(user=self.manager)["kreancia.aged.balance.wizard"].create({"as_of": date(2026, 5, 31)})
        self.invoice_at(self.customer, date(2026, 4, 1), date(2026, 5, 1), 1000)
        action = action.action_show()
        self.assertEqual(action["context"]["kreancia_as_of"], "2026-05-31")
        self.assertEqual(
            action["display_name"],
            f"Aged balance at {format_date(self.env, date(2026, 5, 31))}",
            "the title the web client shows",
        )
        self.assertEqual(action["name"], action["display_name"])
        # the menu's window: today's date in its title and pinned in its context
        today = fields.Date.context_today(self.env.user)
        menu = self.env.ref("kreancia_collect.menu_kreancia_aged_balance")
        action = menu.action.with_user(self.agent).with_context(lang="en_US").run()
        self.assertEqual(action["res_model"], "kreancia.aged.balance")
        self.assertEqual(action["display_name"], f"Aged balance at {format_date(self.env, today)}")
        self.assertEqual(action["context"]["kreancia_as_of"], fields.Date.to_string(today))

    # ------------------------------------------------------------------
    # Forecast
    # ------------------------------------------------------------------
    def test_forecast_deducts_open_credit_notes_and_payments(self):
        """Boulangerie: 600 + 300 EUR (150) open, a 200 credit note: 550 to collect.
        Atelier: 100 open, 150 paid on account: nothing to collect (never negative)."""
        self.invoice_at(self.customer, date(2026, 5, 20), date(2026, 6, 20), 600)
        self.invoice_at(self.customer, date(2026, 6, 1), date(2026, 7, 1), 300, currency_id=self.eur.id)
        self.refund_at(self.customer, date(2026, 6, 5), 200)
        self.invoice_at(self.customer_2, date(2026, 5, 20), date(2026, 6, 25), 100)
        self.unallocated_payment(self.customer_2, date(2026, 6, 10), 150)
        result = self.env(user=self.manager)["kreancia.kpi"].expected_collection("2026-06-15")
        weeks = [week["amount"] for week in result["weeks"]]
        self.assertEqual(sum(weeks), 550, "open invoices 850 less the 200 credit note; Atelier owes nothing")
        self.assertEqual(weeks[:3], [400, 0, 150], "the credit note settles the first invoice expected")
        to_collect = {(row["partner_id"], row["amount"]): row["to_collect"] for row in result["invoices"]}
        self.assertEqual(
            to_collect,
            {(self.customer.id, 600): 400, (self.customer.id, 150): 150, (self.customer_2.id, 100): 0},
        )

    # ------------------------------------------------------------------
    # XLSX totals
    # ------------------------------------------------------------------
    def assertNoSelfReference(self, book):
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    if isinstance(cell.value, str) and cell.value.startswith("="):
                        last = re.search(r"[A-Z]+\d+:([A-Z]+\d+)", cell.value).group(1)
                        self.assertLess(
                            sheet[last].row, cell.row, f"{sheet.title}!{cell.coordinate} {cell.value} sums itself"
                        )

    def test_xlsx_empty_tables_have_no_total(self):
        self.invoice_at(self.customer, date(2026, 4, 1), date(2026, 5, 1), 1000)
        overview = self.env(user=self.manager)["kreancia.collection.overview"].create({"as_of": AS_OF})
        book = workbook(self.env(user=self.manager)["kreancia.xlsx.export"].kpi_xlsx(overview))
        self.assertNoSelfReference(book)
        for name in ("Steps", "Promises", "Calls"):
            sheet = book[name]
            self.assertEqual(sheet.max_row, 6, f"{name}: header lines, a blank line and the column titles only")
            self.assertNotEqual(sheet["A7"].value, "Total")
        self.assertEqual(book["Forecast"]["B20"].value, "=SUM(B7:B19)", "a table with rows keeps its total")

    def test_xlsx_statement_does_not_sum_days_late(self):
        self.customer.dunning_collector_id = self.agent
        first = self.invoice_at(self.customer, date(2026, 4, 1), date(2026, 5, 1), 1000)
        self.invoice_at(self.customer, date(2026, 4, 1), date(2026, 6, 1), 250, currency_id=self.eur.id)
        self.pay_at(first, 400, date(2026, 5, 20))
        raw = self.env(user=self.agent)["kreancia.xlsx.export"].customer_account_xlsx(self.customer, "2026-06-15")
        book = workbook(raw)
        self.assertNoSelfReference(book)
        statement = book.worksheets[0]
        self.assertEqual([statement["E8"].value, statement["E9"].value], [45, 14])
        self.assertEqual(statement["A10"].value, "Total")
        self.assertIsNone(statement["E10"].value, "days late do not add up")
        self.assertEqual(statement["G10"].value, "=SUM(G8:G9)")
        self.assertEqual([statement["G8"].value, statement["G9"].value], [600, 125])

    # ------------------------------------------------------------------
    # The overview in the user's language
    # ------------------------------------------------------------------
    def french_overview(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.manager.lang = "fr_FR"
        # open invoices 2,000: 1,062 not due, 150 (300 EUR) 45 days late, 188 + 2 x 300 over 90 days late:
        # 39.4 % in the oldest bucket
        self.invoice_at(self.customer, date(2026, 6, 1), date(2026, 7, 1), 1062)
        paid = self.invoice_at(self.customer, date(2026, 1, 2), date(2026, 2, 1), 1188)
        self.pay_at(paid, 1000, date(2026, 3, 1))
        self.invoice_at(self.customer_2, date(2026, 4, 1), date(2026, 5, 1), 300, currency_id=self.eur.id)
        invoices = [self.invoice_at(self.customer_2, date(2026, 2, 1), date(2026, 2, 28), 300) for _ in range(3)]
        self.env["kreancia.intervention"].create(
            {
                "date": date(2026, 3, 1),
                "partner_id": self.customer_2.id,
                "step_id": self.step_firm.id,
                "channel": "email",
                "move_ids": [Command.set([inv.id for inv in invoices])],
                "line_ids": [
                    Command.create({"move_id": inv.id, "step_id": self.step_firm.id,
                                    "currency_id": inv.currency_id.id, "amount_residual": 300})
                    for inv in invoices
                ],
            }
        )  # fmt: skip
        self.pay_at(invoices[0], 300, date(2026, 3, 5))
        env = self.env(user=self.manager, context={"lang": "fr_FR"})
        return env["kreancia.collection.overview"].create({"as_of": AS_OF})

    def test_overview_in_french(self):
        overview = self.french_overview()
        markup = "".join(
            str(overview[name]) for name in ("aged_html", "dso_html", "effectiveness_html", "forecast_html")
        )
        text = lxml_html.fromstring(f"<div>{markup}</div>").text_content()
        self.assertIn("Non échu", text)
        self.assertNotIn("Not due", text)
        self.assertIn("39,4\N{NO-BREAK SPACE}%", text)
        self.assertIn("juin 2026", text)
        self.assertNotRegex(text, r"\d\.\d", "no English decimal point")
        self.assertNotRegex(text, r"\bNone\b|\bFalse\b")
        tables = html_tables(markup)
        self.assertGreaterEqual(len(tables), 6)
        for table in tables:
            self.assertEqual({len(row) for row in table}, {len(table[0])}, f"every row fills every column: {table}")
        (step_row,) = tables[2][1:]
        self.assertEqual(step_row[2], "", "no brand: an empty cell, the others keep their columns")
        self.assertEqual(step_row[3], "3")
        self.assertRegex(step_row[4], "^33\N{NO-BREAK SPACE}% \\(33\N{NO-BREAK SPACE}% .+\\)$", "both shares formatted")

    def test_overview_in_english_keeps_english_formats(self):
        self.env["res.lang"]._activate_lang("en_US")
        overview = self.french_overview()
        overview = overview.with_user(self.manager).with_context(lang="en_US")
        overview.invalidate_recordset(["aged_html"])
        text = lxml_html.fromstring(f"<div>{overview.aged_html}</div>").text_content()
        self.assertIn("Not due", text)
        self.assertIn("39.4%", text)
        overview.invalidate_recordset(["effectiveness_html"])
        (step_row,) = html_tables(overview.effectiveness_html)[0][1:]
        self.assertEqual(step_row[4], "33% (33% of the amount)")

    def test_default_buckets_follow_languages(self):
        """Buckets created before a language was loaded, or by an upgrade, get their name in that language."""
        self.env["res.lang"]._activate_lang("fr_FR")
        company_b = self.setup_other_company(name="Company B")["company"]
        buckets = self.env["kreancia.aging.bucket"]._company_buckets(company_b).sorted("sequence")
        self.assertEqual(buckets.with_context(lang="fr_FR").mapped("name")[:2], ["Non échu", "1-30"])
        self.assertEqual(buckets.with_context(lang="en_US").mapped("name")[:2], ["Not due", "1-30"])
        # a language loaded later, and a manager's own wording kept
        for bucket in buckets:
            bucket.update_field_translations("name", {"fr_FR": False})
        buckets[4].with_context(lang="fr_FR").name = "Plus de 90 jours"
        self.assertEqual(buckets[0].with_context(lang="fr_FR").name, "Not due")
        self.env["ir.module.module"]._load_module_terms(["kreancia_collect"], ["fr_FR"])
        self.assertEqual(buckets[0].with_context(lang="fr_FR").name, "Non échu")
        self.assertEqual(buckets[4].with_context(lang="fr_FR").name, "Plus de 90 jours")
        # an upgrade of a database whose buckets were never translated
        buckets[0].update_field_translations("name", {"fr_FR": False})
        self.env["kreancia.aging.bucket"]._ensure_all_companies()
        self.assertEqual(buckets[0].with_context(lang="fr_FR").name, "Non échu")


class TestFiguresTools(BaseCase):
    def test_credits_settle_the_first_amounts(self):
        table = [
            # amounts in expected order, credit, amounts left to collect
            ([600.0, 150.0], 200.0, [400.0, 150.0]),
            ([600.0, 150.0], 700.0, [0.0, 50.0]),
            ([100.0], 150.0, [0.0]),
            ([100.0, 50.0], 0.0, [100.0, 50.0]),
            ([], 80.0, []),
        ]
        for amounts, credit, expected in table:
            with self.subTest(amounts=amounts, credit=credit):
                self.assertEqual(kpi.deduct_credits(amounts, credit), expected)

    def test_empty_table_and_non_additive_column(self):
        book = Book()
        columns = [Column("Customer"), Column("Amount", "amount"), Column("Days late", "int", total=False)]
        book.table("Empty", ["Empty"], columns, [], total_label="Total")
        book.table("Two rows", ["Two"], columns, [["A", 10.0, 3], ["B", 5.0, 40]], total_label="Total")
        sheets = workbook(book.close()).worksheets
        self.assertEqual(sheets[0].max_row, 3, "title, blank, column titles: no total row")
        self.assertEqual([cell.value for cell in sheets[1][6]], ["Total", "=SUM(B4:B5)", None])
