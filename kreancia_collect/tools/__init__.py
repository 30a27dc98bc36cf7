from . import dunning
