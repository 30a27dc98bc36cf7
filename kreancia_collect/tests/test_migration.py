import importlib.util
from pathlib import Path

from odoo import SUPERUSER_ID
from odoo.tests import tagged

from .common import KreanciaCommon


def load_migration(version):
    path = Path(__file__).parent.parent / "migrations" / version / "post-migrate.py"
    spec = importlib.util.spec_from_file_location(f"kreancia_migration_{version.replace('.', '_')}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@tagged("post_install", "-at_install")
class TestMigration1_2(KreanciaCommon):
    """19.0.1.2.0: what the page wrote as the public user, and the debtor-facing templates, are mended."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.migration = load_migration("19.0.1.2.0")
        cls.customer = cls._make_customer("Garage Ancien SARL", "compta@garage-ancien.example.com")

    def test_page_records_of_the_public_user_go_to_the_system_and_the_customer(self):
        public = self.env.ref("base.public_user")
        as_public = self.env(user=public, su=True)
        activity = as_public["mail.activity"].create(
            {
                "res_model_id": self.env["ir.model"]._get_id("res.partner"),
                "res_id": self.customer.id,
                "activity_type_id": self.env.ref("mail.mail_activity_data_call").id,
                "summary": "Call back requested on the debtor page",
                "user_id": self.env.user.id,
            }
        )
        message = as_public["res.partner"].browse(self.customer.id).message_post(body="Debtor page: callback")
        self.assertEqual((activity.create_uid, message.author_id), (public, public.partner_id))

        self.migration.give_page_records_to_the_system(self.env)
        self.env.invalidate_all()
        self.assertEqual(activity.create_uid.id, SUPERUSER_ID)
        self.assertEqual(message.create_uid.id, SUPERUSER_ID)
        self.assertEqual(message.author_id, self.customer, "the note reads as written by the customer")

    def test_debtor_templates_reloaded_with_their_french(self):
        recap = self.env.ref("kreancia_collect.mail_template_commitment_recap")
        recap.with_context(lang="en_US").write({"email_from": "{{ object.company_id.email }}"})
        self.migration.reload_debtor_templates(self.env)
        self.env.invalidate_all()
        self.assertIn("_sender()", recap.email_from, "the brand's sender, not the creditor's")
        self.assertIn("_sender()", recap.with_context(lang="fr_FR").subject)
        self.assertIn("Nous agissons pour le compte de", recap.with_context(lang="fr_FR").body_html)
