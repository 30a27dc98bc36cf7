import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, format_date
from odoo.tools.misc import formatLang

from ..tools import legal
from .kreancia_scenario_step import LETTER_CHANNELS

_logger = logging.getLogger(__name__)

LETTER_REPORT = "kreancia_collect.action_report_dunning_letter"


class KreanciaIntervention(models.Model):
    """Producing letters and the legal amounts they claim.

    A letter or formal notice is rendered in batches (one wkhtmltopdf call,
    see ``speed/ir_actions_report_batch.py``) once its amounts are fixed: the
    late-payment interest (L441-10) and recovery indemnity (D441-5) of each
    invoice, written on the intervention's lines at the intervention's date.
    The wording helpers below are what the QWeb letter prints besides the
    invoices: addressee, identity, creditor, payment means, next step.
    """

    _inherit = "kreancia.intervention"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------
    # Production
    # ------------------------------------------------------------------

    def _with_postal_address(self):
        """The interventions whose letter can be addressed; the others fail."""
        without = self.filtered(lambda intervention: not intervention._postal_recipient())
        for intervention in without:
            intervention._mark_failed(
                self.env._(
                    "%(partner)s has no postal address (street and city): the letter could not be sent.",
                    partner=intervention.recipient_id.display_name,
                )
            )
        return self - without

    def _postal_recipient(self):
        """Whom the letter is addressed to: the recipient, or the customer when the
        recipient (an invoicing contact) has no address of its own."""
        self.ensure_one()
        for partner in (self.recipient_id, self.partner_id):
            if partner.street and partner.city:
                return partner
        return self.env["res.partner"]

    def _generate_letters(self):
        """Render every letter in one wkhtmltopdf call; the letters wait to be posted.

        Deadline, amounts and PDF are written together: a letter that cannot
        be produced (a missing rate) leaves none of them behind.
        """
        for notice in self.filtered(lambda intervention: intervention.channel == "formal_notice"):
            notice.deadline_date = notice.date + timedelta(days=notice.step_id.deadline_days)
        self._attach_letters()
        self.write({"state": "to_send"})

    def _attach_letters(self):
        """Fix the legal amounts, render the letters in one wkhtmltopdf call and keep each PDF.

        :return: ``{intervention id: attachment}``
        """
        self._compute_legal_amounts()
        streams = (
            self.env["ir.actions.report"]
            .with_context(force_report_rendering=True)
            ._kreancia_render_pdf_batch(LETTER_REPORT, self.ids)
        )
        attachments = self.env["ir.attachment"].create(
            [
                {
                    "name": f"{intervention.name.replace('/', '-')}.pdf",
                    "raw": streams[intervention.id]["stream"].getvalue(),
                    "res_model": self._name,
                    "res_id": intervention.id,
                    "mimetype": "application/pdf",
                }
                for intervention in self
            ]
        )
        for intervention, attachment in zip(self, attachments, strict=True):
            intervention.attachment_id = attachment
        return {intervention.id: attachment for intervention, attachment in zip(self, attachments, strict=True)}

    def _letter_title(self):
        self.ensure_one()
        if self.channel == "formal_notice":
            return self.env._("Formal notice (mise en demeure)")
        if self.channel == "claim":
            return self.env._("Declaration of claim (déclaration de créance)")
        return self.env._("Payment reminder")

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

    # ------------------------------------------------------------------
    # Legal amounts
    # ------------------------------------------------------------------

    def _compute_legal_amounts(self):
        """Write on each invoice line the interest and indemnity owed on the intervention's date.

        :raises UserError: when the rate table has no rate for a half-year of a late period
        """
        rates = self.env["kreancia.interest.rate"]
        table = rates._rate_table()
        euro = self.env.ref("base.EUR")
        payments = self._payments_by_invoice()
        for intervention in self:
            partner = intervention.partner_id.commercial_partner_id
            professional = partner._is_professional_debtor()
            contract_rate = partner.dunning_contract_rate
            # a claim declaration stops at the opening judgment, which stops interest (L622-28)
            until = intervention.claim_until or intervention.date
            applied = {}
            for line in intervention.line_ids:
                due = line.invoice_date_due
                values = dict.fromkeys(
                    (
                        "interest_amount",
                        "residual_interest",
                        "late_paid_amount",
                        "late_paid_interest",
                        "indemnity_amount",
                    ),
                    0.0,
                )
                values["late_payments"] = []
                if professional and due and due < until:
                    table_of_period = rates._late_rates(table, due, until, contract_rate)
                    applied.update(table_of_period)
                    late = legal.interest_on_late_payments(
                        due,
                        until,
                        payments.get(
                            (
                                line.move_id.id,
                                intervention.date,
                                intervention.create_date,
                            ),
                            [],
                        ),
                        table_of_period,
                    )
                    values["residual_interest"] = legal.late_interest(line.amount_residual, due, until, table_of_period)
                    values["late_paid_amount"] = sum(payment.amount for payment in late)
                    values["late_paid_interest"] = sum(payment.interest for payment in late)
                    values["late_payments"] = [
                        {
                            "date": payment.date.isoformat(),
                            "amount": payment.amount,
                            "days": payment.days,
                            "interest": payment.interest,
                        }
                        for payment in late
                    ]
                    values["interest_amount"] = values["residual_interest"] + values["late_paid_interest"]
                    indemnity = legal.recovery_indemnity(professional=True)
                    if line.currency_id != euro:
                        indemnity = euro._convert(
                            indemnity,
                            line.currency_id,
                            intervention.company_id,
                            intervention.date,
                        )
                    values["indemnity_amount"] = indemnity
                line.write(values)
            intervention.interest_rate_display = intervention._rates_by_period(applied)

    def _rates_by_period(self, rates_by_key):
        """``H1 2026: 12.15 %; H2 2026: 12.40 %``, in period order and the reader's number format."""
        self.ensure_one()
        partner = self.partner_id.commercial_partner_id
        lang_env = self.with_context(lang=self.recipient_id.lang or partner.lang).env
        return "; ".join(
            lang_env._(
                "H%(half)s %(year)s: %(rate)s %%",
                half=half,
                year=year,
                rate=formatLang(lang_env, rate, digits=2),
            )
            for (year, half), rate in sorted(rates_by_key.items())
        )

    def _payments_by_invoice(self):
        """``{(invoice id, letter date, created): [(date, amount)]}``: what was reconciled with each invoice by the
        letter's date, among what was already reconciled when the intervention recorded its amount due.

        Payments and credit notes alike, in the invoice's currency, dated by
        the reconciliation; one query for the whole batch. A payment recorded
        after the intervention is not in its amount due, hence not among the
        sums paid late either: each sum bears interest once.
        """
        keys = {
            (line.move_id.id, intervention.date, intervention.create_date)
            for intervention in self
            for line in intervention.line_ids
        }
        if not keys:
            return {}
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT l.move_id, apr.max_date, apr.debit_amount_currency, apr.create_date
                  FROM account_partial_reconcile apr
                  JOIN account_move_line l ON l.id = apr.debit_move_id
                  JOIN account_account a ON a.id = l.account_id
                 WHERE l.move_id IN %(moves)s
                   AND a.account_type = 'asset_receivable'
                   AND apr.debit_amount_currency > 0
                """,
                moves=tuple({move_id for move_id, _day, _created in keys}),
            )
        )
        by_move = {}
        for move_id, paid_on, amount, reconciled in self.env.cr.fetchall():
            by_move.setdefault(move_id, []).append((paid_on, amount, reconciled))
        return {
            (move_id, day, created): [
                (paid_on, amount)
                for paid_on, amount, reconciled in by_move.get(move_id, [])
                if paid_on <= day and (not created or reconciled <= created)
            ]
            for move_id, day, created in keys
        }

    # ------------------------------------------------------------------
    # What the letter prints
    # ------------------------------------------------------------------

    def _letter_brand(self):
        """The brand whose letterhead the letter carries; empty for the company's own layout."""
        self.ensure_one()
        return self.brand_id if self.identity == "brand" else self.env["kreancia.brand"]

    def _is_third_party(self):
        self.ensure_one()
        return bool(self._letter_brand().is_third_party)

    def _first_letter(self):
        """The first letter sent to this customer under the same brand, which later letters recall (R124-4)."""
        self.ensure_one()
        brand = self._letter_brand()
        if not brand:
            return self.browse()
        return self.search(
            [
                ("partner_id", "=", self.partner_id.id),
                ("brand_id", "=", brand.id),
                ("identity", "=", "brand"),
                ("channel", "in", (*LETTER_CHANNELS, "email")),
                ("attachment_id", "!=", False),
                ("state", "=", "done"),
                ("id", "<", self.id),
            ],
            order="date, id",
            limit=1,
        )

    def _compute_has_previous_reminders(self):
        """Whether the customer already received a reminder about one of these invoices.

        One query for every letter being rendered (the records prefetched together), not one per letter; read
        again for each rendering (see ``ir_actions_report.py``).
        """
        ids = tuple(intervention.id for intervention in self if isinstance(intervention.id, int))
        found = set()
        if ids:
            self.flush_model(["partner_id", "channel", "state", "move_ids"])
            self.env.cr.execute(
                SQL(
                    """
                    SELECT DISTINCT cur.id
                      FROM kreancia_intervention cur
                      JOIN kreancia_intervention_account_move_rel cur_move ON cur_move.intervention_id = cur.id
                      JOIN kreancia_intervention_account_move_rel prev_move ON prev_move.move_id = cur_move.move_id
                      JOIN kreancia_intervention prev ON prev.id = prev_move.intervention_id
                     WHERE cur.id IN %(ids)s
                       AND prev.id < cur.id
                       AND prev.partner_id = cur.partner_id
                       AND prev.channel IN %(channels)s
                       AND prev.state IN ('done', 'to_send')
                    """,
                    ids=ids,
                    channels=("email", "sms", *LETTER_CHANNELS),
                )
            )
            found = {row[0] for row in self.env.cr.fetchall()}
        for intervention in self:
            intervention.has_previous_reminders = intervention.id in found

    def _sent_date(self):
        """The day the letter left: posted, or e-mailed."""
        self.ensure_one()
        return self.posted_date or self.date

    def _agency_reference(self):
        """The reference later contacts recall: the first letter's, with its date, else this one's."""
        self.ensure_one()
        first = self._first_letter()
        if not first:
            return self.name
        return self.env._(
            "%(reference)s of %(date)s",
            reference=first.name,
            date=format_date(
                self.env,
                first._sent_date(),
                lang_code=self.recipient_id.lang or self.partner_id.lang,
            ),
        )

    def _payment_instructions(self):
        """How to pay: the brand's instructions, else the company's bank account."""
        self.ensure_one()
        brand = self._letter_brand()
        if brand.payment_instructions:
            return brand.payment_instructions
        bank = self.company_id.partner_id.bank_ids[:1]
        if bank:
            return self.env._(
                "By bank transfer to %(holder)s, IBAN %(iban)s, quoting the invoice numbers.",
                holder=self.company_id.name,
                iban=bank.acc_number,
            )
        return self.env._(
            "By bank transfer or cheque to %(creditor)s, quoting the invoice numbers.",
            creditor=self.company_id.name,
        )

    def _next_step_announcement(self):
        """The consequence a formal notice announces if the deadline passes."""
        self.ensure_one()
        next_step = self.step_id._next_step()
        if not next_step or next_step.channel == "handover":
            return self.env._(
                "Failing payment by that date, the file will be handed over for legal recovery without further notice."
            )
        return self.env._(
            "Failing payment by that date, the next step of the procedure will be: %(step)s.",
            step=next_step.name,
        )

    def _l111_8_text(self):
        return legal.L111_8_PARAGRAPHS_2_3

    # ------------------------------------------------------------------
    # Draft letters
    # ------------------------------------------------------------------

    def _letter_is_final(self):
        """Whether the letter is the one sent: produced (to post, or posted); anything else prints as a draft."""
        self.ensure_one()
        return self.state in ("to_send", "done")

    def _letter_is_draft(self):
        """Whether the letter being rendered is a draft (see ``ir.actions.report._render_qweb_pdf``)."""
        self.ensure_one()
        return self.id in self.env.context.get("kreancia_draft_letter_ids", ())

    def _prepare_draft_letters(self):
        """Fix the amounts and deadline the letters would carry if validated now.

        Writes; the caller renders inside a savepoint it rolls back.
        """
        for intervention in self.filtered(lambda i: i.channel == "formal_notice" and not i.deadline_date):
            intervention.deadline_date = intervention.date + timedelta(days=intervention.step_id.deadline_days)
        self._compute_legal_amounts()

    # ------------------------------------------------------------------
    # Claim declaration (insolvency): a letter to the court-appointed representative
    # ------------------------------------------------------------------

    @api.model
    def _new_claim_declaration(self, procedure, user=None):
        """The claim declaration of ``procedure`` (``kreancia.insolvency``), produced and waiting to be posted.

        Under the company's own name, addressed to the representative; each frozen invoice with its principal,
        and the interest and indemnity accrued up to the opening judgment (L622-28), which stops interest.
        """
        invoices = procedure.move_ids.sorted(lambda move: (move.invoice_date_due or move.invoice_date, move.id))
        today = fields.Date.context_today(self)
        declaration = self.sudo().create(
            {
                "date": today,
                "company_id": procedure.company_id.id,
                "partner_id": procedure.partner_id.id,
                "recipient_id": (procedure.representative_id or procedure.partner_id).id,
                "channel": "claim",
                "identity": "company",
                "state": "to_send",
                # signed by the manager who prepares it; the nightly watch leaves it to the company's name
                "user_id": user.id if user else False,
                "insolvency_id": procedure.id,
                "claim_until": procedure.judgment_date,
                "deadline_date": procedure.declaration_deadline,
                "amount_total": sum(invoices.mapped("amount_residual_signed")),
                "move_ids": [fields.Command.set(invoices.ids)],
                "line_ids": [
                    fields.Command.create(
                        {
                            "move_id": move.id,
                            "step_id": move.dunning_step_id.id,
                            "currency_id": move.currency_id.id,
                            "amount_residual": move.amount_residual,
                            "days_late": max((procedure.judgment_date - move.invoice_date_due).days, 0)
                            if move.invoice_date_due
                            else 0,
                        }
                    )
                    for move in invoices
                ],
            }
        )
        declaration._compute_legal_amounts()
        if not self.env.context.get("kreancia_defer_pdf"):
            declaration._render_claim_declaration()
        return declaration

    def _render_claim_declaration(self):
        """Render each claim declaration's PDF, in its company's language, and keep it as the letter to post."""
        for declaration in self:
            content, _type = (
                self.env["ir.actions.report"]
                .sudo()
                .with_context(force_report_rendering=True, lang=declaration.company_id.partner_id.lang)
                ._render_qweb_pdf("kreancia_collect.action_report_claim_declaration", declaration.ids)
            )
            declaration.attachment_id = (
                self.env["ir.attachment"]
                .sudo()
                .create(
                    {
                        "name": f"{declaration.name.replace('/', '-')}.pdf",
                        "raw": content,
                        "res_model": self._name,
                        "res_id": declaration.id,
                        "mimetype": "application/pdf",
                    }
                )
            )

    @api.model
    def _render_deferred_claim_declarations(self):
        """Claim declarations prepared with their PDF deferred (``kreancia_defer_pdf``: data loaded at install,
        when no HTTP server serves the report's stylesheets to wkhtmltopdf) get it from the scheduled action.

        One that cannot be rendered stays pending for the next run and stops nothing: the daily run goes on.

        :return: the declarations rendered
        """
        pending = self.sudo().search(
            [("channel", "=", "claim"), ("state", "=", "to_send"), ("attachment_id", "=", False)]
        )
        rendered = self.browse()
        for declaration in pending:
            try:
                with self.env.cr.savepoint():
                    declaration._render_claim_declaration()
            except (UserError, OSError) as error:  # wkhtmltopdf failed or is missing
                _logger.warning("Claim declaration %s not rendered, left for the next run: %s", declaration.name, error)
                continue
            rendered |= declaration
        return rendered

    def _claim_documents(self):
        """The supporting documents a claim declaration lists: invoices, statement, letters and notices sent."""
        self.ensure_one()
        env = self.env
        documents = [env._("Copy of invoice %(number)s", number=move.name) for move in self.move_ids]
        documents.append(env._("Statement of account of %(customer)s", customer=self.partner_id.name))
        notices = self.sudo().search(
            [
                ("partner_id", "=", self.partner_id.id),
                ("company_id", "=", self.company_id.id),
                ("channel", "in", LETTER_CHANNELS),
                ("state", "=", "done"),
            ],
            order="date",
        )
        documents += [
            env._(
                "%(letter)s %(reference)s of %(date)s%(tracking)s",
                letter=dict(self._fields["channel"]._description_selection(env))[notice.channel],
                reference=notice.name,
                date=format_date(env, notice.posted_date or notice.date),
                tracking=env._(" (registered mail %(number)s)", number=notice.tracking_number)
                if notice.tracking_number
                else "",
            )
            for notice in notices
        ]
        return documents
