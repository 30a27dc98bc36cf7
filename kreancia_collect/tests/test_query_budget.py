from odoo.tests import tagged

from .common import KreanciaCommon

# the queries of one run, whatever its size (62 when written): more fails, fewer is logged
RUN_BUDGET = 70


@tagged("post_install", "-at_install")
class TestQueryBudget(KreanciaCommon):
    """A run's queries do not grow with its customers and invoices (Odoo's ``assertQueryCount``)."""

    def customers_with_late_invoices(self, customers, invoices_each):
        for index in range(customers):
            customer = self._make_customer(f"Budget {index} SARL", f"budget{index}@example.com")
            for days in range(invoices_each):
                self.make_invoice(customer, 10 + days)
        self.env.invalidate_all()

    def test_small_run_within_budget(self):
        self.customers_with_late_invoices(2, 1)
        with self.assertQueryCount(RUN_BUDGET):
            counts = self.run_escalation()
        self.assertEqual(counts["interventions"], 2)

    def test_larger_run_within_the_same_budget(self):
        self.customers_with_late_invoices(12, 3)
        with self.assertQueryCount(RUN_BUDGET):
            counts = self.run_escalation()
        self.assertEqual((counts["interventions"], counts["invoices"]), (12, 36))
