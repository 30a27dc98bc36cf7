"""The dunning state is indexed for its rare states only (see ``account_move.py``)."""


def migrate(cr, version):
    # Odoo keeps the index of a field that is no longer indexed: drop it
    cr.execute("DROP INDEX IF EXISTS account_move__dunning_state_index")
