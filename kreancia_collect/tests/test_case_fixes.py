import base64
import io
import json
import re
import subprocess
import tempfile
from datetime import datetime, timedelta

from PIL import Image

from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import KreanciaCommon, pdf_text
from .test_debtor_page import DebtorPageCommon


def pdf_image_count(raw):
    """Images drawn in a PDF, as poppler's pdfimages lists them."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(raw)
        handle.flush()
        listing = subprocess.run(["pdfimages", "-list", handle.name], capture_output=True, text=True, check=True).stdout
    return len(listing.splitlines()) - 2  # a header line and a rule


class CaseFixesCommon(KreanciaCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bailiff = cls.env["res.partner"].create(
            {
                "name": "Étude Huissier Test",
                "is_company": True,
                "email": "etude@huissier.example.com",
                "lang": "en_US",
                "dunning_case_role": "bailiff",
                "dunning_mandate_ref": "ETUDE-7",
                "dunning_commission_rate": 12.0,
            }
        )

    def open_by_hand(self, invoices, **values):
        action = (
            self.env["kreancia.case.create"]
            .with_user(self.manager)
            .with_context(active_model="account.move", active_ids=invoices.ids)
            .create({"agency_id": self.bailiff.id, "date_handover": self.today, **values})
            .action_confirm()
        )
        return self.env["kreancia.case"].browse(action["res_id"])

    def recover(self, case, amount):
        self.env["kreancia.case.recovery.register"].with_user(self.manager).create(
            {"case_id": case.id, "amount": amount, "date": self.today}
        ).action_confirm()

    def close(self, case, reason, **values):
        return (
            self.env["kreancia.case.close"]
            .with_user(self.manager)
            .create({"case_id": case.id, "close_reason": reason, **values})
            .action_confirm()
        )


@tagged("post_install", "-at_install")
class TestCaseFixes(CaseFixesCommon):
    # ------------------------------------------------------------------
    # Closing as partly recovered: nothing stays silently handed over
    # ------------------------------------------------------------------

    def test_partly_recovered_asks_what_becomes_of_the_rest(self):
        invoice = self.make_invoice(self.customer_2, 40, 800.0)
        case = self.open_by_hand(invoice)
        self.recover(case, 300.0)
        with self.assertRaisesRegex(UserError, r"Choose what becomes of what is left .*500[.,]00"):
            self.close(case, "partial")
        self.assertNotEqual(case.state, "closed", "a refusal closes nothing")
        self.assertEqual(invoice.dunning_state, "handed_over")

    def test_partly_recovered_rest_returns_to_the_run(self):
        invoice = self.at_step(self.make_invoice(self.customer_2, 20, 800.0), self.step_firm)
        invoice._dunning_write({"dunning_last_date": self.today - timedelta(days=13)})
        case = self.open_by_hand(invoice)
        self.recover(case, 300.0)
        self.assertTrue(self.close(case, "partial", rest_outcome="returned", close_note="Agency gave up"))
        self.assertEqual((case.state, case.close_reason, case.close_rest), ("closed", "partial", "returned"))
        self.assertEqual(invoice.dunning_state, "running", "back in its scenario, no longer handed over")
        self.assertEqual(invoice.dunning_step_id, self.step_firm)
        self.run_escalation(days=1)
        self.assertEqual(invoice.dunning_step_id, self.step_agency, "the next run performs the next step")
        link = self.env["kreancia.debtor.link"]._link_for(self.customer_2, self.company, self.brand, 90)
        day = fields.Date.context_today(link) + timedelta(days=20)
        plan = link._propose_plan(invoice, [(day, 500.0)], "", "127.0.0.1")
        self.assertEqual(plan._name, "kreancia.commitment", "the rest can be planned again")

    def test_partly_recovered_rest_is_written_off_with_a_credit_note(self):
        paid = self.make_invoice(self.customer_2, 60, 200.0)
        rest = self.make_invoice(self.customer_2, 40, 800.0)
        case = self.open_by_hand(paid | rest)
        self.recover(case, 500.0)
        self.assertEqual(rest.amount_residual, 500.0)
        action = self.close(case, "partial", rest_outcome="write_off")
        self.assertEqual(case.close_rest, "write_off")
        self.assertEqual(action["res_model"], "account.move.reversal", "Odoo's own credit note, no hand-made entry")
        self.assertEqual(action["context"]["active_ids"], rest.ids, "only what is left to write off")
        reversal = (
            self.env["account.move.reversal"]
            .with_context(**action["context"])
            .create({"journal_id": rest.journal_id.id})
        )
        self.assertEqual(reversal.residual, 500.0)
        self.assertIn(case.name, reversal.reason)

    def test_partly_recovered_with_nothing_left_needs_no_choice(self):
        invoice = self.make_invoice(self.customer_2, 40, 300.0)
        case = self.open_by_hand(invoice)
        self.recover(case, 300.0)
        self.assertTrue(self.close(case, "partial"), "nothing left: nothing to decide")
        self.assertFalse(case.close_rest)

    # ------------------------------------------------------------------
    # The receiving party's terms
    # ------------------------------------------------------------------

    def test_case_created_through_the_orm_keeps_the_partys_role(self):
        cases = self.env["kreancia.case"].with_user(self.manager)
        case = cases.create({"partner_id": self.customer.id, "agency_id": self.bailiff.id})
        self.assertEqual((case.party_role, case.mandate_ref, case.commission_rate), ("bailiff", "ETUDE-7", 12.0))
        chosen = cases.create({"partner_id": self.customer_2.id, "agency_id": self.bailiff.id, "party_role": "lawyer"})
        self.assertEqual(chosen.party_role, "lawyer", "what the caller says wins")
        by_wizard = self.open_by_hand(self.make_invoice(self.customer, 40, 300.0))
        self.assertEqual(
            (by_wizard.party_role, by_wizard.mandate_ref, by_wizard.commission_rate), ("bailiff", "ETUDE-7", 12.0)
        )
        no_commission = self.open_by_hand(self.make_invoice(self.customer_2, 40, 300.0), commission_rate=0.0)
        self.assertEqual(no_commission.commission_rate, 0.0, "a rate set to nothing on the wizard stays so")

    # ------------------------------------------------------------------
    # The cover sheet
    # ------------------------------------------------------------------

    def test_cover_sheet_without_placeholder_logo_or_page_counter(self):
        self.assertTrue(self.company.uses_default_logo)
        case = self.open_by_hand(self.make_invoice(self.customer, 40, 700.0))
        cover, history = case._render_own_documents()[case.id]
        self.assertEqual(pdf_image_count(cover), 0, "no 'Your logo' placeholder")
        for document in (cover, history):
            text = pdf_text(document)
            self.assertNotRegex(text, r"\b[12]\s*/\s*2\b", "separate files, no '1/2' counter")
            self.assertIn(case.name, text)
        self.assertIn("Hand-over cover sheet", pdf_text(cover))
        self.assertIn("Collection history", pdf_text(history))

        logo = io.BytesIO()
        Image.new("RGB", (120, 40), (20, 60, 140)).save(logo, format="PNG")
        self.company.logo = base64.b64encode(logo.getvalue())
        self.assertFalse(self.company.uses_default_logo)
        cover, _history = case._render_own_documents()[case.id]
        self.assertEqual(pdf_image_count(cover), 1, "the company's own logo")


@tagged("post_install", "-at_install")
class TestCasePage(CaseFixesCommon, DebtorPageCommon):
    """The debtor's page beside the letters and the case (real HTTP requests)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.notices = cls.env["kreancia.scenario"].create(
            {
                "name": "Brand notice",
                "company_id": cls.company.id,
                "min_gap_days": 1,
                "step_ids": [
                    Command.create(
                        {
                            "name": "Agency notice",
                            "delay_days": 10,
                            "channel": "formal_notice",
                            "identity": "brand",
                            "brand_id": cls.brand.id,
                            "deadline_days": 8,
                        }
                    ),
                ],
            }
        )
        cls.give_postal_addresses(cls.customer)

    def api(self, user, model, method, **kwargs):
        key = (
            user.with_user(user)
            .env["res.users.apikeys"]
            ._generate(scope="rpc", name="integration", expiration_date=datetime.now() + timedelta(days=1))
        )
        response = self.url_open(
            f"/json/2/{model}/{method}",
            data=json.dumps(kwargs),
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {key}"},
        )
        self.assertEqual(response.status_code, 200, response.text[:300])
        return response.json()

    def test_page_letter_case_and_api_claim_the_same_interest(self):
        # 1,000 due 30 days ago, 400 of it paid today: the notice claims interest on the 600 still due
        # and on the 400 for the 30 days it was late (L441-10)
        customer = self._make_customer("Menuiserie Test SAS", "compta@menuiserie.example.com")
        customer.dunning_scenario_id = self.notices
        self.give_postal_addresses(customer)
        invoice = self.make_invoice(customer, 30, 1000.0)
        self.env["account.payment.register"].with_context(active_model="account.move", active_ids=invoice.ids).create(
            {"amount": 400.0, "payment_date": self.today}
        )._create_payments()
        self.run_escalation()
        notice = self.interventions(customer)
        self.assertEqual((notice.channel, notice.identity), ("formal_notice", "brand"))
        line = notice.line_ids
        self.assertEqual((line.residual_interest, line.late_paid_interest), (5.99, 3.99))
        self.assertEqual((notice.amount_interest, notice.amount_claimed), (9.98, 649.98))
        self.env["kreancia.intervention.mark.posted"].with_user(self.manager).create(
            {"intervention_ids": notice.ids, "tracking_number": "1A 000 000 0000 2"}
        ).action_confirm()

        html = self.open_page(notice.debtor_link_id).text
        row = re.search(rf'data-invoice="{re.escape(invoice.name)}".*?</tr>', html, re.S).group(0)
        self.assertRegex(row, r"9[.,]98", "the interest the notice claims, on the sum paid late included")
        self.assertNotRegex(row, r"5[.,]99")
        total = re.search(r'o_debtor_total"[^>]*>(.*?)</td>', html, re.S).group(1)
        self.assertEqual(re.sub(r"\D", "", total), "64998", "600 + 9.98 + 40: the notice's total")

        case = self.open_by_hand(invoice)
        self.assertEqual((case.amount_interest, case.amount_indemnity, case.amount_claimed), (9.98, 40.0, 649.98))
        rows = self.api(
            self.manager,
            "kreancia.case",
            "search_read",
            domain=[["id", "=", case.id]],
            fields=["amount_interest", "amount_claimed"],
        )
        self.assertEqual((rows[0]["amount_interest"], rows[0]["amount_claimed"]), (9.98, 649.98))
        rows = self.api(
            self.agent,
            "kreancia.intervention",
            "search_read",
            domain=[["id", "=", notice.id]],
            fields=["amount_interest", "amount_claimed"],
        )
        self.assertEqual((rows[0]["amount_interest"], rows[0]["amount_claimed"]), (9.98, 649.98))

    def test_handed_over_invoice_can_be_paid_but_not_planned_on_the_page(self):
        case = self.open_by_hand(self.invoice_a)
        plan_form = self.open_page().text.split("o_debtor_plan_form")[1].split("</form>")[0]
        self.assertNotIn(f'id="o_debtor_plan_move_{self.invoice_a.id}"', plan_form, "not offered for a plan")
        self.assertIn(f'id="o_debtor_plan_move_{self.invoice_b.id}"', plan_form)
        response = self.post_form(
            "/plan",
            {"invoice_ids": [self.invoice_a.id, self.invoice_b.id], "date_1": self.in_days(10), "amount_1": "1000"},
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("handed over for recovery", response.text)
        self.assertIn(self.invoice_a.name, response.text)
        self.assertFalse(self.env["kreancia.commitment"].search([("partner_id", "=", self.customer.id)]))
        self.assertFalse(self.env["kreancia.plan.proposal"].search([("partner_id", "=", self.customer.id)]))
        self.assertEqual(self.link._check_payment_amount(self.invoice_a, 600.0), 600.0, "paying it is welcome")

        response = self.post_form(
            "/plan", {"invoice_ids": [self.invoice_b.id], "date_1": self.in_days(10), "amount_1": "400"}
        )
        self.assertEqual(response.status_code, 303, "the invoice not handed over can still be planned")

        self.close(case, "returned")
        self.assertEqual(self.invoice_a.dunning_state, "none")
        response = self.post_form(
            "/plan", {"invoice_ids": [self.invoice_a.id], "date_1": self.in_days(10), "amount_1": "600"}
        )
        self.assertEqual(response.status_code, 303, "returned to amicable collection: plannable again")
