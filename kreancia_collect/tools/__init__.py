from . import dunning
from . import phone
from . import scoring
