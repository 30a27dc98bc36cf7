"""Limitation of a claim (prescription extinctive) under French law.

A claim for an unpaid invoice is time-barred:

- 5 years after its due date between professionals (Code de commerce L110-4);
- 2 years after its due date when a professional claims goods or services
  from a consumer (Code de la consommation L218-2).

An acknowledgment of the debt by the debtor (Code civil 2240: a partial
payment, a signed payment commitment) interrupts the period, and a new
period of the same length runs from it (2231). A formal notice does not.
An acknowledgment made once the claim is barred restarts nothing: the claim
stays barred (the safe reading: never claim a debt that may be barred).

Counting (Code civil 2228-2229, Code de procédure civile 641): a period of
N years from day D ends on the day of the same date N years later; with no
such day (29 February) it ends on the last day of that month (28 February).
The period is over once that last day has passed. So :func:`limitation_date`
returns **the last day the claim can still be made** (suit, order for
payment, acknowledgment): the claim is time-barred from the next day. No
extension to the next working day is assumed.

Worked examples (hand-computed):

>>> from datetime import date
>>> limitation_date(date(2026, 3, 31), professional=True)  # 2026 + 5
datetime.date(2031, 3, 31)
>>> limitation_date(date(2024, 2, 29), professional=False)  # no 29 February in 2026
datetime.date(2026, 2, 28)

A partial payment on 1 March 2026 and a commitment signed on 12 April 2026
restart the period from the latest of them:

>>> limitation_date(date(2026, 1, 31), True, [date(2026, 3, 1), date(2026, 4, 12)])
datetime.date(2031, 4, 12)

A consumer's invoice due 10 January 2022 ends on 10 January 2024; a payment
on 1 December 2023 restarts it to 1 December 2025, so a commitment of 1 June
2024 (after the first end, within the second) restarts it again:

>>> limitation_date(date(2022, 1, 10), False, [date(2024, 6, 1), date(2023, 12, 1)])
datetime.date(2026, 6, 1)

A payment the day after the last day comes too late:

>>> limitation_date(date(2020, 6, 30), True, [date(2025, 7, 1)])
datetime.date(2025, 6, 30)
>>> is_time_barred(date(2025, 6, 30), today=date(2025, 6, 30)), is_time_barred(date(2025, 6, 30), date(2025, 7, 1))
(False, True)
"""

from datetime import date
from typing import NamedTuple

PROFESSIONAL_YEARS = 5  # C. com. L110-4
CONSUMER_YEARS = 2  # C. conso. L218-2
WATCH_DAYS = 90  # managers are warned this many days before the last day


class Limitation(NamedTuple):
    """The last day the claim can be made, and the acknowledgment that set it (None: the due date)."""

    date: date
    restart: date | None


def add_years(day: date, years: int) -> date:
    """``day`` moved ``years`` later, 29 February falling back to 28 February.

    >>> add_years(date(2028, 2, 29), 5), add_years(date(2028, 2, 29), 4)
    (datetime.date(2033, 2, 28), datetime.date(2032, 2, 29))
    """
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a common year
        return day.replace(year=day.year + years, day=28)


def period_years(professional: bool) -> int:
    """Length of the limitation period, in years.

    >>> period_years(True), period_years(False)
    (5, 2)
    """
    return PROFESSIONAL_YEARS if professional else CONSUMER_YEARS


def limitation(due_date: date, professional: bool, restart_dates=()) -> Limitation:
    """The limitation of a claim due on ``due_date``, with the acknowledgment that last restarted it.

    Acknowledgments are taken in date order; each one made on or before the
    current last day starts a full new period from its own date.

    >>> limitation(date(2026, 1, 31), True, [date(2026, 3, 1)])
    Limitation(date=datetime.date(2031, 3, 1), restart=datetime.date(2026, 3, 1))
    >>> limitation(date(2026, 1, 31), True, [date(2025, 12, 1)])  # before the due date: the due date counts
    Limitation(date=datetime.date(2031, 1, 31), restart=None)
    """
    years = period_years(professional)
    last_day, restart = add_years(due_date, years), None
    for day in sorted(set(restart_dates)):
        if day > last_day:
            break  # the claim was already barred
        restarted = add_years(day, years)
        if restarted > last_day:
            last_day, restart = restarted, day
    return Limitation(last_day, restart)


def limitation_date(due_date: date, professional: bool, restart_dates=()) -> date:
    """The last day a claim due on ``due_date`` can be made; it is time-barred from the next day.

    :param professional: the debtor is a professional (5 years), else a consumer (2 years)
    :param restart_dates: dates of the debtor's acknowledgments (partial payments, signed commitments)
    """
    return limitation(due_date, professional, restart_dates).date


def is_time_barred(last_day: date, today: date) -> bool:
    """Whether a claim whose :func:`limitation_date` is ``last_day`` is barred on ``today``.

    >>> is_time_barred(date(2031, 3, 31), date(2031, 4, 1))
    True
    """
    return today > last_day
