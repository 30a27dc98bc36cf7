from datetime import date

from odoo.tests import BaseCase

from odoo.addons.kreancia_collect.tools.legal import (
    RateMissing,
    half_years_between,
    interest_on_late_payments,
    late_interest,
    minimum_contractual_rate,
    recovery_indemnity,
)

RATES = {(2025, 2): 12.15, (2026, 1): 12.15, (2026, 2): 12.40}


class TestLegalAmounts(BaseCase):
    def test_interest_table(self):
        cases = [
            # amount, due date, until, expected: amount x rate x days / 365
            (1000, date(2026, 1, 31), date(2026, 3, 2), 9.99),  # 30 days at 12.15 %
            (1000, date(2026, 3, 1), date(2026, 3, 1), 0.0),  # not late yet
            (0, date(2026, 1, 1), date(2026, 3, 1), 0.0),
            (600, date(2026, 1, 31), date(2026, 3, 2), 5.99),  # residual after a partial payment
            # 30 June -> 10 July: 0 day in H1 (interest starts the day after), 10 days at 12.40 %
            (1000, date(2026, 6, 30), date(2026, 7, 10), 3.40),
            # 20 June -> 10 July: 10 days at 12.15 % + 10 days at 12.40 %
            (1000, date(2026, 6, 20), date(2026, 7, 10), 6.73),
        ]
        for amount, due, until, expected in cases:
            with self.subTest(amount=amount, due=due, until=until):
                self.assertAlmostEqual(late_interest(amount, due, until, RATES), expected, places=2)

    def test_missing_rate_is_reported(self):
        with self.assertRaises(RateMissing) as missing:
            late_interest(1000, date(2026, 12, 1), date(2027, 1, 15), RATES)
        self.assertEqual(missing.exception.args[0], (2027, 1))

    def test_indemnity_for_professionals_only(self):
        self.assertEqual(recovery_indemnity(professional=True), 40.0)
        self.assertEqual(recovery_indemnity(professional=False), 0.0)
        self.assertEqual(recovery_indemnity(professional=True, paid_late=False), 0.0)

    def test_contractual_rate_floor(self):
        self.assertEqual(minimum_contractual_rate(6.67), 20.01)

    def test_half_years_crossed(self):
        cases = [
            (date(2026, 3, 1), date(2026, 3, 31), [(2026, 1)]),
            (date(2026, 6, 30), date(2026, 7, 1), [(2026, 1), (2026, 2)]),
            (date(2025, 12, 31), date(2027, 1, 1), [(2025, 2), (2026, 1), (2026, 2), (2027, 1)]),
            (date(2026, 5, 1), date(2026, 4, 1), []),
        ]
        for start, end, expected in cases:
            with self.subTest(start=start, end=end):
                self.assertEqual(half_years_between(start, end), expected)

    def test_interest_on_sums_paid_late(self):
        due, letter = date(2026, 1, 31), date(2026, 3, 2)
        cases = [
            # payments (date, amount) -> [(amount, days, interest)]: each sum paid late bears interest to its payment
            ([(date(2026, 2, 20), 400)], [(400, 20, 2.66)]),  # 400 x 12.15 % x 20 / 365
            ([(date(2026, 1, 31), 400)], []),  # paid on the due date: on time
            ([(date(2026, 1, 10), 400)], []),  # paid early
            ([(date(2026, 2, 1), 1000)], [(1000, 1, 0.33)]),  # one day late
            # a credit note and a payment, given out of order, come back in date order
            ([(date(2026, 2, 28), 250), (date(2026, 2, 10), 100)], [(100, 10, 0.33), (250, 28, 2.33)]),
            ([(date(2026, 4, 1), 300)], [(300, 30, 3.0)]),  # dated after the letter: counted to the letter
            ([(date(2026, 2, 20), 0)], []),
        ]
        for payments, expected in cases:
            with self.subTest(payments=payments):
                late = interest_on_late_payments(due, letter, payments, RATES)
                self.assertEqual([(p.amount, p.days, p.interest) for p in late], expected)

    def test_interest_on_a_sum_paid_late_across_half_years(self):
        # due 20 June, paid 10 July: 10 days at 12.15 % + 10 days at 12.40 % on 1000
        late = interest_on_late_payments(date(2026, 6, 20), date(2026, 8, 1), [(date(2026, 7, 10), 1000)], RATES)
        self.assertEqual([(p.days, p.interest) for p in late], [(20, 6.73)])
        with self.assertRaises(RateMissing):
            interest_on_late_payments(date(2026, 12, 20), date(2027, 2, 1), [(date(2027, 1, 5), 100)], RATES)
