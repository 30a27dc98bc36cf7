"""Payment plans a debtor proposes on the collection page, checked against the scenario's limits.

>>> from datetime import date
>>> limits = PlanLimits(max_instalments=3, max_days=90, min_first_percent=20.0)
>>> plan_problems([(date(2026, 7, 1), 300.0), (date(2026, 8, 1), 700.0)], 1000.0, date(2026, 6, 15), limits)
[]
>>> plan_problems([(date(2026, 7, 1), 100.0), (date(2026, 12, 1), 900.0)], 1000.0, date(2026, 6, 15), limits)
['min_first', 'max_days']
>>> plan_problems([(date(2026, 7, 1), 100.0)], 1000.0, date(2026, 6, 15), limits)
Traceback (most recent call last):
...
ValueError: total
"""

from collections import namedtuple

PlanLimits = namedtuple("PlanLimits", "max_instalments max_days min_first_percent")


def parse_plan(instalments, total, today, precision=0.01):
    """Sort and validate the instalments' form: raise ``ValueError(code)`` when the plan cannot be a plan.

    The codes: ``empty``, ``amount`` (an amount not positive), ``past`` (a date before ``today``),
    ``total`` (the amounts do not add up to ``total``).

    >>> from datetime import date
    >>> parse_plan([(date(2026, 8, 1), 50.0), (date(2026, 7, 1), 50.0)], 100.0, date(2026, 6, 15))
    [(datetime.date(2026, 7, 1), 50.0), (datetime.date(2026, 8, 1), 50.0)]
    >>> parse_plan([(date(2026, 6, 1), 100.0)], 100.0, date(2026, 6, 15))
    Traceback (most recent call last):
    ...
    ValueError: past
    """
    plan = sorted(instalments)
    if not plan:
        raise ValueError("empty")
    if any(amount <= 0 for _day, amount in plan):
        raise ValueError("amount")
    if any(day < today for day, _amount in plan):
        raise ValueError("past")
    if abs(sum(amount for _day, amount in plan) - total) >= precision / 2:
        raise ValueError("total")
    return plan


def plan_problems(instalments, total, today, limits):
    """Which of the scenario's limits the plan exceeds (empty: accepted at once).

    ``max_count`` (too many instalments), ``min_first`` (first instalment
    below the minimum share of the total), ``max_days`` (last instalment too
    far from ``today``). A limit of 0 is no limit.
    """
    plan = parse_plan(instalments, total, today)
    problems = []
    if limits.max_instalments and len(plan) > limits.max_instalments:
        problems.append("max_count")
    if limits.min_first_percent and plan[0][1] < total * limits.min_first_percent / 100.0 - 0.005:
        problems.append("min_first")
    if limits.max_days and (plan[-1][0] - today).days > limits.max_days:
        problems.append("max_days")
    return problems


def plan_from_promise(instalments, total, rounding=0.01):
    """The ``[(date, amount)]`` plan a promise read from a reply states, against ``total`` due.

    ``instalments`` are ``(date, amount or None, share or None)`` as the reply
    reader gives them: an amount stays; a share is that part of ``total``;
    an instalment with neither takes what remains. The last instalment
    without an amount absorbs the rounding. Returns ``[]`` when the promise
    states no date.

    >>> from datetime import date
    >>> plan_from_promise([(date(2026, 7, 1), None, 0.5), (date(2026, 8, 1), None, 0.5)], 1000.01)
    [(datetime.date(2026, 7, 1), 500.0), (datetime.date(2026, 8, 1), 500.01)]
    >>> plan_from_promise([(date(2026, 7, 15), None, None)], 1200.5)
    [(datetime.date(2026, 7, 15), 1200.5)]
    >>> plan_from_promise([(date(2026, 7, 1), 300.0, None), (date(2026, 8, 1), None, None)], 1000.0)
    [(datetime.date(2026, 7, 1), 300.0), (datetime.date(2026, 8, 1), 700.0)]
    >>> plan_from_promise([(date(2026, 7, 1), None, 0.5)], 1000.0)
    [(datetime.date(2026, 7, 1), 500.0)]
    """
    # by date only: two instalments of one day keep the order they were said in ("200 € and the rest on the 30th")
    dated = sorted(((day, amount, share) for day, amount, share in instalments if day), key=lambda item: item[0])
    if not dated:
        return []

    def rounded(value):
        return round(round(value / rounding) * rounding, 10)

    fixed = [rounded(amount) if amount else (rounded(total * share) if share else None) for _d, amount, share in dated]
    open_positions = [index for index, amount in enumerate(fixed) if amount is None]
    shares_only = not open_positions and all(not amount for _d, amount, _s in dated)
    if shares_only and abs(sum(share for _d, _a, share in dated) - 1) < 0.01:
        # shares of the whole only (thirds: 0.3333 x 3): the last one takes the rounding so that the plan
        # adds up to the total; shares short of it ("half on the 30th") promise that part only
        open_positions = [len(fixed) - 1]
        fixed[-1] = None
    remainder = rounded(total - sum(amount for amount in fixed if amount is not None))
    for count, index in enumerate(open_positions):
        left = len(open_positions) - count
        part = remainder if left == 1 else rounded(remainder / left)
        fixed[index] = part
        remainder = rounded(remainder - part)
    return [(day, amount) for (day, _a, _s), amount in zip(dated, fixed, strict=True)]
