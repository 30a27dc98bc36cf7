from odoo import models


class MailMail(models.Model):
    _inherit = "mail.mail"

    def _postprocess_sent_message(self, success_pids, success_emails, failure_reason=False, failure_type=None):
        """Tell the dunning interventions whether their e-mail left (before auto-delete drops the mail)."""
        interventions = (
            self.env["kreancia.intervention"]
            .sudo()
            .search([("mail_id", "in", self.ids), ("delivery_state", "=", "queued")])
        )
        if interventions:
            failed = interventions.filtered(lambda intervention: intervention.mail_id.state != "sent")
            (interventions - failed)._delivery_sent()
            failed._delivery_failed(
                "failed",
                {intervention.id: intervention.mail_id._kreancia_failure_reason() for intervention in failed},
            )
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
