import io
import zipfile
from datetime import date, timedelta

import openpyxl
from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import BaseCase, new_test_user, tagged
from odoo.tools import format_amount

from ..tools.order_for_payment import Invoice, Notice, Party, Refusal, competent_court, prepare_request
from .common import KreanciaCommon, pdf_text

CREDITOR = Party("Créancier SAS", "732829320", "1 quai du Port, 69002 Lyon", "Lyon")
DEBTOR = Party("Boulangerie SARL", "552100554", "12 rue de la République, 69100 Villeurbanne", "Villeurbanne")
TODAY = date(2026, 6, 15)


def invoice(reference="INV/1", principal=1000.0, interest=0.0, indemnity=0.0, due=date(2026, 3, 31), **values):
    return Invoice(reference, due - timedelta(days=30), due, principal, interest, indemnity, **values)


def notice(*references, posted=date(2026, 4, 20), number="1A 111 222 3333 4"):
    return Notice("FN/1", posted, number, references)


class TestOrderForPaymentRule(BaseCase):
    """The request's content and refusals, from plain data (hand-computed figures, as in DOMAIN.md)."""

    def test_refusals(self):
        barred = invoice(limitation_date=date(2026, 6, 14))
        cases = [
            # (label, debtor, invoices, notices, expected refusals)
            ("noticed, not barred", DEBTOR, [invoice()], [notice("INV/1")], ()),
            (
                "limitation date is today: still claimable",
                DEBTOR,
                [invoice(limitation_date=TODAY)],
                [notice("INV/1")],
                (),
            ),
            ("unknown limitation date refuses nothing", DEBTOR, [invoice(limitation_date=None)], [notice("INV/1")], ()),
            ("no notice at all", DEBTOR, [invoice()], [], (Refusal("no_notice", ("INV/1",)),)),
            (
                "a notice for another invoice only",
                DEBTOR,
                [invoice(), invoice("INV/2")],
                [notice("INV/2")],
                (Refusal("no_notice", ("INV/1",)),),
            ),
            ("time-barred the day before", DEBTOR, [barred], [notice("INV/1")], (Refusal("time_barred", ("INV/1",)),)),
            (
                "both reasons, each with its invoices",
                DEBTOR,
                [barred, invoice("INV/2")],
                [notice("INV/1")],
                (Refusal("no_notice", ("INV/2",)), Refusal("time_barred", ("INV/1",))),
            ),
            ("no seat: no court", DEBTOR._replace(city=" "), [invoice()], [notice("INV/1")], (Refusal("no_seat"),)),
            ("nothing to claim", DEBTOR, [], [], (Refusal("no_invoice"),)),
        ]
        for label, debtor, invoices, notices, expected in cases:
            with self.subTest(label):
                self.assertEqual(prepare_request(CREDITOR, debtor, invoices, notices, TODAY).refusals, expected)

    def test_court(self):
        cases = [
            ("trader", DEBTOR, ("commercial", "Tribunal de commerce de Villeurbanne")),
            ("consumer", DEBTOR._replace(trader=False), ("judicial", "Tribunal judiciaire de Villeurbanne")),
            ("city with blanks", DEBTOR._replace(city=" Lyon "), ("commercial", "Tribunal de commerce de Lyon")),
        ]
        for label, debtor, (kind, name) in cases:
            with self.subTest(label):
                court = competent_court(debtor)
                self.assertEqual((court.kind, court.name), (kind, name))

    def test_amounts_and_basis(self):
        # 1,000.00 due 31 March, 30 days at 12.15 %: 9.99 + 40.00; 500.00 due 15 April, 15 days: 2.50 + 40.00;
        # an open credit note of 100.00 deducted: 1,500.00 - 100.00 + 12.49 + 80.00 = 1,492.49
        invoices = [
            invoice("INV/2", 500.0, 2.50, 40.0, due=date(2026, 4, 15), interest_until=date(2026, 4, 30)),
            invoice("INV/1", 1000.0, 9.99, 40.0, rates=((2026, 1, 12.15),), interest_until=date(2026, 4, 30)),
        ]
        request = prepare_request(CREDITOR, DEBTOR, invoices, [notice("INV/1", "INV/2")], TODAY, credit=100.0)
        self.assertEqual(
            request.totals,
            {"principal": 1500.0, "credit": 100.0, "interest": 12.49, "indemnity": 80.0, "total": 1492.49},
        )
        self.assertEqual([row.reference for row in request.rows], ["INV/1", "INV/2"], "oldest due first")
        first = request.rows[0]
        self.assertEqual(
            (first.interest_from, first.interest_until, first.rates, first.total, first.notices),
            (date(2026, 4, 1), date(2026, 4, 30), ((2026, 1, 12.15),), 1049.99, ("FN/1",)),
        )
        self.assertEqual(
            request.basis,
            (
                ("principal", ("C. civ. 1103", "C. civ. 1353")),
                ("interest", ("C. com. L441-10 II",)),
                ("indemnity", ("C. com. L441-10 II", "C. com. D441-5")),
                ("procedure", ("C. pr. civ. 1405", "C. pr. civ. 1406", "C. pr. civ. 1407")),
            ),
        )
        consumer = prepare_request(CREDITOR, DEBTOR._replace(trader=False), [invoice(interest=5.0)], [], TODAY)
        self.assertEqual(consumer.basis[1], ("interest", ("C. civ. 1231-6", "C. civ. 1344-1")))
        self.assertNotIn("indemnity", dict(consumer.basis), "no indemnity claimed, no basis for it")

    def test_documents(self):
        request = prepare_request(
            CREDITOR,
            DEBTOR,
            [invoice("INV/1"), invoice("INV/2", due=date(2026, 4, 30))],
            [notice("INV/1", "INV/2"), Notice("FN/9", date(2026, 1, 5), "1A 9", ("INV/OTHER",))],
            TODAY,
            terms="General terms",
        )
        self.assertEqual(
            [
                (document.kind, document.reference, document.date, document.tracking_number)
                for document in request.documents
            ],
            [
                ("invoice", "INV/1", date(2026, 3, 1), ""),
                ("invoice", "INV/2", date(2026, 3, 31), ""),
                ("notice", "FN/1", date(2026, 4, 20), "1A 111 222 3333 4"),
                ("statement", "", None, ""),
                ("terms", "General terms", None, ""),
            ],
            "each invoice, the notices that claimed them (not another invoice's), the statement, the terms",
        )


@tagged("post_install", "-at_install")
class TestOrderForPayment(KreanciaCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({"company_registry": "732829320", "street": "1 quai du Port", "zip": "69002", "city": "Lyon"})
        cls.company.partner_id.lang = "en_US"  # the request speaks its creditor's language
        foreign_code = "GBP" if cls.company.currency_id.name != "GBP" else "CHF"
        cls.foreign = cls.setup_other_currency(foreign_code, rounding=0.01, rates=[("2020-01-01", 2.0)])
        cls.agency = cls.env["res.partner"].create(
            {"name": "Cabinet Avocat Test", "is_company": True, "email": "avocat@cabinet.example.com"}
        )
        cls.flow = cls.env["kreancia.scenario"].create(
            {
                "name": "Notice then lawyer",
                "company_id": cls.company.id,
                "min_gap_days": 3,
                "step_ids": [
                    Command.create(
                        {"name": "Notice", "delay_days": 20, "channel": "formal_notice", "deadline_days": 8}
                    ),
                    Command.create(
                        {
                            "name": "Lawyer",
                            "delay_days": 30,
                            "channel": "handover",
                            "handover_partner_id": cls.agency.id,
                        }
                    ),
                ],
            }
        )
        cls.customer.write(
            {"dunning_scenario_id": cls.flow.id, "company_registry": "552100554", "vat": "FR40552100554"}
        )
        cls.give_postal_addresses(cls.customer)
        cls.customer.city = "Villeurbanne"

    def _case_after_notice(self):
        """Two invoices (one in a foreign currency) 30 days late: a formal notice posted, then handed over."""
        invoices = self.make_invoice(self.customer, 30, 1000.0) | self.make_invoice(
            self.customer, 30, 500.0, currency_id=self.foreign.id
        )
        self.run_escalation(days=-10)
        notice = self.interventions(self.customer).filtered(lambda i: i.channel == "formal_notice")
        self.assertTrue(notice.attachment_id, notice.error)
        self.env["kreancia.intervention.mark.posted"].with_context(
            active_model="kreancia.intervention", active_ids=notice.ids
        ).create({"posted_date": self.days(-9), "tracking_number": "1A 111 222 3333 4"}).action_confirm()
        self.run_escalation()
        case = self.env["kreancia.case"].search([("partner_id", "=", self.customer.id)])
        self.assertEqual(case.line_ids.move_id, invoices)
        return case, notice

    def _case_by_hand(self, partner, *invoices):
        partner.city = partner.city or "Lyon"
        moves = self.env["account.move"].union(*invoices)
        return self.env["kreancia.case"]._open_cases(moves, {"agency_id": self.agency.id}, day=self.today)

    def test_request_prints_parties_amounts_and_notice(self):
        case, notice = self._case_after_notice()
        action = case.with_user(self.manager).action_order_payment_request()
        pdf, xlsx = case.order_payment_pdf_id, case.order_payment_xlsx_id
        self.assertEqual(action["url"], f"/web/content/{pdf.id}?download=true", "the request is downloaded at once")
        self.assertEqual((pdf.res_model, pdf.res_id), ("kreancia.case", case.id))
        text = " ".join(pdf_text(pdf.raw).split())
        money = case.currency_id

        def amount(value):
            return " ".join(format_amount(self.env, value, money).split())

        for fragment in (
            "Request for an order for payment",
            "Tribunal de commerce de Villeurbanne",
            self.company.name,
            "SIREN: 732829320",
            "Boulangerie Test SARL",
            "SIREN: 552100554",
            "12 rue de la République, 69002 Villeurbanne",
            amount(case.amount_principal),
            amount(case.amount_interest),
            amount(case.amount_indemnity),
            amount(case.amount_claimed),
            "C. com. L441-10 II, C. com. D441-5",
            f"Formal notice {notice.name} sent by registered mail no. 1A 111 222 3333 4",
            "Statement of account",
            "Signature",
        ):
            self.assertIn(fragment, text)
        for move in case.line_ids.move_id:
            self.assertIn(f"Invoice {move.name} of", text)

        book = openpyxl.load_workbook(io.BytesIO(xlsx.raw))
        parties = list(book["Parties"].values)
        self.assertEqual(parties[0], ("Partie", "Dénomination", "SIREN", "Adresse du siège", "Ville"))
        self.assertEqual(parties[1][:3], ("Créancier", self.company.name, "732829320"))
        self.assertEqual(parties[2][:3], ("Débiteur", "Boulangerie Test SARL", "552100554"))
        header, values = book["Requête"].values
        claim = dict(zip(header, values, strict=True))
        self.assertAlmostEqual(claim["Montant principal"], case.amount_principal, places=2)
        self.assertAlmostEqual(claim["Intérêts"], case.amount_interest, places=2)
        self.assertAlmostEqual(claim["Indemnités"], case.amount_indemnity, places=2)
        self.assertAlmostEqual(claim["Total"], case.amount_claimed, places=2)
        self.assertIn("1A 111 222 3333 4", claim["Pièces justificatives"])
        header, *rows = book["Factures"].values
        self.assertEqual(len(rows), 2, "one row per invoice")
        invoices = [dict(zip(header, row, strict=True)) for row in rows]
        self.assertAlmostEqual(sum(row["Montant principal"] for row in invoices), case.amount_principal, places=2)
        foreign = next(row for row in invoices if row["Devise de la facture"] == self.foreign.name)
        self.assertAlmostEqual(foreign["Montant en devise"], 500.0)
        self.assertAlmostEqual(foreign["Montant principal"], 250.0, msg="in the company's currency")

        # named in the case file's language (the creditor's): French here, English without the translations
        files = zipfile.ZipFile(io.BytesIO(case._case_files()[case.id])).namelist()
        label = case.with_context(lang=case._file_lang()).env._("Order for payment request")
        self.assertIn(f"07 {label}.pdf", files)
        self.assertIn(f"07 {label}.xlsx", files)

    def test_refused_without_formal_notice(self):
        invoice = self.make_invoice(self.customer_2, 40, 700.0)
        case = self._case_by_hand(self.customer_2, invoice)
        with self.refused(
            UserError, f"No formal notice was sent by registered mail for these invoices: {invoice.name}"
        ):
            case.with_user(self.manager).action_order_payment_request()
        self.assertFalse(case.order_payment_pdf_id)

    def test_refused_for_a_time_barred_invoice(self):
        case, _notice = self._case_after_notice()
        moves = case.line_ids.move_id
        if "dunning_limitation_date" not in moves._fields:
            self.skipTest("account.move.dunning_limitation_date (the limitation rule) is not in the code yet")
        # five years from the due date between professionals; the request reads the real date, hence the clock
        last_day = moves[0].dunning_limitation_date
        self.assertEqual(last_day, moves[0].invoice_date_due.replace(year=moves[0].invoice_date_due.year + 5))
        with (
            freeze_time(last_day + timedelta(days=1)),
            self.refused(UserError, f"their claim is time-barred: {', '.join(moves.mapped('name'))}"),
        ):
            case.with_user(self.manager).action_order_payment_request()
        self.assertFalse(case.order_payment_pdf_id)

    def test_refused_to_an_agent(self):
        case, _notice = self._case_after_notice()
        with self.refused(AccessError, "Only a collection manager can request an order for payment."):
            case.with_user(self.agent).action_order_payment_request()

    def test_refused_to_another_company_manager(self):
        case, _notice = self._case_after_notice()
        company_b = self.setup_other_company(name="Company B")["company"]
        manager_b = new_test_user(
            self.env,
            login="kc_ofp_manager_b",
            groups="kreancia_collect.kreancia_collect_group_manager",
            company_id=company_b.id,
            company_ids=[Command.set(company_b.ids)],
        )
        with self.assertRaises(AccessError):
            case.with_user(manager_b).action_order_payment_request()
        self.assertFalse(case.order_payment_pdf_id)

    def test_consumer_goes_to_the_judicial_court(self):
        consumer = self.env["res.partner"].create({"name": "Jean Particulier", "street": "5 rue Haute", "city": "Lyon"})
        self.assertEqual(consumer.dunning_debtor_type, "consumer")
        case = self._case_by_hand(consumer, self.make_invoice(consumer, 40, 300.0))
        request = case._order_payment_request()
        self.assertEqual((request.court.kind, request.court.name), ("judicial", "Tribunal judiciaire de Lyon"))
        self.assertEqual(request.totals["indemnity"], 0.0, "no 40 EUR indemnity from a consumer")

    def test_from_the_customer(self):
        action = self.customer_2.with_user(self.manager).action_dunning_order_for_payment()
        self.assertEqual(action["res_model"], "kreancia.case.create", "no case yet: the hand-over opens one")
        case = self._case_by_hand(self.customer_2, self.make_invoice(self.customer_2, 40, 700.0))
        action = self.customer_2.with_user(self.manager).action_dunning_order_for_payment()
        self.assertEqual((action["res_model"], action["res_id"]), ("kreancia.case", case.id))
