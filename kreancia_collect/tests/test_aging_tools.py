import doctest
from datetime import date

from odoo.tests import BaseCase

from odoo.addons.kreancia_collect.tools import aging
from odoo.addons.kreancia_collect.tools.aging import (
    DEFAULT_BUCKETS,
    AgedItem,
    BucketError,
    age,
    bucket_index,
    check_buckets,
)


class TestAgingTools(BaseCase):
    def test_doctests(self):
        failures, tests = doctest.testmod(aging)
        self.assertGreater(tests, 10)
        self.assertEqual(failures, 0)

    def test_bucket_index_table(self):
        table = [(-400, 0), (-1, 0), (0, 0), (1, 1), (30, 1), (31, 2), (60, 2), (61, 3), (90, 3), (91, 4), (5000, 4)]
        for days, expected in table:
            with self.subTest(days=days):
                self.assertEqual(bucket_index(days, DEFAULT_BUCKETS), expected)

    def test_configurations_table(self):
        table = [
            (DEFAULT_BUCKETS, None),
            (((None, None),), None),
            (((None, 0), (1, 15), (16, 45), (46, None)), None),
            ([(46, None), (None, 0), (1, 45)], None),  # order given does not matter
            ((), "empty"),
            (((None, 0), (1, 30), (30, None)), "overlap"),
            (((None, 0), (None, 30), (31, None)), "overlap"),
            (((None, 0), (1, 30), (32, None)), "hole"),
            (((0, 30), (31, None)), "no_start"),
            (((None, 0), (1, 30)), "no_end"),
            (((None, 0), (30, 1), (31, None)), "reversed"),
        ]
        for buckets, code in table:
            with self.subTest(buckets=buckets):
                if code is None:
                    check_buckets(buckets)
                else:
                    with self.assertRaises(BucketError) as caught:
                        check_buckets(buckets)
                    self.assertEqual(caught.exception.code, code)

    def test_age_table(self):
        as_of = date(2026, 6, 15)
        items = [
            AgedItem("A", "invoice", date(2026, 6, 15), 10.0),  # due today: not due
            AgedItem("A", "invoice", date(2026, 6, 14), 20.0),  # 1 day
            AgedItem("A", "invoice", date(2026, 5, 16), 30.0),  # 30 days
            AgedItem("A", "invoice", date(2026, 5, 15), 40.0),  # 31 days
            AgedItem("A", "invoice", date(2026, 3, 17), 50.0),  # 90 days
            AgedItem("A", "invoice", date(2026, 3, 16), 60.0),  # 91 days
            AgedItem("A", "credit_note", date(2026, 1, 1), -5.0),
            AgedItem("A", "payment", date(2026, 6, 1), -7.0),
            AgedItem("B", "invoice", date(2027, 1, 1), 100.0),
        ]
        balance = age(items, as_of)
        line_a = balance.lines["A"]
        self.assertEqual(line_a.buckets, [10, 50, 40, 50, 60])
        self.assertEqual((line_a.invoiced, line_a.credit_notes, line_a.payments, line_a.net), (210, -5, -7, 198))
        self.assertAlmostEqual(line_a.share_oldest, 60 / 210)
        self.assertEqual(balance.lines["B"].share_oldest, 0)
        total = balance.total
        self.assertEqual(total.buckets, [110, 50, 40, 50, 60])
        self.assertEqual((total.net, total.items), (298, 9))

    def test_age_refuses_bad_buckets(self):
        with self.assertRaises(BucketError):
            age([], date(2026, 1, 1), [(None, 0)])
