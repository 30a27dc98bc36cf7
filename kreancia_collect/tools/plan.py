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
