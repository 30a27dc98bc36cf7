from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged

from .common import KreanciaCommon
from .web_client import open_action

ACCOUNTING_GROUPS = {
    "invoicing": "account.group_account_invoice",
    "accountant": "account.group_account_user",
    "administrator": "account.group_account_manager",
    "auditor": "account.group_account_readonly",
}
COLLECTION_ROLES = {
    "no role": "",
    "agent": "kreancia_collect.kreancia_collect_group_agent",
    "manager": "kreancia_collect.kreancia_collect_group_manager",
}
CUSTOMERS = "account.res_partner_action_customer"
INVOICES = "account.action_move_out_invoice"
OVERDUE = "kreancia_collect.account_move_action_overdue"
INTERVENTIONS = "kreancia_collect.kreancia_intervention_action"
SCREENS = ("res.partner", "account.move")  # the core models the add-on extends


class AccountingAccessCommon(KreanciaCommon):
    """A customer with an overdue invoice, a reminder, a call and a payment promise."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.invoice = cls.make_invoice(cls.customer, 20, 1200)
        cls.env["kreancia.escalation"].run(today=cls.today)
        cls.intervention = cls.env["kreancia.intervention"].search([("partner_id", "=", cls.customer.id)])
        wizard = (
            cls.env["kreancia.call.log"]
            .with_user(cls.agent)
            .create(
                {
                    "partner_id": cls.customer.id,
                    "phone": "+33 4 78 12 34 56",
                    "outcome": "promise",
                    "note": "Will pay before the end of the month",
                    "move_ids": [Command.set(cls.invoice.ids)],
                    "instalment_ids": [
                        # the real date: a promise may not fall before the real today
                        Command.create({"date": fields.Date.today() + timedelta(days=10), "amount": 1200}),
                    ],
                }
            )
        )
        wizard.action_confirm()
        cls.call = cls.env["kreancia.call"].search([("partner_id", "=", cls.customer.id)])
        cls.commitment = cls.call.commitment_ids

    @classmethod
    def make_user(cls, login, groups):
        return new_test_user(cls.env, login=login, groups=groups, company_id=cls.company.id, lang="en_US")


@tagged("post_install", "-at_install")
class TestAccountingAccess(AccountingAccessCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.users = {
            (group, role): cls.make_user(
                f"kc_{group}_{role.replace(' ', '_')}", ",".join(filter(None, [xmlid, role_xmlid]))
            )
            for group, xmlid in ACCOUNTING_GROUPS.items()
            for role, role_xmlid in COLLECTION_ROLES.items()
        }

    def each_user(self):
        """Each accounting group with each collection role: (group, role, environment)."""
        return [(group, role, self.env(user=user)) for (group, role), user in self.users.items()]

    def test_setup_has_the_evidence(self):
        self.assertEqual(len(self.intervention), 1)
        self.assertEqual(len(self.call), 1)
        self.assertEqual(self.commitment.state, "open")

    def test_customer_form_shows_collection_history(self):
        for group, role, env in self.each_user():
            with self.subTest(group=group, role=role):
                [customer] = open_action(env, CUSTOMERS, res_id=self.customer.id)["form"]
                self.assertEqual(customer["name"], "Boulangerie Test SARL")
                self.assertEqual(
                    [call["note"] for call in customer["dunning_call_ids"]], ["Will pay before the end of the month"]
                )
                self.assertEqual(
                    [(line["amount_total"], line["state"]) for line in customer["dunning_commitment_ids"]],
                    [(1200, "open")],
                )
                self.assertEqual([line["id"] for line in customer["dunning_intervention_ids"]], self.intervention.ids)
                self.assertEqual(customer["dunning_overdue_amount"], 1200)
                self.assertEqual(customer["dunning_current_step_id"]["display_name"], "Courteous")

    def test_collection_buttons_follow_the_roles(self):
        for group, role, env in self.each_user():
            with self.subTest(group=group, role=role):
                [customer] = open_action(env, CUSTOMERS, res_id=self.customer.id)["form"]
                self.assertEqual(customer["dunning_intervention_count"], 1, "every accountant sees the reminders")
                if role == "no role":
                    self.assertNotIn("dunning_call_count", customer, "logging calls is for collection agents")
                else:
                    self.assertEqual(customer["dunning_call_count"], 1)
                    self.assertEqual(customer["dunning_commitment_count"], 1)

    def test_customer_list_and_kanban(self):
        for group, role, env in self.each_user():
            with self.subTest(group=group, role=role):
                screens = open_action(env, CUSTOMERS)
                for view_type in ("list", "kanban"):
                    self.assertIn(self.customer.id, [row["id"] for row in screens[view_type]])

    def test_invoice_form_and_list(self):
        for group, role, env in self.each_user():
            with self.subTest(group=group, role=role):
                screens = open_action(env, INVOICES, res_id=self.invoice.id)
                self.assertIn(self.invoice.id, [row["id"] for row in screens["list"]])
                [invoice] = screens["form"]
                self.assertEqual(invoice["dunning_state"], "promised")
                sent = invoice["dunning_intervention_ids"]
                self.assertEqual(
                    [(line["step_id"]["display_name"], line["channel"]) for line in sent], [("Courteous", "email")]
                )

    def test_overdue_invoices_and_reminders(self):
        for group, role, env in self.each_user():
            with self.subTest(group=group, role=role):
                screens = open_action(env, OVERDUE, res_id=self.invoice.id, filters=True)
                [row] = [row for row in screens["list"] if row["id"] == self.invoice.id]
                self.assertEqual(row["dunning_step_id"]["display_name"], "Courteous")
                self.assertEqual(screens["search"]["group_step"], 1)
                self.assertEqual(screens["form"][0]["dunning_state"], "promised")
                screens = open_action(env, INTERVENTIONS, res_id=self.intervention.id)
                self.assertIn(self.intervention.id, [row["id"] for row in screens["list"]])
                self.assertEqual(screens["form"][0]["partner_id"]["id"], self.customer.id)

    def test_accounting_menus_still_open(self):
        """Every menu an accountant had before the add-on (customers, invoices) opens, plus the collection ones."""
        finance = self.env.ref("account.menu_finance")
        for group, role, env in self.each_user():
            with self.subTest(group=group, role=role):
                menus = (
                    env["ir.ui.menu"]
                    .browse(env["ir.ui.menu"]._visible_menu_ids())
                    .filtered(lambda menu: menu.parent_path.startswith(finance.parent_path))
                )
                actions = [
                    menu.action.sudo() for menu in menus if menu.action and menu.action._name == "ir.actions.act_window"
                ]
                actions = [act for act in actions if act.res_model in SCREENS or "kreancia" in act.res_model]
                self.assertIn(self.env.ref(CUSTOMERS), actions)
                self.assertIn(self.env.ref(INVOICES), actions)
                for action in actions:
                    with self.subTest(action=action.name):
                        open_action(env, action)


@tagged("post_install", "-at_install")
class TestOutsideAccounting(AccountingAccessCommon):
    """Users without accounting rights see nothing of collection, and nothing of theirs breaks."""

    def readable_collection_fields(self, user):
        """The add-on's customer fields that ``user`` may read, as ``fields_get`` lists them."""
        return [name for name in self.env["res.partner"].with_user(user).fields_get() if name.startswith("dunning_")]

    def test_employee_sees_no_collection_on_the_contact(self):
        user = self.make_user("kc_sales", "base.group_user,base.group_partner_manager")
        form = self.env["res.partner"].with_user(user).get_views([(False, "form")])["views"]["form"]
        self.assertNotIn("kreancia_collection", form["arch"])
        self.assertNotIn("dunning_call_ids", form["arch"])
        names = self.readable_collection_fields(user)
        self.assertNotIn("dunning_call_ids", names)
        [values] = self.customer.with_user(user).read(names)
        self.assertEqual(values["dunning_call_count"], 1)
        self.assertEqual(values["dunning_overdue_amount"], 1200)

    def test_portal_user_reads_its_company(self):
        portal = self.make_user("kc_portal", "base.group_portal")
        portal.partner_id.parent_id = self.customer
        names = self.readable_collection_fields(portal)
        self.assertIn("dunning_intervention_count", names)
        self.assertNotIn("dunning_intervention_ids", names)
        [values] = self.customer.with_user(portal).read(names)
        self.assertEqual(values["dunning_intervention_count"], 1)
        self.assertEqual(values["dunning_current_step_id"], (self.step_courteous.id, "Courteous"))
        with self.assertRaises(AccessError):
            self.customer.with_user(portal).read(["dunning_call_ids"])


@tagged("post_install", "-at_install")
class TestAccountantTour(AccountingAccessCommon, HttpCase):
    def test_plain_accountant_opens_a_customer_and_an_invoice(self):
        self.make_user("kc_accountant", "account.group_account_invoice")
        self.start_tour(
            f"/odoo/customers/{self.customer.id}", "kreancia_accountant_customer_tour", login="kc_accountant"
        )
        self.start_tour(
            f"/odoo/customer-invoices/{self.invoice.id}",
            "kreancia_accountant_invoice_tour",
            login="kc_accountant",
        )
