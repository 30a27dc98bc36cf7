{
    "name": "Kreancia Collect",
    "summary": "White-label debt collection: dunning scenarios, daily escalation, agent calls and payment commitments",
    "version": "19.0.1.0.0",
    "category": "Accounting/Accounting",
    "license": "LGPL-3",
    "author": "Kreancia",
    "website": "https://github.com/kreancia/kreancia_collect",
    "maintainers": ["kreancia"],
    "depends": ["account", "mail", "sms", "phone_validation"],
    "external_dependencies": {"python": ["phonenumbers"]},
    "data": [
        # security
        "security/kreancia_security.xml",
        "security/ir.model.access.csv",
        "security/kreancia_rules.xml",
        "security/kreancia_escalation_run_rules.xml",
        # data
        "data/ir_sequence_data.xml",
        "data/mail_reminder_templates.xml",
        "data/mail_template_data.xml",
        "data/sms_template_data.xml",
        "data/kreancia_scenario_data.xml",
        "data/ir_cron_data.xml",
        "data/mail_template_commitment_data.xml",
        "data/kreancia_interest_rate_data.xml",
        "data/kreancia_interest_rate_cron.xml",
        # reports
        "reports/kreancia_letter_layout.xml",
        "reports/kreancia_letter_report.xml",
        "reports/kreancia_statement_report.xml",
        # views
        "wizards/kreancia_wizard_views.xml",
        "views/kreancia_scenario_views.xml",
        "views/kreancia_brand_views.xml",
        "views/kreancia_interest_rate_views.xml",
        "views/kreancia_intervention_views.xml",
        "views/account_move_views.xml",
        "views/kreancia_call_views.xml",
        "views/kreancia_commitment_views.xml",
        "views/res_partner_views.xml",
        "views/res_config_settings_views.xml",
        "views/menus.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "kreancia_collect/static/tests/tours/**/*",
        ],
    },
    "demo": [
        "demo/kreancia_demo.xml",
    ],
}
