from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import formataddr

from odoo.addons.base.models.ir_actions_report import _wkhtml


class KreanciaBrand(models.Model):
    """An identity a dunning step can speak under.

    A third-party brand is a collection agency's name ("rupture de nom"):
    letters and e-mails then carry its letterhead, sender and legal notice,
    and the company appears only as the creditor.
    """

    _name = "kreancia.brand"
    _inherit = ["mail.alias.mixin.optional"]
    _description = "Collection Brand"
    _order = "name, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=False)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    is_third_party = fields.Boolean(
        "Third-party identity",
        help="Checked for a collection agency speaking in its own name "
        "(rupture de nom); unchecked for a trade name of the company itself.",
    )
    partner_id = fields.Many2one(
        "res.partner",
        "Address",
        help="Postal address, printed on the letterhead.",
        check_company=True,
    )
    logo = fields.Image(max_width=512, max_height=512)
    phone = fields.Char()
    email = fields.Char("Sender e-mail")
    website = fields.Char()
    signature = fields.Html(translate=True)
    legal_notice = fields.Text(translate=True)
    registration_ref = fields.Char(
        "Registration / mandate reference",
        help="Agency registration and the creditor's written mandate reference (printed on third-party letters).",
    )
    payment_instructions = fields.Text(
        translate=True,
        help="How the debtor pays (bank details, payment link, address for cheques), printed on letters. "
        "Empty prints the company's bank account.",
    )
    step_ids = fields.One2many("kreancia.scenario.step", "brand_id", "Steps")
    # letters sent through Odoo's postal service (Snail Mail) under this brand
    post_color = fields.Boolean(
        "Colour",
        default=lambda self: self.env.company.snailmail_color,
        help="Letters sent by post are printed in colour.",
    )
    post_duplex = fields.Boolean(
        "Both sides",
        default=lambda self: self.env.company.snailmail_duplex,
        help="Letters sent by post are printed on both sides.",
    )
    post_cover = fields.Boolean(
        "Cover page",
        default=lambda self: self.env.company.snailmail_cover,
        help="A page with the address is added before the letter, for letters whose address does not show "
        "through the envelope's window.",
    )

    _name_company_uniq = models.Constraint(
        "unique(name, company_id)",
        "A brand with this name already exists in this company.",
    )

    @api.constrains("partner_id", "is_third_party")
    def _check_postal_address(self):
        for brand in self:
            if (brand.is_third_party or brand.step_ids) and not brand._has_postal_address():
                raise ValidationError(
                    self.env._(
                        "The brand “%(brand)s” needs an address with street and city: "
                        "its letters print it as the sender's address.",
                        brand=brand.name,
                    )
                )

    def _has_postal_address(self):
        self.ensure_one()
        return bool(self.partner_id.street and self.partner_id.city)

    @api.model
    def _needs_inline_letterhead(self):
        """True when wkhtmltopdf cannot print page headers (built without patched Qt)."""
        return not _wkhtml().is_patched_qt

    def _alias_get_creation_values(self):
        """The brand's replies alias creates (or files) debtor replies, under the brand and its company."""
        values = super()._alias_get_creation_values()
        values["alias_model_id"] = self.env["ir.model"]._get_id("kreancia.reply")
        if self.id:
            values["alias_defaults"] = repr({"company_id": self.company_id.id, "brand_id": self.id})
        return values

    def _email_formatted(self):
        """Sender address as "Name <email>", or False without an e-mail."""
        self.ensure_one()
        return formataddr((self.name, self.email)) if self.email else False

    def _sender(self, company):
        """Who a message to the debtor comes from: this brand, or ``company`` when the brand is empty.

        The one place reminders, recaps and answers take their sender from, so
        that a debtor addressed under a brand never hears from the creditor's
        own address.

        :return: ``{"name", "email_from", "reply_to", "author" (res.partner), "third_party"}``
        """
        if not self:
            alias = company._kreancia_reply_address()
            return {
                "name": company.name,
                "email_from": company.email_formatted,
                "reply_to": formataddr((company.name, alias)) if alias else company.email_formatted,
                "author": company.partner_id,
                "third_party": False,
            }
        self.ensure_one()
        email_from = self._email_formatted() or company.email_formatted
        alias = self.sudo().alias_email
        return {
            "name": self.name,
            "email_from": email_from,
            # answers reach Odoo through the brand's alias, shown under the brand's name
            "reply_to": formataddr((self.name, alias)) if alias else email_from,
            "author": self.partner_id or company.partner_id,
            "third_party": self.is_third_party,
        }

    @api.model
    def _mail_debtor(self, template, record, sender):
        """Send ``template`` for ``record`` under ``sender`` (a ``_sender()``), filed in its customer's chatter."""
        template.sudo().send_mail(
            record.id,
            email_values={
                "model": "res.partner",
                "res_id": record.partner_id.id,
                "email_from": sender["email_from"],
                "reply_to": sender["reply_to"],
                "author_id": sender["author"].id,
            },
        )

    @api.model
    def _speaking_to(self, partner, company):
        """The brand the customer last heard from in ``company`` (its last intervention's), or no brand."""
        last = (
            self.env["kreancia.intervention"]
            .sudo()
            .search(
                [
                    ("partner_id", "=", partner.commercial_partner_id.id),
                    ("company_id", "=", company.id),
                    ("state", "in", ("to_send", "done")),
                ],
                order="date desc, id desc",
                limit=1,
            )
        )
        return self.browse(last.brand_id.id) if last.identity == "brand" else self.browse()
