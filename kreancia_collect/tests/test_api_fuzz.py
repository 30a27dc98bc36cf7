"""The public methods of the external API (docs/API.md) fed bad input over real HTTP (JSON-2).

Each case is what a careless or hostile integration may send: wrong types,
missing keys, huge and negative numbers, ids of nothing or of another
company, dates out of the calendar or far away, long and odd text. Each
answer must be a 4xx whose JSON body carries a human message (never a 500
with a Python error), and nothing may be written.
"""

import json
from datetime import date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from odoo.tests import HttpCase, tagged

from .common import KreanciaCommon

# models whose records a call may write: counted before and after each case
WRITTEN = (
    "kreancia.intervention",
    "kreancia.call",
    "kreancia.commitment",
    "kreancia.commitment.line",
    "kreancia.reply",
    "kreancia.escalation.run",
)
REFUSED = {400, 403, 404, 422}
HUGE = "𝔘ñí©ø∂€ " * 20000  # 160,000 characters of unicode
# what a date parameter should never accept; the string dates are valid ISO days only for some
BAD_DATES = [
    "15/06/2026",
    "2026-02-30",
    "not a date",
    "9999-12-31",
    "0001-01-01",
    "2026-06-15T25:61:00",
    ["2026-06-15"],
    {"date": "2026-06-15"},
    1e308,
    -1,
    2**63,
    True,
    HUGE,
]
BAD_IDS = ["abc", "1", [1], {"id": 1}, 1e308, -1, 0, 2**63, 2**31, 999999999, True, None, HUGE]


@tagged("post_install", "-at_install")
class TestApiFuzz(KreanciaCommon, HttpCase):
    """Bad input to ``kreancia.escalation/plan, run, run_status``, ``kreancia.call/log_call``,
    ``kreancia.commitment/check_commitments``, ``kreancia.reply/receive_sms`` and the documented
    ``search_read`` calls: a 4xx with a clear message, never a 500, nothing written."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.write({"phone": "+33 4 78 00 00 00", "country_id": cls.env.ref("base.fr").id})
        cls.invoice = cls.make_invoice(cls.customer, 20, 1200)
        # another company the API users do not belong to: its customer, invoice and brand are foreign ids
        other = cls.setup_other_company(name="Fuzz Other Company")["company"]
        cls.env.user.company_ids |= other
        cls.foreign_customer = cls.env["res.partner"].create(
            {"name": "Foreign Customer", "is_company": True, "company_id": other.id, "phone": "+33 4 78 99 99 99"}
        )
        cls.foreign_invoice = cls.make_invoice(cls.foreign_customer, 20, 500, company_id=other.id)
        cls.foreign_brand = cls.env["kreancia.brand"].create(
            {"name": "Foreign brand", "partner_id": cls.foreign_customer.id, "company_id": other.id}
        )
        cls.foreign_run = (
            cls.env["kreancia.escalation.run"]
            .sudo()
            .create({"date": date(2026, 6, 15), "company_ids": [(6, 0, other.ids)], "user_id": cls.env.uid})
        )
        cls.keys = {
            user: cls.env["res.users.apikeys"]
            .with_user(user)
            ._generate(scope="rpc", name="fuzz", expiration_date=datetime.now() + timedelta(days=1))
            for user in (cls.manager, cls.agent)
        }

    # ------------------------------------------------------------------ harness

    def post(self, user, model, method, body):
        """POST ``body`` (a dict, or raw text sent as is) to /json/2/<model>/<method> as ``user``."""
        data = body if isinstance(body, str) else json.dumps(body)
        response = self.url_open(
            f"/json/2/{model}/{method}",
            data=data,
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {self.keys[user]}"},
        )
        return response.status_code, response.text

    def counts(self):
        return {model: self.env[model].sudo().with_context(active_test=False).search_count([]) for model in WRITTEN}

    def assertRefused(self, user, model, method, body):
        """The call answers a 4xx with a human message and writes nothing."""
        before = self.counts()
        status, text = self.post(user, model, method, body)
        label = f"{model}/{method} {str(body)[:200]}"
        self.assertIn(status, REFUSED, f"{label}: {status} {text[:3000]}")
        error = json.loads(text)
        message = error.get("message")
        self.assertIsInstance(message, str, label)
        self.assertTrue(message.strip(), label)
        self.assertNotIn("Traceback", message, label)
        self.assertLess(len(message), 2000, f"{label}: the message echoes the input whole")
        self.assertEqual(self.counts(), before, f"{label}: something was written")
        return status, message

    def run_table(self, table):
        for user, model, method, body in table:
            with self.subTest(model=model, method=method, body=str(body)[:120]):
                self.assertRefused(user, model, method, body)
        return len(table)

    # ------------------------------------------------------------------ cases

    def test_malformed_json(self):
        for body in ("{not json", '{"today": ', "[1, 2", "\x00\xff"):
            with self.subTest(body=body):
                status, _message = self.assertRefused(self.manager, "kreancia.escalation", "plan", body)
                self.assertEqual(status, 400)

    def test_dates_of_the_run_and_the_check(self):
        table = [
            (self.manager, model, method, {"today": value})
            for model, method in (
                ("kreancia.escalation", "plan"),
                ("kreancia.escalation", "run"),
                ("kreancia.commitment", "check_commitments"),
            )
            for value in BAD_DATES
        ]
        table += [
            (self.manager, "kreancia.escalation", "run", {"today": "2026-06-15", "extra": 1}),
            (self.manager, "kreancia.escalation", "run", {"date": "2026-06-15"}),
            (self.manager, "kreancia.escalation", "run", {"today": "2026-06-15", "ids": [self.invoice.id]}),
            (self.agent, "kreancia.escalation", "run", {"today": "9999-12-31"}),
        ]
        self.run_table(table)

    def test_far_dates_are_refused_clearly(self):
        _status, message = self.assertRefused(self.manager, "kreancia.escalation", "run", {"today": "9999-12-31"})
        self.assertIn("9999-12-31 is too far from today", message)
        _status, message = self.assertRefused(
            self.manager, "kreancia.commitment", "check_commitments", {"today": "0001-01-01"}
        )
        self.assertIn("0001-01-01 is too far from today", message)
        _status, message = self.assertRefused(self.manager, "kreancia.escalation", "plan", {"today": HUGE})
        self.assertIn("is not a date", message)

    def test_run_status(self):
        table = [(self.manager, "kreancia.escalation", "run_status", {"run_id": value}) for value in BAD_IDS]
        table += [
            (self.manager, "kreancia.escalation", "run_status", {}),
            (self.manager, "kreancia.escalation", "run_status", {"run_id": self.foreign_run.id}),
            (self.agent, "kreancia.escalation", "run_status", {"run_id": "abc"}),
        ]
        self.run_table(table)
        _status, message = self.assertRefused(self.manager, "kreancia.escalation", "run_status", {"run_id": "abc"})
        self.assertIn("There is no queued dunning run abc.", message)

    def test_log_call(self):
        customer, today = self.customer.id, date.today()
        good = {"partner_id": customer, "outcome": "reached", "phone": "04 78 12 34 56"}
        promise = {
            **good,
            "outcome": "promise",
            "instalments": [{"date": (today + timedelta(days=7)).isoformat(), "amount": 600}],
        }
        bad = [{**good, "partner_id": value} for value in BAD_IDS]
        bad += [
            {**good, "partner_id": self.foreign_customer.id},  # another company's customer
            {"partner_id": customer},  # no outcome
            {"outcome": "reached"},  # no customer
        ]
        bad += [{**good, "outcome": value} for value in ("maybe", "", None, 1, ["reached"], {"reached": 1}, HUGE)]
        bad += [{**good, "phone": value} for value in ("12", "not a phone", HUGE, 33478123456, ["0478123456"])]
        bad += [{**good, "invoice_ids": value} for value in ("abc", ["abc"], [2**63], [-1], {"id": 1}, 5)]
        bad += [
            {**good, "invoice_ids": [self.foreign_invoice.id]},  # another company's invoice
            {**good, "direction": "sideways"},
            {**good, "direction": ["outbound"]},
            {**good, "duration": "long"},
            {**good, "duration": -1},
            {**good, "duration": 1e308},
            {**good, "identity": "nobody"},
            {**good, "brand_id": "abc"},
            {**good, "brand_id": 2**63},
            {**good, "brand_id": 999999999},
            {**good, "brand_id": self.foreign_brand.id},
            {**good, "outcome": "callback"},  # no callback date
            {**good, "note": {"html": "<b>x</b>"}},
            {**good, "unknown": 1},
        ]
        bad += [{**good, "outcome": "callback", "callback_date": value} for value in BAD_DATES]
        bad += [{**promise, "instalments": value} for value in ("abc", {"date": "2026-07-01"}, [1], [[]], [], 7)]
        bad += [
            {**promise, "instalments": [{"date": value, "amount": 600}]}
            for value in [*BAD_DATES, "2020-01-01"]  # 2020: a promise in the past
        ]
        bad += [
            {**promise, "instalments": [{"date": (today + timedelta(days=7)).isoformat(), "amount": value}]}
            for value in ("abc", "NaN", "inf", -1, 0, 1e308, 2**63, "1e400", [600], {"eur": 600}, HUGE)
        ]
        self.run_table([(self.agent, "kreancia.call", "log_call", body) for body in bad])

    def test_receive_sms(self):
        good = {"number": "+33478000000", "text": "ok je paie vendredi", "received": "2026-06-15 09:00:00"}
        bad = [{**good, "number": value} for value in ("12", "", None, 33478000000, ["+33478000000"], {}, HUGE, -1)]
        bad += [{**good, "text": value} for value in ("", "   ", None, 12, ["ok"], {"text": "ok"})]
        bad += [{**good, "received": value} for value in BAD_DATES]
        bad += [{"number": good["number"]}, {"text": good["text"]}, {}]
        table = [(self.manager, "kreancia.reply", "receive_sms", body) for body in bad]
        table.append((self.agent, "kreancia.reply", "receive_sms", good))
        self.run_table(table)

    def test_an_sms_from_a_foreign_number_is_not_matched(self):
        """Another company's customer's phone: the reply is recorded unmatched, nothing of theirs is shown."""
        status, text = self.post(
            self.manager,
            "kreancia.reply",
            "receive_sms",
            {"number": "+33478999999", "text": "ok je paie vendredi", "received": "2026-06-15 09:00:00"},
        )
        self.assertEqual(status, 200, text)
        self.assertFalse(json.loads(text)["partner_id"])

    def test_documented_search_reads(self):
        table = [
            (self.agent, model, "search_read", {"domain": [], "order": "id; DROP TABLE res_users"})
            for model in ("kreancia.intervention", "kreancia.reply")
        ]
        table += [(self.agent, "kreancia.escalation", "no_such_method", {}), (self.agent, "no.such.model", "x", {})]
        table += [(self.agent, "kreancia.escalation", "_run", {"today": "2026-06-15"})]  # private: not callable
        table += [(self.agent, "kreancia.intervention", "search_read", {"domain": [], "limit": 10, "ids": [1]})]
        self.run_table(table)

    def test_search_read_errors_of_the_orm(self):
        """Odoo's own ``search_read`` answers a malformed domain, an unknown field or a limit that is no number
        with a 500 (ValueError, TypeError or PostgreSQL's error), as for any model (``res.partner`` alike):
        the add-on adds no method there. What it guarantees: a message naming the problem, nothing written."""
        for model in ("kreancia.intervention", "kreancia.reply", "res.partner"):
            for body in (
                {"domain": "abc"},
                {"domain": [["no_such_field", "=", 1]]},
                {"domain": [], "fields": ["no_such_field"]},
                {"domain": [], "limit": "ten"},
            ):
                with self.subTest(model=model, body=body):
                    before = self.counts()
                    status, text = self.post(self.agent, model, "search_read", body)
                    self.assertIn(status, REFUSED | {500}, text[:2000])
                    self.assertTrue(json.loads(text)["message"].strip())
                    self.assertEqual(self.counts(), before)

    @settings(max_examples=15, deadline=None, derandomize=True, database=None)
    @given(
        st.one_of(
            st.text(max_size=30),
            st.integers(),
            st.floats(allow_nan=False),
            st.lists(st.integers(), max_size=3),
            st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
        )
    )
    def test_any_today_is_a_date_or_refused(self, value):
        status, text = self.post(self.manager, "kreancia.escalation", "plan", {"today": value})
        self.assertIn(status, REFUSED | {200}, text[:2000])
