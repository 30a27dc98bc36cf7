from datetime import timedelta

from odoo import fields, models

SERVER_FAILURE = "mail_smtp"  # Odoo's failure type when the outgoing mail server cannot be reached


class MailMail(models.Model):
    _inherit = "mail.mail"

    def _postprocess_sent_message(self, success_pids, success_emails, failure_reason=False, failure_type=None):
        """Tell the dunning interventions whether their e-mail left (before auto-delete drops the mail).

        A mail server that cannot be reached says nothing of the address: the
        e-mail goes back to the queue, which tries again, until
        ``KREANCIA_RETRY_HOURS`` after it was queued.
        """
        interventions = (
            self.env["kreancia.intervention"]
            .sudo()
            .search([("mail_id", "in", self.ids), ("delivery_state", "=", "queued")])
        )
        if interventions:
            unsent = interventions.filtered(lambda intervention: intervention.mail_id.state != "sent")
            (interventions - unsent)._delivery_sent()
            reasons = {intervention.id: intervention.mail_id._kreancia_failure_reason() for intervention in unsent}
            if failure_type == SERVER_FAILURE:
                retry = unsent.filtered(lambda intervention: intervention.mail_id._kreancia_may_retry())
                retry._delivery_postponed(reasons)
                (unsent - retry)._delivery_failed("failed", reasons, server_failure=True)
            else:
                unsent._delivery_failed("failed", reasons)
        return super()._postprocess_sent_message(
            success_pids, success_emails, failure_reason=failure_reason, failure_type=failure_type
        )

    def _kreancia_failure_reason(self):
        """Why the mail did not leave, in words: the server's message, else the failure type's label."""
        self.ensure_one()
        if self.failure_reason:
            return self.failure_reason
        labels = dict(self._fields["failure_type"]._description_selection(self.env))
        return labels.get(self.failure_type) or self.env._("Unknown error")

    def _kreancia_may_retry(self):
        """Whether the queue still tries again a dunning e-mail its mail server refused."""
        self.ensure_one()
        retry_hours = self.env["kreancia.intervention"].KREANCIA_RETRY_HOURS
        return self.create_date > fields.Datetime.now() - timedelta(hours=retry_hours)
