from . import queue_job
from . import kreancia_escalation
from . import kreancia_escalation_run
