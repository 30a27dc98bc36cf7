from . import dunning
from . import phone
