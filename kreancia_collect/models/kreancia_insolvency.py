import logging
from datetime import timedelta

from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_date

from ..groups import MANAGER_GROUP
from ..tools import insolvency as rules

_logger = logging.getLogger(__name__)

PROCEDURE_KINDS = [
    ("safeguard", "Safeguard (sauvegarde)"),
    ("receivership", "Receivership (redressement judiciaire)"),
    ("liquidation", "Liquidation (liquidation judiciaire)"),
]
PROCEDURE_STATES = [
    ("open", "Observation period"),
    ("plan", "Plan adopted"),
    ("liquidation", "Liquidation"),
    ("closed", "Closed"),
]
DEADLINE_REMINDERS = (30, 7)  # days before the declaration deadline the manager is reminded


class KreanciaInsolvency(models.Model):
    """A collective procedure of a customer, as the BODACC published it, and what it changes for one creditor.

    One record per customer and creditor company: each company declares its
    own claim. From the opening judgment, the customer's invoices dated
    before it leave the dunning run (``account.move.dunning_insolvency_id``,
    state *Insolvency procedure*), the calls and tasks planned on them are
    cancelled, and a claim declaration (``kreancia.intervention``, channel
    ``claim``) is prepared for the court-appointed representative, due two
    months after the publication. Later judgments update the state; a
    closure for insufficient assets tells the manager which claims to write
    off. The daily watch is in ``kreancia_insolvency_watch.py``.
    """

    _name = "kreancia.insolvency"
    _description = "Insolvency Procedure"
    _order = "judgment_date desc, id desc"
    _check_company_auto = True
    _rec_name = "partner_id"

    company_id = fields.Many2one(
        "res.company", required=True, index=True, readonly=True, default=lambda self: self.env.company
    )
    partner_id = fields.Many2one("res.partner", "Customer", required=True, index=True, readonly=True)
    siren = fields.Char("SIREN", readonly=True)
    kind = fields.Selection(PROCEDURE_KINDS, "Procedure", required=True, readonly=True)
    state = fields.Selection(PROCEDURE_STATES, required=True, default="open", readonly=True, index=True)
    court = fields.Char(readonly=True)
    judgment_date = fields.Date("Opening judgment", required=True, readonly=True)
    publication_date = fields.Date("Published in the BODACC", required=True, readonly=True)
    declaration_deadline = fields.Date(
        "Declare the claim by",
        compute="_compute_declaration_deadline",
        store=True,
        help="Two months after the BODACC publication (Code de commerce R622-24).",
    )
    representative = fields.Char(
        "Court-appointed representative", help="Mandataire judiciaire or liquidateur, as the judgment names them."
    )
    representative_id = fields.Many2one(
        "res.partner",
        "Representative's address",
        help="Where the claim declaration is posted: the representative as a contact, with a postal address.",
    )
    event_ids = fields.One2many("kreancia.insolvency.event", "insolvency_id", "BODACC notices", readonly=True)
    move_ids = fields.One2many("account.move", "dunning_insolvency_id", "Invoices frozen", readonly=True)
    amount_frozen = fields.Monetary("Amount frozen", compute="_compute_amount_frozen")
    currency_id = fields.Many2one(related="company_id.currency_id")
    declaration_id = fields.Many2one(
        "kreancia.intervention", "Claim declaration", readonly=True, check_company=True, ondelete="set null"
    )
    declaration_state = fields.Selection(related="declaration_id.state", string="Declaration")
    write_off_move_ids = fields.Many2many(
        "account.move",
        "kreancia_insolvency_write_off_rel",
        "insolvency_id",
        "move_id",
        "Claims to write off",
        readonly=True,
        help="Set by a closure for insufficient assets: the claims nothing will pay, to credit.",
    )

    _partner_company_judgment_uniq = models.Constraint(
        "unique(partner_id, company_id, judgment_date)",
        "This procedure is already recorded for this customer.",
    )

    @api.depends("publication_date")
    def _compute_declaration_deadline(self):
        for procedure in self:
            procedure.declaration_deadline = (
                rules.claim_deadline(procedure.publication_date) if procedure.publication_date else False
            )

    @api.depends("move_ids.amount_residual_signed")
    def _compute_amount_frozen(self):
        for procedure in self:
            procedure.amount_frozen = sum(procedure.move_ids.mapped("amount_residual_signed"))

    # ------------------------------------------------------------------
    # Opening: freeze, cancel, task, prepare the declaration
    # ------------------------------------------------------------------

    @api.model
    def _open(self, partner, company, notice, event):
        """Record the procedure ``notice`` opens for ``partner`` in ``company`` and apply it."""
        procedure = self.sudo().create(
            {
                "company_id": company.id,
                "partner_id": partner.id,
                "siren": notice.sirens[0] if notice.sirens else partner.company_registry,
                "kind": notice.kind or "receivership",
                "state": "liquidation" if notice.kind == "liquidation" else "open",
                "court": notice.court,
                "judgment_date": notice.judgment_date,
                "publication_date": notice.publication_date,
                "representative": notice.representative,
                "representative_id": self._representative_contact(notice.representative).id,
            }
        )
        event.insolvency_id = procedure
        procedure._freeze_invoices()
        try:
            with self.env.cr.savepoint():
                procedure._prepare_declaration()
        except UserError as error:
            # a missing late-payment rate: no declaration with made-up interest; the managers are told
            _logger.warning("Claim declaration of %s not produced: %s", partner.display_name, error)
            procedure._task_manager(
                summary=self.env._("Claim declaration to prepare by hand"),
                note=Markup("<p>%s</p>")
                % self.env._(
                    "The claim declaration could not be produced (%(reason)s). Fix it, then use "
                    "“Prepare the declaration” on the procedure.",
                    reason=str(error),
                ),
            )
        procedure._task_manager()
        return procedure

    @api.model
    def _representative_contact(self, name):
        """A contact for the representative, to address the declaration to (found by name, else created)."""
        if not name:
            return self.env["res.partner"]
        Partner = self.env["res.partner"].sudo()
        title = name.split(",")[0].strip()
        contact = Partner.search([("name", "=ilike", title)], limit=1)
        if contact:
            return contact
        # the notice gives the address as free text: kept whole, for a manager to complete the contact's address
        return Partner.create({"name": title, "is_company": True, "comment": name})

    def _frozen_candidates(self):
        """The customer's open invoices in the company dated before the judgment."""
        self.ensure_one()
        invoices = (
            self.env["account.move"]
            .sudo()
            .search(
                [
                    ("commercial_partner_id", "=", self.partner_id.id),
                    ("company_id", "=", self.company_id.id),
                    ("move_type", "=", "out_invoice"),
                    ("state", "=", "posted"),
                    ("payment_state", "in", ("not_paid", "partial")),
                    ("invoice_date", "<", self.judgment_date),
                ]
            )
        )
        return invoices.filtered(lambda move: rules.frozen_by(move.invoice_date, self.judgment_date))

    def _freeze_invoices(self):
        """Individual actions stop (L622-21): the invoices leave the run; planned calls, tasks, letters go."""
        for procedure in self:
            invoices = procedure._frozen_candidates()
            invoices._dunning_write({"dunning_insolvency_id": procedure.id})
            procedure._cancel_planned(invoices)

    def _cancel_planned(self, invoices):
        """Calls and tasks planned on the customer, and interventions waiting, that would act on ``invoices``."""
        self.ensure_one()
        waiting = (
            self.env["kreancia.intervention"]
            .sudo()
            .search(
                [
                    ("partner_id", "=", self.partner_id.id),
                    ("company_id", "=", self.company_id.id),
                    ("state", "in", ("to_validate", "to_send")),
                    ("channel", "!=", "claim"),
                    ("move_ids", "in", invoices.ids),
                ]
            )
        )
        waiting.write(
            {
                "state": "cancelled",
                "error": self.env._("Cancelled: the customer is under an insolvency procedure (C. com. L622-21)."),
            }
        )
        activities = (
            self.env["mail.activity"]
            .sudo()
            .search(
                [
                    ("res_model", "=", "res.partner"),
                    ("res_id", "=", self.partner_id.id),
                    ("activity_type_id.category", "=", "phonecall"),
                ]
            )
        )
        activities |= (
            self.env["kreancia.intervention"]
            .sudo()
            .search([("partner_id", "=", self.partner_id.id), ("company_id", "=", self.company_id.id)])
            .activity_id
        )
        activities.filtered(lambda activity: activity.exists()).unlink()

    def _managers(self):
        self.ensure_one()
        return (
            self.env.ref(MANAGER_GROUP)
            .sudo()
            .all_user_ids.filtered(lambda user: user.active and not user.share and self.company_id in user.company_ids)
        )

    def _task_manager(self, summary=None, note=None, deadline=None):
        """A to-do for each collection manager of the company, on the customer."""
        for procedure in self:
            for user in procedure._managers():
                env = procedure.with_context(lang=user.lang).env
                procedure.partner_id.sudo().activity_schedule(
                    "mail.mail_activity_data_todo",
                    date_deadline=deadline or fields.Date.context_today(procedure),
                    summary=summary or procedure._opening_summary(env),
                    note=note or procedure._opening_note(env),
                    user_id=user.id,
                )

    def _opening_summary(self, env):
        return env._(
            "Insolvency procedure: declare the claim by %(date)s", date=format_date(env, self.declaration_deadline)
        )

    def _opening_note(self, env):
        kinds = dict(self._fields["kind"]._description_selection(env))
        return Markup("<p>%s</p>") % env._(
            "%(kind)s opened on %(judgment)s by the %(court)s (BODACC of %(publication)s). Dunning stopped for "
            "%(count)s invoice(s) dated before the judgment. The claim declaration to %(representative)s is ready "
            "in Letters to Send: post it by registered mail before %(deadline)s.",
            kind=kinds[self.kind],
            judgment=format_date(env, self.judgment_date),
            court=self.court or "?",
            publication=format_date(env, self.publication_date),
            count=len(self.move_ids),
            representative=self.representative or env._("the court-appointed representative"),
            deadline=format_date(env, self.declaration_deadline),
        )

    def _prepare_declaration(self, user=None):
        """The claim declaration: a letter under the company's name to the representative, waiting to be posted.

        :param user: the manager who signs it; none when the nightly watch prepares it (the company signs)
        """
        for procedure in self.filtered(lambda procedure: procedure.move_ids and not procedure.declaration_id):
            declaration = procedure.env["kreancia.intervention"]._new_claim_declaration(procedure, user)
            procedure.declaration_id = declaration

    # ------------------------------------------------------------------
    # Later judgments
    # ------------------------------------------------------------------

    def _apply_event(self, notice, event):
        """A plan, a conversion, a closure: the state follows; a closure for insufficient assets lists write-offs."""
        self.ensure_one()
        event.insolvency_id = self
        state = rules.next_state(self.state, notice.event)
        values = {"state": state}
        if notice.event == "conversion":
            values["kind"] = "liquidation"
            if notice.representative:
                values["representative"] = notice.representative
        self.write(values)
        env = self.env
        if notice.event == "closure_insufficient":
            open_claims = self.move_ids.filtered(lambda move: move.payment_state in ("not_paid", "partial"))
            self.write_off_move_ids = [Command.set(open_claims.ids)]
            self._task_manager(
                summary=env._("Insolvency closed for insufficient assets: write off the claims"),
                note=Markup("<p>%s</p>")
                % env._(
                    "The procedure was closed for insufficient assets on %(date)s: nothing more will be paid. "
                    "Write off %(invoices)s with credit notes (Invoice > Credit note), as for an abandoned "
                    "hand-over.",
                    date=format_date(env, notice.judgment_date),
                    invoices=", ".join(open_claims.mapped("name")) or "-",
                ),
            )
        elif notice.event in ("plan", "conversion", "closure_paid"):
            states = dict(self._fields["state"]._description_selection(env))
            self.partner_id.sudo().message_post(
                body=env._(
                    "Insolvency procedure: %(text)s (judgment of %(date)s). State: %(state)s.",
                    text=notice.text,
                    date=format_date(env, notice.judgment_date),
                    state=states[state],
                ),
                subtype_xmlid="mail.mt_note",
            )

    # ------------------------------------------------------------------
    # Declaration deadline
    # ------------------------------------------------------------------

    @api.model
    def _remind_deadlines(self, today):
        """Managers are reminded 30 and 7 days before a declaration's deadline while it is not posted."""
        days = [today + timedelta(days=delay) for delay in DEADLINE_REMINDERS]
        due = self.sudo().search([("declaration_deadline", "in", days), ("declaration_id.state", "=", "to_send")])
        for procedure in due:
            procedure._task_manager(
                summary=procedure.with_context(lang=procedure.env.user.lang).env._(
                    "Claim declaration not posted: deadline %(date)s",
                    date=format_date(procedure.env, procedure.declaration_deadline),
                ),
                deadline=today,
            )
        return due

    def action_prepare_declaration(self):
        """Produce the claim declaration again, e.g. once the missing late-payment rate is recorded."""
        self.ensure_one()
        if not self.env.user.has_group(MANAGER_GROUP) and not self.env.su:
            raise UserError(self.env._("Only a collection manager can prepare a claim declaration."))
        if self.declaration_id:
            raise UserError(self.env._("The claim declaration is already prepared."))
        self.sudo()._prepare_declaration(user=self.env.user)
        return self.action_open_declaration()

    def action_write_off(self):
        """Odoo's credit-note path on the claims a closure for insufficient assets left unpaid."""
        self.ensure_one()
        return self.write_off_move_ids.filtered(
            lambda move: move.payment_state in ("not_paid", "partial")
        )._dunning_write_off_action()

    def action_open_declaration(self):
        self.ensure_one()
        if not self.declaration_id:
            raise UserError(
                self.env._("No invoice of this customer was dated before the judgment: nothing to declare.")
            )
        return {
            "type": "ir.actions.act_window",
            "res_model": "kreancia.intervention",
            "res_id": self.declaration_id.id,
            "view_mode": "form",
        }
