# Run inside `odoo-bin shell` by scripts/sample_case.sh: builds a hand-over case and writes its cover sheet.
import os
from datetime import date

from odoo import Command

handover_date = date(2026, 6, 30)
env["ir.config_parameter"].set_param("report.url", os.environ["KC_SAMPLE_URL"])
france, euro = env.ref("base.fr"), env.ref("base.EUR")
euro.active = True
company = env.company
company.logo = False  # the default "Your logo" placeholder would print on the sample
company.write(
    {
        "name": "Fournitures Lyonnaises SAS",
        "street": "5 quai Saint-Vincent",
        "zip": "69001",
        "city": "Lyon",
        "country_id": france.id,
        "currency_id": euro.id,
        "email": "compta@fournitures-lyonnaises.example.com",
        "phone": "+33 4 72 00 00 00",
        "company_registry": "812345678",
        "vat": "FR23812345678",
    }
)
env.user.write({"name": "Claire Martin", "email": "claire.martin@fournitures-lyonnaises.example.com"})
agency = env["res.partner"].create(
    {
        "name": "Cabinet Durand Recouvrement",
        "is_company": True,
        "street": "27 rue du Faubourg Saint-Antoine",
        "zip": "75011",
        "city": "Paris",
        "country_id": france.id,
        "email": "dossiers@durand-recouvrement.example.com",
        "lang": "fr_FR",
        "dunning_case_role": "agency",
        "dunning_mandate_ref": "Mandat FL-2026-03",
        "dunning_commission_rate": 12.0,
    }
)
customer = env["res.partner"].create(
    {
        "name": "Garage Bernard SARL",
        "is_company": True,
        "street": "8 avenue Jean Jaurès",
        "zip": "33000",
        "city": "Bordeaux",
        "country_id": france.id,
        "phone": "+33 5 56 00 11 22",
        "email": "contact@garage-bernard.example.com",
        "company_registry": "443061841",
        "vat": "FR52443061841",
        "lang": "fr_FR",
    }
)
env["res.partner"].create(
    {
        "name": "Sophie Bernard (comptabilité)",
        "parent_id": customer.id,
        "type": "invoice",
        "street": "Zone artisanale des Pins, lot 4",
        "zip": "33700",
        "city": "Mérignac",
        "country_id": france.id,
        "phone": "+33 6 12 34 56 78",
        "email": "compta@garage-bernard.example.com",
    }
)


def invoice(days_late, amount, move_type="out_invoice"):
    due = date.fromordinal(handover_date.toordinal() - days_late)
    move = env["account.move"].create(
        {
            "move_type": move_type,
            "partner_id": customer.id,
            "invoice_date": due,
            "invoice_date_due": due,
            "invoice_line_ids": [Command.create({"name": "Fournitures", "quantity": 1, "price_unit": amount})],
        }
    )
    move.invoice_line_ids.tax_ids = False
    move.action_post()
    return move


first, second = invoice(124, 4200.0), invoice(95, 1800.0)
refund = invoice(60, 300.0, "out_refund")
env["account.payment.register"].with_context(active_model="account.move", active_ids=first.ids).create(
    {"amount": 1200.0, "payment_date": date(2026, 4, 10)}
)._create_payments()
(first.line_ids | refund.line_ids).filtered(lambda line: line.account_type == "asset_receivable").reconcile()
case = env["kreancia.case"]._open_cases(
    first | second,
    {"agency_id": agency.id, "mandate_ref": "Mandat FL-2026-03", "commission_rate": 12.0},
    day=handover_date,
)
# commit first: wkhtmltopdf fetches the styles from the server, which must not wait on this transaction's locks
env.cr.commit()
cover = case._render_own_documents()[case.id][0]
with open("docs/case_cover_sheet.pdf", "wb") as handle:
    handle.write(cover)
print(case.name, case.amount_principal, case.amount_interest, case.amount_indemnity, case.amount_claimed)
env.cr.commit()
