import io
import zipfile
from datetime import timedelta
from unittest.mock import patch

import openpyxl

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.base.models.ir_actions_report import IrActionsReport

from ..models.kreancia_case_file import CASE_REPORT
from .common import KreanciaCommon, pdf_text


@tagged("post_install", "-at_install")
class TestCase(KreanciaCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agency = cls.env["res.partner"].create(
            {
                "name": "Cabinet Recouvrement Test",
                "is_company": True,
                "email": "dossiers@cabinet.example.com",
                "lang": "en_US",
                "dunning_case_role": "agency",
                "dunning_mandate_ref": "MANDATE-2026-07",
                "dunning_commission_rate": 10.0,
            }
        )
        cls.handover_scenario = cls.env["kreancia.scenario"].create(
            {
                "name": "Up to the agency",
                "company_id": cls.company.id,
                "min_gap_days": 3,
                "user_id": cls.manager.id,
                "step_ids": [
                    Command.create(
                        {
                            "name": "Courteous",
                            "delay_days": 0,
                            "channel": "email",
                            "mail_template_id": cls.template_courteous.id,
                        }
                    ),
                    Command.create(
                        {"name": "Firm", "delay_days": 7, "channel": "email", "mail_template_id": cls.template_firm.id}
                    ),
                    Command.create(
                        {"name": "Notice", "delay_days": 20, "channel": "formal_notice", "deadline_days": 8}
                    ),
                    Command.create(
                        {
                            "name": "Agency",
                            "delay_days": 30,
                            "channel": "handover",
                            "handover_partner_id": cls.agency.id,
                        }
                    ),
                ],
            }
        )
        cls.h_courteous, cls.h_firm, cls.h_notice, cls.h_handover = cls.handover_scenario.step_ids.sorted("delay_days")
        cls.customer.write(
            {
                "dunning_scenario_id": cls.handover_scenario.id,
                "company_registry": "552100554",
                "vat": "FR40552100554",
                "phone": "+33 4 78 00 00 01",
            }
        )
        cls.customer.child_ids.phone = "+33 6 12 34 56 78"
        cls.give_postal_addresses(cls.customer)
        cls.customer.child_ids.write({"street": "3 allée des Comptables", "city": "Villeurbanne", "zip": "69100"})

    def _hand_over_by_run(self, amount=1000.0):
        """An invoice 30 days late, climbed through e-mails, a posted formal notice and the hand-over step."""
        invoice = self.make_invoice(self.customer, 30, amount)
        self.run_escalation(days=-30)
        self.run_escalation(days=-23)
        self.run_escalation(days=-10)
        notice = self.interventions(self.customer).filtered(lambda i: i.channel == "formal_notice")
        self.assertTrue(notice.attachment_id, notice.error)
        self.env["kreancia.intervention.mark.posted"].with_context(
            active_model="kreancia.intervention", active_ids=notice.ids
        ).create(
            {"posted_date": self.today - timedelta(days=9), "tracking_number": "1A 111 222 3333 4"}
        ).action_confirm()
        self.run_escalation()
        case = self.env["kreancia.case"].search([("partner_id", "=", self.customer.id)])
        self.assertEqual(len(case), 1)
        return invoice, case

    def _open_by_hand(self, invoices, **values):
        wizard = (
            self.env["kreancia.case.create"]
            .with_context(active_model="account.move", active_ids=invoices.ids)
            .create({"agency_id": self.agency.id, "commission_rate": 10.0, "date_handover": self.today, **values})
        )
        action = wizard.action_confirm()
        return self.env["kreancia.case"].browse(action.get("res_id")) or self.env["kreancia.case"].search(
            action["domain"]
        )

    def _zip(self, raw):
        archive = zipfile.ZipFile(io.BytesIO(raw))
        return {info.filename: archive.read(info) for info in archive.infolist()}, archive

    def test_handover_step_opens_the_case_with_its_claim(self):
        invoice, case = self._hand_over_by_run()
        handover = self.interventions(self.customer).filtered(lambda i: i.channel == "handover")
        self.assertEqual(handover.state, "done")
        self.assertEqual(case.intervention_id, handover)
        self.assertEqual((case.agency_id, case.mandate_ref, case.commission_rate), (self.agency, "MANDATE-2026-07", 10))
        self.assertEqual(case.user_id, self.manager)
        self.assertEqual(case.state, "to_send")
        self.assertEqual(case.date_handover, self.today)
        self.assertEqual(case.line_ids.move_id, invoice)
        self.assertAlmostEqual(case.amount_principal, 1000.0)
        self.assertEqual(case.amount_indemnity, 40.0, "professional customer: 40 EUR per late invoice")
        # the letters' computation: 30 days at the rate of the period
        self.assertAlmostEqual(case.amount_interest, handover.line_ids.interest_amount)
        self.assertGreater(case.amount_interest, 8.0)
        self.assertAlmostEqual(case.amount_claimed, 1040.0 + case.amount_interest)
        self.assertEqual(invoice.dunning_state, "handed_over")

    def test_hand_over_from_the_customer(self):
        overdue = self.make_invoice(self.customer_2, 45, 500.0) | self.make_invoice(self.customer_2, 10, 200.0)
        paid = self.make_invoice(self.customer_2, 60, 900.0)
        self.env["account.payment.register"].with_context(active_model="account.move", active_ids=paid.ids).create(
            {"payment_date": self.today}
        )._create_payments()
        action = self.customer_2.action_dunning_hand_over()
        wizard = self.env["kreancia.case.create"].with_context(**action["context"]).create({})
        self.assertEqual(wizard.move_ids, overdue)
        wizard.agency_id = self.agency
        self.assertEqual((wizard.mandate_ref, wizard.commission_rate), ("MANDATE-2026-07", 10.0))
        case = self.env["kreancia.case"].browse(wizard.action_confirm()["res_id"])
        self.assertEqual(case.partner_id, self.customer_2)
        self.assertEqual(case.move_ids, overdue)
        self.assertAlmostEqual(case.amount_principal, 700.0)
        self.assertEqual(case.amount_indemnity, 80.0)
        self.assertEqual(self.customer_2.dunning_case_count, 1)
        self.assertEqual(set(overdue.mapped("dunning_state")), {"handed_over"})

    def test_case_file_holds_the_evidence(self):
        invoice, case = self._hand_over_by_run(1000.0)
        disputed = self.make_invoice(self.customer, 5, 250.0)
        disputed.write({"dunning_dispute": True, "dunning_dispute_note": "Goods delivered damaged"})
        self.env["kreancia.call"].log_call(
            self.customer.id, "refused", phone="+33 4 78 00 00 01", note="Says cash is short"
        )
        reply = self.env["kreancia.reply"].create(
            {
                "partner_id": self.customer.id,
                "author": "compta@boulangerie.example.com",
                "subject": "Re: reminder",
                **self.env["kreancia.reply"]._reading_values("Nous ne pouvons pas payer ce mois-ci.", self.today),
            }
        )
        reply.action_mark_handled()
        entries, archive = self._zip(case._case_files()[case.id])  # what the download streams (TestCaseFileDownload)
        names = list(entries)
        self.assertEqual(
            names,
            [
                f"01 Cover sheet {case.name.replace('/', '_')}.pdf",
                "02 Statement of account.pdf",
                f"03 Invoices/{invoice.name.replace('/', '_')}.pdf",
                *[f"04 Letters/{n.replace('/', '_')}.pdf" for n in case._letters_sent().mapped("name")],
                "05 History.pdf",
                f"06 Case file {case.name.replace('/', '_')}.xlsx",
            ],
        )
        self.assertEqual(len(case._letters_sent()), 1)
        self.assertEqual({info.date_time for info in archive.infolist()}, {(2026, 6, 15, 0, 0, 0)})

        cover = pdf_text(entries[names[0]])
        for expected in (
            "Hand-over cover sheet",
            self.company.name,
            "Boulangerie Test SARL",
            "SIREN: 552100554",
            "FR40552100554",
            "Villeurbanne",
            "+33 6 12 34 56 78",
            "compta@boulangerie.example.com",
            "contact@boulangerie.example.com",
            "Principal due",
            "Recovery indemnities",
            "Total claimed",
            "Cabinet Recouvrement Test",
            "MANDATE-2026-07",
            invoice.name,
        ):
            self.assertIn(expected, cover)
        self.assertRegex(cover, r"Handed over on (06/15/2026|15/06/2026)")
        self.assertRegex(cover, r"Principal due +\S* ?1[ ,.\u202f\xa0]?000[.,]00")
        self.assertNotIn("Collection history", cover, "each document cut on its own pages")

        history = pdf_text(entries["05 History.pdf"])
        emails = self.interventions(self.customer).filtered(lambda i: i.channel == "email")
        self.assertEqual(len(emails), 2)
        for expected in (
            "Collection history",
            *emails.mapped("name"),
            emails[0].message_id.subject,
            "compta@boulangerie.example.com",
            "1A 111 222 3333 4",
            "Refused to pay",
            "Says cash is short",
            disputed.name,
            "Goods delivered damaged",
            "Replies from the debtor",
            "Nous ne pouvons pas payer ce mois-ci.",
            "marked handled",
        ):
            self.assertIn(expected, history)
        self.assertIn(invoice.name, pdf_text(entries[names[2]]))
        self.assertIn("mise en demeure", pdf_text(entries[names[3]]))
        self.assertIn("Statement of account", pdf_text(entries[names[1]]))

        workbook = openpyxl.load_workbook(io.BytesIO(entries[names[-1]]))
        self.assertEqual(
            workbook.sheetnames,
            [
                "Claim",
                "Debtor contacts",
                "Invoices",
                "Timeline",
                "E-mails",
                "Calls",
                "Commitments",
                "Replies",
                "Disputes",
                "Recoveries",
            ],
        )
        claim = {row[0]: row[1] for row in workbook["Claim"].iter_rows(min_row=2, values_only=True)}
        self.assertEqual(claim["SIREN"], "552100554")
        self.assertAlmostEqual(claim["Principal"], 1000.0)
        self.assertAlmostEqual(claim["Late-payment interest"], case.amount_interest)
        self.assertEqual(claim["Handed over on"].date(), self.today)
        invoices = list(workbook["Invoices"].iter_rows(min_row=2, values_only=True))
        self.assertEqual([row[0] for row in invoices], [invoice.name])
        self.assertEqual(invoices[0][3], 30, "days late at the hand-over")
        timeline = list(workbook["Timeline"].iter_rows(min_row=2, values_only=True))
        self.assertEqual(len(timeline), 4)
        self.assertIn("1A 111 222 3333 4", [row[7] for row in timeline])
        disputes = list(workbook["Disputes"].iter_rows(min_row=2, values_only=True))
        self.assertEqual(disputes, [(disputed.name, "In dispute", "Goods delivered damaged")])
        replies = list(workbook["Replies"].iter_rows(min_row=2, values_only=True))
        self.assertEqual([row[1:] for row in replies], [(reply.author, "Other", reply.body, "marked handled")])
        calls = list(workbook["Calls"].iter_rows(min_row=2, values_only=True))
        self.assertEqual(calls[0][3], "Refused to pay")

    def test_case_files_render_in_one_pass_and_do_not_drift(self):
        first = self._open_by_hand(self.make_invoice(self.customer, 40, 700.0))
        second = self._open_by_hand(self.make_invoice(self.customer_2, 50, 900.0))
        cases = first | second
        calls = []
        original = IrActionsReport._run_wkhtmltopdf

        def counting(report, bodies, report_ref=False, **kwargs):
            calls.append((report_ref, len(bodies)))
            return original(report, bodies, report_ref=report_ref, **kwargs)

        with patch.object(IrActionsReport, "_run_wkhtmltopdf", counting):
            files = cases._case_files()
        self.assertEqual([call for call in calls if call[0] == CASE_REPORT], [(CASE_REPORT, 1)])
        first_entries, _archive = self._zip(files[first.id])
        self.assertRegex(pdf_text(first_entries[f"01 Cover sheet {first.name.replace('/', '_')}.pdf"]), r"700[.,]00")
        self.assertNotIn(
            "Atelier Test SAS", pdf_text(first_entries[f"01 Cover sheet {first.name.replace('/', '_')}.pdf"])
        )
        second_entries, _archive = self._zip(files[second.id])
        self.assertIn("Atelier Test SAS", pdf_text(second_entries["05 History.pdf"]))

        again = cases._case_files()
        again_entries, _archive = self._zip(again[first.id])
        self.assertEqual(
            [name for name in first_entries if first_entries[name] != again_entries[name]], [], "no entry drifts"
        )
        self.assertEqual(again[first.id], files[first.id], "the same facts give the same bytes")
        self.assertEqual(again[second.id], files[second.id])

    def test_recovery_pays_the_invoices_and_bills_the_commission(self):
        older = self.make_invoice(self.customer, 60, 400.0)
        newer = self.make_invoice(self.customer, 40, 600.0)
        case = self._open_by_hand(older | newer)
        case.action_send()
        receivable_before = sum((older | newer).mapped("amount_residual_signed"))
        wizard = self.env["kreancia.case.recovery.register"].create(
            {"case_id": case.id, "amount": 500.0, "date": self.today}
        )
        self.assertEqual(wizard.commission_amount, 50.0)
        with self.assertRaisesRegex(UserError, "more than the invoices of the case still owe"):
            self.env["kreancia.case.recovery.register"].create(
                {"case_id": case.id, "amount": 5000.0, "date": self.today}
            ).action_confirm()
        wizard.action_confirm()
        self.assertEqual(older.payment_state, "paid" if older.payment_state == "paid" else "in_payment")
        self.assertEqual(newer.amount_residual, 500.0, "the rest of the recovery on the next invoice")
        self.assertEqual(sum((older | newer).mapped("amount_residual_signed")), receivable_before - 500.0)
        self.assertEqual(case.amount_residual, 500.0)
        self.assertEqual(case.amount_recovered, 500.0)
        self.assertEqual(case.state, "in_progress")
        recovery = case.recovery_ids
        self.assertEqual(len(recovery.payment_ids), 2)
        bill = recovery.bill_id
        self.assertEqual((bill.move_type, bill.state, bill.partner_id), ("in_invoice", "draft", self.agency))
        self.assertEqual(bill.invoice_line_ids.price_unit, 50.0)
        # the aged balance reads the receivable lines: 500 less open
        open_receivable = sum(
            self.env["account.move.line"]
            .search(
                [
                    ("partner_id", "=", self.customer.id),
                    ("account_type", "=", "asset_receivable"),
                    ("parent_state", "=", "posted"),
                ]
            )
            .mapped("amount_residual")
        )
        self.assertAlmostEqual(open_receivable, 500.0)

    def test_returned_case_resumes_dunning_at_its_step(self):
        self.customer_2.dunning_scenario_id = False  # the default scenario: courteous, firm, agency e-mail, manual
        invoice = self.at_step(self.make_invoice(self.customer_2, 20, 800.0), self.step_firm)
        invoice._dunning_write({"dunning_last_date": self.today - timedelta(days=13)})
        case = self._open_by_hand(invoice)
        self.assertEqual(invoice.dunning_state, "handed_over")
        self.assertEqual(self.run_escalation(), {}, "handed over: out of the run")
        self.env["kreancia.case.close"].create({"case_id": case.id, "close_reason": "returned"}).action_confirm()
        self.assertEqual((case.state, case.close_reason), ("closed", "returned"))
        self.assertEqual(invoice.dunning_state, "running")
        self.assertEqual(invoice.dunning_step_id, self.step_firm, "back at its step, not at the start")
        self.run_escalation(days=1)
        self.assertEqual(invoice.dunning_step_id, self.step_agency, "the next run performs the next step")

    def test_close_outcomes(self):
        paid = self.make_invoice(self.customer_2, 40, 300.0)
        case = self._open_by_hand(paid)
        with self.assertRaisesRegex(UserError, "not recovered in full"):
            case._close("recovered")
        self.env["kreancia.case.recovery.register"].create(
            {"case_id": case.id, "amount": 300.0, "date": self.today}
        ).action_confirm()
        case._close("recovered")
        self.assertEqual(case.close_reason, "recovered")
        with self.assertRaisesRegex(UserError, "already closed"):
            case._close("abandoned")

        lost = self.make_invoice(self.customer_2, 90, 450.0)
        abandoned = self._open_by_hand(lost)
        action = (
            self.env["kreancia.case.close"]
            .create({"case_id": abandoned.id, "close_reason": "abandoned"})
            .action_confirm()
        )
        self.assertEqual(action["res_model"], "account.move.reversal", "Odoo's own credit note, no hand-made entry")
        reversal = (
            self.env["account.move.reversal"]
            .with_context(**action["context"])
            .create({"journal_id": lost.journal_id.id, "reason": "Written off"})
        )
        reversal.refund_moves()
        credit_note = self.env["account.move"].search([("reversed_entry_id", "=", lost.id)])
        self.assertEqual((credit_note.move_type, credit_note.amount_total), ("out_refund", 450.0))

    def test_bad_input_is_refused_and_leaves_nothing(self):
        invoice = self.make_invoice(self.customer_2, 40, 300.0)
        Case = self.env["kreancia.case"]
        wizard = (
            self.env["kreancia.case.create"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"date_handover": self.today})
        )
        with self.assertRaisesRegex(UserError, "Choose the receiving party"):
            wizard.action_confirm()
        self.assertFalse(Case.search([]))
        self.assertFalse(invoice.dunning_handed_over)

        case = self._open_by_hand(invoice)
        with self.assertRaisesRegex(UserError, "already in an open hand-over case"):
            self._open_by_hand(invoice | self.make_invoice(self.customer_2, 10, 50.0))
        self.assertEqual(Case.search([]), case, "nothing half-created")

        self.agency.email = False
        with self.assertRaisesRegex(UserError, "has no e-mail address"):
            case.action_send()
        self.assertEqual(case.state, "to_send")
        self.assertFalse(case.mail_id)
        case.agency_id = False
        with self.assertRaisesRegex(UserError, "Choose the receiving party"):
            case.action_send()

        company_b = self.setup_other_company(name="Company B")["company"]
        foreign_agency = self.env["res.partner"].create({"name": "Agence B", "company_id": company_b.id})
        with self.assertRaisesRegex(ValidationError, "belongs to the company Company B"):
            case.agency_id = foreign_agency
        invoice_b = self.init_invoice(
            "out_invoice", partner=self.customer_2, amounts=[100.0], post=True, company=company_b
        )
        with self.assertRaisesRegex(UserError, "one company|belongs to the company|not to"):
            self._open_by_hand(invoice | invoice_b)
        self.assertEqual(Case.search([]), case)

    def test_agents_read_managers_act(self):
        case = self._open_by_hand(self.make_invoice(self.customer_2, 40, 300.0))
        as_agent = case.with_user(self.agent)
        self.assertEqual(as_agent.amount_principal, 300.0, "agents read cases")
        self.assertTrue(as_agent.line_ids.move_id)
        with self.assertRaises(AccessError):
            self.env["kreancia.case"].with_user(self.agent).create({"partner_id": self.customer.id})
        with self.assertRaises(AccessError):
            as_agent.action_send()
        with self.assertRaises(AccessError):
            as_agent._close("returned")
        with self.assertRaises(AccessError):
            as_agent.write({"commission_rate": 50})
        self.assertEqual(case.state, "to_send")
        as_manager = case.with_user(self.manager)
        as_manager.action_send()
        self.assertEqual(case.state, "sent")
        self.assertEqual(case.mail_id.recipient_ids, self.agency)
        self.assertEqual(case.mail_id.attachment_ids, case.file_attachment_id)
        self.assertEqual(case.mail_id.state, "outgoing", "through Odoo's mail queue")
        self.assertIn(case.name, case.mail_id.subject)

    def test_companies_see_only_their_cases(self):
        case = self._open_by_hand(self.make_invoice(self.customer_2, 40, 300.0))
        company_b = self.setup_other_company(name="Company B")["company"]
        user_b = new_test_user(
            self.env,
            login="kc_case_b",
            groups="kreancia_collect.kreancia_collect_group_manager",
            company_id=company_b.id,
            company_ids=[Command.set(company_b.ids)],
        )
        self.assertFalse(self.env["kreancia.case"].with_user(user_b).search([]))
        with self.assertRaises(AccessError):
            case.with_user(user_b).read(["name"])
        self.assertEqual(self.env["kreancia.case"].with_user(self.agent).search([]), case)


@tagged("post_install", "-at_install")
class TestCaseFileDownload(KreanciaCommon, HttpCase):
    """The case file is streamed to the browser, built at each download; only the e-mailed one is stored."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agency = cls.env["res.partner"].create(
            {"name": "Cabinet Recouvrement Test", "is_company": True, "dunning_case_role": "agency"}
        )

    _open_by_hand = TestCase._open_by_hand
    _zip = TestCase._zip

    def test_case_file_download_is_streamed_not_stored(self):
        """Each click builds the file again and streams it: nothing piles up on the case, only the e-mail keeps one."""
        case = self._open_by_hand(self.make_invoice(self.customer, 40, 700.0))
        self.authenticate(self.agent.login, self.agent.login)
        url = case.with_user(self.agent).action_download_file()["url"]
        downloads = [self.url_open(url) for _click in range(3)]
        self.assertEqual([response.status_code for response in downloads], [200] * 3, "agents read cases")
        self.assertEqual(downloads[0].headers["Content-Type"], "application/zip")
        self.assertIn(f"{case.name.replace('/', '_')}.zip", downloads[0].headers["Content-Disposition"])
        self.assertEqual(
            {response.content for response in downloads}, {case._case_files()[case.id]}, "the case file, built again"
        )
        entries, _archive = self._zip(downloads[0].content)
        self.assertEqual(len(openpyxl.load_workbook(io.BytesIO(entries[list(entries)[-1]])).sheetnames), 10)
        self.assertFalse(case.file_attachment_id)
        attachments = (
            self.env["ir.attachment"].sudo().search([("res_model", "=", case._name), ("res_id", "=", case.id)])
        )
        self.assertFalse(attachments, "no file stored at each download")
        elsewhere = self.env["res.company"].create({"name": "Elsewhere"})
        outsider = new_test_user(
            self.env,
            login="kc_outsider",
            groups="kreancia_collect.kreancia_collect_group_manager",
            company_id=elsewhere.id,
            company_ids=[Command.set(elsewhere.ids)],
        )
        self.authenticate(outsider.login, outsider.login)
        self.assertIn(self.url_open(url).status_code, (403, 404), "a case of a company the user may not see")
        self.assertEqual(self.url_open(f"/kreancia_collect/case_file/{case.id}").status_code, 403)
