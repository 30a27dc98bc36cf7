from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from ..groups import MANAGER_GROUP
from .kreancia_scenario_step import LETTER_CHANNELS

POST_STATES = [
    ("pending", "In the post queue"),
    ("sent", "Posted"),
    ("error", "Not posted"),
]
# sent with acknowledgement of receipt, which Odoo's postal service does not offer
REGISTERED_CHANNELS = ("formal_notice", "claim")


class KreanciaIntervention(models.Model):
    """Letters posted from Odoo: the sending methods and the postal letter each intervention follows.

    A letter waiting in *Letters to Send* leaves either by hand (printed, then
    *Mark as posted*) or through a sending method: ``_post_methods()`` lists
    them, ``_post_by_<method>(options)`` sends. Odoo's ``snailmail`` (IAP) is
    the one shipped; a registered-mail provider add-on adds its own method
    (see readme/DEVELOP.md, "Sending letters"). The intervention follows its
    ``snailmail.letter`` (``post_state``, ``post_error``): posted, it is done
    with its posting date; refused, it stays in *Letters to Send* with the
    reason (``snailmail_letter.py`` reports each change of the letter).
    """

    _inherit = "kreancia.intervention"  # pylint: disable=consider-merging-classes-inherited

    post_state = fields.Selection(
        POST_STATES,
        "By post",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="Where the letter sent through Odoo's postal service stands: waiting in the queue, posted, or "
        "refused by the postal service (the reason is shown). Empty for letters posted by hand.",
    )
    post_error = fields.Char("Why not posted", readonly=True, copy=False)
    post_letter_id = fields.Many2one(
        "snailmail.letter", "Postal letter", readonly=True, copy=False, ondelete="set null"
    )

    # ------------------------------------------------------------------
    # The extension point
    # ------------------------------------------------------------------

    @api.model
    def _post_methods(self):
        """The ways letters can leave from Odoo, ``[(code, label)]``; each code has its ``_post_by_<code>``."""
        return [("snailmail", self.env._("Odoo postal service (Snail Mail)"))]

    def _post_refusals(self, method):
        """Why ``method`` cannot send some of these interventions.

        Override to accept more: a registered-mail provider accepts formal
        notices and claim declarations for its own method.

        :return: ``{intervention: reason}``
        """
        env = self.env
        refusals = {}
        for intervention in self:
            if intervention.state != "to_send" or intervention.channel not in (*LETTER_CHANNELS, "claim"):
                reason = env._("only letters waiting to be sent can be posted.")
            elif intervention.post_state == "pending":
                reason = env._("already in the post queue.")
            elif method == "snailmail" and intervention.channel in REGISTERED_CHANNELS:
                reason = env._(
                    "needs registered mail, which Odoo's postal service does not offer: print it and record the "
                    "registered-mail number (Mark as posted)."
                )
            elif not intervention.attachment_id:
                reason = env._("has no PDF.")
            elif not intervention._postal_recipient():
                reason = env._(
                    "%(partner)s has no postal address (street and city).",
                    partner=intervention.recipient_id.display_name,
                )
            else:
                continue
            refusals[intervention] = reason
        return refusals

    def _post_options(self):
        """How the letter is printed: colour, both sides, cover page.

        The brand's settings when the letter speaks under a brand, else the
        company's Snail Mail settings (Settings, Send by Post).

        :return: ``{"color": bool, "duplex": bool, "cover": bool}``
        """
        self.ensure_one()
        brand = self._letter_brand()
        if brand:
            return {"color": brand.post_color, "duplex": brand.post_duplex, "cover": brand.post_cover}
        company = self.company_id
        return {"color": company.snailmail_color, "duplex": company.snailmail_duplex, "cover": company.snailmail_cover}

    def _post_estimate(self, method):
        """What sending these letters through ``method`` costs, in words, shown before sending.

        Snail Mail takes one stamp of the IAP credit per letter, as Odoo's own
        *Send by post* of invoices counts them; the pages and print options
        follow, per letter.
        """
        if method != "snailmail" or not self:
            return False
        env = self.env
        count_pages = env["snailmail.letter"]._count_pages_pdf
        lines = [
            env._(
                "Snail Mail stamps: %(count)s (one per letter), taken from your IAP credit.",
                count=len(self),
            )
        ]
        for intervention in self:
            options = intervention._post_options()
            lines.append(
                env._(
                    "%(letter)s (%(customer)s): %(pages)s p., %(colour)s, %(sides)s%(cover)s",
                    letter=intervention.name,
                    customer=intervention.partner_id.display_name,
                    pages=count_pages(intervention.attachment_id.raw or b""),
                    colour=env._("colour") if options["color"] else env._("black and white"),
                    sides=env._("both sides") if options["duplex"] else env._("one side"),
                    cover=env._(", cover page") if options["cover"] else "",
                )
            )
        return "\n".join(lines)

    def _send_by_post(self, method="snailmail"):
        """Send these letters through ``method``, as the run acts: their invoices re-checked first.

        A letter whose invoices changed is produced again instead (see
        ``_recheck_letters``) and stays to be sent.

        :return: what the manager is told about the letters produced again
        :raises UserError: for an unknown method, or letters ``method`` refuses
        """
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(self.env._("Only a collection manager can send letters by post."))
        if method not in dict(self._post_methods()):
            raise UserError(self.env._("Unknown sending method: %(method)s.", method=method))
        refusals = self._post_refusals(method)
        if refusals:
            raise UserError(self._post_refusals_text(refusals))
        changed, messages = self._recheck_letters()
        to_post = self - changed
        if to_post:
            getattr(to_post, f"_post_by_{method}")({letter: letter._post_options() for letter in to_post})
        return messages

    @api.model
    def _post_refusals_text(self, refusals):
        return self.env._(
            "These letters cannot be sent by post:\n%(reasons)s",
            reasons="\n".join(
                f"- {letter.name} ({letter.partner_id.display_name}): {reason}" for letter, reason in refusals.items()
            ),
        )

    def _withdraw_from_post(self):
        """Cancel the postal letters of these interventions not sent yet (posted by hand, or sent again)."""
        self.post_letter_id.filtered(lambda letter: letter.state in ("pending", "error")).cancel()

    # ------------------------------------------------------------------
    # Snail Mail
    # ------------------------------------------------------------------

    def _post_by_snailmail(self, options):
        """One ``snailmail.letter`` per intervention with its PDF, queued for Odoo's postal service.

        Incomplete addresses fail at once (``_snailmail_print(immediate=False)``); the others leave with the
        Snail Mail scheduled action, triggered now.

        :param options: ``{intervention: {"color", "duplex", "cover"}}``
        """
        previous = self.post_letter_id.filtered(lambda letter: letter.state in ("pending", "error"))
        letters = (
            self.env["snailmail.letter"]
            .with_context(kreancia_post_letter=True)
            .create(
                [
                    {
                        "model": self._name,
                        "res_id": intervention.id,
                        "partner_id": intervention._postal_recipient().id,
                        "company_id": intervention.company_id.id,
                        "attachment_id": intervention.attachment_id.id,
                        "user_id": self.env.uid,
                        **options[intervention],
                    }
                    for intervention in self
                ]
            )
        )
        for intervention, letter in zip(self, letters, strict=True):
            intervention.write({"post_letter_id": letter.id, "post_state": "pending", "post_error": False})
        # a letter refused before is not sent as well (Snail Mail tries some again each day)
        previous.cancel()
        letters._snailmail_print(immediate=False)
        self.env.ref("snailmail.snailmail_print").sudo()._trigger()
        return letters

    @api.private
    def message_post(self, **kwargs):
        """Where ``snailmail.letter.create`` records the letter: an intervention has no chatter, and the
        customer's receives the communication (with the postal status), as for e-mails."""
        self.ensure_one()
        if not self.env.context.get("kreancia_post_letter"):
            raise UserError(self.env._("Dunning interventions have no chatter: write on the customer."))
        # as reminders are: the sender writes on the customer without needing to edit customers
        return self.partner_id.sudo().message_post(**kwargs)

    @api.model
    def _follow_post_letters(self, letters):
        """Follow each change of these postal letters on the interventions they carry (``snailmail_letter.py``).

        Posted: the intervention is done, its posting date kept as evidence.
        Refused: it stays in *Letters to Send*, with the reason. Cancelled: a
        letter to send again, or to post by hand.
        """
        interventions = self.sudo().search([("post_letter_id", "in", letters.ids)])
        today = fields.Date.context_today(self)
        for intervention in interventions:
            letter = intervention.post_letter_id
            if letter.state == "sent":
                values = {"post_state": "sent", "post_error": False}
                if intervention.state == "to_send":
                    values.update(state="done", posted_date=today)
            elif letter.state == "error":
                values = {"post_state": "error", "post_error": intervention._post_error_reason(letter)}
            elif letter.state == "pending":
                values = {"post_state": "pending", "post_error": False}
            else:
                values = {"post_state": False, "post_error": False}
            intervention.write(values)

    def _post_error_reason(self, letter):
        """Why the postal service refused ``letter``, in words a manager acts on."""
        env = self.env
        reasons = {
            "CREDIT_ERROR": env._("Not enough Snail Mail credit: buy stamps, then send the letter again."),
            "TRIAL_ERROR": env._("No IAP account for Snail Mail yet: claim the free credits, then send again."),
            "NO_PRICE_AVAILABLE": env._("The recipient's country is not served by the postal service."),
            "MISSING_REQUIRED_FIELDS": env._(
                "Incomplete address: the postal service needs the street, ZIP, city and country."
            ),
            "FORMAT_ERROR": env._("The postal service refused the PDF's format (margins, address window)."),
            "ATTACHMENT_ERROR": env._("The letter's PDF could not be attached."),
        }
        return reasons.get(letter.error_code) or env._("The postal service refused the letter (unknown error).")
