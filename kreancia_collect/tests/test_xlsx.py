import io
from datetime import date, datetime

from openpyxl import load_workbook

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import HttpCase, new_test_user, tagged

from ..reports.kreancia_xlsx_export import XLSX_MIMETYPE
from .common import KreanciaFiguresCommon

AS_OF = date(2026, 6, 15)


@tagged("post_install", "-at_install")
class TestXlsx(KreanciaFiguresCommon):
    """XLSX exports read back with openpyxl: figures, formats, totals, header."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        eur = cls.setup_other_currency("EUR", rounding=0.01, rates=[("2026-01-01", 2.0)])
        cls.invoice = cls.invoice_at(cls.customer, date(2026, 4, 1), date(2026, 5, 1), 1000)
        cls.pay_at(cls.invoice, 400, date(2026, 5, 20))
        cls.refund_at(cls.customer, date(2026, 5, 10), 200)
        cls.invoice_at(cls.customer_2, date(2026, 4, 1), date(2026, 5, 1), 300, currency_id=eur.id)
        cls.customer.dunning_collector_id = cls.agent

    def workbook(self, raw):
        return load_workbook(io.BytesIO(raw))

    def test_aged_balance_xlsx(self):
        wizard = self.env["kreancia.aged.balance.wizard"].create(
            {"as_of": AS_OF, "company_ids": [Command.set(self.company.ids)]}
        )
        book = self.workbook(self.env["kreancia.xlsx.export"].aged_balance_xlsx(wizard))
        sheet = book[self.company.name[:31]]
        self.assertEqual(sheet["A1"].value, "Aged balance")
        self.assertEqual(sheet["A2"].value, self.company.name)
        self.assertRegex(sheet["A3"].value, r"(06/15|15/06)/2026")
        self.assertIn(self.company.currency_id.name, sheet["A4"].value)
        self.assertIn("Companies:", sheet["A5"].value)
        self.assertEqual(sheet.freeze_panes, "A8")
        self.assertEqual(sheet.auto_filter.ref, "A7:M9")
        header = [cell.value for cell in sheet[7]]
        self.assertEqual(header[:5], ["Customer", "Collector", "Payer segment", "Not due", "1-30"])
        self.assertEqual(
            header[-5:], ["Open invoices", "Share in > 90", "Credit notes", "Unallocated payments", "Balance"]
        )
        workshop, bakery = ([cell.value for cell in sheet[row]] for row in (8, 9))
        self.assertEqual(workshop[0], self.customer_2.name)
        self.assertEqual(workshop[3:8], [0, 0, 150, 0, 0])
        self.assertEqual(bakery[:2], [self.customer.name, self.agent.name])
        self.assertEqual(bakery[3:], [0, 0, 600, 0, 0, 600, 0, -200, 0, 400])
        self.assertEqual(sheet["F9"].number_format.split(" ")[0], "#,##0.00")
        self.assertEqual(sheet["J9"].number_format, "0.0%")
        self.assertEqual(sheet["A10"].value, "Total")
        self.assertEqual(sheet["F10"].value, "=SUM(F8:F9)")
        self.assertEqual(sheet["M10"].value, "=SUM(M8:M9)")
        self.assertEqual(sheet.column_dimensions["A"].width, 34.7109375)

    def test_empty_selection_refused(self):
        wizard = self.env["kreancia.aged.balance.wizard"].create(
            {"as_of": AS_OF, "partner_ids": [Command.set(self.brand_address.ids)]}
        )
        with self.assertRaisesRegex(UserError, "No open item"):
            wizard.action_export_xlsx()

    def test_customer_account_in_french_dates(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        export = self.env["kreancia.xlsx.export"].with_context(lang="fr_FR")
        book = self.workbook(export.customer_account_xlsx(self.customer, "2026-06-15"))
        self.assertEqual(book.sheetnames[:1], [book.sheetnames[0]])
        self.assertEqual(len(book.sheetnames), 4, "statement, reminders, calls, commitments")
        statement = book.worksheets[0]
        rows = [[cell.value for cell in row] for row in statement.iter_rows(min_row=8, max_row=9)]
        self.assertEqual(rows[0][0], self.invoice.name)
        self.assertEqual(rows[0][2:7], [datetime(2026, 4, 1), datetime(2026, 5, 1), 45, "31-60", 600])
        self.assertEqual(rows[1][6], -200)
        self.assertEqual(statement["C8"].number_format, "dd/mm/yyyy")
        self.assertEqual(statement["G10"].value, "=SUM(G8:G9)")

    def test_kpi_xlsx_and_overview(self):
        overview = self.env["kreancia.collection.overview"].create({"as_of": AS_OF})
        self.assertIn("Open invoices", overview.aged_html)
        self.assertIn("DSO trend", overview.dso_html)
        self.assertEqual(overview.action_open_aged()["context"]["kreancia_as_of"], "2026-06-15")
        self.assertEqual(overview.action_open_to_validate()["res_model"], "kreancia.intervention")
        book = self.workbook(self.env["kreancia.xlsx.export"].kpi_xlsx(overview))
        self.assertEqual(book.sheetnames, ["DSO and CEI", "Steps", "Promises", "Calls", "Forecast"])
        dso = book["DSO and CEI"]
        self.assertEqual(dso.max_row, 6 + 12)
        june = [cell.value for cell in dso[18]]
        self.assertEqual(june[0], datetime(2026, 6, 15))
        self.assertEqual(june[2], 550, "600 + 150 - 200 on 15 June")
        forecast = book["Forecast"]
        self.assertEqual(forecast["A7"].value, datetime(2026, 6, 15))
        self.assertEqual(forecast["B20"].value, "=SUM(B7:B19)")
        self.assertEqual(
            sum(forecast.cell(row, 2).value for row in range(7, 20)), 550, "600 + 150 less the open 200 credit note"
        )


@tagged("post_install", "-at_install")
class TestXlsxDownload(KreanciaFiguresCommon, HttpCase):
    """The exports are built when the browser asks for them and streamed: nothing is stored at each click."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.invoice_at(cls.customer, date(2026, 4, 1), date(2026, 5, 1), 1000)

    def download(self, action):
        self.assertEqual((action["type"], action["target"]), ("ir.actions.act_url", "self"))
        response = self.url_open(action["url"])
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers["Content-Type"], XLSX_MIMETYPE)
        return response

    def test_downloads_are_streamed_not_stored(self):
        self.authenticate(self.manager.login, self.manager.login)
        env = self.env(user=self.manager)
        wizard = env["kreancia.aged.balance.wizard"].create({"as_of": AS_OF})
        overview = env["kreancia.collection.overview"].create({"as_of": AS_OF})
        customer = self.customer.with_env(env)
        xlsx_count = self.env["ir.attachment"].sudo().search_count([("mimetype", "=", XLSX_MIMETYPE)])
        for _click in range(3):
            aged = self.download(wizard.action_export_xlsx())
            account = self.download(customer.action_dunning_export_account_xlsx())
            kpis = self.download(overview.action_export_xlsx())
        self.assertIn("aged_balance_2026-06-15.xlsx", aged.headers["Content-Disposition"])
        self.assertEqual(load_workbook(io.BytesIO(aged.content)).sheetnames, [self.company.name[:31]])
        self.assertIn(f"account_{self.customer.id}.xlsx", account.headers["Content-Disposition"])
        self.assertEqual(load_workbook(io.BytesIO(account.content)).worksheets[0]["A8"].value, self.invoice_name())
        self.assertIn("collection_kpis_", kpis.headers["Content-Disposition"])
        self.assertEqual(len(load_workbook(io.BytesIO(kpis.content)).sheetnames), 5, "DSO, steps, promises, ...")
        records = [(wizard._name, wizard.id), (overview._name, overview.id), (customer._name, customer.id)]
        for model, res_id in records:
            attachments = self.env["ir.attachment"].sudo().search([("res_model", "=", model), ("res_id", "=", res_id)])
            self.assertFalse(attachments, f"nothing stored on {model}")
        self.assertEqual(self.env["ir.attachment"].sudo().search_count([("mimetype", "=", XLSX_MIMETYPE)]), xlsx_count)

    def invoice_name(self):
        return self.env["account.move"].search([("partner_id", "=", self.customer.id)], limit=1).name

    def test_refused_downloads(self):
        wizard = self.env["kreancia.aged.balance.wizard"].with_user(self.manager).create({"as_of": AS_OF})
        url = wizard.action_export_xlsx()["url"]
        other = new_test_user(
            self.env, login="kc_other_manager", groups="kreancia_collect.kreancia_collect_group_manager"
        )
        self.authenticate(other.login, other.login)
        self.assertEqual(self.url_open(url).status_code, 403, "another user's wizard")
        self.assertEqual(self.url_open("/kreancia_collect/xlsx/nothing/1").status_code, 404)
        self.assertEqual(self.url_open(f"/kreancia_collect/xlsx/kpi/{wizard.id + 10**6}").status_code, 404)
        elsewhere = self.env["res.company"].create({"name": "Elsewhere"})
        self.assertEqual(
            self.url_open(f"/kreancia_collect/xlsx/account/{self.customer.id}?companies={elsewhere.id}").status_code,
            403,
            "a company the user does not belong to",
        )
