from odoo import api, models
from odoo.tools import html2plaintext


class MailThread(models.AbstractModel):
    _inherit = "mail.thread"

    @api.model
    def _routing_handle_bounce(self, email_message, message_dict):
        """A bounced dunning e-mail fails its intervention: the customer was not reminded."""
        super()._routing_handle_bounce(email_message, message_dict)
        bounced_message = message_dict.get("bounced_message")
        if not bounced_message:
            return
        interventions = (
            self.env["kreancia.intervention"]
            .sudo()
            .search([("message_id", "in", bounced_message.ids), ("delivery_state", "in", ("queued", "sent"))])
        )
        if interventions:
            detail = html2plaintext(message_dict.get("body") or "").strip()
            reason = self.env._(
                "the address %(email)s bounced. %(detail)s",
                email=message_dict.get("bounced_email") or "",
                detail=detail[:500],
            ).strip()
            interventions._delivery_failed("bounced", dict.fromkeys(interventions.ids, reason))
