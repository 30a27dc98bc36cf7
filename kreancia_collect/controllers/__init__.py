from . import debtor_portal
from . import xlsx_download
