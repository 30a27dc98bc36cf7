from odoo import models

LETTER_REPORT_NAME = "kreancia_collect.report_dunning_letter"


class IrActionsReport(models.Model):
    """The letter report's HTML; rendering batches of documents is a seam of its own
    (``speed/ir_actions_report_batch.py``)."""

    _inherit = "ir.actions.report"  # pylint: disable=consider-merging-classes-inherited

    def _render_qweb_html(self, report_ref, docids, data=None):
        if self._get_report(report_ref).report_name == LETTER_REPORT_NAME:
            # "despite our previous reminders" is computed for all the letters at once, from other
            # interventions: read it again for every rendering (drafts, the run's batches, a reprint)
            self.env["kreancia.intervention"].invalidate_model(["has_previous_reminders"])
        return super()._render_qweb_html(report_ref, docids, data=data)

    def _render_qweb_pdf(self, report_ref, res_ids=None, data=None):
        """A dunning letter not yet produced (to validate, failed, cancelled) prints as a marked draft.

        The draft carries the amounts and deadline validation would fix:
        they are computed in a savepoint rolled back once the PDF is
        rendered, so printing writes nothing on the intervention or its
        invoices. Letters produced by the run (to send, posted) print as
        they are.
        """
        if not res_ids or self._get_report(report_ref).report_name != LETTER_REPORT_NAME:
            return super()._render_qweb_pdf(report_ref, res_ids=res_ids, data=data)
        ids = [res_ids] if isinstance(res_ids, int) else list(res_ids)
        drafts = (
            self.env["kreancia.intervention"]
            .browse(ids)
            .exists()
            .filtered(lambda intervention: not intervention._letter_is_final())
        )
        if not drafts:
            return super()._render_qweb_pdf(report_ref, res_ids=res_ids, data=data)
        with self.env.cr.savepoint() as savepoint:
            drafts.sudo()._prepare_draft_letters()
            result = super(IrActionsReport, self.with_context(kreancia_draft_letter_ids=drafts.ids))._render_qweb_pdf(
                report_ref, res_ids=res_ids, data=data
            )
            savepoint.close(rollback=True)
        return result
