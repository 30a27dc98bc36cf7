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
"""

from datetime import date, timedelta

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
