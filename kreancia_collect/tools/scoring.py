"""Payer segment suggestion.

>>> suggest_trust(3, 0), suggest_trust(25, 0), suggest_trust(70, 0), suggest_trust(3, 2)
('good', 'normal', 'bad', 'bad')
>>> suggest_trust(None, 0) is None
True
"""


def suggest_trust(average_days_late, broken_commitments):
    """Suggested ``trust`` (good / normal / bad) from a year of payment behaviour.

    :param average_days_late: average days late of the invoices paid in the
        period, None when none was paid
    :param broken_commitments: payment commitments broken in the period
    """
    if broken_commitments >= 2:
        return "bad"
    if average_days_late is None:
        return "normal" if broken_commitments else None
    if average_days_late > 45 or (broken_commitments and average_days_late > 15):
        return "bad"
    if average_days_late > 10 or broken_commitments:
        return "normal"
    return "good"
