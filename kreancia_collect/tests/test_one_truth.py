from odoo import Command
from odoo.tests import tagged

from ..reports.kreancia_worklist import PRIORITY_WEIGHTS
from .common import KreanciaCommon


@tagged("post_install", "-at_install")
class TestHandOverFollowsTheCase(KreanciaCommon):
    """``dunning_handed_over`` is read from the invoice's cases, never written beside them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agency = cls.env["res.partner"].create(
            {"name": "Cabinet Test", "is_company": True, "dunning_case_role": "agency"}
        )

    def _case(self, invoice):
        """A case holding ``invoice``, created as any record is: no side write on the invoice."""
        return self.env["kreancia.case"].create(
            {
                "company_id": invoice.company_id.id,
                "partner_id": invoice.commercial_partner_id.id,
                "agency_id": self.agency.id,
                "date_handover": self.today,
                "line_ids": [
                    Command.create(
                        {"move_id": invoice.id, "currency_id": invoice.currency_id.id, "amount_principal": 300.0}
                    )
                ],
            }
        )

    def test_field_is_derived_and_stored(self):
        field = self.env["account.move"]._fields["dunning_handed_over"]
        self.assertTrue(field.store and field.compute, "one truth: derived from the cases, kept for SQL and search")

    def test_a_case_hands_over_its_invoices_and_a_return_gives_them_back(self):
        invoice = self.make_invoice(self.customer_2, 40, 300.0)
        self.assertEqual((invoice.dunning_handed_over, invoice.dunning_state), (False, "none"))
        case = self._case(invoice)
        self.assertEqual((invoice.dunning_handed_over, invoice.dunning_state), (True, "handed_over"))
        Move = self.env["account.move"]
        self.assertEqual(Move.search([("dunning_handed_over", "=", True), ("id", "=", invoice.id)]), invoice)
        case._close("returned")
        self.assertEqual((invoice.dunning_handed_over, invoice.dunning_state), (False, "none"))

    def test_a_case_closed_without_return_keeps_its_invoices_out_of_the_run(self):
        invoice = self.make_invoice(self.customer_2, 40, 300.0)
        case = self._case(invoice)
        case._close("partial", rest="write_off")
        self.assertTrue(invoice.dunning_handed_over, "only a return gives an invoice back to the scenario")
        self.assertEqual(invoice.dunning_state, "handed_over")

    def test_handed_over_again_after_a_return(self):
        invoice = self.make_invoice(self.customer_2, 40, 300.0)
        self._case(invoice)._close("partial", rest="returned")
        self.assertFalse(invoice.dunning_handed_over)
        self._case(invoice)
        self.assertTrue(invoice.dunning_handed_over)


@tagged("post_install", "-at_install")
class TestScenarioPrecedenceIsOneRule(KreanciaCommon):
    """The run and the aged balance give every invoice the same scenario."""

    def _scenario(self, name, **values):
        step = Command.create(
            {"name": "Reminder", "delay_days": 0, "channel": "email", "mail_template_id": self.template_courteous.id}
        )
        return self.env["kreancia.scenario"].create(
            {"name": name, "company_id": self.company.id, "step_ids": [step], **values}
        )

    def test_run_and_aged_balance_agree_over_every_level(self):
        normal = self._scenario("Normal payers", trust="normal")
        bad = self._scenario("Bad payers", trust="bad")
        own = self._scenario("Customer's own")
        special = self._scenario("This invoice's own")
        stepless = self.env["kreancia.scenario"].create({"name": "No steps yet", "company_id": self.company.id})
        archived = self._scenario("Archived")
        archived.active = False
        Partner = self.env["res.partner"]
        never_edited = Partner.create({"name": "Never edited segment"})  # Odoo's default segment: normal
        matrix = {
            # customer values, invoice values: expected scenario
            "segment never edited": ({}, {}, normal),
            "bad segment": ({"trust": "bad"}, {}, bad),
            "segment without scenario": ({"trust": "good"}, {}, self.scenario),
            "segment emptied": ({"trust": False}, {}, self.scenario),
            "customer override": ({"trust": "bad", "dunning_scenario_id": own.id}, {}, own),
            "invoice override": ({"dunning_scenario_id": own.id}, {"dunning_scenario_id": special.id}, special),
            "override without steps": ({"dunning_scenario_id": stepless.id}, {}, normal),
            "archived override": ({"trust": "bad"}, {"dunning_scenario_id": archived.id}, bad),
        }
        invoices = {}
        for label, (customer_values, invoice_values, _expected) in matrix.items():
            customer = never_edited if not customer_values else Partner.create({"name": label, **customer_values})
            invoice = self.make_invoice(customer, 20, 100.0)
            if invoice_values:
                invoice._dunning_write(invoice_values)
            invoices[label] = invoice
        moves = self.env["account.move"].union(*invoices.values())
        by_run = moves._dunning_scenarios()
        rows = (
            self.env["kreancia.aged.balance"]
            .with_context(kreancia_as_of=self.today)
            .search([("move_id", "in", moves.ids), ("kind", "=", "invoice")])
        )
        by_report = {row.move_id: row.scenario_id for row in rows}
        for label, invoice in invoices.items():
            with self.subTest(label):
                self.assertEqual(by_run[invoice], matrix[label][2], "the run")
                self.assertEqual(by_report[invoice], by_run[invoice], "the aged balance agrees with the run")
                self.assertEqual(invoice.dunning_effective_scenario_id, by_run[invoice], "the invoice form")


@tagged("post_install", "-at_install")
class TestCallListWeightsAreOneTable(KreanciaCommon):
    """The call list's priority, its help and its explanation read one table of weights; today is a parameter."""

    def _row(self, **context):
        return self.env["kreancia.worklist"].with_context(**context).search([("partner_id", "=", self.customer.id)])

    def test_priority_and_help_follow_the_table(self):
        self.customer.trust = "bad"
        self.make_invoice(self.customer, 40, 2500.0)
        self.customer.activity_schedule("mail.mail_activity_data_call", user_id=self.env.user.id)
        row = self._row()
        weights = PRIORITY_WEIGHTS
        expected = 2500.0 / weights["amount"] + row.days_late * weights["days_late"] + weights["segment"]["bad"]
        self.assertAlmostEqual(row.priority, expected, places=1)
        self.assertEqual(row.priority_segment, weights["segment"]["bad"])
        help_text = self.env["kreancia.worklist"]._fields["priority"].help
        self.assertIn(f"1 point per {weights['amount']:,.0f}", help_text)
        self.assertIn(f"{weights['broken_commitment']} per broken commitment", help_text)
        self.assertIn(f"bad debtor {weights['segment']['bad']}, normal {weights['segment']['normal']}", help_text)

    def test_today_is_a_parameter(self):
        self.make_invoice(self.customer, 40, 2500.0)
        self.customer.activity_schedule("mail.mail_activity_data_call", user_id=self.env.user.id)
        now = self._row(kreancia_today="2026-12-01")
        now_days, now_priority = now.days_late, now.priority
        self.env.invalidate_all()  # a row is its activity: the same record whatever the day, read again
        later = self._row(kreancia_today="2026-12-11")
        self.assertEqual(later.days_late - now_days, 10)
        self.assertAlmostEqual(later.priority - now_priority, 10.0 * PRIORITY_WEIGHTS["days_late"], places=1)
