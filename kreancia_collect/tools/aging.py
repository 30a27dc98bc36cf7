"""Aged balance: buckets of days past due, and the aggregation of open items.

A bucket is a ``(days_from, days_to)`` pair of days past due, both
included; ``None`` leaves a side open. A valid configuration covers every
number of days exactly once, from "not yet due" to "the oldest"::

    >>> check_buckets(DEFAULT_BUCKETS)
    >>> bucket_index(-3, DEFAULT_BUCKETS), bucket_index(0, DEFAULT_BUCKETS), bucket_index(1, DEFAULT_BUCKETS)
    (0, 0, 1)
    >>> bucket_index(30, DEFAULT_BUCKETS), bucket_index(31, DEFAULT_BUCKETS), bucket_index(400, DEFAULT_BUCKETS)
    (1, 2, 4)
    >>> try:
    ...     check_buckets([(None, 0), (1, 30), (45, None)])
    ... except BucketError as error:
    ...     print(error.code, "-", error)
    hole - hole after 30 days: 31 to 44

Open items are aged as of a date; invoices fill the buckets, credit notes
and unallocated payments are kept apart::

    >>> from datetime import date
    >>> rows = [
    ...     AgedItem("ACME", "invoice", date(2026, 6, 30), 100.0),
    ...     AgedItem("ACME", "invoice", date(2026, 3, 1), 50.0),
    ...     AgedItem("ACME", "credit_note", date(2026, 5, 1), -20.0),
    ... ]
    >>> balance = age(rows, date(2026, 6, 15), DEFAULT_BUCKETS)
    >>> line = balance.lines["ACME"]
    >>> line.buckets, line.invoiced, line.credit_notes, line.net
    ([100.0, 0.0, 0.0, 0.0, 50.0], 150.0, -20.0, 130.0)
    >>> round(line.share_oldest, 4)
    0.3333
"""

from collections import namedtuple
from dataclasses import dataclass, field
from datetime import date
from itertools import pairwise

DEFAULT_BUCKETS = ((None, 0), (1, 30), (31, 60), (61, 90), (91, None))

KINDS = ("invoice", "credit_note", "payment")

AgedItem = namedtuple("AgedItem", "key kind date_due amount")
AgedItem.__doc__ = """One open receivable item: ``key`` groups items into a line (customer,
(customer, company), ...), ``kind`` is one of ``KINDS``, ``amount`` is the
open amount at the as-of date (negative for credit notes and payments)."""


class BucketError(ValueError):
    """An invalid bucket configuration; ``code`` and ``values`` let a caller word it."""

    def __init__(self, code, message, **values):
        super().__init__(message)
        self.code = code
        self.values = values


def check_buckets(buckets):
    """Raise :class:`BucketError` unless ``buckets`` cover every day exactly once.

    ``buckets`` is a sequence of ``(days_from, days_to)``; the order given
    does not matter. The first bucket must be open below (not yet due), the
    last open above, and each one start the day after the previous ends.

    >>> check_buckets([(None, 0), (1, None)])
    >>> def problem(buckets):
    ...     try:
    ...         check_buckets(buckets)
    ...     except BucketError as error:
    ...         return f"{error.code}: {error}"
    >>> problem([(None, 0), (1, 60), (31, None)])
    'overlap: overlap: 1 to 60 and 31 to ...'
    >>> problem([(None, 0), (40, 10), (11, None)])
    'reversed: bucket 40 to 10 ends before it starts'
    >>> problem([(1, 30), (31, None)])
    'no_start: nothing below 1 days'
    >>> problem([(None, 0), (1, 30)])
    'no_end: nothing above 30 days'

    """
    if not buckets:
        raise BucketError("empty", "no bucket")
    for days_from, days_to in buckets:
        if days_from is not None and days_to is not None and days_to < days_from:
            raise BucketError(
                "reversed",
                f"bucket {days_from} to {days_to} ends before it starts",
                days_from=days_from,
                days_to=days_to,
            )
    ordered = sorted(buckets, key=lambda bucket: -(10**9) if bucket[0] is None else bucket[0])
    if ordered[0][0] is not None:
        raise BucketError("no_start", f"nothing below {ordered[0][0]} days", days=ordered[0][0])
    if ordered[-1][1] is not None:
        raise BucketError("no_end", f"nothing above {ordered[-1][1]} days", days=ordered[-1][1])
    for previous, current in pairwise(ordered):
        prev_label, cur_label = _label(previous), _label(current)
        if current[0] is None or previous[1] is None or current[0] <= previous[1]:
            raise BucketError("overlap", f"overlap: {prev_label} and {cur_label}", first=prev_label, second=cur_label)
        if current[0] > previous[1] + 1:
            raise BucketError(
                "hole",
                f"hole after {previous[1]} days: {previous[1] + 1} to {current[0] - 1}",
                days_from=previous[1] + 1,
                days_to=current[0] - 1,
            )


def _label(bucket):
    days_from, days_to = bucket
    return f"{'...' if days_from is None else days_from} to {'...' if days_to is None else days_to}"


def bucket_index(days_late, buckets):
    """Index of the bucket holding ``days_late`` days past due (buckets in order).

    >>> bucket_index(91, [(None, 0), (1, 90), (91, None)])
    2
    """
    for index, (days_from, days_to) in enumerate(buckets):
        if (days_from is None or days_late >= days_from) and (days_to is None or days_late <= days_to):
            return index
    raise BucketError("uncovered", f"no bucket for {days_late} days", days=days_late)


@dataclass
class AgedLine:
    """The aged balance of one key: invoices by bucket, credit notes and payments apart."""

    key: object
    buckets: list
    credit_notes: float = 0.0
    payments: float = 0.0
    items: int = 0

    @property
    def invoiced(self):
        """Open invoices, every bucket together."""
        return sum(self.buckets)

    @property
    def net(self):
        """What the customer owes: open invoices less credit notes and unallocated payments."""
        return self.invoiced + self.credit_notes + self.payments

    @property
    def share_oldest(self):
        """Share of the open invoices in the oldest bucket (over 90 days by default), 0 to 1."""
        return self.buckets[-1] / self.invoiced if self.invoiced else 0.0


@dataclass
class AgedBalance:
    """Result of :func:`age`: one :class:`AgedLine` per key, and their total."""

    as_of: date
    buckets: tuple
    lines: dict = field(default_factory=dict)

    @property
    def total(self):
        """All lines summed into one :class:`AgedLine` (key ``None``)."""
        total = AgedLine(None, [0.0] * len(self.buckets))
        for line in self.lines.values():
            total.buckets = [a + b for a, b in zip(total.buckets, line.buckets, strict=True)]
            total.credit_notes += line.credit_notes
            total.payments += line.payments
            total.items += line.items
        return total


def age(items, as_of, buckets=DEFAULT_BUCKETS):
    """Age open ``items`` (:class:`AgedItem`) as of ``as_of`` into ``buckets``.

    Invoices (and any debit) fall in the bucket of their days past due;
    credit notes and unallocated payments stay apart, whatever their age.

    >>> balance = age([AgedItem(1, "payment", date(2026, 1, 1), -10.0)], date(2026, 2, 1))
    >>> balance.lines[1].payments, balance.lines[1].buckets
    (-10.0, [0.0, 0.0, 0.0, 0.0, 0.0])
    """
    buckets = tuple(buckets)
    check_buckets(buckets)
    balance = AgedBalance(as_of, buckets)
    lines = balance.lines
    for item in items:
        line = lines.get(item.key)
        if line is None:
            line = lines[item.key] = AgedLine(item.key, [0.0] * len(buckets))
        line.items += 1
        if item.kind == "credit_note":
            line.credit_notes += item.amount
        elif item.kind == "payment":
            line.payments += item.amount
        else:
            line.buckets[bucket_index((as_of - item.date_due).days, buckets)] += item.amount
    return balance
