import re
from datetime import date

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common import KreanciaCommon, pdf_text


@tagged("post_install", "-at_install")
class TestLetters(KreanciaCommon):
    """Letters rendered by wkhtmltopdf and read back with pdftotext, as the debtor reads them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {
                "name": "Fournitures Creditor SA",
                "street": "5 quai du Créancier",
                "zip": "69001",
                "city": "Lyon",
                "phone": "+33 4 00 00 00 01",
            }
        )
        cls.brand.write(
            {
                "legal_notice": "Recouvrement Test SAS, agence de recouvrement amiable, RCS Lyon 999 888 777",
                "registration_ref": "Mandat RT-42",
                "phone": "+33 4 72 00 00 00",
                "payment_instructions": "Virement sur le compte séquestre FR76 1111 2222 3333",
            }
        )
        cls.letters = cls.env["kreancia.scenario"].create(
            {
                "name": "Letters",
                "company_id": cls.company.id,
                "min_gap_days": 1,
                "step_ids": [
                    Command.create({"name": "Company letter", "delay_days": 10, "channel": "letter"}),
                    Command.create(
                        {
                            "name": "Agency notice",
                            "delay_days": 20,
                            "channel": "formal_notice",
                            "identity": "brand",
                            "brand_id": cls.brand.id,
                            "deadline_days": 8,
                        }
                    ),
                    Command.create({"name": "Court", "delay_days": 60, "channel": "handover"}),
                ],
            }
        )
        cls.letter_step, cls.agency_notice_step, cls.handover_step = cls.letters.step_ids.sorted("delay_days")
        cls.customer.dunning_scenario_id = cls.letters
        cls.customer_2.dunning_scenario_id = cls.letters
        cls.give_postal_addresses(cls.customer, cls.customer_2)

    def pay(self, invoice, amount):
        self.env["account.payment.register"].with_context(active_model="account.move", active_ids=invoice.ids).create(
            {"amount": amount, "payment_date": self.today}
        )._create_payments()

    # ------------------------------------------------------------------
    # Identity
    # ------------------------------------------------------------------

    def test_third_party_notice_names_the_company_only_as_creditor(self):
        notice = self.notice_for(self.customer, self.make_invoice(self.customer, 25, 800))
        self.assertEqual(notice.state, "to_send")
        text = pdf_text(notice.attachment_id.raw)
        self.assertIn("Recouvrement Test", text)
        self.assertIn("12 rue des Agences", text, "the agency's address is the letterhead")
        self.assertIn("RCS Lyon 999 888 777", text, "the agency's legal notice is the footer")
        company_lines = [line for line in text.splitlines() if "Fournitures Creditor" in line]
        self.assertTrue(company_lines)
        for line in company_lines:
            self.assertRegex(line, "Creditor|behalf of", "the company appears only as the creditor")
        self.assertNotIn("billing@creditor.example.com", text)
        self.assertNotIn("+33 4 00 00 00 01", text)

    def test_company_letter_carries_the_company_layout_and_no_agency_mentions(self):
        invoice = self.at_step(self.make_invoice(self.customer, 12, 500), self.env["kreancia.scenario.step"])
        self.run_escalation()
        letter = self.interventions(self.customer)
        self.assertEqual((letter.channel, letter.identity), ("letter", "company"))
        text = pdf_text(letter.attachment_id.raw)
        self.assertIn(invoice.name, text)
        self.assertIn("Fournitures Creditor SA", text)
        self.assertNotIn("Recouvrement Test", text)
        self.assertNotIn("amicable debt collection", text)
        self.assertNotIn("L111-8", text)

    def test_r124_4_mentions_on_an_agency_letter(self):
        notice = self.notice_for(self.customer, self.make_invoice(self.customer, 25, 800))
        text = self.assertLetterText(
            notice,
            "Recouvrement Test carries out amicable debt collection",
            "Creditor: Fournitures Creditor SA",
            "5 quai du Créancier",  # the creditor's address
            "Principal: invoices",
            "Late-payment interest",
            "How to pay: Virement sur le compte séquestre FR76 1111 2222 3333",
        )
        self.assertIn("No collection fee is claimed from you", text)
        self.assertIn(
            "Les frais de recouvrement entrepris sans titre exécutoire restent à la charge du créancier, "
            "sauf s'ils concernent un acte dont l'accomplissement est prescrit par la loi au créancier.",
            text,
        )
        self.assertIn("à la charge du débiteur de mauvaise foi.", text)
        self.assertIn("Mandat RT-42", text)

    def test_later_agency_letters_recall_the_first_one(self):
        first = self.notice_for(self.customer, self.make_invoice(self.customer, 25, 800))
        self.env["kreancia.intervention.mark.posted"].with_context(
            active_model="kreancia.intervention", active_ids=first.ids
        ).create({"posted_date": date(2026, 6, 16), "tracking_number": "1A 000 000 0000 1"}).action_confirm()
        # a second notice to the same customer, for a new invoice, a week later
        later = self.at_step(self.make_invoice(self.customer, 32, 200), self.letter_step)
        self.run_escalation(days=7)
        recall = self.interventions(self.customer).filtered(lambda i: i.channel == "formal_notice") - first
        self.assertEqual(recall.move_ids, later)
        text = " ".join(pdf_text(recall.attachment_id.raw).split())
        self.assertRegex(
            text, rf"Further to our letter {first.name} of (16/06/2026|06/16/2026)", "sent on the day it was posted"
        )

    # ------------------------------------------------------------------
    # Amounts
    # ------------------------------------------------------------------

    def test_interest_and_indemnity_with_partial_payment_and_credit_note(self):
        full = self.make_invoice(self.customer, 30, 1000)
        partial = self.make_invoice(self.customer, 30, 1000)
        self.pay(partial, 400)
        self.make_invoice(self.customer, 5, 250, move_type="out_refund")
        notice = self.notice_for(self.customer, full, partial)
        self.assertEqual(notice.move_ids, full | partial)
        # 30 days at 12.15 % (ECB 2.15 % on 1 January 2026 + 10 points): 1000 -> 9.99, 600 -> 5.99;
        # the 400 paid 30 days late bore interest until it was paid: 400 x 12.15 % x 30 / 365 = 3.99
        line_full = notice.line_ids.filtered(lambda line: line.move_id == full)
        line_partial = notice.line_ids - line_full
        self.assertEqual((line_full.residual_interest, line_full.late_paid_interest), (9.99, 0.0))
        self.assertEqual((line_partial.residual_interest, line_partial.late_paid_interest), (5.99, 3.99))
        self.assertEqual(line_partial.interest_amount, 9.98)
        self.assertEqual(
            line_partial.late_payments, [{"date": "2026-06-15", "amount": 400.0, "days": 30, "interest": 3.99}]
        )
        self.assertEqual(notice.line_ids.mapped("indemnity_amount"), [40.0, 40.0], "still due after a partial payment")
        self.assertEqual(notice.amount_net, 1350.0)
        self.assertAlmostEqual(notice.amount_interest, 19.97)
        self.assertAlmostEqual(notice.amount_late_paid_interest, 3.99)
        self.assertEqual(notice.amount_indemnity, 80.0)
        self.assertAlmostEqual(notice.amount_claimed, 1449.97)
        text = " ".join(pdf_text(notice.attachment_id.raw).split())
        self.assertRegex(text, r"Open credit notes - .{0,3}250[.,]00")
        self.assertRegex(text, r"Net principal .{0,3}1[ ,.\u202f\xa0]?350[.,]00")
        self.assertRegex(text, r"12[.,]15 % a year")
        self.assertRegex(
            text,
            rf"{partial.name} .{{0,40}}600[.,]00 .{{0,3}}5[.,]99 "
            r"Paid late on (06/15/2026|15/06/2026) 30 .{0,3}400[.,]00 .{0,3}3[.,]99",
            "the sum paid late is printed under its invoice",
        )
        self.assertRegex(text, r"Late-payment interest .*? .{0,3}19[.,]97")
        self.assertRegex(text, r"of which on sums paid late, until the day they were paid .{0,3}3[.,]99")
        self.assertRegex(text, r"40 EUR per late invoice \(D441-5\) .{0,3}80[.,]00")
        self.assertRegex(text, r"Total claimed .{0,3}1[ ,.\u202f\xa0]?449[.,]97")

    def test_a_credit_note_applied_late_bears_interest_until_applied(self):
        invoice = self.make_invoice(self.customer, 30, 1000)
        refund = self.make_invoice(self.customer, 10, 300, move_type="out_refund")
        # the credit note is matched with the invoice 10 days after the invoice fell due
        # the reconciliation is dated by the later of the two entries: the credit note's
        (invoice | refund).line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        ).reconcile()
        notice = self.notice_for(self.customer, invoice)
        line = notice.line_ids
        self.assertEqual(line.amount_residual, 700.0)
        # 300 x 12.15 % x 20 / 365 = 2.00 (due 16 May, credited 5 June); 700 x 12.15 % x 30 / 365 = 6.99
        self.assertEqual(line.late_payments, [{"date": "2026-06-05", "amount": 300.0, "days": 20, "interest": 2.0}])
        self.assertEqual(line.residual_interest, 6.99)
        self.assertEqual(line.interest_amount, 8.99)

    def test_rate_change_between_half_years(self):
        self.env["kreancia.interest.rate"].search([("date_start", "=", date(2026, 7, 1))]).write(
            {"ecb_rate": 2.40, "rate": 12.40}
        )
        invoice = self.make_invoice(self.customer, -5, 1000)  # due 20 June 2026
        notice = self.notice_for(self.customer, invoice, days=25)  # letter of 10 July 2026
        # 10 days at 12.15 % + 10 days at 12.40 %
        self.assertEqual(notice.line_ids.interest_amount, 6.73)
        self.assertRegex(
            notice.interest_rate_display, r"^H1 2026: 12[.,]15 %; H2 2026: 12[.,]40 %$", "by period, in order"
        )

    def test_consumer_owes_neither_interest_nor_indemnity(self):
        consumer = self._make_customer("Jean Dupont", "jean.dupont@example.com", is_company=False)
        consumer.write({"street": "3 rue des Lilas", "city": "Lyon", "dunning_scenario_id": self.letters.id})
        self.assertEqual(consumer.dunning_debtor_type, "consumer")
        notice = self.notice_for(consumer, self.make_invoice(consumer, 25, 800))
        self.assertEqual((notice.amount_interest, notice.amount_indemnity), (0.0, 0.0))
        text = pdf_text(notice.attachment_id.raw)
        self.assertNotIn("recovery indemnity", text)
        self.assertNotIn("Late-payment interest", text)
        self.assertRegex(text, r"Total claimed\s+.{0,3}800[.,]00")

    def test_contractual_rate_replaces_the_legal_rate_above_the_floor(self):
        # floor: 3 x 2.62 % (legal interest rate, first half of 2026)
        with self.assertRaisesRegex(ValidationError, "below the legal floor of 7.86%"):
            self.customer.dunning_contract_rate = 5.0
        self.customer.dunning_contract_rate = 15.0
        notice = self.notice_for(self.customer, self.make_invoice(self.customer, 73, 1000))
        self.assertEqual(notice.line_ids.interest_amount, 30.0)  # 1000 x 15 % x 73 / 365

    def test_contractual_rate_gives_way_to_the_floor_of_an_older_half_year(self):
        # 9 % passes today's floor (7.86 %) but not 2024's first half (3 x 5.07 % = 15.21 %)
        self.customer.dunning_contract_rate = 9.0
        invoice = self.make_invoice(self.customer, 800, 1000)  # due 3 April 2024
        notice = self.notice_for(self.customer, invoice)
        self.assertRegex(notice.interest_rate_display, r"^H1 2024: 15[.,]21 %; H2 2024: .*; H1 2026: 9[.,]00 %$")

    def test_missing_rate_fails_the_letter_and_writes_nothing(self):
        self.env.ref("kreancia_collect.interest_rate_2026_h1").unlink()
        invoice = self.make_invoice(self.customer, 25, 800)
        notice = self.notice_for(self.customer, invoice)
        self.assertEqual(notice.state, "failed")
        self.assertIn("No late-payment rate is recorded for half-year 1 of 2026", notice.error)
        self.assertFalse(notice.attachment_id)
        self.assertEqual(invoice.dunning_step_id, self.letter_step, "the invoice stays at its step")
        self.assertFalse(notice.line_ids.filtered("interest_amount"))

    # ------------------------------------------------------------------
    # Language, e-mail, statement, download
    # ------------------------------------------------------------------

    def test_french_customer_reads_a_french_notice(self):
        (self.customer | self.customer.child_ids).write({"lang": "fr_FR"})
        notice = self.notice_for(self.customer, self.make_invoice(self.customer, 25, 800))
        text = self.assertLetterText(
            notice,
            "Mise en demeure",
            "Créancier",
            "Intérêts de retard",
            "Total réclamé",
            "12,15 % par an",
            "exerce une activité de recouvrement amiable",
        )
        self.assertNotIn("Total claimed", text)

    def test_formal_notice_announces_deadline_and_next_step(self):
        notice = self.notice_for(self.customer, self.make_invoice(self.customer, 25, 800))
        self.assertEqual(notice.deadline_date, date(2026, 6, 23))
        text = self.assertLetterText(notice, "within 8 days", "handed over for legal recovery")
        self.assertRegex(text, "(06/23/2026|23/06/2026)")

    def test_formal_notice_recalls_previous_reminders_only_when_there_were_some(self):
        first = self.notice_for(self.customer, self.make_invoice(self.customer, 25, 800))
        text = self.assertLetterText(first, "The invoices listed below remain unpaid.")  # no reminder ever sent
        self.assertNotIn("previous reminders", text)

        invoice = self.make_invoice(self.customer_2, 12, 500)
        self.run_escalation()
        letter = self.interventions(self.customer_2)
        self.assertEqual(letter.channel, "letter")
        self.run_escalation(days=10)
        notice = self.interventions(self.customer_2) - letter
        self.assertEqual((notice.channel, notice.move_ids), ("formal_notice", invoice))
        self.assertLetterText(notice, "Despite our previous reminders, the invoices listed below remain unpaid.")

    def test_reference_takes_its_year_from_the_letter_date(self):
        # letters produced today but dated in another year, as a run on a chosen date does
        notice = self.notice_for(self.customer, self.make_invoice(self.customer, 225, 800), days=-200)
        self.assertEqual(notice.date, date(2025, 11, 27))
        self.assertTrue(notice.name.startswith("DUN/2025/"), notice.name)
        self.env["kreancia.interest.rate"].create({"date_start": date(2027, 1, 1), "ecb_rate": 2.15, "legal_rate": 2.5})
        later = self.notice_for(self.customer_2, self.make_invoice(self.customer_2, -175, 800), days=200)
        self.assertEqual((later.date, later.state), (date(2027, 1, 1), "to_send"))
        self.assertTrue(later.name.startswith("DUN/2027/"), later.name)
        self.assertLetterText(later, later.name)

    def test_brand_email_carries_sender_signature_and_letter(self):
        self.brand.signature = "<p>Service contentieux Recouvrement Test</p>"
        self.assertFalse(self.step_agency.attach_letter, "a third-party brand's e-mail attaches its letter anyway")
        self.customer.dunning_scenario_id = False
        self.at_step(self.make_invoice(self.customer, 16, 700), self.step_firm)
        self.run_escalation()
        reminder = self.interventions(self.customer)
        mail = reminder.mail_id
        self.assertEqual(mail.email_from, '"Recouvrement Test" <relances@agency.example.com>')
        self.assertEqual(mail.reply_to, mail.email_from)
        self.assertIn("Service contentieux Recouvrement Test", mail.body_html)
        self.assertIn(
            "carries out amicable debt collection on behalf of Fournitures Creditor SA, your creditor", mail.body_html
        )
        self.assertIn(f"Reference: {reminder.name}.", mail.body_html, "the first contact gives its own reference")
        self.assertEqual(mail.attachment_ids, reminder.attachment_id)
        self.assertIn("Payment reminder", pdf_text(mail.attachment_ids.raw))
        self.assertEqual(reminder.state, "done", "an e-mail does not wait to be posted")

    def test_statement_lists_open_items_with_credit_notes(self):
        invoice = self.make_invoice(self.customer, 40, 1000)
        not_due = self.make_invoice(self.customer, -400, 300)  # statements are dated today
        refund = self.make_invoice(self.customer, 2, 150, move_type="out_refund")
        paid = self.make_invoice(self.customer, 20, 90)
        self.pay(paid, 90)
        report = self.env["ir.actions.report"].with_context(force_report_rendering=True)
        for brand in (self.env["kreancia.brand"], self.brand):
            with self.subTest(brand=brand.name):
                raw, _ = report._render_qweb_pdf(
                    "kreancia_collect.action_report_statement",
                    self.customer.ids,
                    data={"brand_id": brand.id},
                )
                text = " ".join(pdf_text(raw).split())
                self.assertIn("Statement of account", text)
                for move in (invoice, not_due, refund):
                    self.assertIn(move.name, text)
                self.assertNotIn(paid.name, text)
                self.assertIn("Credit note", text)
                self.assertRegex(text, r"Balance due .{0,3}1[ ,.\u202f\xa0]?150[.,]00")
                self.assertRegex(text, r"Overdue .{0,3}1[ ,.\u202f\xa0]?000[.,]00")
                if brand:
                    self.assertIn("12 rue des Agences", text)
                    self.assertIn("Creditor: Fournitures Creditor SA", text)

    def test_letters_download_as_one_pdf(self):
        self.notice_for(self.customer, self.make_invoice(self.customer, 25, 800))
        self.notice_for(self.customer_2, self.make_invoice(self.customer_2, 25, 300))
        letters = self.interventions().filtered(lambda i: i.state == "to_send")
        self.assertEqual(len(letters), 2)
        action = letters.with_user(self.manager).action_download_letters()
        attachment = self.env["ir.attachment"].browse(int(re.search(r"/web/content/(\d+)", action["url"]).group(1)))
        text = pdf_text(attachment.raw)
        for letter in letters:
            self.assertIn(letter.name, text)
        self.assertEqual(text.count("Formal notice (mise en demeure)"), 2)

    # ------------------------------------------------------------------
    # Configuration errors and access
    # ------------------------------------------------------------------

    def test_brand_without_address_cannot_be_used_by_a_step(self):
        trade_name = self.env["kreancia.brand"].create({"name": "Trade name", "company_id": self.company.id})
        with self.assertRaisesRegex(ValidationError, "which has no address"):
            self.letter_step.write({"identity": "brand", "brand_id": trade_name.id})
        with self.assertRaisesRegex(ValidationError, "needs an address with street and city"):
            self.brand.partner_id = False
        with self.assertRaisesRegex(ValidationError, "needs an address"):
            self.env["kreancia.brand"].create({"name": "Agency", "is_third_party": True, "company_id": self.company.id})

    def test_formal_notice_without_deadline_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "needs a payment deadline"):
            self.agency_notice_step.deadline_days = 0

    def test_rate_table_accepts_half_years_only_and_managers_only(self):
        rates = self.env["kreancia.interest.rate"]
        with self.assertRaisesRegex(ValidationError, "starts on 1 January or 1 July"):
            rates.create({"date_start": date(2027, 3, 1), "ecb_rate": 2.0})
        with self.assertRaises(AccessError):
            rates.with_user(self.agent).create({"date_start": date(2027, 1, 1), "ecb_rate": 2.0})
        rate = rates.with_user(self.manager).create({"date_start": date(2027, 1, 1), "ecb_rate": 2.0})
        self.assertEqual(rate.rate, 12.0, "ECB rate + 10 points by default")
        self.assertTrue(rates.with_user(self.agent).search([("id", "=", rate.id)]), "everyone reads the law")

    def test_firm_email_mentions_the_indemnity_to_professionals_only(self):
        consumer = self._make_customer("Jean Dupont", "jean.dupont@example.com", is_company=False)
        self.customer.dunning_scenario_id = False
        for partner in (self.customer, consumer):
            self.at_step(self.make_invoice(partner, 8, 100), self.step_courteous)
        self.run_escalation()
        professional_mail = self.interventions(self.customer).mail_id
        consumer_mail = self.interventions(consumer).mail_id
        self.assertIn("40 EUR", professional_mail.body_html)
        self.assertNotIn("amicable debt collection", professional_mail.body_html, "the company speaks for itself")
        self.assertNotIn("40 EUR", consumer_mail.body_html)
        self.assertIn("within 8 days", consumer_mail.body_html)

    def test_statement_refuses_another_company_brand(self):
        other_company = self.env["res.company"].create({"name": "Other Company"})
        other_address = self.env["res.partner"].create({"name": "Other agency", "street": "1 rue", "city": "Nantes"})
        other_brand = self.env["kreancia.brand"].create(
            {"name": "Other agency", "partner_id": other_address.id, "company_id": other_company.id}
        )
        with self.assertRaises(UserError):
            self.env["kreancia.statement.print"].create(
                {"partner_ids": [Command.set(self.customer.ids)], "brand_id": other_brand.id}
            )
        self.assertFalse(
            self.env["kreancia.brand"].with_user(self.manager).search([("id", "=", other_brand.id)]),
            "a company's brands stay invisible to another company's users",
        )
