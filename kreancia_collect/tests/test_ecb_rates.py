import doctest
from datetime import date
from pathlib import Path
from unittest.mock import patch

import requests

from odoo.tests import BaseCase, tagged

from odoo.addons.kreancia_collect.tools import ecb

from .common import KreanciaCommon

RECORDED = Path(__file__).parent / "data" / "ecb_mrr_fr_2026-11-23.csv"
REQUESTS_GET = "odoo.addons.kreancia_collect.models.kreancia_interest_rate_ecb.requests.get"
LOGGER = "odoo.addons.kreancia_collect.models.kreancia_interest_rate_ecb"
TODO_H2_2026 = "Late-payment rate of half-year 2 of 2026 not recorded"


def answer(body, status=200):
    """A real ``requests.Response`` carrying ``body``, as the Data Portal would send it."""
    response = requests.Response()
    response.status_code = status
    response._content = body.encode() if isinstance(body, str) else body
    response.headers["Content-Type"] = "text/csv"
    response.url = f"{ecb.DATA_URL}?format=csvdata"
    response.reason = {200: "OK", 503: "Service Unavailable"}.get(status, "")
    return response


class TestEcbTools(BaseCase):
    def test_doctests(self):
        result = doctest.testmod(ecb)
        self.assertGreater(result.attempted, 10)
        self.assertEqual(result.failed, 0)

    def test_recorded_answer(self):
        observations = ecb.parse_csv(RECORDED.read_text())
        self.assertEqual(len(observations), 42)
        cases = [
            # half-year start, rate in force (the last change on or before that day)
            (date(2022, 7, 1), (date(2016, 3, 16), 0.0)),  # the first rise came on 27 July 2022
            (date(2023, 1, 1), (date(2022, 12, 21), 2.5)),
            (date(2024, 7, 1), (date(2024, 6, 12), 4.25)),
            (date(2025, 1, 1), (date(2024, 12, 18), 3.15)),
            (date(2025, 7, 1), (date(2025, 6, 11), 2.15)),
            (date(2026, 7, 1), (date(2025, 6, 11), 2.15)),
            (date(2025, 4, 23), (date(2025, 4, 23), 2.4)),  # a change takes effect on its day
        ]
        for day, expected in cases:
            with self.subTest(day=day):
                self.assertEqual(ecb.rate_in_force(observations, day), expected)

    def test_other_series_and_empty_values_are_ignored(self):
        body = (
            "KEY,FREQ,TIME_PERIOD,OBS_VALUE\n"
            "FM.B.U2.EUR.4F.KR.DFR.LEV,B,2025-06-11,2.0\n"
            "FM.B.U2.EUR.4F.KR.MRR_FR.LEV,B,2000-06-28,\n"
            "FM.B.U2.EUR.4F.KR.MRR_FR.LEV,B,2025-06-11,2.15\n"
        )
        self.assertEqual(ecb.parse_csv(body), [(date(2025, 6, 11), 2.15)])


@tagged("post_install", "-at_install")
class TestEcbFetch(KreanciaCommon):
    """The scheduled action records the half-years that have begun, from a recorded Data Portal answer."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rates = cls.env["kreancia.interest.rate"]
        # the table as installed: it stops at the first half of 2026
        cls.rates.search([("date_start", "=", date(2026, 7, 1))]).unlink()
        cls.recorded = RECORDED.read_text()

    def fetch(self, today, **mock):
        mock = mock or {"return_value": answer(self.recorded)}
        with patch(REQUESTS_GET, **mock) as get:
            self.rates._cron_fetch_ecb_rates(today=today)
        return get

    def row(self, day):
        return self.rates.search([("date_start", "=", day)])

    def test_fetch_records_the_begun_half_year(self):
        before = {rate: rate.read(["ecb_rate", "rate", "legal_rate", "note"]) for rate in self.rates.search([])}
        get = self.fetch(date(2026, 11, 23))
        get.assert_called_once()
        self.assertEqual(
            get.call_args.args[0], "https://data-api.ecb.europa.eu/service/data/FM/B.U2.EUR.4F.KR.MRR_FR.LEV"
        )
        self.assertEqual(get.call_args.kwargs["params"], {"format": "csvdata"})
        self.assertTrue(get.call_args.kwargs["timeout"])
        row = self.row(date(2026, 7, 1))
        self.assertEqual(row.period, "2026, half-year 2")
        self.assertEqual(row.ecb_rate, 2.15)
        self.assertEqual(row.rate, 12.15, "ECB + 10 points")
        self.assertEqual(row.legal_rate, 0.0, "the legal interest rate is set by decree, entered by hand")
        self.assertEqual(
            row.note,
            "Fetched from the ECB Data Portal (FM.B.U2.EUR.4F.KR.MRR_FR.LEV): rate in force since 2025-06-11.",
        )
        for rate, values in before.items():
            self.assertEqual(rate.read(["ecb_rate", "rate", "legal_rate", "note"]), values, "existing rows untouched")
        self.assertFalse(self.row(date(2027, 1, 1)), "a half-year is recorded only once it has begun")

        # the next day, nothing is missing: no request at all
        self.assertFalse(self.fetch(date(2026, 11, 24)).called)

    def test_fetch_fills_a_gap_and_keeps_what_a_person_entered(self):
        self.env.ref("kreancia_collect.interest_rate_2025_h1").unlink()
        mine = self.env.ref("kreancia_collect.interest_rate_2025_h2")
        mine.write({"ecb_rate": 2.0, "rate": 11.5, "note": "typed by hand"})
        self.fetch(date(2026, 7, 1))
        self.assertEqual(self.row(date(2025, 1, 1)).ecb_rate, 3.15, "3.15 % since 18 December 2024")
        self.assertEqual(self.row(date(2025, 1, 1)).rate, 13.15)
        self.assertEqual(self.row(date(2026, 7, 1)).ecb_rate, 2.15)
        self.assertEqual((mine.ecb_rate, mine.rate, mine.note), (2.0, 11.5, "typed by hand"))

    def test_a_failed_fetch_records_nothing_and_tasks_the_managers(self):
        failures = [
            ("network", {"side_effect": requests.ConnectionError("Name or service not known")}, "not known"),
            ("http", {"return_value": answer("Service Unavailable", 503)}, "503 Server Error"),
            ("html", {"return_value": answer("<html><body>Maintenance</body></html>")}, "no TIME_PERIOD"),
            ("no data", {"return_value": answer(self.recorded.splitlines()[0] + "\n")}, "no observation"),
        ]
        for name, mock, reason in failures:
            with self.subTest(failure=name):
                with self.assertLogs(LOGGER, level="WARNING") as logs:
                    self.fetch(date(2026, 11, 23), **mock)
                self.assertIn("Could not fetch the ECB main refinancing rate for half-year 2 of 2026", logs.output[0])
                self.assertIn(reason, logs.output[0])
                self.assertFalse(self.row(date(2026, 7, 1)), "never a guessed rate")
                todo = self.assertTask(self.company.partner_id, self.manager, TODO_H2_2026)  # however many failures
                self.assertEqual(todo.activity_type_id, self.env.ref("mail.mail_activity_data_todo"))
                self.assertIn(reason, str(todo.note), "the to-do says why")

        # the next fetch succeeds: the rate is recorded and the to-do closed
        self.fetch(date(2026, 11, 24))
        self.assertEqual(self.row(date(2026, 7, 1)).ecb_rate, 2.15)
        self.assertFalse(self.manager_todos(summary=TODO_H2_2026))

    def test_no_observation_before_the_half_year(self):
        body = (
            self.recorded.splitlines()[0] + "\nFM.B.U2.EUR.4F.KR.MRR_FR.LEV,B,U2,EUR,4F,KR,MRR_FR,LEV,2026-09-16,2.0\n"
        )
        with self.assertLogs(LOGGER, level="WARNING") as logs:
            self.fetch(date(2026, 11, 23), return_value=answer(body))
        self.assertIn("no observation of FM.B.U2.EUR.4F.KR.MRR_FR.LEV on or before 2026-07-01", logs.output[0])
        self.assertFalse(self.row(date(2026, 7, 1)))
        self.assertTrue(self.manager_todos(summary=TODO_H2_2026))

    def test_cron_is_installed(self):
        cron = self.env.ref("kreancia_collect.ir_cron_kreancia_interest_rate_ecb")
        self.assertEqual(cron.code, "model._cron_fetch_ecb_rates()")
        self.assertEqual(cron.model_id.model, "kreancia.interest.rate")
        self.assertTrue(cron.active)
