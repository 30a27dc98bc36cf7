from . import account_payment
from . import account_payment_line
from . import account_payment_order
from . import kreancia_commitment
from . import kreancia_commitment_line
