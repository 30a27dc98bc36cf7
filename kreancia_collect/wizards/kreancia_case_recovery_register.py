from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare, float_round


class KreanciaCaseRecoveryRegister(models.TransientModel):
    """Register what the receiving party recovered: payments on the invoices, its commission as a bill."""

    _name = "kreancia.case.recovery.register"
    _description = "Register a Recovery"
    _check_company_auto = True

    case_id = fields.Many2one("kreancia.case", required=True, readonly=True)
    company_id = fields.Many2one(related="case_id.company_id")
    currency_id = fields.Many2one(related="case_id.currency_id")
    date = fields.Date(required=True, default=fields.Date.context_today)
    amount = fields.Monetary("Amount recovered", required=True)
    journal_id = fields.Many2one(
        "account.journal",
        required=True,
        check_company=True,
        domain="[('type', 'in', ('bank', 'cash')), ('company_id', '=', company_id)]",
        default=lambda self: self.env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", self.env.company.id)], limit=1
        ),
    )
    commission_rate = fields.Float(
        "Commission (%)", digits=(5, 2), compute="_compute_commission_rate", store=True, readonly=False
    )
    commission_amount = fields.Monetary("Commission", compute="_compute_commission_amount")
    note = fields.Char()

    @api.depends("case_id")
    def _compute_commission_rate(self):
        for wizard in self:
            wizard.commission_rate = wizard.case_id.commission_rate

    @api.depends("amount", "commission_rate")
    def _compute_commission_amount(self):
        for wizard in self:
            wizard.commission_amount = float_round(
                wizard.amount * wizard.commission_rate / 100, precision_rounding=wizard.currency_id.rounding or 0.01
            )

    def action_confirm(self):
        """Pay the invoices oldest first with Odoo's payment registration, then bill the commission.

        The amount is in the company's currency: each payment is registered in
        it, and Odoo converts it at the recovery's date on a foreign-currency
        invoice.
        """
        self.ensure_one()
        case = self.case_id
        case._check_manager()
        if case.state == "closed":
            raise UserError(self.env._("The case %(case)s is closed.", case=case.name))
        currency = self.currency_id
        rounding = currency.rounding
        if float_compare(self.amount, 0.0, precision_rounding=rounding) <= 0:
            raise UserError(self.env._("Enter the amount the receiving party recovered."))
        owed = case._residuals_at(self.date)
        if float_compare(self.amount, sum(owed.values()), precision_rounding=rounding) > 0:
            raise UserError(
                self.env._(
                    "%(amount)s is more than the invoices of the case still owe (%(open)s).",
                    amount=case._format(self.amount),
                    open=case._format(sum(owed.values())),
                )
            )
        if self.commission_amount and not case.agency_id:
            raise UserError(self.env._("The case has no receiving party to bill the commission."))
        payments = self.env["account.payment"]
        left = self.amount
        for move, due in owed.items():
            if float_compare(left, 0.0, precision_rounding=rounding) <= 0:
                break
            share = currency.round(min(left, due))
            register = (
                self.env["account.payment.register"]
                .with_context(active_model="account.move", active_ids=move.ids)
                .create(
                    {
                        "amount": share,
                        "currency_id": currency.id,
                        "payment_date": self.date,
                        "journal_id": self.journal_id.id,
                        "communication": f"{case.name} {move.name}",
                    }
                )
            )
            payments |= register._create_payments()
            left -= share
        bill = self._create_commission_bill() if self.commission_amount else self.env["account.move"]
        self.env["kreancia.case.recovery"].create(
            {
                "case_id": case.id,
                "date": self.date,
                "amount": self.amount,
                "commission_rate": self.commission_rate,
                "commission_amount": self.commission_amount,
                "payment_ids": [Command.set(payments.ids)],
                "bill_id": bill.id,
                "note": self.note,
            }
        )
        if case.state == "sent":
            case.state = "in_progress"
        case.message_post(
            body=self.env._(
                "Recovered %(amount)s on %(date)s; commission %(commission)s.",
                amount=case._format(self.amount),
                date=fields.Date.to_string(self.date),
                commission=case._format(self.commission_amount),
            )
        )
        return True

    def _create_commission_bill(self):
        """The receiving party's commission as a draft vendor bill the company checks and validates."""
        case = self.case_id
        return (
            self.env["account.move"]
            .with_company(case.company_id)
            .create(
                {
                    "move_type": "in_invoice",
                    "partner_id": case.agency_id.id,
                    "invoice_date": self.date,
                    "ref": case.mandate_ref or case.name,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": self.env._(
                                    "Collection commission %(rate)s %% on %(amount)s recovered, case %(case)s",
                                    rate=self.commission_rate,
                                    amount=case._format(self.amount),
                                    case=case.name,
                                ),
                                "quantity": 1,
                                "price_unit": self.commission_amount,
                            }
                        )
                    ],
                }
            )
        )
