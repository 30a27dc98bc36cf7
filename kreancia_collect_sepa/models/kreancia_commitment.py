from odoo import api, fields, models
from odoo.exceptions import UserError

SEPA_DD = "sepa_direct_debit"  # the code of OCA's SEPA direct debit payment method


class KreanciaCommitment(models.Model):
    """A plan collected by SEPA direct debit: its mandate, and the request for one when the customer has none."""

    _inherit = "kreancia.commitment"

    auto_method = fields.Selection(selection_add=[("sepa", "SEPA direct debit")], ondelete={"sepa": "set default"})
    mandate_id = fields.Many2one(
        "account.banking.mandate",
        "Direct debit mandate",
        compute="_compute_mandate_id",
        store=True,
        readonly=False,
        check_company=True,
        domain="[('partner_id', 'child_of', partner_id), ('state', '=', 'valid')]",
        help="The customer's mandate each instalment is debited under; by default its valid one.",
    )
    mandate_state = fields.Selection(related="mandate_id.state", string="Mandate status")

    @api.depends("auto_method", "partner_id")
    def _compute_mandate_id(self):
        for commitment in self:
            if commitment.auto_method == "sepa" and not commitment.mandate_id:
                partner = commitment.partner_id.with_company(commitment.company_id)
                commitment.mandate_id = partner.valid_mandate_id

    def _sepa_payment_mode(self):
        """The direct-debit payment mode of the commitment's company: its invoices' own, else the first one."""
        self.ensure_one()
        modes = self.move_ids.payment_mode_id.filtered(
            lambda mode: mode.payment_method_id.code == SEPA_DD and mode.payment_order_ok
        )
        return modes[:1] or self.env["account.payment.mode"].sudo().search(
            [
                ("company_id", "=", self.company_id.id),
                ("payment_method_id.code", "=", SEPA_DD),
                ("payment_type", "=", "inbound"),
                ("payment_order_ok", "=", True),
            ],
            limit=1,
        )

    def action_collect_by_sepa(self):
        """Debit the instalments under the customer's valid mandate; without one, request it (see below)."""
        for commitment in self:
            if commitment.state != "open":
                raise UserError(self.env._("Only an open commitment can be collected by direct debit."))
            if not commitment._sepa_payment_mode():
                raise UserError(
                    self.env._(
                        "%(company)s has no SEPA direct debit payment mode: create one in Invoicing first.",
                        company=commitment.company_id.name,
                    )
                )
            mandate = commitment.mandate_id.filtered(lambda m: m.state == "valid")
            mandate = mandate or commitment.partner_id.with_company(commitment.company_id).valid_mandate_id
            if mandate:
                # auto_method is written by the add-on only, never from the form
                commitment.sudo().write({"auto_method": "sepa", "mandate_id": mandate.id})
                commitment.partner_id.sudo().message_post(
                    body=self.env._(
                        "Payment commitment collected by SEPA direct debit under the mandate %(mandate)s.",
                        mandate=mandate.display_name,
                    ),
                    subtype_xmlid="mail.mt_note",
                )
            else:
                commitment.action_request_mandate()
        return True

    def action_request_mandate(self):
        """Send the customer a mandate form to sign, through its debtor page.

        A draft mandate (the reference the form carries) is created for the
        commitment; the e-mail links to the debtor page, where the form is
        downloaded as a PDF (OCA's SEPA mandate). Once the signed form is
        back, the mandate is completed (bank account, signature date, scan)
        and validated in OCA's mandate form: the commitment debits under it.
        """
        template = self.env.ref("kreancia_collect_sepa.mail_template_mandate_request")
        for commitment in self:
            if commitment.state != "open":
                raise UserError(self.env._("Only an open commitment can be collected by direct debit."))
            if commitment.mandate_id.state == "valid":
                raise UserError(
                    self.env._(
                        "%(customer)s has a valid mandate already (%(mandate)s).",
                        customer=commitment.partner_id.display_name,
                        mandate=commitment.mandate_id.display_name,
                    )
                )
            if not commitment.recipient_id.email:
                raise UserError(
                    self.env._(
                        "%(customer)s has no e-mail address to send the mandate form to.",
                        customer=commitment.partner_id.display_name,
                    )
                )
            # agents read mandates but only OCA's payment group writes them
            if commitment.mandate_id.state != "draft":
                commitment.sudo().mandate_id = (
                    self.env["account.banking.mandate"]
                    .sudo()
                    .create(
                        {
                            "company_id": commitment.company_id.id,
                            "format": "sepa",
                            "type": "recurrent",
                            "recurrent_sequence_type": "first",
                        }
                    )
                )
            commitment.sudo().auto_method = "sepa"
            self.env["kreancia.brand"]._mail_debtor(template, commitment, commitment._sender())
        return True

    def _mandate_request_url(self):
        """The debtor page's address of the mandate form (the customer's link under the commitment's identity)."""
        self.ensure_one()
        link = self.env["kreancia.debtor.link"]._link_for(self.partner_id, self.company_id, self.brand_id, 0)
        base = self.company_id.get_base_url()
        return f"{base}/collect/{link.id}/mandate/{self.mandate_id.id}?access_token={link.access_token}"
