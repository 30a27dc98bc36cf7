import doctest
from datetime import date

from odoo.tests import BaseCase

from odoo.addons.kreancia_collect.tools import kpi


class TestKpiTools(BaseCase):
    def test_doctests(self):
        failures, tests = doctest.testmod(kpi)
        self.assertGreater(tests, 15)
        self.assertEqual(failures, 0)

    def test_dso_countback_table(self):
        table = [
            # receivable, months (last first), DSO
            (20000, [(12500, 30), (10000, 31)], 53.25),  # DOMAIN.md
            (12500, [(12500, 30), (10000, 31)], 30.0),
            (6250, [(12500, 30)], 15.0),
            (0, [(12500, 30)], 0.0),
            (25000, [(12500, 30), (10000, 31), (5000, 30)], 76.0),  # 30 + 31 + 2500/5000 x 30
            (10000, [(-500, 30), (10000, 31)], 61.0),  # a month of net credit notes counts its days
        ]
        for receivable, months, expected in table:
            with self.subTest(receivable=receivable, months=months):
                self.assertEqual(kpi.dso_countback(receivable, months), expected)

    def test_cei_and_best_dso_table(self):
        self.assertEqual(kpi.cei(10000, 12500, 20000, 12500), 25.0)
        self.assertEqual(kpi.cei(10000, 0, 0, 0), 100.0)
        self.assertIsNone(kpi.cei(0, 10000, 10000, 10000))
        self.assertEqual(kpi.best_possible_dso(12500, 12500, 30), 30.0)
        self.assertEqual(kpi.best_possible_dso(3000, 12000, 31), 7.75)

    def test_profile_and_forecast(self):
        self.assertEqual(kpi.delay_profile([40, 10, 20]), (20, 7.5))
        self.assertEqual(kpi.expected_date(date(2026, 6, 20), (20, 7.5), date(2026, 6, 15)), date(2026, 7, 10))
        self.assertEqual(kpi.expected_date(date(2026, 6, 20), None, date(2026, 6, 15)), date(2026, 6, 20))
        forecast = kpi.weekly_forecast(
            [(date(2026, 6, 21), 400.0), (date(2026, 7, 10), 600.0), (date(2026, 12, 1), 1.0)], date(2026, 6, 15)
        )
        self.assertEqual(len(forecast), 13)
        self.assertEqual(forecast[:4], [400.0, 0.0, 0.0, 600.0])
        self.assertEqual(sum(forecast), 1000.0, "beyond 13 weeks is left out")

    def test_trend_and_rates(self):
        self.assertEqual(kpi.trend([60, 55, 50]), -5.0)
        self.assertIsNone(kpi.trend([42]))
        self.assertEqual(kpi.kept_rate(1, 1), 0.5)
