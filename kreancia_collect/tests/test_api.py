import json
from datetime import date, datetime, timedelta

from odoo.tests import HttpCase, new_test_user, tagged

from .common import KreanciaCommon


@tagged("post_install", "-at_install")
class TestExternalApi(KreanciaCommon, HttpCase):
    """What an agency platform or a script calls, through real HTTP requests on Odoo's JSON-2 API."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agent_fr = new_test_user(
            cls.env,
            login="kc_agent_fr",
            name="Agent Français",
            groups="kreancia_collect.kreancia_collect_group_agent",
            company_id=cls.company.id,
            lang="fr_FR",
        )
        cls.customer.write({"phone": "+33 4 78 00 00 00", "country_id": cls.env.ref("base.fr").id})
        cls.keys = {
            user: user.with_user(user)
            .env["res.users.apikeys"]
            ._generate(scope="rpc", name="integration", expiration_date=datetime.now() + timedelta(days=1))
            for user in (cls.manager, cls.agent, cls.agent_fr)
        }

    def call(self, user, model, method, **kwargs):
        """POST /json/2/<model>/<method> as ``user``: (HTTP status, decoded body)."""
        response = self.url_open(
            f"/json/2/{model}/{method}",
            data=json.dumps(kwargs),
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {self.keys[user]}"},
        )
        return response.status_code, response.json()

    def test_preview_run_and_read_the_evidence(self):
        invoice = self.make_invoice(self.customer, 2, 750)
        status, plans = self.call(self.manager, "kreancia.escalation", "plan", today="2026-06-15")
        self.assertEqual(status, 200, plans)
        self.assertEqual(len(plans), 1)
        self.assertEqual(
            {key: plans[0][key] for key in ("partner_id", "channel", "step_name", "amount")},
            {"partner_id": self.customer.id, "channel": "email", "step_name": "Courteous", "amount": 750.0},
        )
        self.assertEqual(plans[0]["invoices"][0]["id"], invoice.id)
        self.assertEqual(plans[0]["invoices"][0]["days_late"], 2)
        self.assertFalse(self.interventions(), "a preview changes nothing")

        status, counts = self.call(self.manager, "kreancia.escalation", "run", today="2026-06-15")
        self.assertEqual(status, 200, counts)
        self.assertEqual((counts["interventions"], counts["invoices"], counts["channel_email"]), (1, 1, 1))
        self.assertEqual(invoice.dunning_step_id, self.step_courteous)

        status, rows = self.call(
            self.agent,
            "kreancia.intervention",
            "search_read",
            domain=[["partner_id", "=", self.customer.id]],
            fields=["name", "channel", "state", "amount_total", "move_ids"],
        )
        self.assertEqual(status, 200, rows)
        self.assertEqual(
            [(row["channel"], row["state"], row["amount_total"], row["move_ids"]) for row in rows],
            [("email", "done", 750.0, [invoice.id])],
        )

    def test_a_bad_date_is_refused_clearly(self):
        status, error = self.call(self.manager, "kreancia.escalation", "run", today="15/06/2026")
        self.assertEqual(status, 422)
        self.assertIn("15/06/2026 is not a date: give it as YYYY-MM-DD.", error["message"])

    def test_an_agent_cannot_run_and_is_told_in_its_language(self):
        status, error = self.call(self.agent, "kreancia.escalation", "run", today="2026-06-15")
        self.assertEqual(status, 403)
        self.assertIn("Only a collection manager can run the dunning escalation.", error["message"])
        status, error = self.call(self.agent_fr, "kreancia.escalation", "run", today="2026-06-15")
        self.assertEqual(status, 403)
        self.assertIn("Seul un responsable du recouvrement peut lancer les relances.", error["message"])
        status, error = self.call(self.agent_fr, "kreancia.commitment", "check_commitments", today="2026-06-15")
        self.assertEqual(status, 403)
        self.assertIn("Seul un responsable du recouvrement peut vérifier les engagements", error["message"])
        # a caller that names a language in the call's context gets that one
        status, error = self.call(self.agent_fr, "kreancia.escalation", "run", context={"lang": "en_US"})
        self.assertEqual(status, 403)
        self.assertIn("Only a collection manager can run the dunning escalation.", error["message"])

    def test_agent_logs_a_promise_and_a_manager_checks_it(self):
        invoice = self.make_invoice(self.customer, 20, 1200)
        # the real date: a promise may not fall before the real today
        first, second = date.today() + timedelta(days=7), date.today() + timedelta(days=21)
        status, result = self.call(
            self.agent,
            "kreancia.call",
            "log_call",
            partner_id=self.customer.id,
            outcome="promise",
            phone="04 78 12 34 56",
            note="Will pay in two instalments",
            instalments=[{"date": first.isoformat(), "amount": 600}, {"date": second.isoformat(), "amount": 600}],
        )
        self.assertEqual(status, 200, result)
        self.assertEqual(result["phone_e164"], "+33478123456")
        commitment = self.env["kreancia.commitment"].browse(result["commitment_id"])
        self.assertEqual(commitment.line_ids.mapped("amount"), [600.0, 600.0])
        self.assertEqual(commitment.move_ids, invoice)
        self.assertEqual(commitment.user_id, self.agent)
        self.assertEqual(invoice.dunning_state, "promised")

        status, counts = self.call(
            self.manager, "kreancia.commitment", "check_commitments", today=(first + timedelta(days=10)).isoformat()
        )
        self.assertEqual((status, counts), (200, {"checked": 1, "broken": 1}), "nothing paid by the first date")
        self.assertEqual(commitment.state, "broken")

    def test_bad_call_input_is_refused_in_the_agents_language(self):
        self.make_invoice(self.customer, 20, 1200)
        status, error = self.call(
            self.agent_fr, "kreancia.call", "log_call", partner_id=self.customer.id, outcome="reached", phone="12"
        )
        self.assertEqual(status, 422)
        self.assertIn("n'est pas un numéro de téléphone valide", error["message"])
        self.assertFalse(self.env["kreancia.call"].search([("partner_id", "=", self.customer.id)]), "nothing written")
        status, error = self.call(self.agent, "kreancia.call", "log_call", partner_id=self.customer.id, outcome="maybe")
        self.assertEqual(status, 422)
        self.assertIn("maybe is not a call outcome", error["message"])

    def test_run_with_nothing_to_do_answers_zero_counts(self):
        status, counts = self.call(self.manager, "kreancia.escalation", "run", today="2026-06-15")
        self.assertEqual(status, 200, counts)
        self.assertEqual(
            counts,
            {
                "interventions": 0,
                "invoices": 0,
                "to_validate": 0,
                "to_send": 0,
                "done": 0,
                "failed": 0,
                "channel_email": 0,
                "channel_sms": 0,
                "channel_call": 0,
                "channel_letter": 0,
                "channel_formal_notice": 0,
                "channel_handover": 0,
            },
        )
        self.make_invoice(self.customer, 2, 750)
        status, counts = self.call(self.manager, "kreancia.escalation", "run", today="2026-06-15")
        self.assertEqual((counts["interventions"], counts["channel_email"], counts["failed"]), (1, 1, 0))

    def test_run_status_answers_a_french_manager_in_french(self):
        manager_fr = new_test_user(
            self.env,
            login="kc_manager_fr",
            groups="kreancia_collect.kreancia_collect_group_manager",
            company_id=self.company.id,
            lang="fr_FR",
        )
        key = (
            self.env["res.users.apikeys"]
            .with_user(manager_fr)
            ._generate(scope="rpc", name="integration", expiration_date=datetime.now() + timedelta(days=1))
        )
        self.keys = {**self.keys, manager_fr: key}
        status, error = self.call(manager_fr, "kreancia.escalation", "run_status", run_id=999999)
        self.assertEqual(status, 422)
        self.assertIn("Il n'y a pas de campagne de relance en attente 999999.", error["message"])
        status, error = self.call(self.agent, "kreancia.escalation", "run_status", run_id=999999)
        self.assertEqual(status, 403)
        self.assertIn("Only a collection manager can follow a queued dunning run.", error["message"])

    def test_an_agent_asking_for_a_plan_is_told_about_the_preview(self):
        status, error = self.call(self.agent, "kreancia.escalation", "plan", today="2026-06-15")
        self.assertEqual(status, 403)
        self.assertIn("Only a collection manager can preview the dunning run.", error["message"])
        self.assertNotIn("run the dunning", error["message"])
