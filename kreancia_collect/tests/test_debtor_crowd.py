"""What the crowd of debtors (benchmarks/crowd.py) found: double clicks and concurrent requests on one link."""

import psycopg2.errors

from odoo import SUPERUSER_ID, api
from odoo.sql_db import db_connect
from odoo.tests import tagged

from .test_debtor_page import DebtorPageCommon


@tagged("post_install", "-at_install")
class TestDebtorCrowd(DebtorPageCommon):
    def test_an_invoice_is_disputed_once(self):
        """A double click on "Send my dispute" files one dispute and one task, and tells why."""
        data = {"invoice_id": self.invoice_a.id, "reason": "amount", "message": "The price was 10 % less."}
        self.assertEqual(self.post_form("/dispute", data).status_code, 303)
        tasks = self.customer.activity_ids
        response = self.post_form("/dispute", data)
        self.assertEqual(response.status_code, 400)
        self.assertIn("already disputed", response.text)
        self.assertEqual(self.requests_recorded().mapped("action"), ["dispute"])
        self.assertEqual(self.customer.activity_ids, tasks)

    def test_a_payment_is_declared_once(self):
        """A double click on "I have already paid" files one declaration and one task; another payment is new."""
        data = {
            "invoice_ids": [self.invoice_a.id],
            "payment_date": self.in_days(0),
            "amount": "600",
            "reference": "VIR-1",
        }
        self.assertEqual(self.post_form("/declare", data).status_code, 303)
        tasks = self.customer.activity_ids
        response = self.post_form("/declare", data)
        self.assertEqual(response.status_code, 400)
        self.assertIn("already declared", response.text)
        self.assertEqual(self.customer.activity_ids, tasks)
        self.assertEqual(self.post_form("/declare", {**data, "reference": "VIR-2"}).status_code, 303)
        self.assertEqual(self.requests_recorded().mapped("action"), ["declared_payment"] * 2)

    def test_concurrent_requests_on_one_link_run_one_after_the_other(self):
        """A request waits for the one before it on the same link, then is replayed on what it recorded.

        Two real connections outside the test's transaction, as two Odoo workers: the second
        cannot take the link while the first holds it, and once the first has committed, the
        second (whose snapshot is older) fails to serialize, which Odoo answers by replaying
        the request in a fresh transaction: it then counts the first's plan, dispute or view.
        """
        database = db_connect(self.env.cr.dbname)
        with database.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            partner = env["res.partner"].create({"name": "Concurrent debtor"})
            link_id = env["kreancia.debtor.link"]._link_for(partner, env.company, env["kreancia.brand"], 30).id
        try:
            with database.cursor() as first, database.cursor() as second, database.cursor() as third:
                third.execute("SELECT 1")  # its snapshot: before the first commits
                api.Environment(first, SUPERUSER_ID, {})["kreancia.debtor.link"].browse(link_id)._take()
                second.execute("SET LOCAL lock_timeout = '200ms'")
                with self.assertRaises(psycopg2.errors.LockNotAvailable):
                    api.Environment(second, SUPERUSER_ID, {})["kreancia.debtor.link"].browse(link_id)._take()
                second.rollback()
                first.commit()
                with self.assertRaises(psycopg2.errors.SerializationFailure):
                    api.Environment(third, SUPERUSER_ID, {})["kreancia.debtor.link"].browse(link_id)._take()
                third.rollback()
        finally:
            with database.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                env["kreancia.debtor.link"].browse(link_id).unlink()
                partner.with_env(env).unlink()
