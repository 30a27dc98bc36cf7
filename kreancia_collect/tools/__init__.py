from . import dunning
from . import phone
from . import scoring
from . import legal
from . import ecb
from . import plan
