"""Debtor-facing messages speak under the debtor's identity; what the page wrote is readable by every company.

- The commitment recap, the plan answer and the recap SMS now take the
  sender of the brand the debtor was addressed under. Their records are
  ``noupdate``: reload them, and their French, from the add-on's files.
- Records the debtor page created before were owned by the public user
  (and its notes authored by the public partner), whom users restricted to
  another company cannot read, so the customer's form failed to open: give
  them to the superuser and the customer, as the page now does.
"""

from odoo import SUPERUSER_ID, api
from odoo.tools import SQL, convert_file
from odoo.tools.translate import TranslationImporter, get_po_paths

RELOADED = (
    "data/sms_template_data.xml",
    "data/mail_template_commitment_data.xml",
    "data/mail_template_debtor_data.xml",
)
TEMPLATES = (
    "kreancia_collect.sms_template_commitment_recap",
    "kreancia_collect.mail_template_commitment_recap",
    "kreancia_collect.mail_template_plan_answer",
)
# tables the page writes to, and the condition keeping to the customer's records where the table is shared
PAGE_TABLES = {
    "mail_activity": "res_model = 'res.partner'",
    "mail_message": "model = 'res.partner'",
    "ir_attachment": "res_model = 'res.partner'",
    "kreancia_debtor_action": "TRUE",
    "kreancia_commitment": "TRUE",
    "kreancia_plan_proposal": "TRUE",
}


def reload_debtor_templates(env):
    for filename in RELOADED:
        convert_file(env, "kreancia_collect", filename, {}, mode="init", noupdate=True)
    # their translations too, though noupdate (Odoo's own loading keeps those of noupdate records)
    importer = TranslationImporter(env.cr, verbose=False)
    for lang, _name in env["res.lang"].get_installed():
        for path in get_po_paths("kreancia_collect", lang):
            importer.load_file(path, lang, xmlids=TEMPLATES)
    importer.save(overwrite=True, force_overwrite=True)


def give_page_records_to_the_system(env):
    public = env.ref("base.public_user", raise_if_not_found=False)
    if not public:
        return
    cr = env.cr
    for table, condition in PAGE_TABLES.items():
        for column in ("create_uid", "write_uid"):
            cr.execute(
                SQL(
                    "UPDATE %s SET %s = %s WHERE %s = %s AND %s",
                    SQL.identifier(table),
                    SQL.identifier(column),
                    SUPERUSER_ID,
                    SQL.identifier(column),
                    public.id,
                    SQL(condition),
                )
            )
    cr.execute(
        "UPDATE mail_message SET author_id = res_id WHERE model = 'res.partner' AND author_id = %s",
        (public.partner_id.id,),
    )


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    give_page_records_to_the_system(env)
    reload_debtor_templates(env)
