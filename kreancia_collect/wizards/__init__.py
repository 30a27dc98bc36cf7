from . import kreancia_escalation_preview
from . import kreancia_escalation_preview_line
from . import account_move_set_dunning_step
from . import kreancia_intervention_mark_posted
from . import kreancia_call_log
from . import kreancia_call_log_instalment
from . import kreancia_statement_print
from . import kreancia_aged_balance_wizard
