"""Collection KPIs as plain functions over values read in one query.

DSO by the count-back method (DOMAIN.md's example)::

    >>> dso_countback(20000, [(12500, 30), (10000, 31)])
    53.25

Best possible DSO, average days delinquent and the collection
effectiveness index::

    >>> best_possible_dso(5000, 12500, 30)
    12.0
    >>> round(53.25 - 12.0, 2)
    41.25
    >>> cei(opening=18000, sales=12500, ending_total=20000, ending_current=5000)
    41.18
"""

# date is used by the doctests
from datetime import date, timedelta  # noqa: F401  # pylint: disable=unused-import
from statistics import median


def dso_countback(receivable, months):
    """Days of sales outstanding, counting back month by month.

    :param receivable: receivable at the end of the last month
    :param months: ``(sales, days)`` of each month, the last month first
    :return: DSO in days (2 decimals); when the months' sales do not cover
        the receivable, every month's days are counted

    >>> dso_countback(0, [(100, 30)])
    0.0
    >>> dso_countback(5000, [(10000, 30)])
    15.0
    >>> dso_countback(500, [(0, 30), (1000, 31)])
    45.5
    >>> dso_countback(99999, [(10, 30), (10, 31)])
    61.0
    """
    remaining = float(receivable)
    days = 0.0
    for sales, month_days in months:
        if remaining <= 0:
            break
        if sales >= remaining and sales > 0:
            days += remaining / sales * month_days
            remaining = 0.0
            break
        days += month_days
        remaining -= max(sales, 0.0)
    return round(days, 2)


def best_possible_dso(current_receivable, sales, days):
    """Best possible DSO: current (not yet due) receivable / credit sales x days.

    >>> best_possible_dso(0, 0, 30), best_possible_dso(100, -50, 30)
    (0.0, 0.0)
    """
    return round(current_receivable / sales * days, 2) if sales > 0 else 0.0


def cei(opening, sales, ending_total, ending_current):
    """Collection effectiveness index, in percent (None when nothing was collectible).

    (opening AR + credit sales - ending total AR) /
    (opening AR + credit sales - ending current AR) x 100

    >>> cei(1000, 0, 0, 0)
    100.0
    >>> cei(0, 0, 0, 0) is None
    True
    """
    collectible = opening + sales - ending_current
    if collectible <= 0:
        return None
    return round((opening + sales - ending_total) / collectible * 100, 2)


def trend(values):
    """Slope of the least-squares line through ``values`` (per period), None under 2 values.

    >>> trend([50, 48, 46, 44])
    -2.0
    >>> trend([None, 40, 40]) == 0
    True
    """
    points = [(index, value) for index, value in enumerate(values) if value is not None]
    if len(points) < 2:
        return None
    mean_x = sum(x for x, _ in points) / len(points)
    mean_y = sum(y for _, y in points) / len(points)
    denominator = sum((x - mean_x) ** 2 for x, _ in points)
    return round(sum((x - mean_x) * (y - mean_y) for x, y in points) / denominator, 2)


def kept_rate(kept, broken):
    """Promise-kept rate: kept / (kept + broken), None when none is decided.

    >>> kept_rate(3, 1), kept_rate(0, 0)
    (0.75, None)
    """
    return kept / (kept + broken) if kept + broken else None


def paid_within(rows, windows=(7, 14, 30)):
    """Share of invoices and of amount paid within each window after an intervention.

    :param rows: ``(key, intervention_date, amount, paid_date or None)``
    :return: ``{key: {"count": n, "amount": a, window: (share_count, share_amount), ...}}``

    >>> d = date(2026, 1, 1)
    >>> rows = [("email", d, 100.0, date(2026, 1, 5)), ("email", d, 300.0, date(2026, 1, 20)),
    ...         ("email", d, 100.0, None)]
    >>> stats = paid_within(rows)["email"]
    >>> stats[7], stats[14], stats[30]
    ((0.3333, 0.2), (0.3333, 0.2), (0.6667, 0.8))
    """
    totals = {}
    for key, day, amount, paid_on in rows:
        stats = totals.setdefault(key, {"count": 0, "amount": 0.0, "paid": dict.fromkeys(windows, (0, 0.0))})
        stats["count"] += 1
        stats["amount"] += amount
        if paid_on is None:
            continue
        for window in windows:
            if (paid_on - day).days <= window:
                count, paid = stats["paid"][window]
                stats["paid"][window] = (count + 1, paid + amount)
    result = {}
    for key, stats in totals.items():
        result[key] = {"count": stats["count"], "amount": stats["amount"]}
        for window, (count, paid) in stats["paid"].items():
            result[key][window] = (
                round(count / stats["count"], 4),
                round(paid / stats["amount"], 4) if stats["amount"] else 0.0,
            )
    return result


def delay_profile(days_late):
    """Typical delay of a payer: ``(median, spread)`` of its days late, None without history.

    The spread is half the interquartile range (the middle half of the
    payments lies within median +/- spread, for a symmetric history).

    >>> delay_profile([10, 12, 14, 30, 2])
    (12, 2.0)
    >>> delay_profile([5])
    (5, 0.0)
    >>> delay_profile([]) is None
    True
    """
    values = sorted(days_late)
    if not values:
        return None
    return median(values), (_quantile(values, 0.75) - _quantile(values, 0.25)) / 2


def _quantile(values, q):
    position = (len(values) - 1) * q
    low = int(position)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (position - low)


def expected_date(due_date, profile, as_of):
    """Expected payment date of an open invoice: due date + typical delay, never before ``as_of``.

    >>> expected_date(date(2026, 6, 1), (12, 3.0), date(2026, 6, 5))
    datetime.date(2026, 6, 13)
    >>> expected_date(date(2026, 5, 1), (12, 3.0), date(2026, 6, 5))
    datetime.date(2026, 6, 5)
    """
    delay = round(profile[0]) if profile else 0
    return max(due_date + timedelta(days=delay), as_of)


def deduct_credits(amounts, credit):
    """What is left to collect of ``amounts`` once ``credit`` settled them, the first ones first.

    A customer's open credit notes and unallocated payments (``credit``,
    positive) bring no cash in: they settle its invoices, in the order
    given (expected payment first); nothing is ever left below zero.

    >>> deduct_credits([600.0, 150.0], 200.0)
    [400.0, 150.0]
    >>> deduct_credits([100.0, 50.0], 400.0)
    [0.0, 0.0]
    """
    left = max(credit, 0.0)
    result = []
    for amount in amounts:
        settled = min(amount, left) if amount > 0 else 0.0
        left -= settled
        result.append(amount - settled)
    return result


def weekly_forecast(items, start, weeks=13):
    """Cash-in forecast: amounts of ``(expected_date, amount)`` summed per week from ``start``.

    Items expected after the last week are left out.

    >>> weekly_forecast([(date(2026, 1, 1), 10.0), (date(2026, 1, 8), 5.0), (date(2026, 1, 9), 1.0)],
    ...                 date(2026, 1, 1), weeks=2)
    [10.0, 6.0]
    """
    totals = [0.0] * weeks
    for expected, amount in items:
        week = (expected - start).days // 7
        if 0 <= week < weeks:
            totals[week] += amount
    return totals
