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

    @api.model
    def message_route(self, message, message_dict, model=None, thread_id=None, custom_values=None):
        """Debtor replies land on their customer, under the reminder they answer (see ``kreancia.reply``)."""
        routes = super().message_route(message, message_dict, model, thread_id, custom_values)
        return self.env["kreancia.reply"]._route_replies(message_dict, routes)

    def _message_route_process(self, message, message_dict, routes):
        # what routing found travels in the context to the customer's message_post (it is no message value)
        match = message_dict.pop("kreancia_match", None)
        threads = self.with_context(kreancia_reply_match=match) if match else self
        return super(MailThread, threads)._message_route_process(message, message_dict, routes)
