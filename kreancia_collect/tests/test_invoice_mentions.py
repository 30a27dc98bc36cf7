from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import BaseCase, new_test_user, tagged

from odoo.addons.kreancia_collect.tools.mentions import has_legal_mentions, invoice_mentions

from .common import KreanciaCommon, pdf_text

FRENCH_MENTIONS = (
    "En cas de retard de paiement, des pénalités sont exigibles au taux de 12,15 % l'an (taux directeur de la "
    "BCE majoré de 10 points), ainsi qu'une indemnité forfaitaire pour frais de recouvrement de 40 € "
    "(art. L441-10 et D441-5 du Code de commerce)."
)
ENGLISH_MENTIONS = (
    "In case of late payment, penalties are due at the rate of 12.15% per year (ECB main refinancing rate plus "
    "10 points), together with a fixed indemnity of EUR 40 for recovery costs (art. L441-10 and D441-5 of the "
    "French Commercial Code)."
)


class TestMentionsText(BaseCase):
    def test_mentions_table(self):
        cases = [
            # rate, language, contractual, expected (or a part of it)
            (12.15, "fr_FR", False, FRENCH_MENTIONS),
            (12.15, "en_US", False, ENGLISH_MENTIONS),
            (12.15, "fr_BE", False, FRENCH_MENTIONS),  # any French
            (12.15, "de_DE", False, ENGLISH_MENTIONS),  # any other language: English
            (15, "fr_FR", True, "exigibles au taux de 15,00 % l'an, ainsi qu'une indemnité forfaitaire"),
            (15, "en_US", True, "due at the rate of 15.00% per year, together with a fixed indemnity of EUR 40"),
            # a half-year whose rate is not recorded yet: the formula
            (None, "fr_FR", False, "exigibles au taux directeur de la BCE majoré de 10 points, ainsi qu'une"),
            (None, "en_US", False, "due at the ECB main refinancing rate plus 10 points, together with"),
        ]
        for rate, lang, contractual, expected in cases:
            with self.subTest(rate=rate, lang=lang, contractual=contractual):
                self.assertIn(expected, invoice_mentions(rate, lang, contractual))

    def test_detector_table(self):
        cases = [
            (FRENCH_MENTIONS, True),
            (ENGLISH_MENTIONS, True),
            (invoice_mentions(None, "fr_FR"), True),
            (invoice_mentions(15, "en_US", contractual=True), True),
            # accents optional, capitals, HTML with entities, € glued or not
            ("PENALITES DE RETARD : 12,15 %. INDEMNITE FORFAITAIRE DE RECOUVREMENT : 40€", True),
            (
                "<p>P&eacute;nalit&eacute;s de retard&nbsp;: 10&nbsp;%</p>"
                "<p>Indemnit&eacute;&nbsp;: 40,00&nbsp;&euro;</p>",
                True,
            ),
            ("Late payment interest: 3 times the legal interest rate. Recovery costs: EUR 40.", True),
            ("Intérêts de retard au taux BCE + 10 points ; indemnité de recouvrement de 40 euros.", True),
            ("Penalties 11% a year; fixed recovery indemnity 40 EUR.", True),
            # one mention missing
            ("Pénalités de retard : 12,15 % l'an.", False),
            ("Indemnité forfaitaire pour frais de recouvrement : 40 €.", False),
            ("Pénalités de retard applicables. Indemnité forfaitaire de recouvrement : 40 €.", False),  # no rate
            # the indemnity is not 40 EUR
            ("Pénalités de retard : 12,15 %. Indemnité de recouvrement : 140 €.", False),
            ("Pénalités de retard : 12,15 %. Indemnité de recouvrement : 400 €.", False),
            ("Pénalités de retard : 12,15 %. Indemnité de recouvrement : 40 $.", False),
            # 40 EUR far from any indemnity word
            ("Pénalités de retard : 12,15 %. " + "Conditions générales de vente. " * 8 + "Franco dès 40 €.", False),
            ("Payment within 30 days.", False),
            ("", False),
            (False, False),
        ]
        for text, expected in cases:
            with self.subTest(text=text):
                self.assertEqual(has_legal_mentions(text), expected)


@tagged("post_install", "-at_install")
class TestInvoiceMentions(KreanciaCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.kreancia_invoice_mentions = True
        cls.consumer = cls.env["res.partner"].create({"name": "Jean Particulier", "lang": "en_US"})
        cls.foreign = cls.setup_other_currency("CHF", rates=[("2000-01-01", 2.0)])
        cls.accountant = new_test_user(
            cls.env, login="kc_accountant", groups="account.group_account_invoice", company_id=cls.company.id
        )

    def invoice_text(self, invoice, user=None):
        """The text of the invoice's PDF as ``user`` prints it, blanks collapsed to one space."""
        report = self.env["ir.actions.report"].with_context(force_report_rendering=True)
        if user:
            report = report.with_user(user)
        raw, _format = report._render_qweb_pdf("account.account_invoices", invoice.ids)
        return " ".join(pdf_text(raw).split())

    def test_pdf_shows_the_mentions_at_the_rate_of_the_half_year(self):
        invoice = self.make_invoice(self.customer, 10)  # dated 5 June 2026: ECB 2.15 + 10 points
        text = self.invoice_text(invoice)
        self.assertIn(ENGLISH_MENTIONS, text)
        self.assertTrue(invoice.dunning_legal_mentions, "posted with the mentions")

    def test_pdf_in_french(self):
        self.customer.lang = "fr_FR"
        invoice = self.make_invoice(self.customer, 10)
        self.assertIn(FRENCH_MENTIONS, self.invoice_text(invoice))

    def test_contractual_rate_wins(self):
        self.customer.dunning_contract_rate = 15.0
        invoice = self.make_invoice(self.customer, 10)
        text = self.invoice_text(invoice)
        self.assertIn("due at the rate of 15.00% per year, together with a fixed indemnity of EUR 40", text)
        self.assertNotIn("12.15%", text)

    def test_foreign_currency_invoice_still_states_40_euros(self):
        invoice = self.make_invoice(self.customer, 10, 2500.0, currency_id=self.foreign.id)
        self.assertNotEqual(invoice.currency_id, self.company.currency_id)
        self.assertIn(ENGLISH_MENTIONS, self.invoice_text(invoice))

    def test_no_mentions_for_a_consumer(self):
        invoice = self.make_invoice(self.consumer, 10)
        text = self.invoice_text(invoice)
        self.assertIn(invoice.name, text)
        self.assertNotIn("In case of late payment", text)
        self.assertFalse(invoice.dunning_legal_mentions)

    def test_no_mentions_when_the_setting_is_off(self):
        self.company.kreancia_invoice_mentions = False
        invoice = self.make_invoice(self.customer, 10)
        text = self.invoice_text(invoice)
        self.assertIn(invoice.name, text)
        self.assertNotIn("In case of late payment", text)
        self.assertFalse(invoice.dunning_legal_mentions)

    def test_second_company_follows_its_own_setting(self):
        company_b_data = self.setup_other_company(name="Company B")
        company_b = company_b_data["company"]
        self.assertFalse(company_b.kreancia_invoice_mentions)
        invoice = self.make_invoice(self.customer, 10, journal_id=company_b_data["default_journal_sale"].id)
        self.assertEqual(invoice.company_id, company_b)
        self.assertNotIn("In case of late payment", self.invoice_text(invoice))
        self.assertFalse(invoice.dunning_legal_mentions)
        # the check of company A's manager does not list company B's invoices
        listed = self.env["account.move"].search(self.check()["params"]["next"]["domain"])
        self.assertNotIn(invoice, listed)

    def test_plain_accountant_prints_the_invoice(self):
        invoice = self.make_invoice(self.customer, 10)
        self.assertIn(ENGLISH_MENTIONS, self.invoice_text(invoice, user=self.accountant))

    # ------------------------------------------------------------------
    # The check: posted invoices of the last 12 months lacking the mentions
    # ------------------------------------------------------------------
    def check(self, user=None):
        with freeze_time("2026-06-15"):
            return self.env["account.move"].with_user(user or self.manager).action_dunning_missing_mentions()

    def test_check_lists_invoices_without_the_mentions(self):
        with_setting = self.make_invoice(self.customer, 10)
        self.company.kreancia_invoice_mentions = False
        without = self.make_invoice(self.customer, 12)
        with_terms = self.make_invoice(self.customer_2, 12, narration=f"<p>{FRENCH_MENTIONS}</p>")
        with_other_terms = self.make_invoice(self.customer_2, 12, narration="<p>Payment within 30 days.</p>")
        consumer = self.make_invoice(self.consumer, 12)
        too_old = self.make_invoice(self.customer, 400)  # 11 May 2025
        draft = self.make_invoice(self.customer, 12, post=False)

        action = self.check()
        self.assertEqual(action["params"]["type"], "warning")
        self.assertIn("recovery indemnity): 2.", action["params"]["message"])
        self.assertIn("default terms", action["params"]["message"])
        listed = self.env["account.move"].search(action["params"]["next"]["domain"])
        self.assertEqual(listed, without | with_other_terms)
        for invoice in (with_setting, with_terms, consumer, too_old, draft):
            self.assertNotIn(invoice, listed)

    def test_check_with_nothing_missing(self):
        self.make_invoice(self.customer, 10)
        action = self.check()
        self.assertEqual(action["params"]["type"], "success")
        self.assertFalse(self.env["account.move"].search(action["params"]["next"]["domain"]))

    def test_check_is_for_managers(self):
        with self.assertRaises(AccessError):
            self.check(user=self.agent)
        with self.assertRaises(AccessError):
            self.check(user=self.accountant)
        menu = self.env.ref("kreancia_collect.menu_kreancia_missing_mentions")
        self.assertNotIn(menu.id, self.env["ir.ui.menu"].with_user(self.agent)._visible_menu_ids())
        self.assertIn(menu.id, self.env["ir.ui.menu"].with_user(self.manager)._visible_menu_ids())
        server_action = self.env.ref("kreancia_collect.account_move_action_missing_mentions")
        with freeze_time("2026-06-15"):
            self.assertEqual(server_action.with_user(self.manager).run()["tag"], "display_notification")

    def test_settings_show_the_setting_and_the_check(self):
        arch = self.env["res.config.settings"].get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn('name="kreancia_invoice_mentions"', arch)
        self.assertIn("Check the last 12 months", arch)
        settings = self.env["res.config.settings"].create({"kreancia_invoice_mentions": False})
        settings.execute()
        self.assertFalse(self.company.kreancia_invoice_mentions)
