from odoo import models

INTERVENTION = "kreancia.intervention"


class SnailmailLetter(models.Model):
    """Dunning letters sent by Odoo's postal service: their state followed, the brand's return address."""

    _inherit = "snailmail.letter"

    def write(self, vals):
        result = super().write(vals)
        # the queue, the IAP answer, a retry or a cancel from the customer's chatter all write the state here
        if "state" in vals or "error_code" in vals:
            dunning = self.filtered(lambda letter: letter.model == INTERVENTION)
            if dunning:
                self.env[INTERVENTION]._follow_post_letters(dunning)
        return result

    def _snailmail_create(self, route):
        """A letter under a brand comes back to the brand's address, not the company's (rupture de nom)."""
        params = super()._snailmail_create(route)
        interventions = self.env[INTERVENTION].sudo()
        for document in params["documents"]:
            if document.get("res_model") != INTERVENTION:
                continue
            sender = interventions.browse(document["res_id"])._letter_brand().partner_id
            if sender:
                document["return_address"] = {
                    "name": sender.name,
                    "street": sender.street,
                    "street2": sender.street2,
                    "zip": sender.zip,
                    "state": sender.state_id.code or False,
                    "city": sender.city,
                    "country_code": sender.country_id.code,
                }
        return params
