from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_amount, format_date


def problem_labels(env):
    """What each limit a plan exceeds means, in the environment's language."""
    return {
        "max_count": env._("more instalments than the scenario allows"),
        "min_first": env._("a first instalment below the scenario's minimum"),
        "max_days": env._("a last instalment later than the scenario allows"),
    }


class KreanciaPlanProposal(models.Model):
    """A payment plan a debtor proposed on the collection page, beyond the scenario's limits.

    It waits for an agent, who accepts it (it becomes a payment commitment)
    or refuses it; the debtor is told the answer by e-mail under the link's
    identity. Plans within the limits never wait: they become commitments at
    once.
    """

    _name = "kreancia.plan.proposal"
    _description = "Payment Plan Proposal"
    _order = "create_date desc, id desc"
    _check_company_auto = True
    _rec_name = "partner_id"

    link_id = fields.Many2one("kreancia.debtor.link", required=True, readonly=True, index=True)
    company_id = fields.Many2one(related="link_id.company_id", store=True, index=True)
    partner_id = fields.Many2one(related="link_id.partner_id", store=True, index=True, string="Customer")
    currency_id = fields.Many2one(related="company_id.currency_id")
    move_ids = fields.Many2many("account.move", string="Invoices", readonly=True, check_company=True)
    amount_total = fields.Monetary("Amount", readonly=True)
    instalments = fields.Json("Instalment data", readonly=True, help="The proposed instalments: [{date, amount}].")
    instalments_display = fields.Text("Instalments", compute="_compute_instalments_display")
    problems = fields.Text("Beyond the limits", readonly=True)
    message = fields.Text("Debtor's message", readonly=True)
    state = fields.Selection(
        [("pending", "To answer"), ("accepted", "Accepted"), ("refused", "Refused")],
        required=True,
        default="pending",
        readonly=True,
        index=True,
    )
    commitment_id = fields.Many2one("kreancia.commitment", readonly=True, ondelete="set null")
    user_id = fields.Many2one("res.users", "Answered by", readonly=True)
    activity_id = fields.Many2one("mail.activity", "Task", readonly=True, ondelete="set null")

    @api.depends("instalments", "currency_id")
    def _compute_instalments_display(self):
        for proposal in self:
            proposal.instalments_display = "\n".join(
                f"{format_date(self.env, row['date'])}: {format_amount(self.env, row['amount'], proposal.currency_id)}"
                for row in proposal.instalments or []
            )

    def _plan(self):
        self.ensure_one()
        return [(fields.Date.to_date(row["date"]), row["amount"]) for row in self.instalments or []]

    def action_accept(self):
        """Turn the proposal into a payment commitment (dunning pauses, recap sent) and tell the debtor."""
        self._check_pending()
        for proposal in self:
            # the answer below is the debtor's confirmation: one e-mail, not a recap beside it
            commitment = proposal.link_id.with_context(kreancia_recap_mail=False)._create_commitment(
                proposal.move_ids, proposal._plan(), self.env.user
            )
            proposal.write({"state": "accepted", "commitment_id": commitment.id, "user_id": self.env.uid})
        self._close_tasks()
        self._notify_debtor()
        return True

    def action_refuse(self):
        """Refuse the proposal: the invoices stay in the scenario; the debtor is told."""
        self._check_pending()
        self.write({"state": "refused", "user_id": self.env.uid})
        self._close_tasks()
        self._notify_debtor()
        return True

    def _check_pending(self):
        if self.filtered(lambda proposal: proposal.state != "pending"):
            raise UserError(self.env._("This payment plan proposal has already been answered."))

    def _close_tasks(self):
        self.activity_id.sudo().action_feedback(
            feedback=self.env._("Answered: %(state)s", state=dict(self._fields["state"].selection)[self[:1].state])
        )

    def _notify_debtor(self):
        template = self.env.ref("kreancia_collect.mail_template_plan_answer")
        for proposal in self:
            proposal.partner_id.sudo().message_post(
                body=self.env._(
                    "Payment plan proposed on the debtor page %(state)s by %(user)s.",
                    state=self.env._("accepted") if proposal.state == "accepted" else self.env._("refused"),
                    user=self.env.user.name,
                ),
                subtype_xmlid="mail.mt_note",
            )
            if proposal.link_id._recipient().email:
                self.env["kreancia.brand"]._mail_debtor(template, proposal, proposal._sender())

    def _answer_recipient(self):
        return self.link_id._recipient()

    def _sender(self):
        """Who answers: the identity of the page the debtor proposed the plan on (see ``kreancia.brand``)."""
        self.ensure_one()
        return self.link_id.brand_id._sender(self.company_id)

    @api.model
    def _new(self, link, invoices, plan, problems, message):
        """Record a proposal beyond the limits and task the collector with answering it."""
        proposal = self.sudo().create(
            {
                "link_id": link.id,
                "move_ids": [Command.set(invoices.ids)],
                "amount_total": sum(amount for _day, amount in plan),
                "instalments": [{"date": fields.Date.to_string(day), "amount": amount} for day, amount in plan],
                "problems": "\n".join(problem_labels(self.env)[problem] for problem in problems),
                "message": message,
            }
        )
        proposal.activity_id = link._task(
            "mail.mail_activity_data_call",
            self.env._("Payment plan proposed on the debtor page: accept or refuse"),
            self.env._(
                "%(plan)s\nBeyond the limits: %(problems)s",
                plan=proposal.instalments_display,
                problems=proposal.problems,
            ),
        )
        return proposal
