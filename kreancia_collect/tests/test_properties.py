"""Property-based tests of the money and date functions of ``tools/`` (hypothesis).

Each property is what a reader of the statement, the plan or the aged balance
takes for granted (interest never negative, parts adding up to the whole...),
checked on a few hundred generated cases. ``derandomize=True`` makes every run
draw the same cases, so the suite stays deterministic; the examples hypothesis
found failing are kept below as table tests (``TestFoundExamples``).
"""

from datetime import date, timedelta
from itertools import pairwise

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from odoo.tests import BaseCase

from odoo.addons.kreancia_collect.tools.aging import AgedItem, age, check_buckets
from odoo.addons.kreancia_collect.tools.insolvency import claim_deadline, read_judgment, read_notice
from odoo.addons.kreancia_collect.tools.kpi import deduct_credits, dso_countback, weekly_forecast
from odoo.addons.kreancia_collect.tools.legal import (
    half_year_end,
    half_years_between,
    interest_on_late_payments,
    late_interest,
)
from odoo.addons.kreancia_collect.tools.limitation import add_years, limitation, limitation_date
from odoo.addons.kreancia_collect.tools.plan import PlanLimits, parse_plan, plan_from_promise, plan_problems
from odoo.addons.kreancia_collect.tools.reply_reader import read_reply


def properties(examples=100):
    """Deterministic, no deadline (the machine is shared), no example database written in the checkout."""
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )


CENT = 0.01
# days of a realistic ledger (invoices, payments, acknowledgments)
days = st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31))
amounts = st.decimals(min_value="0.01", max_value="10000000", places=2).map(float)
# rates of every half-year of the ledger's span (the ECB rate + 10 points, 0 to 25 %): a few drawn rates,
# repeated, so that consecutive half-years differ without drawing a hundred floats per example
rate_tables = st.lists(st.floats(min_value=0, max_value=25, allow_nan=False), min_size=1, max_size=5).map(
    lambda drawn: {(year, half): drawn[(2 * year + half) % len(drawn)] for year in range(1999, 2060) for half in (1, 2)}
)
ROUNDINGS = (0.01, 1.0, 0.001, 0.05)


class TestInterestProperties(BaseCase):
    """Late-payment interest (``tools/legal.py``): L441-10 II, rate per half-year."""

    @properties()
    @given(
        st.floats(min_value=-1e9, max_value=1e9, allow_nan=False),
        days,
        st.integers(min_value=-400, max_value=3000),
        rate_tables,
    )
    def test_never_negative(self, amount, due, length, rates):
        self.assertGreaterEqual(late_interest(amount, due, due + timedelta(days=length), rates), 0.0)

    @properties(150)
    @given(amounts, days, st.lists(st.integers(min_value=0, max_value=800), min_size=1, max_size=5), rate_tables)
    def test_additive_over_sub_periods(self, amount, start, lengths, rates):
        """interest(a..c) == interest(a..b) + interest(b..c), within a cent per split, whatever the
        half-years crossed and their rates."""
        bounds = [start]
        for length in lengths:
            bounds.append(bounds[-1] + timedelta(days=length))
        whole = late_interest(amount, bounds[0], bounds[-1], rates)
        parts = sum(late_interest(amount, a, b, rates) for a, b in pairwise(bounds))
        self.assertAlmostEqual(whole, parts, delta=CENT * len(lengths) + 1e-9)

    @properties()
    @given(amounts, days, st.integers(min_value=1, max_value=3000), rate_tables)
    def test_each_half_year_at_its_rate(self, amount, due, length, rates):
        """The interest is the sum, half-year by half-year, of amount x that half-year's rate x its days / 365."""
        until = due + timedelta(days=length)
        expected, start = 0.0, due + timedelta(days=1)
        for key in half_years_between(start, until):
            end = min(half_year_end(start), until)
            expected += amount * rates[key] / 100 * ((end - start).days + 1) / 365
            start = end + timedelta(days=1)
        self.assertAlmostEqual(late_interest(amount, due, until, rates), expected, delta=0.005 + 1e-6)
        # split at every half-year end: each piece within a cent of its own computation
        splits = [day for day in (half_year_end(due + timedelta(days=i)) for i in range(0, length, 90)) if day < until]
        bounds = [due, *sorted(set(splits)), until]
        pieces = sum(late_interest(amount, a, b, rates) for a, b in pairwise(bounds))
        self.assertAlmostEqual(late_interest(amount, due, until, rates), pieces, delta=CENT * len(bounds) + 1e-9)

    @properties()
    @given(amounts, days, st.integers(min_value=0, max_value=1000), rate_tables, st.data())
    def test_parts_paid_late_and_residual_make_the_invoice(self, total, due, length, rates, data):
        """Amounts paid (on time or late) + residual == the invoice; each part paid late bears interest up to
        its payment day only, so the parts' interest never exceeds the whole invoice's, by more than a cent each."""
        until = due + timedelta(days=length)
        cents = round(total * 100)
        cuts = sorted(data.draw(st.lists(st.integers(min_value=0, max_value=cents), max_size=4)))
        bounds = [0, *cuts, cents]
        parts = [(b - a) / 100 for a, b in pairwise(bounds)]
        *paid_parts, residual = parts
        payments = [
            (due + timedelta(days=data.draw(st.integers(min_value=-60, max_value=length + 60))), amount)
            for amount in paid_parts
        ]
        late = interest_on_late_payments(due, until, payments, rates)
        on_time = sum(amount for day, amount in payments if day <= due and amount > 0)
        self.assertAlmostEqual(sum(p.amount for p in late) + on_time + residual, total, delta=1e-6)
        self.assertEqual([p.date for p in late], sorted(p.date for p in late))
        for payment in late:
            self.assertGreater(payment.days, 0 if payment.date <= until else -1)
            self.assertGreaterEqual(payment.interest, 0.0)
            self.assertEqual(
                payment.interest, late_interest(payment.amount, due, min(payment.date, until), rates), payment
            )
        charged = sum(p.interest for p in late) + late_interest(residual, due, until, rates)
        self.assertLessEqual(charged, late_interest(total, due, until, rates) + CENT * (len(late) + 1) + 1e-9)


@st.composite
def bucket_configs(draw):
    """A valid configuration: ``(None, 0)``, then consecutive ranges, the last one open."""
    widths = draw(st.lists(st.integers(min_value=1, max_value=120), max_size=6))
    buckets, start = [(None, draw(st.integers(min_value=-10, max_value=10)))], None
    start = buckets[0][1] + 1
    for width in widths:
        buckets.append((start, start + width - 1))
        start += width
    buckets.append((start, None))
    return tuple(buckets)


aged_items = st.builds(
    lambda key, kind, due, amount: AgedItem(key, kind, due, amount if kind == "invoice" else -amount),
    st.sampled_from(("ACME", "Durand", 7)),
    st.sampled_from(("invoice", "invoice", "credit_note", "payment")),
    days,
    amounts,
)


class TestAgedBalanceProperties(BaseCase):
    """The aged balance (``tools/aging.py``): buckets always add up to the balance."""

    @properties(100)
    @given(st.lists(aged_items, max_size=25), days, bucket_configs())
    def test_buckets_sum_to_the_balance_at_any_date(self, items, as_of, buckets):
        check_buckets(buckets)
        balance = age(items, as_of, buckets)
        for key, line in balance.lines.items():
            mine = [item for item in items if item.key == key]
            invoiced = sum(item.amount for item in mine if item.kind == "invoice")
            self.assertAlmostEqual(sum(line.buckets), invoiced, delta=1e-6)
            self.assertAlmostEqual(line.net, sum(item.amount for item in mine), delta=1e-6)
            self.assertEqual(line.items, len(mine))
            self.assertTrue(0.0 <= line.share_oldest <= 1.0 + 1e-9)
        self.assertAlmostEqual(balance.total.net, sum(item.amount for item in items), delta=1e-6)
        # a shuffled bucket order in the configuration is the same configuration
        check_buckets(tuple(reversed(buckets)))


@st.composite
def promises(draw):
    """What the reply reader gives for a promise: ``(date, amount, share)``, the total, the currency rounding."""
    rounding = draw(st.sampled_from(ROUNDINGS))
    units = draw(st.integers(min_value=1, max_value=10**8 if rounding < 1 else 10**6))
    total = round(units * rounding, 3)
    count = draw(st.integers(min_value=1, max_value=6))
    start = draw(days)
    dates = [start + timedelta(days=draw(st.integers(min_value=0, max_value=400))) for _i in range(count)]
    shape = draw(st.sampled_from(("open", "shares", "amounts_then_rest", "mixed")))
    if shape == "shares":
        share = round(1 / count, 4)
        instalments = [(day, None, share) for day in dates]
    elif shape == "amounts_then_rest":
        first = draw(st.integers(min_value=0, max_value=units)) * rounding / max(count - 1, 1)
        instalments = [(day, round(first, 3) or None, None) for day in dates[:-1]] + [(dates[-1], None, None)]
    elif shape == "mixed":
        instalments = [(day, None, draw(st.sampled_from((0.25, 0.5, 0.3333)))) for day in dates[:-1]] + [
            (dates[-1], None, None)
        ]
    else:
        instalments = [(day, None, None) for day in dates]
    return instalments, total, rounding


class TestPlanProperties(BaseCase):
    """Payment plans (``tools/plan.py``): instalments add up to the promise, limits are monotonic."""

    @properties(200)
    @given(promises())
    def test_instalments_sum_to_the_promise_in_any_rounding(self, promise):
        instalments, total, rounding = promise
        plan = plan_from_promise(instalments, total, rounding)
        self.assertEqual(len(plan), len(instalments))
        self.assertAlmostEqual(sum(amount for _day, amount in plan), total, delta=rounding / 100)
        for _day, amount in plan:
            self.assertAlmostEqual(amount / rounding, round(amount / rounding), delta=1e-6, msg=(amount, rounding))
        if all(amount > 0 for _day, amount in plan):
            today = min(day for day, _amount in plan)
            self.assertEqual(parse_plan(plan, total, today, rounding), sorted(plan))

    @properties(100)
    @given(
        st.lists(st.tuples(days, st.sampled_from((0.25, 0.5, 0.3333))), min_size=1, max_size=3).filter(
            lambda dated: sum(share for _day, share in dated) < 0.99
        ),
        st.sampled_from(ROUNDINGS),
    )
    def test_shares_short_of_the_whole_stay_shares(self, dated_shares, rounding):
        """Shares that do not make the whole ("half on 30 June") promise that part, not the whole debt."""
        shares = [share for _day, share in dated_shares]
        total = 1000.0
        plan = plan_from_promise([(day, None, share) for day, share in dated_shares], total, rounding)
        self.assertAlmostEqual(sum(amount for _d, amount in plan), total * sum(shares), delta=rounding * len(plan))

    @properties(100)
    @given(
        st.lists(st.tuples(st.integers(min_value=0, max_value=400), amounts), min_size=1, max_size=8),
        days,
        st.tuples(st.integers(min_value=0, max_value=10), st.integers(min_value=0, max_value=400), st.floats(0, 100)),
        st.tuples(st.integers(min_value=0, max_value=5), st.integers(min_value=0, max_value=200), st.floats(0, 100)),
    )
    def test_limits_are_monotonic(self, offsets, today, strict, relax):
        """A plan within stricter limits is within looser ones; its problems under looser limits are a subset."""
        plan = [(today + timedelta(days=offset), amount) for offset, amount in offsets]
        total = sum(amount for _day, amount in plan)
        count, max_days, first = strict
        stricter = PlanLimits(count, max_days, first)
        # looser: more instalments, more days, a smaller first share; 0 lifts a limit
        looser = PlanLimits(
            0 if not count else count + relax[0],
            0 if not max_days else max_days + relax[1],
            max(first - relax[2], 0.0),
        )
        strict_problems = plan_problems(plan, total, today, stricter)
        loose_problems = plan_problems(plan, total, today, looser)
        self.assertLessEqual(set(loose_problems), set(strict_problems), (stricter, looser))
        self.assertLessEqual(set(plan_problems(plan, total, today, PlanLimits(0, 0, 0))), set())


TEXT_PIECES = (
    "je paierai le 15/07/2020",
    "nous réglerons 400 € le 30 juin",
    "we will pay half on 2024-01-10",
    "la moitié le 3",
    "payé hier",
    "le reste fin du mois",
    "3 monthly payments of 1,000 EUR starting July 1st",
    "je paie vendredi",
    "le 31/02",
    "le 29 février",
    "dans 15 jours",
    "Out of office until 26/06",
    "\u2603 \U0001d518\U0001d52b\u202e\u0000",  # a snowman, a Fraktur U and n, right-to-left mark, NUL
    "9999-12-31",
    "0001-01-01",
    "le 1er janvier 1",
)
reply_texts = st.one_of(
    st.text(max_size=200),
    st.lists(st.one_of(st.sampled_from(TEXT_PIECES), st.text(max_size=20)), max_size=6).map(". ".join),
)
received_days = st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31))


class TestReplyReaderProperties(BaseCase):
    """The reply reader (``tools/reply_reader.py``): any text is read, a promise never looks back."""

    @properties(150)
    @given(reply_texts, received_days, st.booleans())
    def test_never_crashes_and_promises_look_ahead(self, text, received, html):
        reading = read_reply(text, received, html=html)
        if reading.kind == "promise":
            for day, _amount, _share in reading.instalments:
                self.assertGreaterEqual(day, received, (text, received))
        if reading.paid_date:
            self.assertLessEqual(reading.paid_date, received)

    @properties(150)
    @given(st.lists(st.sampled_from(TEXT_PIECES), min_size=1, max_size=3).map(". ".join), st.dates())
    def test_never_crashes_at_the_ends_of_the_calendar(self, text, received):
        """A reply received (or said) on any day from 1 January 1 to 31 December 9999 is read."""
        read_reply(text, received)


class TestLimitationProperties(BaseCase):
    """Limitation of claims (``tools/limitation.py``)."""

    @properties(200)
    @given(days, st.booleans(), st.lists(days, max_size=5), days)
    def test_never_before_the_due_date_and_restarts_never_shorten(self, due, professional, restarts, extra):
        last_day = limitation_date(due, professional, restarts)
        self.assertGreater(last_day, due)
        self.assertGreaterEqual(last_day, add_years(due, 5 if professional else 2))
        self.assertGreaterEqual(limitation_date(due, professional, [*restarts, extra]), last_day)
        self.assertEqual(limitation_date(due, professional, list(reversed(restarts))), last_day)
        restart = limitation(due, professional, restarts).restart
        self.assertTrue(restart is None or restart in restarts)


class TestOtherToolsProperties(BaseCase):
    """KPIs and insolvency notices: the other sums a manager reads."""

    @properties()
    @given(st.lists(amounts, max_size=8), st.floats(min_value=-1e6, max_value=1e8, allow_nan=False))
    def test_credits_never_leave_less_than_zero(self, open_amounts, credit):
        left = deduct_credits(open_amounts, credit)
        self.assertTrue(all(value >= -1e-9 for value in left))
        self.assertAlmostEqual(sum(left), max(sum(open_amounts) - max(credit, 0.0), 0.0), delta=1e-6 * len(left) + 1e-6)

    @properties()
    @given(
        st.floats(min_value=-1e9, max_value=1e9, allow_nan=False),
        st.lists(st.tuples(st.floats(min_value=-1e6, max_value=1e9), st.integers(28, 31)), max_size=12),
    )
    def test_dso_within_the_months_counted(self, receivable, months):
        self.assertTrue(0 <= dso_countback(receivable, months) <= sum(d for _s, d in months) + 0.01)

    @properties()
    @given(st.lists(st.tuples(days, amounts), max_size=20), days, st.integers(1, 20))
    def test_forecast_never_invents_money(self, items, start, weeks):
        forecast = weekly_forecast(items, start, weeks)
        self.assertEqual(len(forecast), weeks)
        self.assertLessEqual(sum(forecast), sum(amount for _d, amount in items) + 1e-6)

    @properties()
    @given(
        days,
        st.text(max_size=80),
        st.dictionaries(
            st.sampled_from(("id", "jugement", "registre", "dateparution", "tribunal")), st.text(max_size=40)
        ),
    )
    def test_insolvency_reading_never_crashes(self, published, nature, record):
        self.assertGreater(claim_deadline(published), published)
        read_judgment(nature)
        read_notice(record)


class TestFoundExamples(BaseCase):
    """The examples hypothesis found failing, kept as explicit cases (see the report of issue #25)."""

    def test_two_instalments_on_one_day(self):
        """TypeError: '<' not supported between 'NoneType' and 'float' (an amount and "the rest" on one day)."""
        day = date(2026, 6, 30)
        reading = read_reply("Je verse 200 € le 30 juin et le reste le 30 juin.", date(2026, 6, 15))
        self.assertEqual(reading.instalments, ((day, 200.0, None), (day, None, None)))
        self.assertEqual(plan_from_promise(reading.instalments, 1000.0), [(day, 200.0), (day, 800.0)])
        self.assertEqual(plan_from_promise([(day, 0.01, None), (day, None, None)], 0.01), [(day, 0.01), (day, 0.0)])

    def test_a_share_short_of_the_whole_promises_that_share(self):
        """ "half on 30 June" became a plan for the whole debt, accepted alone as a clear promise."""
        reading = read_reply("Nous paierons la moitié le 30 juin.", date(2026, 6, 15))
        self.assertEqual(reading.instalments, ((date(2026, 6, 30), None, 0.5),))
        self.assertEqual(plan_from_promise(reading.instalments, 1000.0), [(date(2026, 6, 30), 500.0)])
        for rounding, total, expected in [(0.01, 1000.0, 250.0), (1.0, 1001.0, 250.0), (0.05, 100.05, 25.0)]:
            with self.subTest(rounding=rounding):
                plan = plan_from_promise([(date(2026, 7, 1), None, 0.25)], total, rounding)
                self.assertEqual(plan, [(date(2026, 7, 1), expected)])
        # shares of the whole still add up to it, the last one taking the rounding
        thirds = [(date(2026, 7, day), None, 0.3333) for day in (1, 2, 3)]
        self.assertEqual([a for _d, a in plan_from_promise(thirds, 100.0)], [33.33, 33.33, 33.34])
        # and a share short of the whole is no plan the scenario accepts alone
        limits = PlanLimits(0, 0, 0)
        with self.assertRaisesRegex(ValueError, "total"):
            plan_problems(plan_from_promise(reading.instalments, 1000.0), 1000.0, date(2026, 6, 15), limits)

    def test_a_day_gone_by_is_no_promise(self):
        """A promise dated before the reply, with its year ("le 15/07/2020"), gave an instalment in the past."""
        received = date(2021, 1, 1)
        for text in (
            "je paierai le 15/07/2020",
            "Nous paierons 300 € le 2020-01-15.",
            "je paierai le 1er décembre 2020",
            "3 monthly payments of 1,000 EUR starting 2020-01-01",
        ):
            with self.subTest(text=text):
                reading = read_reply(text, received)
                self.assertEqual((reading.kind, reading.instalments, reading.clear), ("promise", (), False))
        # the same day, or later, is still a promise
        self.assertEqual(read_reply("je paierai le 01/01/2021", received).instalments, ((received, None, None),))

    def test_the_end_of_the_calendar(self):
        """ValueError: year 10000 is out of range (a reply received on 1 December 9999, monthly instalments)."""
        for text in (
            "3 monthly payments of 1,000 EUR starting December 1st 9999",
            "6 mensualités de 200 € à partir du 05/12/9999",
            "we will pay next month",
            "je paierai dans 15 jours",
        ):
            with self.subTest(text=text):
                reading = read_reply(text, date(9999, 12, 1))
                self.assertTrue(all(day <= date.max for day, _a, _s in reading.instalments))
        reading = read_reply("3 monthly payments of 1,000 EUR starting December 1st 9999", date(9999, 12, 1))
        self.assertEqual(reading.instalments, ((date(9999, 12, 1), 1000.0, None),))
