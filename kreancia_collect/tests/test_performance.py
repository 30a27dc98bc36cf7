import doctest
from unittest.mock import patch

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import BaseCase, tagged

from odoo.addons.base.models.ir_actions_report import _wkhtml

from ..models.kreancia_escalation import KreanciaEscalation
from ..models.kreancia_intervention_letter import LETTER_REPORT
from ..speed import ir_actions_report_batch, ir_qweb, pdf_batch
from .common import KreanciaCommon, pdf_text


class TestPdfBatchDoctest(BaseCase):
    def test_doctests(self):
        failures, _tests = doctest.testmod(pdf_batch)
        self.assertFalse(failures)


@tagged("post_install", "-at_install")
class TestBatchLetters(KreanciaCommon):
    """A run's letters come from one wkhtmltopdf call per language, each letter as if printed alone."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.letters = cls.env["kreancia.scenario"].create(
            {
                "name": "Letters",
                "company_id": cls.company.id,
                "step_ids": [Command.create({"name": "Letter", "delay_days": 10, "channel": "letter"})],
            }
        )
        cls.customer_3 = cls._make_customer("Garage Long SARL", "compta@garage.example.com")
        customers = cls.customer | cls.customer_2 | cls.customer_3
        customers.dunning_scenario_id = cls.letters
        cls.give_postal_addresses(cls.customer, cls.customer_2, cls.customer_3)
        (cls.customer_2 | cls.customer_2.child_ids).lang = "fr_FR"
        cls.make_invoice(cls.customer, 12)
        cls.make_invoice(cls.customer_2, 15, amount=250.0)
        for days in range(12, 52):  # a letter long enough to take several pages
            cls.make_invoice(cls.customer_3, days, amount=100.0 + days)

    def alone(self, intervention):
        report = self.env["ir.actions.report"].with_context(force_report_rendering=True)
        streams = report._render_qweb_pdf_prepare_streams(LETTER_REPORT, {}, res_ids=intervention.ids)
        return streams[intervention.id]["stream"].getvalue()

    def test_letters_of_a_run_match_letters_printed_alone(self):
        with patch.object(
            ir_actions_report_batch, "_run_wkhtmltopdf", wraps=ir_actions_report_batch._run_wkhtmltopdf
        ) as run_wkhtmltopdf:
            self.run_escalation()
        interventions = self.interventions().filtered(lambda intervention: intervention.channel == "letter")
        self.assertEqual(len(interventions), 3)
        self.assertEqual(set(interventions.mapped("state")), {"to_send"})
        if not _wkhtml().is_patched_qt:
            # one process for the three letters (English and French ones share their page layout)
            self.assertEqual(run_wkhtmltopdf.call_count, 1)
        for intervention in interventions:
            text = pdf_text(intervention.attachment_id.raw)
            self.assertIn(intervention.name, text)
            self.assertEqual(text, pdf_text(self.alone(intervention)))
        long_letter = interventions.filtered(lambda intervention: intervention.partner_id == self.customer_3)
        self.assertGreater(pdf_text(long_letter.attachment_id.raw).count("\f"), 1, "the long letter has its pages")
        self.assertNotIn(self.customer_3.name, pdf_text((interventions - long_letter)[0].attachment_id.raw))
        french = interventions.filtered(lambda intervention: intervention.partner_id == self.customer_2)
        self.assertIn("Référence", pdf_text(french.attachment_id.raw))

    def test_each_letter_of_a_run_writes_amounts_in_its_own_language(self):
        # with English active, the run speaks English: a French customer's letter must still read French amounts
        self.env["res.lang"]._activate_lang("en_US")
        self.addCleanup(self.env.registry.clear_cache, "stable")
        self.run_escalation()
        interventions = self.interventions().filtered(lambda intervention: intervention.channel == "letter")
        french = interventions.filtered(lambda intervention: intervention.partner_id == self.customer_2)
        english = interventions.filtered(lambda intervention: intervention.partner_id == self.customer)
        french_text = pdf_text(french.attachment_id.raw)
        self.assertIn("250,00", french_text)
        self.assertNotIn("250.00", french_text)
        self.assertIn("1,000.00", pdf_text(english.attachment_id.raw))
        self.assertEqual(french_text, pdf_text(self.alone(french)))

    def test_split_refuses_markers_that_do_not_match(self):
        self.run_escalation()
        intervention = self.interventions(self.customer)
        self.assertIsNone(pdf_batch.split_documents(intervention.attachment_id.raw, [intervention.id]))


@tagged("post_install", "-at_install")
class TestEmailRendering(KreanciaCommon):
    """The reminder body is compiled once per batch and language, and renders as Odoo renders it."""

    def test_bodies_compiled_once_per_language_render_as_odoo_does(self):
        customer_3 = self._make_customer("Garage Test SARL", "compta@garage.example.com")
        customer_4 = self._make_customer("Menuiserie Test SARL", "compta@menuiserie.example.com")
        french_customers = customer_3 | customer_4
        (french_customers | french_customers.child_ids).lang = "fr_FR"
        for customer in (self.customer, self.customer_2, customer_3, customer_4):
            self.make_invoice(customer, 8)
        ir_qweb._compiled.clear()
        qweb_class = type(self.env["ir.qweb"])
        original = qweb_class._generate_code
        with patch.object(qweb_class, "_generate_code", autospec=True, side_effect=original) as generate:
            self.run_escalation()
            compiled_bodies = [call for call in generate.call_args_list if not isinstance(call.args[1], (int, str))]
        interventions = self.interventions()
        self.assertEqual(len(interventions), 4)
        self.assertEqual(set(interventions.mapped("state")), {"done"})
        # per language, mail checks the body's expressions once and renders it once: not once per customer
        self.assertEqual(len(compiled_bodies), 4)
        template = interventions.step_id.mail_template_id
        self.assertEqual(len(template), 1)
        expected = template._generate_template(interventions.ids, ("body_html",))
        for intervention in interventions:
            self.assertEqual(intervention.mail_id.body_html, expected[intervention.id]["body_html"])
            self.assertIn(intervention.move_ids.name, intervention.mail_id.body_html)
        french = interventions.filtered(lambda intervention: intervention.partner_id in french_customers)
        self.assertTrue(all("Bonjour" in body for body in french.mail_id.mapped("body_html")))
        self.assertFalse(any("Bonjour" in body for body in (interventions - french).mail_id.mapped("body_html")))

    def test_an_edited_template_is_compiled_again(self):
        self.make_invoice(self.customer, 8)
        self.run_escalation()
        template = self.interventions(self.customer).step_id.mail_template_id
        template.body_html = "<p>Edited reminder for <t t-out='object.partner_id.name'/></p>"
        self.make_invoice(self.customer_2, 8)
        self.run_escalation()
        body = self.interventions(self.customer_2).mail_id.body_html
        self.assertIn("Edited reminder for Atelier Test SAS", body)

    def test_references_drawn_in_one_query_follow_the_sequence(self):
        for customer in (self.customer, self.customer_2):
            self.make_invoice(customer, 8)
        self.run_escalation()
        names = self.interventions().sorted("id").mapped("name")
        self.assertEqual(len(set(names)), 2)
        numbers = [int(name.rsplit("/", 1)[1]) for name in names]
        self.assertEqual(numbers[1], numbers[0] + 1)
        self.assertTrue(all(name.startswith("DUN/2026/") for name in names))
        following = self.env["ir.sequence"].next_by_code("kreancia.intervention")
        self.assertEqual(int(following.rsplit("/", 1)[1]), numbers[1] + 1)


@tagged("post_install", "-at_install")
class TestQueuedRuns(KreanciaCommon):
    """A large run asked for by hand goes to the scheduled action; a small one answers at once."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for customer in (cls.customer, cls.customer_2):
            cls.make_invoice(customer, 8)
        cls.cron = cls.env.ref("kreancia_collect.ir_cron_kreancia_escalation")

    def set_threshold(self, value):
        self.env["ir.config_parameter"].sudo().set_param("kreancia_collect.run_queue_threshold", str(value))

    def test_small_run_stays_synchronous(self):
        self.set_threshold(2)
        counts = self.run_escalation(user=self.manager)
        self.assertEqual(counts["interventions"], 2)
        self.assertNotIn("queued", counts)
        self.assertFalse(self.env["kreancia.escalation.run"].search([]))

    def test_large_run_is_queued_then_performed_by_the_scheduled_action(self):
        self.set_threshold(1)
        triggers = self.env["ir.cron.trigger"].search([("cron_id", "=", self.cron.id)])
        result = self.run_escalation(user=self.manager)
        self.assertEqual(result["queued"], True)
        self.assertEqual(result["planned"], 2)
        self.assertEqual(result["date"], "2026-06-15")
        self.assertFalse(self.interventions(), "nothing performed inside the request")
        self.assertTrue(self.env["ir.cron.trigger"].search([("cron_id", "=", self.cron.id)]) - triggers)
        status = self.env["kreancia.escalation"].with_user(self.manager).run_status(result["run_id"])
        self.assertEqual((status["state"], status["planned"], status["performed"]), ("queued", 2, 0))

        self.env["kreancia.escalation.run"].sudo()._perform_queued()
        interventions = self.interventions()
        self.assertEqual(len(interventions), 2)
        self.assertEqual(set(interventions.mapped("date")), {self.today})
        self.assertEqual(interventions.user_id, self.manager, "performed in the name of who asked")
        status = self.env["kreancia.escalation"].with_user(self.manager).run_status(result["run_id"])
        self.assertEqual((status["state"], status["performed"]), ("done", 2))
        self.assertEqual(status["counts"]["interventions"], 2)
        # performed once: the next pass finds nothing queued and the run stays idempotent
        self.env["kreancia.escalation.run"].sudo()._perform_queued()
        self.assertEqual(len(self.interventions()), 2)

    def test_customers_planned_batch_by_batch_are_all_counted_and_performed(self):
        customer_3 = self._make_customer("Garage Test SARL", "compta@garage.example.com")
        self.make_invoice(customer_3, 8)
        with patch.object(KreanciaEscalation, "BATCH_SIZE", 1):  # one customer planned at a time
            self.set_threshold(1)
            result = self.run_escalation(user=self.manager)
            self.assertEqual(result["planned"], 3, "counted beyond the threshold, not only up to it")
            self.env["kreancia.escalation.run"].sudo()._perform_queued()
        self.assertEqual(len(self.interventions()), 3)
        self.assertEqual(self.interventions().partner_id, self.customer | self.customer_2 | customer_3)
        status = self.env["kreancia.escalation"].with_user(self.manager).run_status(result["run_id"])
        self.assertEqual((status["state"], status["performed"]), ("done", 3))

    def test_small_run_planned_batch_by_batch_performs_every_customer(self):
        self.set_threshold(2)
        with patch.object(KreanciaEscalation, "BATCH_SIZE", 1):
            counts = self.run_escalation(user=self.manager)
        self.assertEqual((counts["interventions"], counts["invoices"]), (2, 2))
        self.assertEqual(self.interventions().partner_id, self.customer | self.customer_2)

    def test_preview_wizard_says_the_run_was_queued(self):
        self.set_threshold(1)
        wizard = self.env["kreancia.escalation.preview"].with_user(self.manager).create({"date": self.today})
        action = wizard.action_run()
        self.assertEqual(action["params"]["type"], "info")
        self.assertIn("2 interventions are planned", action["params"]["message"])
        self.assertEqual(self.env["kreancia.escalation.run"].search([]).state, "queued")

    def test_status_of_an_unknown_run_is_refused_clearly(self):
        with self.assertRaisesRegex(UserError, "There is no queued dunning run 999999"):
            self.env["kreancia.escalation"].with_user(self.manager).run_status(999999)
