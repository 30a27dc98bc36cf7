from datetime import date

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import KreanciaCommon


@tagged("post_install", "-at_install")
class TestRateMissing(KreanciaCommon):
    """A half-year without its rates stops a letter, and managers see it coming."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({"name": "Fournitures Creditor SA", "street": "5 quai du Créancier", "city": "Lyon"})
        cls.letters = cls.env["kreancia.scenario"].create(
            {
                "name": "Letters",
                "company_id": cls.company.id,
                "min_gap_days": 1,
                "step_ids": [
                    Command.create({"name": "Company letter", "delay_days": 10, "channel": "letter"}),
                    Command.create(
                        {"name": "Formal notice", "delay_days": 20, "channel": "formal_notice", "deadline_days": 8}
                    ),
                ],
            }
        )
        cls.letter_step, cls.notice_step = cls.letters.step_ids.sorted("delay_days")
        cls.customer.dunning_scenario_id = cls.letters
        cls.customer_2.dunning_scenario_id = cls.letters
        cls.give_postal_addresses(cls.customer, cls.customer_2)
        cls.rates = cls.env["kreancia.interest.rate"]
        cls.rate_2026_h2 = cls.rates.search([("date_start", "=", date(2026, 7, 1))])

    def preview(self, day):
        preview = self.env["kreancia.escalation.preview"].with_user(self.manager).create({"date": day})
        preview.action_compute()
        return preview

    # ------------------------------------------------------------------
    # A letter refuses a half-year without its rates, whatever the rate source
    # ------------------------------------------------------------------

    def test_contractual_rate_needs_the_half_year_too(self):
        table = self.rates._rate_table()
        del table[(2026, 1)]
        with self.assertRaisesRegex(UserError, "No late-payment rate is recorded for half-year 1 of 2026"):
            self.rates._late_rates(table, date(2025, 12, 1), date(2026, 2, 1), contract_rate=15.0)

    def test_contractual_letter_without_the_half_year_fails_and_writes_nothing(self):
        self.customer.dunning_contract_rate = 15.0
        self.env.ref("kreancia_collect.interest_rate_2026_h1").unlink()
        invoice = self.make_invoice(self.customer, 25, 800)
        notice = self.notice_for(self.customer, invoice)
        self.assertEqual(notice.state, "failed")
        self.assertIn("No late-payment rate is recorded for half-year 1 of 2026", notice.error)
        self.assertFalse(notice.attachment_id)
        self.assertFalse(notice.line_ids.filtered("interest_amount"))
        self.assertEqual(invoice.dunning_step_id, self.letter_step, "the invoice stays at its step")

    def test_contractual_letter_without_the_legal_rate_fails(self):
        # a half-year fetched from the ECB has no legal interest rate yet: no floor to check the contract against
        self.rate_2026_h2.legal_rate = 0.0
        self.customer.dunning_contract_rate = 15.0
        invoice = self.make_invoice(self.customer, -5, 1000)  # due 20 June 2026
        notice = self.notice_for(self.customer, invoice, days=25)  # letter of 10 July 2026
        self.assertEqual(notice.state, "failed")
        self.assertIn("No legal interest rate is recorded for half-year 2 of 2026", notice.error)
        # without a contractual rate the legal default (ECB + 10) needs no floor
        self.customer_2.dunning_contract_rate = 0.0
        other = self.make_invoice(self.customer_2, -5, 1000)
        notice_2 = self.notice_for(self.customer_2, other, days=25)
        self.assertEqual(notice_2.state, "to_send")
        self.assertEqual(notice_2.line_ids.interest_amount, 6.66)  # 20 days at 12.15 %

    def test_contractual_rate_still_applies_above_each_floor(self):
        table = self.rates._rate_table()
        rates = self.rates._late_rates(table, date(2025, 12, 1), date(2026, 2, 1), contract_rate=9.0)
        # floors: 3 x 2.76 % (2025 H2) = 8.28 %, 3 x 2.62 % (2026 H1) = 7.86 %
        self.assertEqual(rates, {(2025, 2): 9.0, (2026, 1): 9.0})
        self.assertEqual(self.rates._missing_half_years(date(2025, 12, 1), date(2026, 2, 1), 9.0), [])

    # ------------------------------------------------------------------
    # The preview flags the letters a missing rate would stop
    # ------------------------------------------------------------------

    def test_preview_flags_letters_crossing_a_missing_half_year(self):
        self.rate_2026_h2.unlink()
        consumer = self._make_customer("Jean Dupont", "jean.dupont@example.com", is_company=False)
        consumer.dunning_scenario_id = self.letters
        self.give_postal_addresses(consumer)
        e_mail_customer = self._make_customer("Café Test SARL", "compta@cafe.example.com")
        for partner in (self.customer, consumer):
            self.at_step(self.make_invoice(partner, -5, 1000), self.letter_step)  # due 20 June 2026
        self.make_invoice(e_mail_customer, -5, 500)  # default scenario: an e-mail
        self.make_invoice(self.customer_2, 20, 300)  # due 26 May: a letter in July too

        preview = self.preview(date(2026, 7, 10))
        lines = {line.partner_id: line for line in preview.line_ids}
        self.assertEqual(lines[self.customer].channel, "formal_notice")
        self.assertEqual(lines[self.customer].rate_warning, "No late-payment rate for half-year 2 of 2026")
        self.assertEqual(lines[self.customer_2].channel, "letter")
        self.assertEqual(lines[self.customer_2].rate_warning, "No late-payment rate for half-year 2 of 2026")
        self.assertFalse(lines[consumer].rate_warning, "a consumer owes no interest")
        self.assertEqual(lines[e_mail_customer].channel, "email")
        self.assertFalse(lines[e_mail_customer].rate_warning, "an e-mail computes no interest")
        self.assertEqual(preview.rate_warning_count, 2)

        # before the half-year begins nothing is missing yet
        self.assertEqual(self.preview(date(2026, 6, 30)).rate_warning_count, 0)
        # the run agrees with the preview
        self.run_escalation(days=25)
        notice = self.interventions(self.customer).filtered(lambda i: i.channel == "formal_notice")
        self.assertEqual(notice.state, "failed")

    def test_preview_flags_a_missing_legal_rate_under_a_contractual_rate(self):
        self.rate_2026_h2.legal_rate = 0.0
        self.customer.dunning_contract_rate = 15.0
        for partner in (self.customer, self.customer_2):
            self.at_step(self.make_invoice(partner, -5, 1000), self.letter_step)
        preview = self.preview(date(2026, 7, 10))
        lines = {line.partner_id: line for line in preview.line_ids}
        self.assertEqual(
            lines[self.customer].rate_warning,
            "No legal interest rate (floor of the contractual rate) for half-year 2 of 2026",
        )
        self.assertFalse(lines[self.customer_2].rate_warning)
        self.assertEqual(preview.rate_warning_count, 1)
        arch = preview.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn("would be refused", arch)
        self.assertIn('name="rate_warning"', arch)

    # ------------------------------------------------------------------
    # Before a half-year begins: the managers are told
    # ------------------------------------------------------------------

    def test_managers_get_a_todo_before_an_unrecorded_half_year(self):
        # the suite lives in 2026: the coming half-year is the first of 2027, not recorded
        self.at_step(self.make_invoice(self.customer, -5, 1000), self.letter_step)
        rates = self.rates.sudo()
        rates._check_coming_half_year(date(2026, 12, 16))  # 16 days before: too early
        self.assertFalse(self.manager_todos())

        rates._check_coming_half_year(date(2026, 12, 17))
        todo = self.assertTask(
            self.company.partner_id, self.manager, "Late-payment rate of half-year 1 of 2027 not recorded"
        )
        self.assertEqual(todo.activity_type_id, self.env.ref("mail.mail_activity_data_todo"))
        self.assertEqual(todo.date_deadline, date(2027, 1, 1))
        self.assertIn("1 letter(s) or formal notice(s) planned on 01/01/2027 would fail", str(todo.note))

        rates._check_coming_half_year(date(2026, 12, 18))
        self.assertEqual(len(self.manager_todos()), 1, "one to-do, however many days it is checked")
        self.assertFalse(self.manager_todos(self.agent), "agents are not tasked")

        # once recorded (by hand or by the ECB fetch), the daily check closes it
        self.rates.create({"date_start": date(2027, 1, 1), "ecb_rate": 2.15, "legal_rate": 2.5})
        rates._close_rate_activities([(2027, 1)])
        self.assertFalse(self.manager_todos())

    def test_no_todo_when_the_coming_half_year_is_recorded(self):
        self.rates.create({"date_start": date(2027, 1, 1), "ecb_rate": 2.15, "legal_rate": 2.5})
        self.rates.sudo()._check_coming_half_year(date(2026, 12, 20))
        self.assertFalse(self.manager_todos())
