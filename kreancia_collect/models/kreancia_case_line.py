from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError


class KreanciaCaseLine(models.Model):
    """One invoice handed over, with the claim on it at the hand-over date."""

    _name = "kreancia.case.line"
    _description = "Hand-over Case Invoice"
    _order = "case_id, invoice_date_due, id"

    case_id = fields.Many2one("kreancia.case", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="case_id.company_id", store=True)
    case_state = fields.Selection(related="case_id.state", store=True, string="Case state")
    move_id = fields.Many2one("account.move", "Invoice", required=True, index=True, ondelete="restrict")
    invoice_date = fields.Date(related="move_id.invoice_date")
    invoice_date_due = fields.Date("Due date", related="move_id.invoice_date_due", store=True)
    currency_id = fields.Many2one("res.currency", required=True)
    days_late = fields.Integer("Days late at hand-over", readonly=True)
    amount_invoice = fields.Monetary("Invoice total", currency_field="currency_id", readonly=True)
    amount_paid_before = fields.Monetary("Paid", currency_field="currency_id", readonly=True)
    amount_credited_before = fields.Monetary("Credited", currency_field="currency_id", readonly=True)
    amount_principal = fields.Monetary(
        "Principal", currency_field="currency_id", readonly=True, help="Amount due at the hand-over."
    )
    amount_interest = fields.Monetary("Interest", currency_field="currency_id", readonly=True)
    amount_indemnity = fields.Monetary("Indemnity", currency_field="currency_id", readonly=True)
    amount_residual = fields.Monetary("Still open", currency_field="currency_id", related="move_id.amount_residual")

    @api.constrains("move_id", "case_id")
    def _check_move(self):
        for line in self:
            move = line.move_id
            if move.company_id != line.case_id.company_id:
                raise ValidationError(
                    self.env._(
                        "The invoice %(invoice)s belongs to the company %(other)s, not to the case's company "
                        "%(company)s.",
                        invoice=move.name,
                        other=move.company_id.name,
                        company=line.case_id.company_id.name,
                    )
                )
            if move.commercial_partner_id != line.case_id.partner_id.commercial_partner_id:
                raise ValidationError(
                    self.env._(
                        "The invoice %(invoice)s is not an invoice of %(customer)s.",
                        invoice=move.name,
                        customer=line.case_id.partner_id.display_name,
                    )
                )
        self._check_not_in_open_case(self.move_id, exclude=self)

    @api.model
    def _check_not_in_open_case(self, moves, exclude=None):
        """Refuse invoices that an open case already holds."""
        domain = [("move_id", "in", moves.ids), ("case_state", "!=", "closed")]
        if exclude:
            domain.append(("id", "not in", exclude.ids))
        taken = self.sudo().search(domain)
        if taken:
            raise UserError(
                self.env._(
                    "These invoices are already in an open hand-over case: %(invoices)s.",
                    invoices=", ".join(f"{line.move_id.name} ({line.case_id.name})" for line in taken),
                )
            )

    @api.model
    def _check_plannable(self, moves):
        """Refuse a payment plan for invoices handed over: the receiving party negotiates plans.

        The debtor may still pay them online (see ``kreancia.case._close``).
        """
        frozen = moves.filtered("dunning_insolvency_id")
        if frozen:
            raise UserError(
                self.env._(
                    "These invoices are part of an insolvency procedure and cannot be put into a payment plan: "
                    "%(invoices)s. The claim is declared to the court-appointed representative.",
                    invoices=", ".join(frozen.mapped("name")),
                )
            )
        handed_over = moves.filtered("dunning_handed_over")
        if handed_over:
            raise UserError(
                self.env._(
                    "These invoices were handed over for recovery and cannot be put into a payment plan here: "
                    "%(invoices)s. Contact us to agree on a plan.",
                    invoices=", ".join(handed_over.mapped("name")),
                )
            )

    @api.model
    def _line_values(self, intervention_line):
        """Values of a case line from an intervention line whose legal amounts were computed."""
        move = intervention_line.move_id
        paid = credited = 0.0
        partials, _exchange = move._get_reconciled_invoices_partials()
        for _partial, amount, counterpart in partials:
            if counterpart.move_id.move_type == "out_refund":
                credited += amount
            else:
                paid += amount
        due = move.invoice_date_due
        day = intervention_line.intervention_id.date
        return {
            "move_id": move.id,
            "currency_id": intervention_line.currency_id.id or move.currency_id.id,
            "days_late": max((day - due).days, 0) if due and day else 0,
            "amount_invoice": move.amount_total,
            "amount_paid_before": paid,
            "amount_credited_before": credited,
            "amount_principal": intervention_line.amount_residual,
            "amount_interest": intervention_line.interest_amount,
            "amount_indemnity": intervention_line.indemnity_amount,
        }

    def write(self, vals):
        if self.case_id.filtered(lambda case: case.state == "closed") and not self.env.su:
            raise UserError(self.env._("The invoices of a closed case cannot be changed."))
        return super().write(vals)
