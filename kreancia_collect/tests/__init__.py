from . import test_dunning_tools
from . import test_scenario
from . import test_escalation
from . import test_security
from . import test_channels
from . import test_rules
from . import test_agent
from . import test_agent_tour
