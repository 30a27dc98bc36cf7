from . import test_sepa_instalments
