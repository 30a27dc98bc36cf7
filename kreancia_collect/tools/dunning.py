"""Dunning rules that need no database.

The escalation engine feeds these functions plain values (ids, dates,
integers) read in batch, so the rules can be tested without Odoo::

    >>> from datetime import date
    >>> ladder = StepLadder([(10, 0), (11, 7), (12, 15)])
    >>> ladder.step_to_perform(None, date(2026, 1, 1), date(2026, 1, 1))
    10
    >>> ladder.step_to_perform(10, date(2026, 1, 1), date(2026, 1, 5)) is None
    True
    >>> ladder.step_to_perform(10, date(2026, 1, 1), date(2026, 1, 8))
    11
"""

from datetime import date, timedelta


def days_late(due_date: date, today: date) -> int:
    """Days elapsed since the due date (negative before it)."""
    return (today - due_date).days


def gap_elapsed(last_date: date | None, today: date, gap_days: int) -> bool:
    """True when at least ``gap_days`` separate ``last_date`` from ``today``."""
    return not last_date or (today - last_date).days >= gap_days


class StepLadder:
    """The ordered steps of one scenario, as ``(step_id, delay_days)`` pairs.

    Steps are ordered by delay; an invoice climbs one rung at a time, so a
    customer discovered 60 days late still receives the courteous reminder
    before the formal notice.
    """

    def __init__(self, steps):
        self.steps = sorted(steps, key=lambda step: (step[1], step[0]))
        self._index = {step_id: index for index, (step_id, _delay) in enumerate(self.steps)}

    def __bool__(self):
        return bool(self.steps)

    @property
    def first_delay(self):
        return self.steps[0][1] if self.steps else None

    def next_step(self, current_step_id, current_delay=None):
        """The step after ``current_step_id`` (the first one when None).

        A current step of another scenario (the invoice changed scenario) is
        placed by its delay: the next step is the first one beyond it.
        """
        if current_step_id is None:
            return self.steps[0] if self.steps else None
        index = self._index.get(current_step_id)
        if index is not None:
            return self.steps[index + 1] if index + 1 < len(self.steps) else None
        if current_delay is None:
            return None
        return next((step for step in self.steps if step[1] > current_delay), None)

    def step_to_perform(self, current_step_id, due_date: date, today: date, current_delay=None):
        """Id of the step to perform today, or None when nothing is due."""
        step = self.next_step(current_step_id, current_delay)
        if step and days_late(due_date, today) >= step[1]:
            return step[0]
        return None

    def next_date(self, current_step_id, due_date: date, current_delay=None):
        """Date at which the next step's delay elapses, or None at the top."""
        step = self.next_step(current_step_id, current_delay)
        return due_date + timedelta(days=step[1]) if step else None

    def rank(self, step_id):
        """Position of a step in the ladder (higher is more severe)."""
        return self._index.get(step_id, -1)
