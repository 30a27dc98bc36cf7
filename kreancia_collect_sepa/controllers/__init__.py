from . import debtor_portal
