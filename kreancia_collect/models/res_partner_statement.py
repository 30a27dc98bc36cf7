from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    def _dunning_statement_items(self):
        """Open invoices and credit notes of the customer in the current company, oldest due first.

        Entries "in payment" count as paid, as everywhere in collection.
        """
        self.ensure_one()
        return self.env["account.move"].search(
            [
                ("commercial_partner_id", "=", self.commercial_partner_id.id),
                ("company_id", "=", self.env.company.id),
                ("move_type", "in", ("out_invoice", "out_refund")),
                ("state", "=", "posted"),
                ("payment_state", "in", ("not_paid", "partial")),
            ],
            order="invoice_date_due, name, id",
        )

    def _dunning_statement_date(self):
        return fields.Date.context_today(self)

    def _dunning_statement_overdue(self, items):
        today = self._dunning_statement_date()
        return sum(
            move.amount_residual_signed
            for move in items
            if move.move_type == "out_invoice" and move.invoice_date_due and move.invoice_date_due < today
        )

    def _dunning_statement_address(self):
        """The invoicing contact with an address, else the customer."""
        self.ensure_one()
        commercial = self.commercial_partner_id
        invoicing = commercial.child_ids.filtered(lambda contact: contact.type == "invoice" and contact.street)[:1]
        return invoicing or commercial
