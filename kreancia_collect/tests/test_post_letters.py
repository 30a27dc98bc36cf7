import ast
import base64
from contextlib import contextmanager
from unittest.mock import patch

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import KreanciaCommon

IAP_CALL = "odoo.addons.iap.tools.iap_tools.iap_jsonrpc"


@tagged("post_install", "-at_install")
class TestPostLetters(KreanciaCommon):
    """Letters to Send sent through Odoo's postal service (snailmail), its IAP service mocked: no network."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.foreign = cls.setup_other_currency("CHF", rates=[("2000-01-01", 2.0)])
        cls.company.write({"street": "5 quai du Créancier", "zip": "69001", "city": "Lyon"})
        cls.company.partner_id.country_id = cls.env.ref("base.fr")
        cls.company.write({"snailmail_color": True, "snailmail_duplex": False, "snailmail_cover": False})
        cls.brand.write({"post_color": False, "post_duplex": True, "post_cover": True})
        cls.letters = cls.env["kreancia.scenario"].create(
            {
                "name": "Letters",
                "company_id": cls.company.id,
                "min_gap_days": 1,
                "step_ids": [
                    Command.create({"name": "Company letter", "delay_days": 10, "channel": "letter"}),
                    Command.create(
                        {
                            "name": "Agency letter",
                            "delay_days": 20,
                            "channel": "letter",
                            "identity": "brand",
                            "brand_id": cls.brand.id,
                        }
                    ),
                    Command.create(
                        {
                            "name": "Agency notice",
                            "delay_days": 30,
                            "channel": "formal_notice",
                            "identity": "brand",
                            "brand_id": cls.brand.id,
                            "deadline_days": 8,
                        }
                    ),
                ],
            }
        )
        cls.letter_step, cls.agency_letter_step, cls.notice_step = cls.letters.step_ids.sorted("delay_days")
        for customer in (cls.customer, cls.customer_2):
            customer.dunning_scenario_id = cls.letters
        cls.give_postal_addresses(cls.customer, cls.customer_2)
        (cls.customer | cls.customer.child_ids).country_id = cls.env.ref("base.fr")

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def letter_for(self, customer, step_before, days_late, **invoice_values):
        """The letter the run produces for ``customer`` once an invoice stands at ``step_before``."""
        invoice = self.make_invoice(customer, days_late, 800, **invoice_values)
        self.at_step(invoice, step_before)
        self.run_escalation()
        letter = self.interventions(customer).filtered(lambda i: i.move_ids == invoice)
        self.assertEqual(letter.state, "to_send")
        return letter

    def company_letter(self, customer=None, **invoice_values):
        return self.letter_for(customer or self.customer, self.env["kreancia.scenario.step"], 12, **invoice_values)

    def post_wizard(self, letters, user=None):
        return (
            self.env["kreancia.intervention.post"]
            .with_user(user or self.manager)
            .with_context(active_model="kreancia.intervention", active_ids=letters.ids)
            .create({})
        )

    @contextmanager
    def postal_service(self, error=None, reason=None):
        """The IAP print service answering each letter (sent, or ``error``); yields the requests it received."""
        requests = []

        def answer(url, params=None, timeout=None, **kwargs):
            requests.append(params)
            if reason:
                return {"request_code": 400, "reason": reason, "request": {"documents": params["documents"]}}
            documents = [
                {"letter_id": doc["letter_id"], "sent": not error, "send_id": "PGN-42", "error": error}
                for doc in params["documents"]
            ]
            return {"request_code": 200, "total_cost": 1, "request": {"documents": documents}}

        with patch(IAP_CALL, side_effect=answer):
            yield requests

    def run_post_queue(self, letters):
        """What Snail Mail's scheduled action does for each letter waiting, its commit aside."""
        for letter in letters.filtered(lambda letter: letter.state == "pending"):
            letter._snailmail_print_valid_address()

    # ------------------------------------------------------------------
    # Posted
    # ------------------------------------------------------------------

    def test_a_letter_posted_is_done_with_its_posting_date(self):
        letter = self.company_letter()
        wizard = self.post_wizard(letter)
        self.assertEqual(wizard.postable_ids, letter)
        self.assertIn("Snail Mail stamps: 1 (one per letter)", wizard.cost_note, "the cost, before sending")
        self.assertIn(f"{letter.name} ({self.customer.display_name}): 1 p., colour, one side", wizard.cost_note)
        with self.postal_service() as requests:
            wizard.action_confirm()
            self.assertFalse(requests, "the letter waits in Snail Mail's queue, sent by its scheduled action")
            self.assertEqual((letter.state, letter.post_state), ("to_send", "pending"))
            postal = letter.post_letter_id
            self.assertEqual((postal.model, postal.res_id), ("kreancia.intervention", letter.id))
            self.assertEqual(postal.attachment_id, letter.attachment_id, "the letter's own PDF")
            self.assertEqual(postal.partner_id, letter._postal_recipient())
            self.run_post_queue(postal)
        self.assertEqual(len(requests), 1)
        document = requests[0]["documents"][0]
        self.assertEqual(base64.b64decode(document["pdf_bin"]), letter.attachment_id.raw)
        self.assertEqual(document["return_address"]["name"], self.company.name, "a company letter comes back to it")
        self.assertEqual(postal.state, "sent")
        self.assertEqual((letter.state, letter.post_state, letter.post_error), ("done", "sent", False))
        # the real date: the day the postal service took the letter
        self.assertEqual(letter.posted_date, fields.Date.context_today(letter))
        self.assertEqual(letter._sent_date(), letter.posted_date, "later letters recall the posting date")
        self.assertTrue(
            self.env["mail.message"].search(
                [("model", "=", "res.partner"), ("res_id", "=", self.customer.id), ("message_type", "=", "snailmail")]
            ),
            "the customer's chatter shows the letter sent by post",
        )
        to_send = self.env["kreancia.intervention"].search(
            [("state", "=", "to_send"), ("company_id", "=", self.company.id)]
        )
        self.assertNotIn(letter, to_send, "gone from Letters to Send")

    def test_brand_letter_prints_with_the_brand_options_and_returns_to_the_agency(self):
        letter = self.letter_for(self.customer, self.letter_step, 22, currency_id=self.foreign.id)
        self.assertEqual(letter.identity, "brand")
        company_letter = self.company_letter(self.customer_2)
        wizard = self.post_wizard(letter | company_letter)
        self.assertIn(f"{letter.name} ({self.customer.display_name}): ", wizard.cost_note)
        self.assertIn("black and white, both sides, cover page", wizard.cost_note)
        self.assertIn("Snail Mail stamps: 2", wizard.cost_note)
        wizard.action_confirm()
        brand_postal, company_postal = letter.post_letter_id, company_letter.post_letter_id
        self.assertEqual(
            (brand_postal.color, brand_postal.duplex, brand_postal.cover), (False, True, True), "the brand's choices"
        )
        self.assertEqual(
            (company_postal.color, company_postal.duplex, company_postal.cover),
            (True, False, False),
            "the company's Snail Mail settings",
        )
        with self.postal_service() as requests:
            self.run_post_queue(brand_postal)
        self.assertEqual(requests[0]["options"]["duplex"], True)
        self.assertEqual(requests[0]["options"]["color"], False)
        returned = requests[0]["documents"][0]["return_address"]
        self.assertEqual((returned["name"], returned["street"]), ("Recouvrement Test SAS", "12 rue des Agences"))
        self.assertEqual(letter.state, "done")
        self.assertEqual(company_letter.state, "to_send", "still in the queue")

    # ------------------------------------------------------------------
    # Refused
    # ------------------------------------------------------------------

    def test_no_credit_returns_the_letter_to_letters_to_send_with_the_reason(self):
        letter = self.company_letter()
        self.post_wizard(letter).action_confirm()
        postal = letter.post_letter_id
        with self.postal_service(error="CREDIT_ERROR"):
            self.run_post_queue(postal)
        self.assertEqual(postal.state, "error")
        self.assertEqual((letter.state, letter.post_state), ("to_send", "error"))
        self.assertEqual(letter.post_error, "Not enough Snail Mail credit: buy stamps, then send the letter again.")
        action = self.env.ref("kreancia_collect.kreancia_intervention_action_to_send")
        listed = (
            self.env["kreancia.intervention"]
            .with_user(self.manager)
            .search([*ast.literal_eval(action.domain), ("state", "=", "to_send"), ("post_state", "=", "error")])
        )
        self.assertEqual(listed, letter, "back in Letters to Send, the reason shown")
        # sent again once credit is bought: the refused letter is withdrawn, a new one leaves
        self.post_wizard(letter).action_confirm()
        self.assertEqual(postal.state, "canceled", "Snail Mail would try the refused one again: withdrawn")
        self.assertEqual(letter.post_state, "pending")
        with self.postal_service():
            self.run_post_queue(letter.post_letter_id)
        self.assertEqual((letter.state, letter.post_state), ("done", "sent"))

    def test_service_refusing_the_whole_request_gives_its_reason(self):
        letter = self.company_letter()
        self.post_wizard(letter).action_confirm()
        with self.postal_service(reason="FORMAT_ERROR"):
            self.run_post_queue(letter.post_letter_id)
        self.assertEqual((letter.state, letter.post_state), ("to_send", "error"))
        self.assertIn("refused the PDF's format", letter.post_error)

    def test_incomplete_address_fails_at_once_without_calling_the_service(self):
        self.customer.child_ids.country_id = False
        self.customer.country_id = False
        letter = self.company_letter()
        with self.postal_service() as requests:
            self.post_wizard(letter).action_confirm()
        self.assertFalse(requests)
        self.assertEqual((letter.state, letter.post_state), ("to_send", "error"))
        self.assertEqual(
            letter.post_error, "Incomplete address: the postal service needs the street, ZIP, city and country."
        )

    def test_letter_posted_by_hand_withdraws_its_refused_postal_letter(self):
        letter = self.company_letter()
        self.post_wizard(letter).action_confirm()
        postal = letter.post_letter_id
        with self.postal_service(error="CREDIT_ERROR"):
            self.run_post_queue(postal)
        self.env["kreancia.intervention.mark.posted"].with_user(self.manager).with_context(
            active_model="kreancia.intervention", active_ids=letter.ids
        ).create({}).action_confirm()
        self.assertEqual(letter.state, "done")
        self.assertEqual(postal.state, "canceled", "Snail Mail's daily retry must not post it a second time")
        self.assertFalse(letter.post_state)

    def test_formal_notice_is_refused_for_post(self):
        notice = self.letter_for(self.customer, self.agency_letter_step, 32)
        self.assertEqual(notice.channel, "formal_notice")
        wizard = self.post_wizard(notice)
        self.assertFalse(wizard.postable_ids)
        self.assertIn("needs registered mail", wizard.refused_note)
        with self.refused(UserError, "print it and record the registered-mail number"):
            wizard.action_confirm()
        with self.refused(UserError, "needs registered mail"):
            notice.with_user(self.manager)._send_by_post("snailmail")
        self.assertFalse(
            self.env["snailmail.letter"].search([("model", "=", notice._name), ("res_id", "=", notice.id)])
        )
        self.assertEqual((notice.state, notice.post_state), ("to_send", False))

    def test_a_notice_among_letters_stays_the_others_leave(self):
        letter = self.company_letter()
        notice = self.letter_for(self.customer_2, self.agency_letter_step, 32)
        wizard = self.post_wizard(letter | notice)
        self.assertEqual(wizard.postable_ids, letter)
        self.assertIn(notice.name, wizard.refused_note)
        self.assertNotIn(notice.name, wizard.cost_note, "only the letters sent are counted")
        wizard.action_confirm()
        self.assertEqual(letter.post_state, "pending")
        self.assertFalse(notice.post_state)

    def test_a_letter_whose_invoice_was_paid_is_produced_again_not_posted(self):
        letter = self.company_letter()
        invoice = letter.move_ids
        self.env["account.payment.register"].with_context(active_model="account.move", active_ids=invoice.ids).create(
            {"amount": 300, "payment_date": self.today}
        )._create_payments()
        action = self.post_wizard(letter).action_confirm()
        self.assertEqual(action["params"]["type"], "warning")
        self.assertIn("partly paid", action["params"]["message"])
        self.assertFalse(letter.post_letter_id, "the letter claiming too much does not leave")
        self.assertEqual(letter.state, "to_send")

    # ------------------------------------------------------------------
    # Who
    # ------------------------------------------------------------------

    def test_an_agent_cannot_post(self):
        letter = self.company_letter()
        with self.assertRaises(AccessError):
            self.post_wizard(letter, user=self.agent)
        with self.refused(AccessError, "Only a collection manager can send letters by post"):
            letter.with_user(self.agent)._send_by_post()
        self.assertFalse(letter.post_letter_id)

    def test_a_second_company_letters_are_not_visible(self):
        letter = self.company_letter()
        company_b = self.setup_other_company(name="Company B")["company"]
        manager_b = new_test_user(
            self.env,
            login="kc_post_b",
            groups="kreancia_collect.kreancia_collect_group_manager",
            company_id=company_b.id,
            company_ids=[Command.set(company_b.ids)],
        )
        self.assertFalse(
            self.env["kreancia.intervention"].with_user(manager_b).search([("state", "=", "to_send")]),
            "Letters to Send of another company",
        )
        with self.assertRaises(AccessError):
            self.post_wizard(letter, user=manager_b).action_confirm()
        self.assertFalse(letter.post_letter_id)
