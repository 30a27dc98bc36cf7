# Run inside `odoo-bin shell` by scripts/sample_letter.sh: builds the sample case and writes the PDF.
import os
from datetime import date

from odoo import Command

run_date = date(2026, 6, 30)
env["ir.config_parameter"].set_param("report.url", os.environ["KC_SAMPLE_URL"])
france, euro = env.ref("base.fr"), env.ref("base.EUR")
euro.active = True
company = env.company
company.write(
    {
        "name": "Fournitures Lyonnaises SAS",
        "street": "5 quai Saint-Vincent",
        "zip": "69001",
        "city": "Lyon",
        "country_id": france.id,
        "currency_id": euro.id,
        "email": "compta@fournitures-lyonnaises.example.com",
    }
)
agency = env["res.partner"].create(
    {
        "name": "Recouvrement Conseil SAS",
        "is_company": True,
        "street": "27 rue du Faubourg Saint-Antoine",
        "zip": "75011",
        "city": "Paris",
        "country_id": france.id,
    }
)
brand = env["kreancia.brand"].create(
    {
        "name": "Recouvrement Conseil",
        "is_third_party": True,
        "partner_id": agency.id,
        "phone": "+33 1 84 60 12 00",
        "email": "relances@recouvrement-conseil.example.com",
        "website": "recouvrement-conseil.example.com",
        "registration_ref": "Mandat n° RC-2026-014",
        "legal_notice": "Recouvrement Conseil SAS, société de recouvrement amiable de créances, RCS Paris 801 234 567.",
        "payment_instructions": "Virement à Recouvrement Conseil, IBAN FR76 3000 4000 0100 0123 4567 890, "
        "en rappelant la référence du courrier.",
        "signature": "<p>Le service recouvrement<br/>Recouvrement Conseil</p>",
    }
)
scenario = env["kreancia.scenario"].create(
    {
        "name": "Agence",
        "min_gap_days": 1,
        "step_ids": [
            Command.create({"name": "Courrier", "delay_days": 30, "channel": "letter"}),
            Command.create(
                {
                    "name": "Mise en demeure (agence)",
                    "delay_days": 45,
                    "channel": "formal_notice",
                    "identity": "brand",
                    "brand_id": brand.id,
                    "deadline_days": 8,
                }
            ),
            Command.create({"name": "Contentieux", "delay_days": 90, "channel": "handover"}),
        ],
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
        "lang": "fr_FR",
        "dunning_scenario_id": scenario.id,
    }
)


def invoice(days_late, amount, move_type="out_invoice"):
    due = date.fromordinal(run_date.toordinal() - days_late)
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


first, second = invoice(62, 4200.0), invoice(48, 1800.0)
invoice(10, 300.0, "out_refund")
env["account.payment.register"].with_context(active_model="account.move", active_ids=first.ids).create(
    {"amount": 1200.0, "payment_date": run_date}
)._create_payments()
# commit first: wkhtmltopdf fetches the styles from the server, which must not wait on this transaction's locks
env.cr.commit()
(first | second)._dunning_write({"dunning_step_id": scenario.step_ids.sorted("delay_days")[0].id})
env["kreancia.escalation"].run(today=run_date)
notice = env["kreancia.intervention"].search([("partner_id", "=", customer.id), ("channel", "=", "formal_notice")])
assert notice.attachment_id, notice.error
with open("docs/formal_notice_third_party.pdf", "wb") as handle:
    handle.write(notice.attachment_id.raw)
print(notice.name, notice.amount_net, notice.amount_interest, notice.amount_indemnity, notice.amount_claimed)
env.cr.commit()
