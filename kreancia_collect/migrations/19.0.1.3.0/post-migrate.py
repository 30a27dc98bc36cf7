"""``account.move.dunning_handed_over`` is now computed from the invoice's hand-over cases.

Odoo computes a new stored field only when it creates its column: this one
existed (written by hand beside the cases), so recompute it once, for the
invoices a case holds or that were marked handed over.
"""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    cr.execute(
        "SELECT move_id FROM kreancia_case_line UNION SELECT id FROM account_move WHERE dunning_handed_over IS TRUE"
    )
    moves = env["account.move"].browse(row[0] for row in cr.fetchall())
    env.add_to_compute(moves._fields["dunning_handed_over"], moves)
    moves._recompute_recordset(["dunning_handed_over"])
    env.flush_all()
