{
    "name": "Kreancia Collect - SEPA Direct Debit",
    "summary": "Instalment plans collected by SEPA direct debit through OCA's payment orders and mandates",
    "version": "19.0.1.0.0",
    "category": "Accounting/Accounting",
    "license": "LGPL-3",
    "author": "Kreancia",
    "website": "https://github.com/kreancia/kreancia_collect",
    "maintainers": ["kreancia"],
    "depends": ["kreancia_collect", "account_banking_sepa_direct_debit"],
    "data": [
        # data
        "data/mail_template_data.xml",
        # views
        "views/kreancia_commitment_views.xml",
    ],
    "auto_install": True,
}
