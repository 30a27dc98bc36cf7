from odoo import api, fields, models


class KreanciaInterventionLine(models.Model):
    """One invoice concerned by an intervention, with the step it reached."""

    _name = "kreancia.intervention.line"
    _description = "Dunning Intervention Invoice"
    _order = "intervention_id, invoice_date_due, id"

    intervention_id = fields.Many2one("kreancia.intervention", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="intervention_id.company_id", store=True)
    move_id = fields.Many2one("account.move", "Invoice", required=True, index=True, ondelete="cascade")
    step_id = fields.Many2one(
        "kreancia.scenario.step",
        ondelete="restrict",
        help="The step the invoice reached; empty in a claim declaration.",
    )
    level = fields.Integer(related="step_id.sequence")
    invoice_date = fields.Date(related="move_id.invoice_date")
    invoice_date_due = fields.Date("Due date", related="move_id.invoice_date_due", store=True)
    days_late = fields.Integer(readonly=True)
    currency_id = fields.Many2one("res.currency", required=True)
    amount_residual = fields.Monetary("Amount due", currency_field="currency_id", readonly=True)
    previous_step_id = fields.Many2one(
        "kreancia.scenario.step",
        "Step before",
        readonly=True,
        ondelete="set null",
        help="The invoice's step when the intervention was created: it returns there if the e-mail is not delivered.",
    )
    previous_last_date = fields.Date("Last reminder before", readonly=True)

    # fixed when a letter is produced (kreancia_intervention_letter.py)
    interest_amount = fields.Monetary(
        "Late-payment interest",
        currency_field="currency_id",
        readonly=True,
        help="Interest from the day after the due date (Code de commerce L441-10): on the amount due until "
        "the letter's date, and on each sum paid late until the day it was paid.",
    )
    residual_interest = fields.Monetary(
        "Interest on the amount due",
        currency_field="currency_id",
        readonly=True,
        help="Interest on the amount still due, from the day after the due date to the letter's date.",
    )
    late_paid_amount = fields.Monetary(
        "Paid late",
        currency_field="currency_id",
        readonly=True,
        help="Sums paid (or credited) after the due date and before the letter.",
    )
    late_paid_interest = fields.Monetary(
        "Interest on sums paid late",
        currency_field="currency_id",
        readonly=True,
        help="Interest on each sum paid after the due date, until the day it was paid.",
    )
    late_payments = fields.Json(
        readonly=True,
        help="Each sum paid late: date, amount, days late and interest, as printed on the letter.",
    )
    indemnity_amount = fields.Monetary(
        "Recovery indemnity",
        currency_field="currency_id",
        readonly=True,
        help="Fixed 40 EUR recovery indemnity owed by professionals for each late invoice (D441-5).",
    )

    @api.model_create_multi
    def create(self, vals_list):
        # remember where each invoice stood, so that an undelivered e-mail can put it back
        moves = self.env["account.move"].browse(
            {vals["move_id"] for vals in vals_list if "previous_step_id" not in vals}
        )
        # read here what creating the lines needs (the stored related due date, the company check), and only
        # that: reading one field of an invoice otherwise loads all of its many columns
        moves.fetch(["dunning_step_id", "dunning_last_date", "invoice_date_due", "company_id"])
        for vals in vals_list:
            if "previous_step_id" not in vals:
                move = moves.browse(vals["move_id"])
                vals["previous_step_id"] = move.dunning_step_id.id
                vals["previous_last_date"] = move.dunning_last_date
        return super().create(vals_list)

    def _late_payment_rows(self):
        """The sums paid late as the letter prints them: ``[(date, amount, days, interest)]``."""
        self.ensure_one()
        return [
            (
                fields.Date.to_date(row["date"]),
                row["amount"],
                row["days"],
                row["interest"],
            )
            for row in self.late_payments or []
        ]

    def _claimed_amounts(self):
        """``(interest, indemnity)`` the letter claims on this invoice, in the company's currency at the letter's
        date, as the letter's totals add them up; the debtor page shows these beside the letter."""
        self.ensure_one()
        intervention = self.intervention_id
        return (
            intervention._to_company_currency(self.interest_amount, self.currency_id),
            intervention._to_company_currency(self.indemnity_amount, self.currency_id),
        )
