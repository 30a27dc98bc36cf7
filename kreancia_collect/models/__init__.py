from . import res_company
from . import res_config_settings
from . import kreancia_brand
from . import kreancia_scenario
from . import kreancia_scenario_step

# the intervention family, imported together (see the class docstring in kreancia_intervention.py)
from . import kreancia_intervention
from . import kreancia_intervention_perform
from . import kreancia_intervention_letter
from . import kreancia_intervention_line
from . import kreancia_intervention_post
from . import snailmail_letter
from . import kreancia_escalation
from . import kreancia_call
from . import kreancia_commitment
from . import kreancia_commitment_line
from . import account_move
from . import res_partner
from . import kreancia_interest_rate
from . import kreancia_interest_rate_ecb
from . import mail_mail
from . import mail_thread
from . import ir_actions_report
from . import kreancia_aging_bucket
from . import ir_module_module
from . import kreancia_debtor_link
from . import kreancia_debtor_link_actions
from . import kreancia_debtor_action
from . import kreancia_commitment_auto
from . import payment_transaction
from . import kreancia_plan_proposal
from . import kreancia_case
from . import kreancia_case_line
from . import kreancia_case_recovery
from . import kreancia_case_file
from . import kreancia_case_order_payment
from . import kreancia_escalation_run

# debtor replies: the record, then what a collector makes of it
from . import kreancia_reply
from . import kreancia_reply_actions

# insolvency procedures: the record, the notices read, the daily BODACC watch
from . import kreancia_insolvency
from . import kreancia_insolvency_event
from . import kreancia_insolvency_watch
