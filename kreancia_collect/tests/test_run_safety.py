from collections import Counter
from datetime import timedelta

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import KreanciaCommon, SeparateConnectionsCase


@tagged("post_install", "-at_install")
class TestValidationWritesNothingOnFailure(KreanciaCommon):
    """A manual step refused at validation leaves the intervention as it was."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.notices = cls.env["kreancia.scenario"].create(
            {
                "name": "Validated notices",
                "company_id": cls.company.id,
                "min_gap_days": 1,
                "step_ids": [
                    Command.create(
                        {
                            "name": "Validated notice",
                            "delay_days": 20,
                            "channel": "formal_notice",
                            "deadline_days": 8,
                            "manual": True,
                        }
                    ),
                ],
            }
        )
        cls.customer.dunning_scenario_id = cls.notices

    def assert_untouched(self, notice, invoice):
        self.assertEqual(notice.state, "to_validate")
        self.assertFalse(notice.deadline_date, "no deadline")
        self.assertFalse(notice.attachment_id, "no letter")
        self.assertFalse(notice.line_ids.filtered("interest_amount") or notice.line_ids.filtered("indemnity_amount"))
        self.assertFalse(invoice.dunning_step_id, "no step change")

    def test_missing_rate_refuses_the_validation(self):
        self.give_postal_addresses(self.customer)
        invoice = self.make_invoice(self.customer, 25, 800)
        self.run_escalation()
        notice = self.interventions(self.customer)
        self.assertEqual(notice.state, "to_validate")
        self.env.ref("kreancia_collect.interest_rate_2026_h1").unlink()
        with self.assertRaises(UserError) as refused:  # rolled back as the web client's request would be
            notice.with_user(self.manager).action_validate()
        self.assertIn("No late-payment rate is recorded for half-year 1 of 2026", str(refused.exception))
        self.assert_untouched(notice, invoice)

    def test_missing_address_refuses_the_validation(self):
        invoice = self.make_invoice(self.customer, 25, 800)
        self.run_escalation()
        notice = self.interventions(self.customer)
        with self.assertRaises(UserError) as refused:
            notice.with_user(self.manager).action_validate()
        self.assertIn("has no postal address", str(refused.exception))
        self.assert_untouched(notice, invoice)
        self.assertFalse(notice.error)


@tagged("post_install", "-at_install")
class TestPaidWhileTheRunIsUnderWay(SeparateConnectionsCase):
    """The run plans every customer first and performs batches afterwards: a payment committed
    in between must stop the reminder. Real, separate database connections, as in production."""

    def test_payment_committed_between_planning_and_performing(self):
        with self.registry.cursor() as cr:
            env = self.env_of(cr)
            payer, paid_invoices = self.make_customer(env, "Paid During The Run SARL")
            owing, owed_invoices = self.make_customer(env, "Still Owing SARL")
            company = env.company
            self.created = {"partners": [payer.id, owing.id], "moves": (paid_invoices | owed_invoices).ids}

        with self.registry.cursor() as run_cr:
            engine = self.env_of(run_cr)["kreancia.escalation"].with_company(company.id)
            company = engine.env["res.company"].browse(company.id)
            plans = [
                plan for plan in engine._plan_company(company, self.today) if plan.partner_id in (payer.id, owing.id)
            ]
            self.assertEqual({plan.partner_id for plan in plans}, {payer.id, owing.id}, "both planned")
            run_cr.commit()  # the scheduled run commits its progress before its batches

            # meanwhile, the customer pays its five invoices and the payment is committed
            with self.registry.cursor() as pay_cr:
                pay_env = self.env_of(pay_cr)
                pay_env["account.payment.register"].with_context(
                    active_model="account.move", active_ids=paid_invoices.ids
                ).create({"payment_date": self.today, "group_payment": True})._create_payments()

            interventions = engine._perform_batch(company, self.today, plans)
            run_cr.commit()
            self.assertEqual(interventions.partner_id.ids, [owing.id], "no reminder to the customer who paid")
            self.assertEqual(len(interventions.line_ids), 5)
            self.assertTrue(interventions.mail_id)
            self.assertFalse(
                engine.env["mail.mail"].search([("model", "=", "res.partner"), ("res_id", "=", payer.id)]),
                "no e-mail listing paid invoices",
            )
            self.assertFalse(engine.env["account.move"].browse(paid_invoices.ids).dunning_step_id)


@tagged("post_install", "-at_install")
class TestDebtorOnThePageDuringTheBatch(SeparateConnectionsCase):
    """The debtor page holds its link for each request; the batch reminding that debtor extends the same link.
    The batch that fails to serialize with the page's request is tried again, alone, not lost."""

    def test_batch_retried_after_the_page_request_on_its_link(self):
        with self.registry.cursor() as cr:
            env = self.env_of(cr)
            customer, invoices = self.make_customer(env, "On The Page SARL")
            company = env.company
            # the link of an earlier reminder, valid one more day: the run's reminder extends it
            link = env["kreancia.debtor.link"]._link_for(customer, company, env["kreancia.brand"], 1)
            self.created = {"partners": [customer.id], "moves": invoices.ids}
            self.addCleanup(self.drop_links, [link.id])

        with self.registry.cursor() as run_cr:
            engine = self.env_of(run_cr)["kreancia.escalation"].with_company(company.id)
            engine = engine.with_context(kreancia_commit=True)
            company = engine.env["res.company"].browse(company.id)
            plans = [plan for plan in engine._plan_company(company, self.today) if plan.partner_id == customer.id]
            run_cr.commit()
            # the batch's transaction has begun when the debtor's request takes the link and commits
            run_cr.execute("SELECT expiry_date FROM kreancia_debtor_link WHERE id = %s", [link.id])
            with self.registry.cursor() as page_cr:
                self.env_of(page_cr)["kreancia.debtor.link"].browse(link.id)._take()

            counts = Counter()
            with mute_logger("odoo.sql_db"):  # the first try's "bad query", by design
                engine._perform_batches(company, self.today, plans, counts)
            run_cr.commit()

            self.assertEqual(counts["interventions"], 1, "the batch performed on its second try")
            intervention = engine.env["kreancia.intervention"].search([("partner_id", "=", customer.id)])
            self.assertEqual(len(intervention), 1, "one reminder, not two")
            self.assertEqual(intervention.debtor_link_id.id, link.id, "the page's link, extended")
            self.assertGreater(intervention.debtor_link_id.expiry_date, self.today + timedelta(days=1))

    def drop_links(self, link_ids):
        with self.registry.cursor() as cr:
            links = self.env_of(cr)["kreancia.debtor.link"].browse(link_ids)
            cr.execute(
                "UPDATE kreancia_intervention SET debtor_link_id = NULL WHERE debtor_link_id IN %s", [tuple(links.ids)]
            )
            links.unlink()
