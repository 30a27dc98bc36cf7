from odoo import api, fields, models

DELIVERY_STATES = [
    ("queued", "Queued"),
    ("sent", "Sent"),
    ("bounced", "Bounced"),
    ("failed", "Not sent"),
]


class KreanciaIntervention(models.Model):
    """An e-mail reminder is evidence only once it has left.

    The e-mail waits in Odoo's mail queue (``queued``); the queue reports
    whether it left (``sent``) or not (``failed``), the mail gateway whether
    the address bounced (``bounced``). An undelivered reminder fails the
    intervention, tasks the collector and puts its invoices back at the step
    they were at, so that the next run reminds the customer again.
    """

    _inherit = "kreancia.intervention"

    delivery_state = fields.Selection(
        DELIVERY_STATES,
        "Delivery",
        readonly=True,
        index="btree_not_null",
        help="Where the e-mail stands: waiting in the outgoing queue, sent, bounced by the recipient's server, "
        "or refused by the outgoing mail server. Empty for other channels.",
    )
    delivery_error = fields.Text("Delivery error", readonly=True)
    mail_body = fields.Html(
        "Message sent",
        compute="_compute_mail_body",
        sanitize=False,
        help="The body of the e-mail as it was sent.",
    )

    @api.depends("message_id.body", "mail_id.body_html")
    def _compute_mail_body(self):
        for intervention in self:
            intervention.mail_body = intervention.message_id.body or intervention.mail_id.body_html

    # ------------------------------------------------------------------
    # Delivery feedback (called by mail.mail and the mail gateway)
    # ------------------------------------------------------------------

    def _delivery_sent(self):
        """The queue handed the e-mails over to the mail server."""
        self.filtered(lambda intervention: intervention.delivery_state == "queued").write(
            {"delivery_state": "sent", "delivery_error": False}
        )

    def _delivery_failed(self, delivery_state, reasons):
        """The e-mails did not reach their recipient: fail, task the collector, undo the step.

        :param delivery_state: ``failed`` (refused when sending) or ``bounced``
        :param reasons: ``{intervention id: reason}``
        """
        todo = self.filtered(lambda intervention: intervention.delivery_state in ("queued", "sent"))
        if not todo:
            return
        for intervention in todo:
            reason = reasons[intervention.id]
            intervention.write(
                {
                    "state": "failed",
                    "delivery_state": delivery_state,
                    "delivery_error": reason,
                    "error": self.env._(
                        "The e-mail to %(recipient)s was not delivered: %(reason)s",
                        recipient=intervention.recipient_id.email or intervention.recipient_id.display_name,
                        reason=reason,
                    ),
                }
            )
        todo._undo_steps()
        todo._create_delivery_tasks()

    def _undo_steps(self):
        """Put back at their previous step the invoices still at the step these interventions set."""
        back = {}
        for line in self.line_ids:
            move = line.move_id
            if move.dunning_step_id == line.step_id:
                key = (line.previous_step_id.id, line.previous_last_date)
                back.setdefault(key, []).append(move.id)
        for (step_id, last_date), move_ids in back.items():
            self.env["account.move"].browse(move_ids)._dunning_write(
                {"dunning_step_id": step_id, "dunning_last_date": last_date}
            )

    def _create_delivery_tasks(self):
        """A to-do for the collector on each customer whose reminder was not delivered."""
        activity_type = self.env.ref("mail.mail_activity_data_todo")
        partner_model = self.env["ir.model"]._get_id("res.partner")
        activities = (
            self.env["mail.activity"]
            .sudo()
            .create(
                [
                    {
                        "res_model_id": partner_model,
                        "res_id": intervention.partner_id.id,
                        "activity_type_id": activity_type.id,
                        "summary": self.env._(
                            "Reminder not delivered to %(recipient)s: check the e-mail address",
                            recipient=intervention.recipient_id.email or intervention.recipient_id.display_name,
                        ),
                        "note": intervention._render_task_note(),
                        "user_id": intervention._call_agent().id,
                        "date_deadline": fields.Date.context_today(self),
                    }
                    for intervention in self
                ]
            )
        )
        for intervention, activity in zip(self, activities, strict=True):
            intervention.activity_id = activity
