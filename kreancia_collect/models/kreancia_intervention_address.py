from odoo import models


class KreanciaIntervention(models.Model):
    _inherit = "kreancia.intervention"

    def _letter_addressee(self):
        """The letter's address block: the customer, for the attention of its invoicing contact, at its address.

        :return: ``{"customer": res.partner, "attention": str or False, "address": res.partner}``
        """
        self.ensure_one()
        customer = self.partner_id.commercial_partner_id
        contact = self.recipient_id
        return {
            "customer": customer,
            "attention": contact.name if contact and contact != customer else False,
            "address": self._postal_recipient(),
        }
