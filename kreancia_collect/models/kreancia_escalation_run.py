import logging

from odoo import api, fields, models

_logger = logging.getLogger(__name__)


class KreanciaEscalationRun(models.Model):
    """A run asked for by hand or over the API, too large for one HTTP request.

    ``kreancia.escalation.run()`` records it here and wakes the daily run's
    scheduled action, which performs it in batches (committing each) and
    tells the manager who asked when it is done.
    """

    _name = "kreancia.escalation.run"
    _description = "Queued Dunning Run"
    _order = "id desc"

    date = fields.Date("Run date", required=True, readonly=True)
    company_ids = fields.Many2many("res.company", string="Companies", required=True, readonly=True)
    user_id = fields.Many2one("res.users", "Requested by", required=True, readonly=True, ondelete="cascade")
    lang = fields.Char(readonly=True)
    state = fields.Selection(
        [("queued", "Queued"), ("running", "Running"), ("done", "Done"), ("failed", "Failed")],
        required=True,
        default="queued",
        readonly=True,
        index=True,
    )
    planned = fields.Integer("Planned interventions", readonly=True)
    performed = fields.Integer("Performed interventions", readonly=True)
    counts = fields.Json(readonly=True)
    error = fields.Text(readonly=True)

    def _to_dict(self):
        """Plain data for an external caller."""
        self.ensure_one()
        return {
            "run_id": self.id,
            "date": fields.Date.to_string(self.date),
            "state": self.state,
            "planned": self.planned,
            "performed": self.performed,
            "counts": self.counts or {},
            "error": self.error or False,
        }

    @api.model
    def _perform_queued(self):
        """Perform the queued runs, oldest first (called by the scheduled action)."""
        for run in self.search([("state", "in", ("queued", "running"))], order="id"):
            if not run._perform():
                return False  # out of time: the scheduler calls again and the run resumes
        return True

    def _perform(self):
        """Perform this run as the manager who asked for it.

        :return: False when the scheduled action ran out of time before the end
        """
        self.ensure_one()
        self.state = "running"
        engine = (
            self.env["kreancia.escalation"]
            .with_user(self.user_id)
            .with_context(
                allowed_company_ids=self.company_ids.ids,
                lang=self.lang or self.user_id.lang,
                kreancia_run_id=self.id,
                kreancia_sync=True,
            )
        )
        try:
            counts = engine._run(self.date)
        except Exception as error:
            if not self.env.context.get("kreancia_commit"):
                raise
            # the scheduled action: what was committed stays, the manager learns why the rest did not run
            _logger.exception("Queued dunning run %s failed", self.id)
            self.env.cr.rollback()
            self.write({"state": "failed", "error": str(error)})
            self._notify(str(error), "danger")
            self.env["ir.cron"]._commit_progress()
            return True
        if counts.pop("interrupted", False):
            return False
        self._done(counts)
        return True

    def _done(self, counts):
        """Record the run as done with ``counts`` (what :meth:`_run` returned) and tell the manager who asked.

        The hook for an add-on that leaves the batches to other workers: it
        records the run as done once they have all ended.
        """
        self.write({"state": "done", "counts": counts})
        self._notify(
            self.env._(
                "Dunning run of %(date)s performed: %(interventions)s intervention(s) on %(invoices)s invoice(s); "
                "%(to_validate)s to validate, %(failed)s failed.",
                date=self.date,
                interventions=counts.get("interventions", 0),
                invoices=counts.get("invoices", 0),
                to_validate=counts.get("to_validate", 0),
                failed=counts.get("failed", 0),
            ),
            "success",
        )

    def _notify(self, message, kind):
        self.user_id._bus_send(
            "simple_notification",
            {"title": self.env._("Dunning run"), "message": message, "type": kind, "sticky": kind == "danger"},
        )
