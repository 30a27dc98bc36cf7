from datetime import date

from odoo.tests import BaseCase

from odoo.addons.kreancia_collect.tools.dunning import StepLadder, days_late, gap_elapsed


class TestDunningTools(BaseCase):
    def setUp(self):
        super().setUp()
        self.ladder = StepLadder([(3, 15), (1, 0), (2, 7), (4, -3)])
        self.due = date(2026, 3, 1)

    def test_steps_are_ordered_by_delay(self):
        self.assertEqual([step_id for step_id, _delay in self.ladder.steps], [4, 1, 2, 3])
        self.assertEqual(self.ladder.first_delay, -3)

    def test_courtesy_step_before_due_date(self):
        self.assertEqual(self.ladder.step_to_perform(None, self.due, date(2026, 2, 26)), 4)
        self.assertIsNone(self.ladder.step_to_perform(None, self.due, date(2026, 2, 25)))

    def test_climbs_one_step_at_a_time(self):
        # 60 days late and never reminded: the first step comes first
        self.assertEqual(self.ladder.step_to_perform(None, self.due, date(2026, 4, 30)), 4)
        self.assertEqual(self.ladder.step_to_perform(4, self.due, date(2026, 4, 30)), 1)
        self.assertEqual(self.ladder.step_to_perform(2, self.due, date(2026, 4, 30)), 3)
        self.assertIsNone(self.ladder.step_to_perform(3, self.due, date(2026, 4, 30)))

    def test_waits_for_the_next_delay(self):
        self.assertIsNone(self.ladder.step_to_perform(1, self.due, date(2026, 3, 7)))
        self.assertEqual(self.ladder.step_to_perform(1, self.due, date(2026, 3, 8)), 2)
        self.assertEqual(self.ladder.next_date(1, self.due), date(2026, 3, 8))
        self.assertIsNone(self.ladder.next_date(3, self.due))

    def test_step_of_another_scenario_is_placed_by_delay(self):
        # current step 99 (delay 5) is unknown here: the next rung is the 7-day one
        self.assertEqual(self.ladder.step_to_perform(99, self.due, date(2026, 3, 20), current_delay=5), 2)

    def test_days_and_gaps(self):
        self.assertEqual(days_late(self.due, date(2026, 3, 11)), 10)
        self.assertEqual(days_late(self.due, date(2026, 2, 27)), -2)
        self.assertTrue(gap_elapsed(None, self.due, 3))
        self.assertFalse(gap_elapsed(date(2026, 2, 27), self.due, 3))
        self.assertTrue(gap_elapsed(date(2026, 2, 26), self.due, 3))
