from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import float_is_zero, format_amount

from ..groups import MANAGER_GROUP

CASE_STATES = [
    ("to_send", "To send"),
    ("sent", "Sent"),
    ("in_progress", "In progress"),
    ("closed", "Closed"),
]
CLOSE_REASONS = [
    ("recovered", "Recovered in full"),
    ("partial", "Partly recovered"),
    ("abandoned", "Abandoned / written off"),
    ("returned", "Returned to amicable collection"),
]
REST_OUTCOMES = [
    ("write_off", "Written off"),
    ("returned", "Returned to amicable collection"),
]
PARTY_ROLES = [
    ("agency", "Collection agency"),
    ("bailiff", "Bailiff"),
    ("lawyer", "Lawyer"),
]


class KreanciaCase(models.Model):
    """A hand-over: the invoices of one customer entrusted to an agency, a bailiff or a lawyer.

    The claim (principal, interest, indemnity) is fixed at the hand-over
    date; recoveries reported back are registered as payments on the
    invoices; the case file (``kreancia_case_file.py``) gathers the evidence.
    """

    _name = "kreancia.case"
    _description = "Hand-over Case"
    _inherit = ["mail.thread"]
    _order = "date_handover desc, id desc"
    _check_company_auto = True

    name = fields.Char("Reference", required=True, readonly=True, copy=False, default="/")
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    partner_id = fields.Many2one(
        "res.partner", "Customer", required=True, readonly=True, index=True, check_company=True
    )
    intervention_id = fields.Many2one(
        "kreancia.intervention",
        "Hand-over step",
        readonly=True,
        ondelete="set null",
        help="The scenario's hand-over that opened the case; empty for a case opened by hand.",
    )
    agency_id = fields.Many2one(
        "res.partner",
        "Receiving party",
        tracking=True,
        domain="[('company_id', 'in', (False, company_id))]",
        help="The collection agency, bailiff or lawyer the claim is entrusted to.",
    )
    # the receiving party's terms, copied from it whoever creates the case (wizard, scenario, ORM, API)
    party_role = fields.Selection(
        PARTY_ROLES, "Acting as", compute="_compute_party_terms", store=True, readonly=False, precompute=True
    )
    mandate_ref = fields.Char(
        "Mandate reference", compute="_compute_party_terms", store=True, readonly=False, precompute=True, tracking=True
    )
    commission_rate = fields.Float(
        "Commission (%)",
        digits=(5, 2),
        compute="_compute_party_terms",
        store=True,
        readonly=False,
        precompute=True,
        help="Share of each amount recovered that the receiving party invoices.",
    )
    user_id = fields.Many2one(
        "res.users", "Responsible manager", default=lambda self: self.env.user, tracking=True, index=True
    )
    date_handover = fields.Date(
        "Handed over on",
        required=True,
        readonly=True,
        default=fields.Date.context_today,
        help="Date of the claim: interest and indemnities are computed at this date.",
    )
    date_sent = fields.Date("Sent on", readonly=True, copy=False)
    date_closed = fields.Date("Closed on", readonly=True, copy=False)
    state = fields.Selection(CASE_STATES, required=True, default="to_send", readonly=True, index=True, tracking=True)
    close_reason = fields.Selection(CLOSE_REASONS, readonly=True, copy=False, tracking=True)
    close_rest = fields.Selection(
        REST_OUTCOMES,
        "What was left",
        readonly=True,
        copy=False,
        tracking=True,
        help="A case closed as partly recovered: what became of the amount the receiving party did not recover.",
    )
    close_note = fields.Text("Closing note", readonly=True, copy=False)
    line_ids = fields.One2many("kreancia.case.line", "case_id", "Invoices", readonly=True)
    move_ids = fields.Many2many("account.move", string="Invoices handed over", compute="_compute_move_ids")
    move_count = fields.Integer("Invoice count", compute="_compute_move_ids")
    recovery_ids = fields.One2many("kreancia.case.recovery", "case_id", "Recoveries", readonly=True)
    amount_invoice = fields.Monetary("Invoiced", compute="_compute_amounts", store=True)
    amount_principal = fields.Monetary("Principal", compute="_compute_amounts", store=True)
    amount_interest = fields.Monetary("Late-payment interest", compute="_compute_amounts", store=True)
    amount_indemnity = fields.Monetary("Recovery indemnities", compute="_compute_amounts", store=True)
    amount_paid_before = fields.Monetary(
        "Payments received", compute="_compute_amounts", store=True, help="Paid on these invoices before the hand-over."
    )
    amount_credited_before = fields.Monetary(
        "Credit notes", compute="_compute_amounts", store=True, help="Credited on these invoices before the hand-over."
    )
    amount_open_credit = fields.Monetary(
        "Open credit notes",
        readonly=True,
        help="The customer's credit notes still open at the hand-over, to deduct from the claim.",
    )
    amount_claimed = fields.Monetary(
        "Total claimed",
        compute="_compute_amounts",
        store=True,
        help="Principal less open credit notes, plus interest and indemnities.",
    )
    amount_recovered = fields.Monetary("Recovered", compute="_compute_amount_recovered", store=True)
    amount_residual = fields.Monetary(
        "Still open", compute="_compute_amount_residual", help="What the invoices of the case still owe today."
    )
    file_attachment_id = fields.Many2one("ir.attachment", "Case file", readonly=True, copy=False, ondelete="set null")
    mail_id = fields.Many2one("mail.mail", "E-mail", readonly=True, copy=False, ondelete="set null")

    @api.depends("agency_id")
    def _compute_party_terms(self):
        for case in self:
            case.update(case.agency_id._dunning_case_terms())

    @api.depends("line_ids.move_id")
    def _compute_move_ids(self):
        for case in self:
            case.move_ids = case.line_ids.move_id
            case.move_count = len(case.line_ids)

    @api.depends(
        "line_ids.amount_invoice",
        "line_ids.amount_principal",
        "line_ids.amount_interest",
        "line_ids.amount_indemnity",
        "line_ids.amount_paid_before",
        "line_ids.amount_credited_before",
        "amount_open_credit",
    )
    def _compute_amounts(self):
        for case in self:
            totals = dict.fromkeys(
                ("invoice", "principal", "interest", "indemnity", "paid_before", "credited_before"),
                0.0,
            )
            for line in case.line_ids:
                for key in totals:
                    totals[key] += case._to_company_currency(line[f"amount_{key}"], line.currency_id)
            for key, amount in totals.items():
                case[f"amount_{key}"] = amount
            case.amount_claimed = (
                totals["principal"] - case.amount_open_credit + totals["interest"] + totals["indemnity"]
            )

    @api.depends("recovery_ids.amount")
    def _compute_amount_recovered(self):
        for case in self:
            case.amount_recovered = sum(case.recovery_ids.mapped("amount"))

    @api.depends("line_ids.move_id.amount_residual_signed")
    def _compute_amount_residual(self):
        for case in self:
            case.amount_residual = sum(case.line_ids.move_id.mapped("amount_residual_signed"))

    def _residuals_at(self, day):
        """``{invoice: amount due}`` of the case's open invoices, oldest due first, in the company's currency
        at ``day``'s rate: what a sum recovered on that day in the company's currency pays on each."""
        self.ensure_one()
        company = self.company_id
        moves = self.line_ids.move_id.filtered(lambda move: move.payment_state in ("not_paid", "partial"))
        return {
            move: move.currency_id._convert(move.amount_residual, company.currency_id, company, day)
            for move in moves.sorted(lambda move: (move.invoice_date_due, move.id))
        }

    def _to_company_currency(self, amount, currency):
        self.ensure_one()
        company = self.company_id
        if not amount or not currency or currency == company.currency_id:
            return amount
        return currency._convert(amount, company.currency_id, company, self.date_handover)

    @api.constrains("agency_id", "company_id", "partner_id")
    def _check_parties(self):
        for case in self:
            agency = case.agency_id
            if agency and agency.company_id and agency.company_id != case.company_id:
                raise ValidationError(
                    self.env._(
                        "%(party)s belongs to the company %(other)s: it cannot receive a case of %(company)s.",
                        party=agency.display_name,
                        other=agency.company_id.name,
                        company=case.company_id.name,
                    )
                )
            if agency and agency.commercial_partner_id == case.partner_id.commercial_partner_id:
                raise ValidationError(self.env._("The customer cannot be its own receiving party."))
            customer = case.partner_id
            if customer.company_id and customer.company_id != case.company_id:
                raise ValidationError(
                    self.env._(
                        "The customer %(customer)s belongs to the company %(other)s, not to %(company)s.",
                        customer=customer.display_name,
                        other=customer.company_id.name,
                        company=case.company_id.name,
                    )
                )

    @api.constrains("commission_rate")
    def _check_commission_rate(self):
        for case in self:
            if not 0 <= case.commission_rate <= 100:
                raise ValidationError(self.env._("The commission rate must lie between 0 and 100 %."))

    @api.model_create_multi
    def create(self, vals_list):
        sequence = self.env["ir.sequence"]
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                day = vals.get("date_handover") or fields.Date.context_today(self)
                vals["name"] = sequence.with_context(ir_sequence_date=day).next_by_code("kreancia.case") or "/"
        return super().create(vals_list)

    # ------------------------------------------------------------------
    # Opening cases
    # ------------------------------------------------------------------

    @api.model
    def _open_cases(self, invoices, values=None, day=None):
        """Open one case per customer for ``invoices`` and take them out of the automatic run.

        :param invoices: posted customer invoices with an amount due, of the current company
        :param values: extra case values (receiving party, mandate, commission, manager)
        :param day: hand-over date (default: today); interest and indemnities are computed at it
        :raises UserError: on an invoice that cannot be handed over
        :return: the new cases
        """
        day = day or fields.Date.context_today(self)
        self._check_invoices_to_hand_over(invoices)
        Intervention = self.env["kreancia.intervention"]
        # the draft interventions below live in the cache only: flush first, so that the legal
        # computation's own flush has nothing left to recompute that would invalidate them
        self.env.flush_all()
        vals_list = []
        for partner in invoices.commercial_partner_id:
            moves = invoices.filtered(lambda move, partner=partner: move.commercial_partner_id == partner)
            # the letters' legal computation, on an intervention that is never saved
            draft = Intervention.new(
                {
                    "date": day,
                    "company_id": moves.company_id.id,
                    "partner_id": partner.id,
                    "recipient_id": partner.id,
                    "channel": "handover",
                    "line_ids": [
                        Command.create(
                            {
                                "move_id": move.id,
                                "currency_id": move.currency_id.id,
                                "amount_residual": move.amount_residual,
                            }
                        )
                        for move in moves.sorted(lambda move: (move.invoice_date_due, move.id))
                    ],
                }
            )
            draft._compute_legal_amounts()
            vals_list.append(self._case_values(draft, values or {}))
        return self.create(vals_list)

    @api.model
    def _case_values(self, intervention, values):
        """Values of the case opened for ``intervention``'s invoices, with the amounts it computed.

        The receiving party's role, mandate and commission come from it unless ``values`` gives them.
        """
        partner = intervention.partner_id.commercial_partner_id
        return {
            "company_id": intervention.company_id.id,
            "partner_id": partner.id,
            "date_handover": intervention.date,
            "amount_open_credit": self._open_credit(partner, intervention.company_id),
            "line_ids": [
                Command.create(self.env["kreancia.case.line"]._line_values(line)) for line in intervention.line_ids
            ],
            **values,
        }

    @api.model
    def _open_credit(self, partner, company):
        credit_notes = self.env["account.move"].search(
            [
                ("commercial_partner_id", "=", partner.id),
                ("company_id", "=", company.id),
                ("move_type", "=", "out_refund"),
                ("state", "=", "posted"),
                ("payment_state", "in", ("not_paid", "partial")),
            ]
        )
        return -sum(credit_notes.mapped("amount_residual_signed"))

    @api.model
    def _check_invoices_to_hand_over(self, invoices):
        """Refuse, with the reason, invoices that cannot be handed over."""
        if not invoices:
            raise UserError(self.env._("Select the invoices to hand over."))
        wrong = invoices.filtered(
            lambda move: (
                move.move_type != "out_invoice"
                or move.state != "posted"
                or move.payment_state not in ("not_paid", "partial")
            )
        )
        if wrong:
            raise UserError(
                self.env._(
                    "Only posted customer invoices with an amount due can be handed over: %(invoices)s.",
                    invoices=", ".join(wrong.mapped("display_name")),
                )
            )
        if len(invoices.company_id) > 1:
            raise UserError(self.env._("The invoices of one hand-over must belong to one company."))
        self.env["kreancia.case.line"]._check_not_in_open_case(invoices)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def _check_manager(self):
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(self.env._("Only a collection manager can send or close a hand-over case."))

    def action_mark_in_progress(self):
        """The receiving party acknowledged the case and works on it."""
        self._check_manager()
        if self.filtered(lambda case: case.state != "sent"):
            raise UserError(self.env._("Only a case sent to its receiving party can be marked in progress."))
        self.write({"state": "in_progress"})
        return True

    def action_open_moves(self):
        self.ensure_one()
        return self.move_ids._dunning_action_open()

    def action_register_recovery(self):
        self.ensure_one()
        self._check_manager()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "kreancia_collect.kreancia_case_recovery_register_action"
        )
        action["context"] = {"default_case_id": self.id}
        return action

    def action_close(self):
        self.ensure_one()
        self._check_manager()
        action = self.env["ir.actions.act_window"]._for_xml_id("kreancia_collect.kreancia_case_close_action")
        action["context"] = {"default_case_id": self.id}
        return action

    def _close(self, reason, note=False, rest=False):
        """Close the cases for ``reason``; what the receiving party did not recover never stays silently handed over.

        - recovered: the invoices are paid;
        - partly recovered: the receiving party gave up on the rest, which
          ``rest`` decides: ``write_off`` (as abandoned) or ``returned`` (as
          returned); it is required while an invoice still owes something;
        - abandoned: Odoo's credit note wizard opens on what is left;
        - returned: the invoices go back to their scenario, at the step they
          had reached, and the next run performs the next step.

        On the debtor's page an invoice handed over stays visible and can be
        paid online (money is welcome whoever collects it, and the case reads
        what the invoice still owes), but it cannot be put into a payment
        plan: the receiving party negotiates plans (see
        ``kreancia.case.line._check_plannable``). A rest returned is plannable
        again; a rest written off leaves the page once credited.

        :return: an action to write off what is left, or True
        """
        self._check_manager()
        if self.filtered(lambda case: case.state == "closed"):
            raise UserError(self.env._("This case is already closed."))
        open_moves = self.line_ids.move_id.filtered(lambda move: move.payment_state in ("not_paid", "partial"))
        if reason == "recovered" and open_moves:
            raise UserError(
                self.env._(
                    "These invoices still have an amount due, the case is not recovered in full: %(invoices)s. "
                    "Close it as partly recovered, or register the recovery first.",
                    invoices=", ".join(open_moves.mapped("name")),
                )
            )
        rest = rest if reason == "partial" and open_moves else False
        if reason == "partial" and open_moves and rest not in dict(REST_OUTCOMES):
            raise UserError(
                self.env._(
                    "Choose what becomes of what is left on the invoices (%(amount)s): written off, or returned to "
                    "amicable collection.",
                    amount=", ".join(case._format(case.amount_residual) for case in self),
                )
            )
        self.write(
            {
                "state": "closed",
                "close_reason": reason,
                "close_rest": rest,
                "close_note": note,
                "date_closed": fields.Date.context_today(self),
            }
        )
        if reason == "returned" or rest == "returned":
            # back in their scenario, at the step they had reached
            # (no longer handed over: ``account.move.dunning_handed_over`` reads the closed case)
            self.line_ids.move_id._dunning_write({"dunning_gap_waived": False})
        if (reason == "abandoned" or rest == "write_off") and open_moves:
            action = open_moves._dunning_write_off_action()
            action["context"]["default_reason"] = self.env._(
                "Written off: hand-over case %(cases)s", cases=", ".join(self.mapped("name"))
            )
            return action
        return True

    def _format(self, amount):
        return format_amount(self.env, amount, self.currency_id)

    def _is_zero(self, amount):
        return float_is_zero(amount, precision_rounding=self.currency_id.rounding)
