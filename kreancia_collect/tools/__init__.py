from . import dunning
from . import phone
from . import scoring
from . import legal
from . import case_file
from . import case_xlsx
