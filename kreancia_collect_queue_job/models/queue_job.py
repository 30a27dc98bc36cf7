from odoo import fields, models


class QueueJob(models.Model):
    """A dunning batch job knows its run date, its queued run (when a manager asked) and, once done, its counts."""

    _inherit = "queue.job"

    dunning_run_id = fields.Many2one(
        "kreancia.escalation.run", "Dunning run", readonly=True, index="btree_not_null", ondelete="set null"
    )
    dunning_date = fields.Date("Dunning date", readonly=True)
    dunning_counts = fields.Json("Dunning counts", readonly=True)
