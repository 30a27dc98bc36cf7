from odoo import api, fields, models
from odoo.exceptions import ValidationError

CHANNELS = [
    ("email", "E-mail"),
    ("sms", "SMS"),
    ("call", "Phone call"),
    ("letter", "Letter"),
    ("formal_notice", "Formal notice"),
    ("handover", "Hand-over"),
]
IDENTITIES = [("company", "Company"), ("brand", "Brand")]
LETTER_CHANNELS = ("letter", "formal_notice")  # channels that produce a PDF letter to post
WRITTEN_CHANNELS = ("email", "sms", *LETTER_CHANNELS)  # channels that carry the debtor page link


class KreanciaScenarioStep(models.Model):
    """One level of a scenario, performed ``delay_days`` after the due date."""

    _name = "kreancia.scenario.step"
    _description = "Dunning Scenario Step"
    _order = "scenario_id, delay_days, id"
    _check_company_auto = True

    scenario_id = fields.Many2one("kreancia.scenario", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="scenario_id.company_id", store=True, index=True)
    sequence = fields.Integer(
        "Level",
        compute="_compute_sequence",
        store=True,
        help="Position of the step in its scenario, by delay.",
    )
    name = fields.Char(required=True, translate=True)
    delay_days = fields.Integer(
        "Delay (days)",
        required=True,
        help="Days after the due date; negative for a courtesy reminder before it.",
    )
    channel = fields.Selection(CHANNELS, required=True, default="email")
    identity = fields.Selection(
        IDENTITIES,
        required=True,
        default="company",
        help="Company: the step speaks as the company. Brand: it speaks under the brand's letterhead and sender.",
    )
    brand_id = fields.Many2one("kreancia.brand", check_company=True)
    mail_template_id = fields.Many2one(
        "mail.template",
        "E-mail template",
        domain=[("model", "=", "kreancia.intervention")],
    )
    sms_template_id = fields.Many2one(
        "sms.template",
        "SMS template",
        domain=[("model", "=", "kreancia.intervention")],
    )
    deadline_days = fields.Integer(
        "Payment deadline (days)",
        default=8,
        help="Days the customer is given to pay, printed on formal notices (usually 8 or 15).",
    )
    attach_letter = fields.Boolean(
        "Attach the letter (PDF)",
        help="E-mails of this step carry the reminder letter as a PDF attachment "
        "(always under a third-party brand: its letter bears the mentions the law requires).",
    )
    manual = fields.Boolean(
        "Manual validation",
        help="The run prepares the intervention; a collection manager validates it before anything is sent.",
    )
    call_script = fields.Html(
        "Call script",
        translate=True,
        sanitize=True,
        help="What the agent says on this call step. Placeholders: {speaker} (the name the call is made under), "
        "{creditor}, {customer}, {agent}, {amount_due}, {oldest_invoice}, {promises} (previous promises).",
    )
    retry_delay_days = fields.Integer(
        "Retry after (days)",
        default=1,
        help="When nobody answers, the call is tried again after this many days.",
    )
    max_attempts = fields.Integer(
        "Attempts before moving on",
        default=3,
        help="After this many unanswered calls the call step is done and the scenario moves on.",
    )
    handover_partner_id = fields.Many2one(
        "res.partner",
        "Receiving party",
        check_company=True,
        help="Hand-over steps: the agency, bailiff or lawyer whose case is opened. "
        "Empty: the manager chooses it before sending the case.",
    )

    _delay_scenario_uniq = models.Constraint(
        "unique(scenario_id, delay_days)",
        "Two steps of the same scenario cannot have the same delay.",
    )
    _call_attempts_positive = models.Constraint(
        "CHECK(max_attempts >= 1 AND retry_delay_days >= 0)",
        "A call step needs at least one attempt and a retry delay that is not negative.",
    )

    @api.depends("scenario_id.step_ids.delay_days")
    def _compute_sequence(self):
        levels = {}
        for scenario in self.scenario_id:
            ordered = scenario.step_ids.sorted(lambda step: (step.delay_days, step.id or 0))
            levels.update({step: level for level, step in enumerate(ordered, start=1)})
        for step in self:
            step.sequence = levels.get(step, 0)

    @api.constrains("channel", "mail_template_id", "sms_template_id", "deadline_days", "identity", "brand_id")
    def _check_configuration(self):
        for step in self:
            if step.channel == "email" and not step.mail_template_id:
                raise ValidationError(
                    self.env._(
                        "The e-mail step “%(step)s” needs an e-mail template.",
                        step=step.name,
                    )
                )
            if step.channel == "sms" and not step.sms_template_id:
                raise ValidationError(self.env._("The SMS step “%(step)s” needs an SMS template.", step=step.name))
            if step.channel == "formal_notice" and step.deadline_days <= 0:
                raise ValidationError(
                    self.env._(
                        "The formal notice “%(step)s” needs a payment deadline of at least one day.",
                        step=step.name,
                    )
                )
            if step.identity == "brand" and not step.brand_id:
                raise ValidationError(
                    self.env._(
                        "The step “%(step)s” speaks under a brand: choose the brand.",
                        step=step.name,
                    )
                )
            if step.identity == "brand" and not step.brand_id._has_postal_address():
                raise ValidationError(
                    self.env._(
                        "The step “%(step)s” speaks under the brand “%(brand)s”, which has no address "
                        "(street and city): complete the brand first.",
                        step=step.name,
                        brand=step.brand_id.name,
                    )
                )

    def _next_step(self):
        """The step that follows this one in its scenario, announced by formal notices."""
        self.ensure_one()
        later = self.scenario_id.step_ids.filtered(lambda step: step.delay_days > self.delay_days)
        return later.sorted("delay_days")[:1]

    def action_edit_call_script(self):
        """The call step's script and retry rules, in a dialog."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Call script: %(step)s", step=self.name),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "views": [(self.env.ref("kreancia_collect.kreancia_scenario_step_view_form_call_script").id, "form")],
            "target": "new",
        }

    @api.onchange("identity")
    def _onchange_identity(self):
        if self.identity == "company":
            self.brand_id = False
