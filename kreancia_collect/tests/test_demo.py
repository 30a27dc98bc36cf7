import re
from datetime import date

from odoo import fields
from odoo.tests import HttpCase, TransactionCase, new_test_user, tagged
from odoo.tools.convert import convert_file

from .common import pdf_text


@tagged("post_install", "-at_install")
class TestDemo(TransactionCase):
    """The demo data (what `make run` shows) loaded into the test database and run once.

    The suite installs the add-on without demo data, so this loads
    ``demo/kreancia_demo.xml`` as Odoo does when installing with demo, in the
    test's transaction. Without l10n_fr_account (the test database), the
    French company gets Odoo's generic chart, still in EUR.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.context_today(cls.env["res.users"])  # the real date: the demo is dated from it
        convert_file(cls.env, "kreancia_collect", "demo/kreancia_demo.xml", {}, mode="init", noupdate=True)
        # the demo is dated from today, the rates ship up to a date: the last two half-years need one
        half_year = date(cls.today.year, 1 if cls.today.month <= 6 else 7, 1)
        previous = date(half_year.year - 1, 7, 1) if half_year.month == 1 else date(half_year.year, 1, 1)
        for start in (previous, half_year):
            if not cls.env["kreancia.interest.rate"].search([("date_start", "=", start)]):
                cls.env["kreancia.interest.rate"].create({"date_start": start, "ecb_rate": 2.15, "legal_rate": 2.62})
        cls.company = cls.env.ref("kreancia_collect.demo_company_fr")

    def test_demo_company_is_french_in_euros(self):
        company = self.company
        self.assertEqual(company.currency_id, self.env.ref("base.EUR"))
        self.assertEqual(company.country_id, self.env.ref("base.fr"))
        self.assertTrue(company.chart_template)
        self.assertEqual((company.vat, company.company_registry), ("FR19812345676", "812345676"))
        self.assertIn("FR76 3000 4012 3400 0123 4567 862", company.partner_id.bank_ids.mapped("acc_number"))
        admin = self.env.ref("base.user_admin")
        self.assertEqual(admin.company_id, company)
        scenarios = self.env["kreancia.scenario"].search([("company_id", "=", company.id)])
        self.assertIn(self.env.ref("kreancia_collect.scenario_standard"), scenarios)
        self.assertIn(self.env.ref("kreancia_collect.demo_scenario_agency"), scenarios)
        self.assertEqual(self.env.ref("kreancia_collect.demo_brand_agency").company_id, company)
        self.assertEqual(self.env.ref("kreancia_collect.demo_commitment_moreau").company_id, company)

    def test_demo_invoices_on_the_french_company(self):
        def move(xmlid):
            return self.env.ref(f"kreancia_collect.{xmlid}")

        moves = self.env["account.move"].search(
            [
                (
                    "partner_id.name",
                    "in",
                    [
                        "Boulangerie Martin SARL",
                        "Atelier Durand SAS",
                        "Transports Lefèvre SA",
                        "Cabinet Moreau",
                        "Garage Bernard SARL",
                    ],
                ),
                ("move_type", "in", ["out_invoice", "out_refund"]),
            ]
        )
        self.assertEqual(len(moves), 10)
        self.assertEqual(moves.company_id, self.company)
        self.assertEqual(moves.currency_id, self.env.ref("base.EUR"))
        self.assertEqual(set(moves.mapped("state")), {"posted"})
        late = ["demo_invoice_due_today", "demo_invoice_late_3", "demo_invoice_late_8", "demo_invoice_late_20"]
        late += ["demo_invoice_late_45", "demo_invoice_late_95"]
        self.assertEqual([(self.today - move(x).invoice_date_due).days for x in late], [0, 3, 8, 20, 45, 95])
        self.assertEqual(move("demo_invoice_paid").payment_state, "paid")
        self.assertEqual(move("demo_invoice_partial").amount_residual, 3000.0)
        self.assertEqual(move("demo_refund_durand").move_type, "out_refund")

    def test_demo_run_claims_euros_for_a_french_creditor(self):
        """The first run's formal notice to Garage Bernard, under the agency's letterhead."""
        self.env["kreancia.escalation"].with_company(self.company).run()
        bernard = self.env.ref("kreancia_collect.demo_partner_bernard")
        notice = self.env["kreancia.intervention"].search([("partner_id", "=", bernard.id)])
        self.assertEqual(notice.channel, "formal_notice")
        self.assertEqual(notice.company_id, self.company)
        self.assertEqual(notice.brand_id, self.env.ref("kreancia_collect.demo_brand_agency"))
        self.assertEqual(notice.amount_indemnity, 40.0)
        text = " ".join(pdf_text(notice.attachment_id.raw).split())
        self.assertIn("Recouvrement Conseil", text)
        self.assertIn("Créancier : Fournitures Lyonnaises SAS, 5 quai Saint-Vincent, 69001 Lyon", text)
        self.assertIn("3 000,00 €", text)
        self.assertIn("(D441-5) 40,00 €", text)
        self.assertNotIn("$", text)

    def test_a_user_choosing_english_gets_english(self):
        self.assertIn("en_US", dict(self.env["res.lang"].get_installed()), "English is offered in the preferences")
        user = new_test_user(self.env, login="kc_demo_english", company_id=self.company.id)
        user.lang = "en_US"
        self.assertEqual(user.with_user(user).context_get()["lang"], "en_US", "not the company's French")

    def test_demo_customer_under_receivership(self):
        customer = self.env.ref("kreancia_collect.demo_partner_petit")
        procedure = self.env["kreancia.insolvency"].search([("partner_id", "=", customer.id)])
        self.assertEqual((procedure.kind, procedure.court), ("receivership", "TRIBUNAL DE COMMERCE DE LYON"))
        before = self.env.ref("kreancia_collect.demo_invoice_petit_before")
        after = self.env.ref("kreancia_collect.demo_invoice_petit_after")
        self.assertEqual(before.dunning_state, "insolvency")
        self.assertFalse(after.dunning_insolvency_id)
        if not procedure.declaration_id:  # loaded before this test recorded the half-year's rate
            procedure.action_prepare_declaration()
        else:
            # no HTTP server serves the stylesheets at install: the daily run renders the letter
            self.assertFalse(procedure.declaration_id.attachment_id)
            self.assertEqual(
                self.env["kreancia.intervention"]._render_deferred_claim_declarations(), procedure.declaration_id
            )
        self.assertEqual(procedure.declaration_id.state, "to_send")
        self.assertIn("SELARL MJ Synergie", pdf_text(procedure.declaration_id.attachment_id.raw))

    def test_demo_replies_wait_in_the_inbox(self):
        replies = self.env["kreancia.reply"].search([("company_id", "=", self.company.id)])
        kinds = {reply.partner_id.name: reply.kind for reply in replies}
        self.assertEqual(kinds.get("Boulangerie Martin SARL"), "promise")
        self.assertEqual(kinds.get("Atelier Durand SAS"), "dispute")
        self.assertEqual(kinds.get("Transports Lefèvre SA"), "document")


@tagged("post_install", "-at_install")
class TestDemoDebtorPayment(HttpCase):
    """With payment_demo installed (``make run`` installs it), the demo's debtor page takes a payment."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        convert_file(cls.env, "kreancia_collect", "demo/kreancia_demo.xml", {}, mode="init", noupdate=True)
        cls.company = cls.env.ref("kreancia_collect.demo_company_fr")

    def test_debtor_page_offers_the_demo_provider(self):
        if self.env["ir.module.module"]._get("payment_demo").state != "installed":
            self.skipTest("payment_demo is not installed")
        self.env["kreancia.escalation"].with_company(self.company).run()
        durand = self.env.ref("kreancia_collect.demo_partner_durand")
        intervention = self.env["kreancia.intervention"].search(
            [("partner_id", "=", durand.id), ("debtor_link_id", "!=", False)], limit=1
        )
        link = intervention.debtor_link_id
        page = self.url_open(f"/collect/{link.id}?access_token={link.access_token}")
        self.assertEqual(page.status_code, 200, page.text[:300])
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        invoice = self.env.ref("kreancia_collect.demo_invoice_late_20")
        response = self.url_open(
            f"/collect/{link.id}/pay",
            data={"access_token": link.access_token, "csrf_token": token, "invoice_ids": [invoice.id]},
            allow_redirects=False,
        )
        self.assertEqual(response.status_code, 200, response.text[:300])
        self.assertIn('data-provider-code="demo"', response.text, "the demo provider is offered to pay")
