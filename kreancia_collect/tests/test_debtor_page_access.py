from lxml import etree

from odoo import Command
from odoo.tests import new_test_user, tagged

from .test_debtor_page import PDF_BYTES, DebtorPageCommon

# what the chatter of a form asks /mail/data for (mail/static/src/chatter/web/chatter_patch.js)
CHATTER_REQUESTS = [
    "activities",
    "attachments",
    "contact_fields",
    "followers",
    "scheduledMessages",
    "suggestedRecipients",
]


def form_specification(arch, fields_info, models_info):
    """The ``web_read`` specification the web client builds from a form's arch (fields, and their sub-lists)."""

    def walk(node, fields):
        spec = {}
        for child in node:
            if child.tag == "field" and child.get("name") in fields:
                name = child.get("name")
                field = fields[name]
                if field["type"] in ("many2one", "one2many", "many2many"):
                    relation = models_info.get(field["relation"], {}).get("fields", {})
                    sub_view = next((view for view in child if view.tag in ("list", "kanban")), None)
                    sub_spec = walk(sub_view, relation) if sub_view is not None else {}
                    spec[name] = {"fields": {"display_name": {}, **sub_spec}}
                else:
                    spec[name] = {}
            elif child.tag != "field":
                spec.update(walk(child, fields))
        return spec

    return walk(etree.fromstring(arch), fields_info)


class DebtorPageSecondCompany(DebtorPageCommon):
    """The customer's page in a second company, whose users the public user (main company) cannot see."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.setup_other_company(name="Company B")["company"]
        cls.company_b.email = "billing@company-b.example.com"
        cls.brand_b = cls.env["kreancia.brand"].create(
            {
                "name": "Agence B",
                "is_third_party": True,
                "partner_id": cls.brand_address.id,
                "email": "relances@agence-b.example.com",
                "company_id": cls.company_b.id,
            }
        )
        cls.scenario_b = cls.env["kreancia.scenario"].create(
            {
                "name": "Scenario B",
                "company_id": cls.company_b.id,
                "is_default": True,
                "plan_max_instalments": 3,
                "plan_max_days": 90,
                "plan_min_first_percent": 20.0,
                "step_ids": [
                    Command.create(
                        {
                            "name": "Agency B",
                            "delay_days": 5,
                            "channel": "email",
                            "identity": "brand",
                            "brand_id": cls.brand_b.id,
                            "mail_template_id": cls.template_firm.id,
                        }
                    )
                ],
            }
        )
        users = {"company_id": cls.company_b.id, "company_ids": [Command.set(cls.company_b.ids)], "lang": "en_US"}
        cls.agent_b = new_test_user(
            cls.env, login="kc_agent_b", groups="kreancia_collect.kreancia_collect_group_agent", **users
        )
        cls.accountant_b = new_test_user(
            cls.env, login="kc_accountant_b", groups="account.group_account_invoice", **users
        )
        cls.customer.dunning_collector_id = cls.agent_b
        cls.invoice_b1 = cls.invoice_in_b(600.0)
        cls.invoice_b2 = cls.invoice_in_b(400.0)
        cls.link_b = cls.env["kreancia.debtor.link"]._link_for(cls.customer, cls.company_b, cls.brand_b, 90)

    @classmethod
    def invoice_in_b(cls, amount):
        invoice = (
            cls.env["account.move"]
            .with_company(cls.company_b)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": cls.customer.id,
                    "invoice_date": cls.today,
                    "invoice_date_due": cls.today,
                    "invoice_line_ids": [
                        Command.create({"name": "Supplies", "quantity": 1, "price_unit": amount, "tax_ids": []})
                    ],
                }
            )
        )
        invoice.action_post()
        return invoice

    def open_customer(self, user):
        """Open the customer's form as ``user`` does in the web client: its fields, chatter and activities.

        :return: ``(record values, /mail/data store, messages store)``
        """
        self.authenticate(user.login, user.login)
        context = {"allowed_company_ids": self.company_b.ids, "lang": "en_US"}

        def call(method, args, **kwargs):
            return self.make_jsonrpc_request(
                f"/web/dataset/call_kw/res.partner/{method}",
                {"model": "res.partner", "method": method, "args": args, "kwargs": {**kwargs, "context": context}},
            )

        views = call("get_views", [], views=[[False, "form"]], options={"toolbar": True})
        spec = form_specification(
            views["views"]["form"]["arch"], views["models"]["res.partner"]["fields"], views["models"]
        )
        [record] = call("web_read", [self.customer.ids], specification=spec)
        thread = {"thread_model": "res.partner", "thread_id": self.customer.id}
        store = self.make_jsonrpc_request(
            "/mail/data",
            {
                "fetch_params": [
                    ["mail.thread", {**thread, "request_list": CHATTER_REQUESTS}],
                    "systray_get_activities",
                ],
                "context": context,
            },
        )
        messages = self.make_jsonrpc_request("/mail/thread/messages", {**thread, "fetch_params": {"limit": 30}})
        self.authenticate(None, None)
        return record, store, messages["data"]

    def assert_customer_opens(self, summary, note):
        """Agent and accountant of the second company open the customer and see the task and the note."""
        for user in (self.agent_b, self.accountant_b):
            with self.subTest(user=user.login):
                record, store, messages = self.open_customer(user)
                self.assertEqual(record["id"], self.customer.id)
                summaries = " | ".join(activity["summary"] for activity in store.get("mail.activity", []))
                self.assertIn(summary, summaries, "the task is in the activity panel")
                notes = [message for message in messages.get("mail.message", []) if note in str(message["body"])]
                self.assertTrue(notes, "the note is in the chatter")
                self.assertEqual(notes[0]["author_id"], self.customer.id, "written by the customer, via the page")


@tagged("post_install", "-at_install")
class TestDebtorPageAccess(DebtorPageSecondCompany):
    def test_customer_opens_after_a_callback_request(self):
        response = self.post_form(
            "/callback", {"when": f"{self.in_days(2)}T10:30", "phone": "06 12 34 56 78"}, link=self.link_b
        )
        self.assertIn("done=callback", response.headers["Location"])
        self.assert_customer_opens("Call back requested on the debtor page", "Asked to be called back")

    def test_customer_opens_after_a_declared_payment(self):
        response = self.post_form(
            "/declare",
            {"invoice_ids": [self.invoice_b1.id], "payment_date": self.in_days(-1), "amount": "600"},
            files={"attachment": ("proof.pdf", PDF_BYTES, "application/pdf")},
            link=self.link_b,
        )
        self.assertIn("done=declared_payment", response.headers["Location"])
        self.assert_customer_opens("Check a payment declared on the debtor page", "Declared a payment")

    def test_customer_opens_after_a_dispute(self):
        response = self.post_form(
            "/dispute",
            {"invoice_id": self.invoice_b2.id, "reason": "quality", "message": "Broken on delivery"},
            files={"attachment": ("photo.pdf", PDF_BYTES, "application/pdf")},
            link=self.link_b,
        )
        self.assertIn("done=dispute", response.headers["Location"])
        self.assert_customer_opens(f"Invoice {self.invoice_b2.name} disputed on the debtor page", "Disputed an invoice")

    def test_customer_opens_after_a_plan(self):
        response = self.post_form(
            "/plan",
            {
                "invoice_ids": [self.invoice_b1.id],
                "date_1": self.in_days(30),
                "amount_1": "50",
                "amount_2": "550",
                "date_2": self.in_days(150),
            },
            link=self.link_b,
        )
        self.assertIn("done=proposal", response.headers["Location"])
        self.assert_customer_opens(
            "Payment plan proposed on the debtor page: accept or refuse", "Proposed a payment plan"
        )
        proposal = self.env["kreancia.plan.proposal"].search([("link_id", "=", self.link_b.id)])
        proposal.with_user(self.agent_b).action_accept()
        self.assertEqual(proposal.state, "accepted")
        response = self.post_form(
            "/plan",
            {"invoice_ids": [self.invoice_b2.id], "date_1": self.in_days(10), "amount_1": "400"},
            link=self.link_b,
        )
        self.assertIn("done=commitment", response.headers["Location"])
        for user in (self.agent_b, self.accountant_b):
            with self.subTest(user=user.login):
                self.open_customer(user)
