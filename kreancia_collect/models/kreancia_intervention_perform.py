import logging

import psycopg2

from odoo import api, fields, models

from ..tools.phone import first_mobile
from .kreancia_scenario_step import CHANNELS

_logger = logging.getLogger(__name__)

# errors of the transaction or the connection (serialization failure, deadlock, lock timeout, connection lost)
TRANSACTION_ERRORS = (psycopg2.OperationalError, psycopg2.InterfaceError)

TEMPLATE_FIELDS = (
    "subject",
    "body_html",
    "email_from",
    "reply_to",
    "partner_to",
    "email_to",
    "email_cc",
)


class KreanciaIntervention(models.Model):
    """Performing interventions, one channel at a time and in batches.

    Each ``_perform_<channel>`` method receives every intervention of its
    channel; it renders what it can in one call and marks the others failed
    with the reason, so one customer never stops the run. An e-mail is
    evidence only once it has left: the mail queue and the mail gateway
    report back (``_delivery_sent``, ``_delivery_failed``), and an undelivered
    reminder fails, tasks the collector and puts its invoices back at the
    step they were at, so that the next run reminds the customer again. A
    mail server that cannot be reached is no undelivered reminder: the
    e-mail waits in the queue, which tries again (``_delivery_postponed``),
    for ``KREANCIA_RETRY_HOURS``.
    """

    _inherit = "kreancia.intervention"  # pylint: disable=consider-merging-classes-inherited

    KREANCIA_RETRY_HOURS = 48  # how long the mail queue tries again an e-mail its server could not take

    @api.model
    def mail_allowed_qweb_expressions(self):
        # plain reads of what the reminder templates put in their subject, sender and recipient: Odoo renders
        # templates made only of allowed expressions without its expression evaluator (one compilation per
        # e-mail and field), and lets people who are not template editors use them
        return (
            *super().mail_allowed_qweb_expressions(),
            "object.sender_name",
            "object.email_from",
            "object.reply_to",
            "object.recipient_id.id",
            "object.recipient_id.lang",
            "object.recipient_id.name",
            "object.company_id.name",
            "object.total_due_display",
        )

    def _perform(self):
        """Perform each intervention's communication, then move its invoices up."""
        # a link may have expired or been revoked while the intervention waited for validation
        self._ensure_debtor_links()
        for channel in dict(CHANNELS):
            todo = self.filtered(lambda intervention, channel=channel: intervention.channel == channel)
            if todo:
                getattr(todo, f"_perform_{channel}")()
        self.filtered(lambda intervention: intervention.state in ("done", "to_send"))._apply_to_moves()

    def _apply_to_moves(self):
        """Record on each invoice the step it reached, one write per step and date."""
        by_step = {}
        for line in self.line_ids:
            key = (line.step_id.id, line.intervention_id.date)
            by_step.setdefault(key, []).append(line.move_id.id)
        for (step_id, date), move_ids in by_step.items():
            self.env["account.move"].browse(move_ids)._dunning_write(
                {
                    "dunning_step_id": step_id,
                    "dunning_last_date": date,
                    "dunning_gap_waived": False,
                }
            )

    def _mark_failed(self, reason):
        self.write({"state": "failed", "error": reason})

    def _isolate(self, action, *args):
        """Run ``action`` on the batch; on error, again one by one, failing only the faulty ones.

        An error of the transaction itself (a write that fails to serialize with another one, a deadlock,
        the connection lost) is no intervention's fault: it undoes the batch, which its caller tries again.
        """
        try:
            with self.env.cr.savepoint():
                action(self, *args)
        except TRANSACTION_ERRORS:
            raise
        except Exception:
            _logger.info(
                "Batch of %s interventions failed, retrying one by one",
                len(self),
                exc_info=True,
            )
            for intervention in self:
                try:
                    with self.env.cr.savepoint():
                        action(intervention, *args)
                except TRANSACTION_ERRORS:
                    raise
                except Exception as error:
                    intervention._mark_failed(str(error))

    # ------------------------------------------------------------------
    # E-mail
    # ------------------------------------------------------------------

    def _perform_email(self):
        without_address = self.filtered(lambda intervention: not intervention.recipient_id.email)
        for intervention in without_address:
            intervention._mark_failed(
                self.env._(
                    "%(partner)s has no e-mail address: the reminder could not be sent.",
                    partner=intervention.recipient_id.display_name,
                )
            )
        sendable = self - without_address
        for template in sendable.step_id.mail_template_id:
            batch = sendable.filtered(lambda i, template=template: i.step_id.mail_template_id == template)
            batch._isolate(type(self)._send_template, template)

    def _send_template(self, template):
        """Render ``template`` for every intervention in one call and queue the e-mails."""
        # the invoice table reads the number: reading one field of an invoice otherwise loads all of its columns
        self.line_ids.move_id.fetch(["name"])
        # the body is compiled once for the batch and each language, not once per customer (see speed/ir_qweb.py)
        rendered = template.with_context(kreancia_batch_render=True)._generate_template(self.ids, TEMPLATE_FIELDS)
        # an agency's first written contact must be the letter R124-4 describes: always attached
        with_letter = self.filtered(
            lambda intervention: intervention.step_id.attach_letter or intervention._is_third_party()
        )
        letters = with_letter._attach_letters() if with_letter else {}
        mail_values = []
        for intervention in self:
            values = rendered[intervention.id]
            mail_values.append(
                {
                    # the reference lets a reply be matched even by a mail client that drops In-Reply-To
                    "subject": f"{values.get('subject') or ''} [{intervention.name}]".strip(),
                    "body_html": values.get("body_html"),
                    "body": values.get("body_html"),
                    "email_from": values.get("email_from") or intervention.email_from,
                    "reply_to": values.get("reply_to") or intervention.reply_to,
                    "email_to": values.get("email_to") or False,
                    "email_cc": values.get("email_cc") or False,
                    "recipient_ids": [fields.Command.link(pid) for pid in values.get("partner_ids") or []],
                    # the e-mail is filed in the customer's chatter, where people read it
                    "model": "res.partner",
                    "res_id": intervention.partner_id.id,
                    "message_type": "email_outgoing",
                    "author_id": intervention._author().id,
                    "auto_delete": False,
                    "attachment_ids": [fields.Command.link(letters[intervention.id].id)]
                    if intervention.id in letters
                    else [],
                }
            )
        mails = self.env["mail.mail"].sudo().create(mail_values)
        for intervention, mail in zip(self, mails, strict=True):
            intervention.write(
                {
                    "mail_id": mail.id,
                    "message_id": mail.mail_message_id.id,
                    "state": "done",
                    "delivery_state": "queued",
                }
            )

    def _author(self):
        """Partner shown as the author of the communication."""
        self.ensure_one()
        if self.identity == "brand" and self.brand_id.partner_id:
            return self.brand_id.partner_id
        return self.company_id.partner_id

    # ------------------------------------------------------------------
    # Delivery feedback (called by mail.mail and the mail gateway)
    # ------------------------------------------------------------------

    def _delivery_sent(self):
        """The queue handed the e-mails over to the mail server."""
        self.filtered(lambda intervention: intervention.delivery_state == "queued").write(
            {"delivery_state": "sent", "delivery_error": False}
        )

    def _delivery_postponed(self, reasons):
        """The outgoing mail server could not be reached: not sent yet, the mail queue tries again.

        The reminder stands, its invoices stay at their step and nobody is
        asked to check an address that nothing says is wrong.

        :param reasons: ``{intervention id: the server's error}``
        """
        for intervention in self:
            intervention.delivery_error = self.env._(
                "Not sent yet: the outgoing mail server could not be reached (%(reason)s). The mail queue tries again.",
                reason=reasons[intervention.id],
            )
        self.mail_id.sudo().mark_outgoing()

    def _delivery_failed(self, delivery_state, reasons, server_failure=False):
        """The e-mails did not reach their recipient: fail, task the collector, undo the step.

        :param delivery_state: ``failed`` (refused when sending) or ``bounced``
        :param reasons: ``{intervention id: reason}``
        :param server_failure: the outgoing mail server could not be reached for
            ``KREANCIA_RETRY_HOURS``: the address is not in question
        """
        todo = self.filtered(lambda intervention: intervention.delivery_state in ("queued", "sent"))
        if not todo:
            return
        for intervention in todo:
            reason = reasons[intervention.id]
            if server_failure:
                reason = self.env._(
                    "the outgoing mail server could not be reached for %(hours)s hours (%(reason)s)",
                    hours=self.KREANCIA_RETRY_HOURS,
                    reason=reason,
                )
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
        todo._create_delivery_tasks(server_failure=server_failure)

    def _undo_steps(self, lines=None):
        """Put back at their previous step the invoices still at the step these interventions set
        (only those of ``lines``, when given)."""
        back = {}
        for line in self.line_ids if lines is None else lines:
            move = line.move_id
            if move.dunning_step_id == line.step_id:
                key = (line.previous_step_id.id, line.previous_last_date)
                back.setdefault(key, []).append(move.id)
        for (step_id, last_date), move_ids in back.items():
            self.env["account.move"].browse(move_ids)._dunning_write(
                {"dunning_step_id": step_id, "dunning_last_date": last_date}
            )

    def _create_delivery_tasks(self, server_failure=False):
        """A to-do for the collector on each customer whose reminder was not delivered.

        :param server_failure: the mail server, not the address, is to blame
        """
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
                            "Reminder not sent to %(recipient)s: the outgoing mail server could not be reached",
                            recipient=intervention.recipient_id.email or intervention.recipient_id.display_name,
                        )
                        if server_failure
                        else self.env._(
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

    # ------------------------------------------------------------------
    # SMS
    # ------------------------------------------------------------------

    def _perform_sms(self):
        numbers = {}
        for intervention in self:
            number, reason = intervention._sms_number()
            if number:
                numbers[intervention.id] = number
            else:
                intervention._mark_failed(reason)
        sendable = self.filtered(lambda intervention: intervention.id in numbers)
        for template in sendable.step_id.sms_template_id:
            batch = sendable.filtered(lambda i, template=template: i.step_id.sms_template_id == template)
            batch._isolate(type(self)._send_sms, template, numbers)

    def _sms_number(self):
        """(E.164 mobile number, None) of the recipient, or (None, reason)."""
        self.ensure_one()
        contact = self.recipient_id
        country = (contact.country_id or self.partner_id.country_id or self.company_id.country_id).code
        candidates = [number for number in (contact.phone, self.partner_id.phone) if number]
        e164 = first_mobile(candidates, country)
        if e164:
            return e164, None
        return None, self.env._(
            "%(partner)s has no valid mobile number (numbers tried: %(numbers)s): the SMS could not be sent.",
            partner=contact.display_name,
            numbers=", ".join(candidates) or self.env._("none"),
        )

    def _send_sms(self, template, numbers):
        bodies = template._render_field("body", self.ids, compute_lang=True)
        sms = (
            self.env["sms.sms"]
            .sudo()
            .create(
                [
                    {
                        "number": numbers[intervention.id],
                        "body": bodies[intervention.id],
                        "partner_id": intervention.recipient_id.id,
                        "state": "outgoing",
                    }
                    for intervention in self
                ]
            )
        )
        for intervention, message in zip(self, sms, strict=True):
            intervention.write({"sms_id": message.id, "state": "done"})

    # ------------------------------------------------------------------
    # Call task
    # ------------------------------------------------------------------

    def _perform_call(self):
        self._isolate(type(self)._create_call_tasks)

    def _create_call_tasks(self):
        """One phone-call activity per customer, for its collector, due on the run date."""
        self._create_tasks(
            "mail.mail_activity_data_call",
            lambda intervention: self.env._(
                "Collection call: %(count)s overdue invoice(s), %(amount)s",
                count=intervention.move_count,
                amount=intervention.total_due_display,
            ),
            lambda intervention: intervention._call_agent(),
        )

    def _create_tasks(self, activity_xmlid, summary, assignee):
        """One activity per intervention on its customer, listing the invoices; done when created."""
        activity_type = self.env.ref(activity_xmlid)
        partner_model = self.env["ir.model"]._get_id("res.partner")
        # the run's own bookkeeping, as when the run performs the step: a manager validating it may not edit
        # the customer, which Odoo otherwise requires to schedule an activity on it
        tasks = self.env["mail.activity"].sudo()
        activities = tasks.create(
            [
                {
                    "res_model_id": partner_model,
                    "res_id": intervention.partner_id.id,
                    "activity_type_id": activity_type.id,
                    "summary": summary(intervention),
                    "note": intervention._render_task_note(),
                    "user_id": assignee(intervention).id,
                    "date_deadline": intervention.date,
                }
                for intervention in self
            ]
        )
        for intervention, activity in zip(self, activities, strict=True):
            intervention.write({"activity_id": activity.id, "state": "done"})

    def _call_agent(self):
        """The customer's collector, else the scenario's default agent, else who ran the step."""
        self.ensure_one()
        return (
            self.partner_id.dunning_collector_id
            or self.step_id.scenario_id.agent_id
            or self.user_id
            or self.step_id.scenario_id.user_id
            or self.env.user
        )

    def _render_task_note(self):
        self.ensure_one()
        return self.env["ir.qweb"]._render("kreancia_collect.intervention_task_note", {"intervention": self})

    # ------------------------------------------------------------------
    # Letters
    # ------------------------------------------------------------------

    def _perform_letter(self):
        self._with_postal_address()._isolate(type(self)._generate_letters)

    def _perform_formal_notice(self):
        self._with_postal_address()._isolate(type(self)._generate_letters)

    # letter production: kreancia_intervention_letter.py

    # ------------------------------------------------------------------
    # Hand-over
    # ------------------------------------------------------------------

    def _perform_handover(self):
        self._isolate(type(self)._hand_over)

    def _hand_over(self):
        """Take the invoices out of the automatic scenario and task the manager."""
        self._create_cases()  # their cases hand the invoices over (``account.move.dunning_handed_over``)
        self._create_tasks(
            "mail.mail_activity_data_todo",
            lambda intervention: self.env._(
                "Hand over to an agency or legal action: %(count)s invoice(s), %(amount)s",
                count=intervention.move_count,
                amount=intervention.total_due_display,
            ),
            lambda intervention: intervention.step_id.scenario_id.user_id or intervention._call_agent(),
        )

    def _create_cases(self):
        """Open the hand-over case of each intervention, its claim computed at the intervention's date."""
        self._compute_legal_amounts()
        Case = self.env["kreancia.case"]
        Case.env["kreancia.case.line"]._check_not_in_open_case(self.move_ids)
        cases = Case.create(
            [
                Case._case_values(
                    intervention,
                    {
                        "intervention_id": intervention.id,
                        "agency_id": intervention.step_id.handover_partner_id.id,
                        "user_id": (intervention.step_id.scenario_id.user_id or intervention._call_agent()).id,
                    },
                )
                for intervention in self
            ]
        )
        return cases
