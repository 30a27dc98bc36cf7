from . import controllers
from . import models
from . import speed
from . import tools
from . import wizards
from . import reports
