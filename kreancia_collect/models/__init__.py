from . import kreancia_brand
from . import kreancia_scenario
from . import kreancia_scenario_step
from . import kreancia_intervention
from . import kreancia_intervention_line
from . import kreancia_escalation
from . import account_move
from . import res_partner
