import base64
import re
from datetime import date

from odoo.tests import tagged

from .test_debtor_page import DebtorPageCommon

# a 1x1 PNG: a logo of the company's own
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


class DebtorPageWithLetter(DebtorPageCommon):
    """The agency's letter claims interest and an indemnity on the first invoice; the second one has none."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.give_postal_addresses(cls.customer)
        cls.step_agency.write({"channel": "letter"})
        cls.invoice_a._dunning_write({"dunning_step_id": cls.step_firm.id})
        cls.invoice_b._dunning_write({"dunning_step_id": cls.step_agency.id})
        cls.env["kreancia.escalation"].run(today=cls.today)
        cls.letter = cls.env["kreancia.intervention"].search([("partner_id", "=", cls.customer.id)])

    def post_letter(self):
        """The letter leaves Letters to Send: the page claims what it claims once the debtor received it."""
        self.env["kreancia.intervention.mark.posted"].with_user(self.manager).create(
            {"intervention_ids": self.letter.ids}
        ).action_confirm()
        self.assertEqual(self.letter.state, "done")


@tagged("post_install", "-at_install")
class TestDebtorPageDisplay(DebtorPageWithLetter):
    def test_a_letter_shows_once_it_is_posted(self):
        self.assertEqual((self.letter.channel, self.letter.state), ("letter", "to_send"))
        letter_url = self.page_url(path=f"/letter/{self.letter.id}")
        self.assertNotIn(letter_url.split("?")[0], self.open_page().text, "not posted: the debtor never received it")
        self.assertEqual(self.url_open(letter_url).status_code, 404)
        self.env["kreancia.intervention.mark.posted"].with_user(self.manager).create(
            {"intervention_ids": self.letter.ids}
        ).action_confirm()
        self.assertIn(letter_url.split("?")[0], self.open_page().text)
        response = self.url_open(letter_url)
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.content.startswith(b"%PDF"))

    def test_pay_online_only_with_a_payment_provider(self):
        html = self.open_page().text
        self.assertNotIn('o_debtor_pay"', html, "no provider: no button that leads nowhere")
        self.assertNotIn('name="invoice_ids" value', html.split("o_debtor_plan_form")[0], "nothing to tick")
        self.assertIn(self.invoice_a.name, html, "the claim is still listed")
        self.demo_provider(self.env, self.company)
        html = self.open_page().text
        self.assertIn('o_debtor_pay"', html)
        self.assertRegex(html, rf'name="invoice_ids"\s+value="{self.invoice_a.id}"')

    def test_a_time_barred_invoice_is_neither_shown_nor_offered(self):
        barred = self.make_invoice(self.customer, (self.today - date(2021, 6, 13)).days, 700.0)
        self.assertLess(barred.dunning_limitation_date, date.today(), "its last day to claim is past")
        self.demo_provider(self.env, self.company)
        html = self.open_page().text
        self.assertNotIn(barred.name, html, "never claimed, not even on the debtor's page")
        self.assertNotRegex(html, rf'name="invoice_ids"\s+value="{barred.id}"', "no payment nor plan offered for it")
        self.assertIn(self.invoice_a.name, html)
        self.assertRegex(html, rf'name="invoice_ids"\s+value="{self.invoice_a.id}"')

    def test_totals_carry_what_the_script_needs(self):
        self.post_letter()
        self.demo_provider(self.env, self.company)
        html = self.open_page().text
        row = re.search(rf'<tr data-invoice="{re.escape(self.invoice_a.name)}"[^>]*>', html).group(0)
        self.assertIn('data-due="600.0"', row)
        self.assertIn('data-indemnity="40.0"', row)
        totals = re.search(r'<table class="[^"]*o_debtor_totals"[^>]*>', html).group(0)
        self.assertIn('data-thousands=","', totals)
        self.assertIn('data-point="."', totals)
        self.assertIn(f'data-symbol="{self.company.currency_id.symbol}"', totals)

    def test_totals_follow_the_ticked_invoices(self):
        self.post_letter()
        self.demo_provider(self.env, self.company)
        self.start_tour(self.page_url(), "kreancia_debtor_totals_tour")

    def test_a_company_without_logo_shows_no_placeholder(self):
        company_link = self.env["kreancia.debtor.link"]._link_for(self.customer, self.company, self.brand.browse(), 90)
        self.company.logo = False
        self.assertTrue(self.company.uses_default_logo, "Odoo's placeholder stands in for the missing logo")
        self.assertNotIn("o_debtor_logo", self.open_page(company_link).text)
        self.company.logo = base64.b64encode(PNG)
        self.assertFalse(self.company.uses_default_logo)
        self.assertIn("o_debtor_logo", self.open_page(company_link).text)


@tagged("post_install", "-at_install")
class TestDebtorPagePhone(DebtorPageWithLetter):
    browser_size = "390x844"
    touch_enabled = True

    def test_the_invoice_table_fits_a_phone(self):
        self.post_letter()
        self.demo_provider(self.env, self.company)
        self.start_tour(self.page_url(), "kreancia_debtor_phone_tour")
