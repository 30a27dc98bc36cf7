"""French late-payment amounts (Code de commerce L441-10 II and D441-5).

Rates are given, never stored here: callers pass a table of rates per
half-year, ``{(year, half): annual_rate_percent}`` where ``half`` is 1
(1 January - 30 June) or 2 (1 July - 31 December), i.e. the ECB main
refinancing rate in force on the first day of that half-year plus 10 points
unless the contract says otherwise.

>>> from datetime import date
>>> rates = {(2026, 1): 12.15, (2026, 2): 12.15}
>>> late_interest(1000, date(2026, 1, 31), date(2026, 3, 2), rates)
9.99
>>> recovery_indemnity(professional=True), recovery_indemnity(professional=False)
(40.0, 0.0)

A sum paid late bears interest until the day it was paid:

>>> [(p.amount, p.days, p.interest) for p in interest_on_late_payments(
...     date(2026, 1, 31), date(2026, 3, 2), [(date(2026, 2, 20), 400), (date(2026, 1, 20), 100)], rates)]
[(400, 20, 2.66)]
"""

from datetime import date, timedelta
from typing import NamedTuple

RECOVERY_INDEMNITY = 40.0  # EUR per invoice paid late (D441-5)
ECB_MARGIN = 10.0  # points added to the ECB refinancing rate by default (L441-10 II)


class RateMissing(LookupError):
    """No rate is known for a half-year the interest period covers."""


def half_year(day: date):
    """The ``(year, half)`` key of ``day``."""
    return day.year, 1 if day.month <= 6 else 2


def half_year_end(day: date) -> date:
    return date(day.year, 6, 30) if day.month <= 6 else date(day.year, 12, 31)


def half_years_between(start: date, end: date):
    """The ``(year, half)`` keys of every half-year from ``start`` to ``end``, in order."""
    keys = []
    while start <= end:
        keys.append(half_year(start))
        start = half_year_end(start) + timedelta(days=1)
    return keys


def late_interest(amount, due_date: date, until: date, rates, days_in_year=365):
    """Interest on ``amount`` from the day after ``due_date`` through ``until``.

    Each half-year is charged at its own rate: interest = amount x rate x
    days / 365, summed over the half-years crossed, rounded to the cent.

    :raises RateMissing: when the table has no rate for a half-year crossed
    """
    if amount <= 0 or until <= due_date:
        return 0.0
    total = 0.0
    start = due_date + timedelta(days=1)
    while start <= until:
        end = min(half_year_end(start), until)
        key = half_year(start)
        if key not in rates:
            raise RateMissing(key)
        days = (end - start).days + 1
        total += amount * rates[key] / 100 * days / days_in_year
        start = end + timedelta(days=1)
    return round(total, 2)


class LatePayment(NamedTuple):
    """A sum paid after the due date and the interest it bore until it was paid."""

    date: date
    amount: float
    days: int
    interest: float


def interest_on_late_payments(due_date: date, until: date, payments, rates, days_in_year=365):
    """Interest on each sum paid after ``due_date``, from the day after it through the payment date.

    L441-10 makes interest run on every sum until it is paid: a partial
    payment (or a credit note) made late still owes interest for the days it
    was late. Sums paid on or before the due date owe nothing; a payment
    dated after ``until`` counts up to ``until`` only.

    :param payments: ``(payment_date, amount)`` pairs, in the invoice's currency
    :return: list of :class:`LatePayment`, in date order, one per sum paid late
    :raises RateMissing: when the table has no rate for a half-year crossed
    """
    late = []
    for paid_on, amount in sorted(payments):
        if amount <= 0 or paid_on <= due_date:
            continue
        end = min(paid_on, until)
        interest = late_interest(amount, due_date, end, rates, days_in_year)
        late.append(LatePayment(paid_on, amount, (end - due_date).days, interest))
    return late


def minimum_contractual_rate(legal_interest_rate):
    """A contractual late-payment rate may not be below 3 x the legal interest rate."""
    return round(3 * legal_interest_rate, 4)


def recovery_indemnity(professional, paid_late=True):
    """Fixed 40 EUR recovery indemnity per late invoice, owed by professional debtors only.

    It stays due in full after a partial payment.
    """
    return RECOVERY_INDEMNITY if professional and paid_late else 0.0


# Code des procédures civiles d'exécution, article L111-8, paragraphs 2 and 3
# (version of loi n° 2014-344). R124-4 5° requires a collection agency's letter
# to reproduce them word for word, in French whatever the letter's language.
L111_8_PARAGRAPHS_2_3 = (
    "Les frais de recouvrement entrepris sans titre exécutoire restent à la charge du créancier, "
    "sauf s'ils concernent un acte dont l'accomplissement est prescrit par la loi au créancier. "
    "Toute stipulation contraire est réputée non écrite, sauf disposition législative contraire.",
    "Cependant, le créancier qui justifie du caractère nécessaire des démarches entreprises pour "
    "recouvrer sa créance peut demander au juge de l'exécution de laisser tout ou partie des frais "
    "ainsi exposés à la charge du débiteur de mauvaise foi.",
)
