from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from ..tools import legal
from ..tools.scoring import suggest_trust
from .kreancia_case import PARTY_ROLES

# who may read a customer's collection history (core's partner "Invoicing" tab shows to the same groups)
ACCOUNTING_READERS = "account.group_account_invoice,account.group_account_readonly"


class ResPartner(models.Model):
    """A customer under collection, and a party receiving hand-overs.

    One banner per concern: dunning follow-up, payer segment, legal terms,
    statement of account, aged balance, calls, debtor page, replies, hand-overs.
    """

    _inherit = "res.partner"

    # ------------------------------------------------------------------
    # Dunning follow-up: scenario, collector, pause, history, overdue
    # ------------------------------------------------------------------
    dunning_scenario_id = fields.Many2one(
        "kreancia.scenario",
        "Dunning scenario",
        help="Scenario of this customer's invoices; empty follows the payer segment's "
        "or the company's default scenario.",
    )
    dunning_collector_id = fields.Many2one(
        "res.users",
        "Collector",
        help="Collection agent in charge of this customer: call tasks are assigned to them.",
    )
    dunning_pause_until = fields.Date(
        "Dunning paused until",
        help="No reminder is sent to this customer until this date (included).",
    )
    dunning_pause_reason = fields.Char("Pause reason")
    dunning_intervention_ids = fields.One2many(
        "kreancia.intervention", "partner_id", "Interventions", groups=ACCOUNTING_READERS
    )
    dunning_intervention_count = fields.Integer("Intervention count", compute="_compute_dunning_intervention_count")
    dunning_call_ids = fields.One2many("kreancia.call", "partner_id", "Calls", groups=ACCOUNTING_READERS)
    dunning_call_count = fields.Integer("Call count", compute="_compute_dunning_counts")
    dunning_commitment_ids = fields.One2many(
        "kreancia.commitment", "partner_id", "Payment commitments", groups=ACCOUNTING_READERS
    )
    dunning_commitment_count = fields.Integer("Commitment count", compute="_compute_dunning_counts")
    dunning_overdue_amount = fields.Monetary(
        "Overdue amount", compute="_compute_dunning_overdue", currency_field="dunning_currency_id"
    )
    dunning_currency_id = fields.Many2one("res.currency", compute="_compute_dunning_overdue")
    dunning_oldest_days_late = fields.Integer("Oldest days late", compute="_compute_dunning_overdue")
    dunning_current_step_id = fields.Many2one(
        "kreancia.scenario.step", "Current step", compute="_compute_dunning_overdue"
    )

    def _dunning_count(self, model, domain=()):
        """Records of ``model`` per customer in the user's companies.

        Counted as superuser, within the companies the multi-company rules
        would allow: a count is harmless, and any reader of the customer
        (portal, an employee without collection rights) may compute it.
        """
        return dict(
            self.env[model]
            .sudo()
            ._read_group(
                [("partner_id", "in", self.ids), ("company_id", "in", self.env.companies.ids), *domain],
                ["partner_id"],
                ["__count"],
            )
        )

    @api.depends("dunning_intervention_ids")
    def _compute_dunning_intervention_count(self):
        counts = self._dunning_count("kreancia.intervention")
        for partner in self:
            partner.dunning_intervention_count = counts.get(partner._origin, 0)

    def _compute_dunning_counts(self):
        calls = self._dunning_count("kreancia.call")
        commitments = self._dunning_count("kreancia.commitment")
        for partner in self:
            partner.dunning_call_count = calls.get(partner._origin, 0)
            partner.dunning_commitment_count = commitments.get(partner._origin, 0)

    def _overdue_domain(self):
        today = fields.Date.context_today(self)
        return [
            ("commercial_partner_id", "in", self.ids),
            ("company_id", "=", self.env.company.id),
            ("move_type", "=", "out_invoice"),
            ("state", "=", "posted"),
            ("payment_state", "in", ("not_paid", "partial")),
            ("invoice_date_due", "<", today),
        ]

    def _compute_dunning_overdue(self):
        today = fields.Date.context_today(self)
        # as superuser: the domain keeps to the current company, and the sums are what any reader may see
        groups = {
            partner: (amount, oldest, step)
            for partner, amount, oldest, step in self.env["account.move"]
            .sudo()
            ._read_group(
                self._overdue_domain(),
                ["commercial_partner_id"],
                ["amount_residual_signed:sum", "invoice_date_due:min", "dunning_step_id:max"],
            )
        }
        for partner in self:
            amount, oldest, step_id = groups.get(partner._origin, (0.0, None, None))
            partner.dunning_currency_id = self.env.company.currency_id
            partner.dunning_overdue_amount = amount
            partner.dunning_oldest_days_late = (today - oldest).days if oldest else 0
            partner.dunning_current_step_id = step_id

    @api.constrains("dunning_pause_until", "dunning_pause_reason")
    def _check_dunning_pause(self):
        for partner in self:
            if partner.dunning_pause_until and not partner.dunning_pause_reason:
                raise ValidationError(
                    self.env._("Give a reason for pausing the dunning of %(partner)s.", partner=partner.display_name)
                )

    def action_dunning_calls(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("kreancia_collect.kreancia_call_action")
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.commercial_partner_id.id}
        return action

    def action_dunning_commitments(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("kreancia_collect.kreancia_commitment_action")
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        return action

    def action_dunning_log_call(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("kreancia_collect.kreancia_call_log_action")
        action["context"] = {"default_partner_id": self.commercial_partner_id.id}
        return action

    def action_dunning_interventions(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("kreancia_collect.kreancia_intervention_action")
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.commercial_partner_id.id}
        return action

    # ------------------------------------------------------------------
    # Payer segment: core's company-dependent ``trust``, its default applied
    # ------------------------------------------------------------------
    dunning_trust_manual = fields.Boolean(
        "Segment set by hand",
        company_dependent=True,
        help="The payer segment was chosen by a person: the daily suggestion no longer changes it.",
    )
    dunning_suggested_trust = fields.Selection(
        [("good", "Good Debtor"), ("normal", "Normal Debtor"), ("bad", "Bad Debtor")],
        "Suggested segment",
        compute="_compute_dunning_suggested_trust",
        help="From the last 12 months: average days late of paid invoices and broken commitments.",
    )

    def _compute_dunning_suggested_trust(self):
        since = fields.Date.subtract(fields.Date.context_today(self), months=12)
        delays = self._dunning_average_days_late(since)
        broken = self._dunning_count("kreancia.commitment", [("state", "=", "broken"), ("create_date", ">=", since)])
        for partner in self:
            partner.dunning_suggested_trust = suggest_trust(
                delays.get(partner._origin.id), broken.get(partner._origin, 0)
            )

    def _dunning_average_days_late(self, since):
        """Average days late of each customer's invoices paid since ``since``, in one query."""
        if not self._origin.ids:
            return {}
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT m.commercial_partner_id, AVG(GREATEST(paid.paid_on - m.invoice_date_due, 0))
                  FROM account_move m
                  JOIN (SELECT l.move_id, MAX(apr.max_date) AS paid_on
                          FROM account_move_line l
                          JOIN account_partial_reconcile apr ON apr.debit_move_id = l.id
                      GROUP BY l.move_id) paid ON paid.move_id = m.id
                 WHERE m.commercial_partner_id IN %(partners)s
                   AND m.company_id = %(company)s
                   AND m.move_type = 'out_invoice' AND m.state = 'posted'
                   AND m.payment_state IN ('paid', 'in_payment')
                   AND m.invoice_date >= %(since)s
              GROUP BY m.commercial_partner_id
                """,
                partners=tuple(self._origin.ids),
                company=self.env.company.id,
                since=since,
            )
        )
        return {partner_id: float(average) for partner_id, average in self.env.cr.fetchall()}

    @api.model
    def _cron_apply_suggested_trust(self):
        """Daily: apply the suggested payer segment to customers nobody classified by hand."""
        since = fields.Date.subtract(fields.Date.context_today(self), months=12)
        env = self.sudo().env  # every company, whatever the cron user's companies
        for company in env["res.company"].search([]):  # pylint: disable=no-search-all
            customers = (
                env["account.move"]
                .with_company(company)
                .search(
                    [
                        ("company_id", "=", company.id),
                        ("move_type", "=", "out_invoice"),
                        ("state", "=", "posted"),
                        ("invoice_date", ">=", since),
                    ]
                )
                .commercial_partner_id.with_company(company)
                .filtered(lambda partner: not partner.dunning_trust_manual)
            )
            for partner in customers.filtered(
                lambda partner: partner.dunning_suggested_trust and partner.dunning_suggested_trust != partner.trust
            ):
                partner.with_context(kreancia_auto_trust=True).trust = partner.dunning_suggested_trust

    @api.model
    def _dunning_trust_sql(self, alias, company_id):
        """SQL text of the payer segment of the customer ``alias`` in the company ``company_id`` (SQL).

        Odoo stores no value until someone edits the field, and reads its
        default instead (``ir.default``, "normal" out of the box, which a
        company may change); a segment emptied by hand stays empty. Every
        query reads the segment here, so that its figures agree with
        :meth:`_dunning_trusts` and with the customer's form.
        """
        fallbacks = self.env["ir.default"]._get_field_column_fallbacks(self._name, "trust")
        return SQL(
            "(COALESCE(%(alias)s.trust -> %(company)s::text, %(fallbacks)s::jsonb -> %(company)s::text) #>> '{}')",
            alias=SQL.identifier(alias),
            company=company_id,
            fallbacks=fallbacks,
        )

    def _dunning_trusts(self, company):
        """``{partner_id: payer segment}`` in ``company``, as Odoo reads it (default applied), in one query."""
        partners = self.with_company(company)
        partners.fetch(["trust"])
        return {partner.id: partner.trust for partner in partners}

    def write(self, vals):
        if "trust" in vals and not self.env.context.get("kreancia_auto_trust"):
            vals = {**vals, "dunning_trust_manual": True}
        return super().write(vals)

    def action_dunning_apply_suggested_trust(self):
        for partner in self.filtered("dunning_suggested_trust"):
            partner.with_context(kreancia_auto_trust=True).trust = partner.dunning_suggested_trust
        return True

    # ------------------------------------------------------------------
    # Legal terms: what French law lets a creditor claim beyond the principal
    # ------------------------------------------------------------------
    dunning_debtor_type = fields.Selection(
        [("professional", "Professional"), ("consumer", "Consumer")],
        "Debtor type",
        compute="_compute_dunning_debtor_type",
        store=True,
        readonly=False,
        help="Professionals owe late-payment interest (L441-10) and the 40 EUR recovery indemnity "
        "per late invoice (D441-5); consumers owe neither.",
    )
    dunning_contract_rate = fields.Float(
        "Contractual late-payment rate (%)",
        digits=(5, 2),
        help="Rate agreed in this customer's contract; empty applies the legal rate of each half-year "
        "(ECB rate + 10 points). It may not be below three times the legal interest rate.",
    )

    @api.depends("is_company", "parent_id.is_company", "vat")
    def _compute_dunning_debtor_type(self):
        for partner in self:
            professional = partner.is_company or partner.parent_id.is_company or partner.vat
            partner.dunning_debtor_type = "professional" if professional else "consumer"

    @api.constrains("dunning_contract_rate")
    def _check_dunning_contract_rate(self):
        today = fields.Date.context_today(self)
        legal_rate = self.env["kreancia.interest.rate"]._legal_rate_on(today)
        for partner in self:
            rate = partner.dunning_contract_rate
            if rate < 0:
                raise ValidationError(self.env._("A late-payment rate cannot be negative."))
            if rate and legal_rate is not None and rate < legal.minimum_contractual_rate(legal_rate):
                raise ValidationError(
                    self.env._(
                        "A contractual late-payment rate of %(rate)s%% is below the legal floor of "
                        "%(floor)s%% (three times the legal interest rate of %(legal)s%%).",
                        rate=rate,
                        floor=legal.minimum_contractual_rate(legal_rate),
                        legal=legal_rate,
                    )
                )

    def _is_professional_debtor(self):
        self.ensure_one()
        return self.commercial_partner_id.dunning_debtor_type != "consumer"

    # ------------------------------------------------------------------
    # Statement of account
    # ------------------------------------------------------------------
    def _dunning_statement_items(self):
        """Open invoices and credit notes of the customer in the current company, oldest due first.

        Entries "in payment" count as paid, as everywhere in collection. A time-barred invoice is left
        out: the statement claims what it lists.
        """
        self.ensure_one()
        moves = self.env["account.move"]
        domain = moves._dunning_claimable_domain(
            self, self.env.company, ["out_invoice", "out_refund"], self._dunning_statement_date()
        )
        return moves.search(domain, order="invoice_date_due, name, id")

    def _dunning_statement_date(self):
        # a case file prints the statement as of its own date, so that it reads the same every time
        return self.env.context.get("kreancia_statement_date") or fields.Date.context_today(self)

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

    # ------------------------------------------------------------------
    # Aged balance and account export
    # ------------------------------------------------------------------
    dunning_aged_html = fields.Html("Aged balance", compute="_compute_dunning_aged_html", sanitize=False, readonly=True)

    def _compute_dunning_aged_html(self):
        partners = self.filtered(lambda partner: partner._origin.id and not partner.parent_id)
        (self - partners).dunning_aged_html = False
        if not partners:
            return
        report = self.env["kreancia.aged.balance"]
        company = self.env.company
        if not report.has_access("read"):
            partners.dunning_aged_html = False
            return
        balance = report.aged_balance(
            self.env.context.get("kreancia_as_of"),
            domain=[("partner_id", "in", partners._origin.ids)],
            company_ids=company.ids,
            group_by=("partner_id",),
        )[company.id]
        buckets = self.env["kreancia.aging.bucket"]._company_buckets(company).sorted(lambda b: (b.sequence, b.id))
        for partner in partners:
            line = balance.lines.get((partner._origin.id,))
            partner.dunning_aged_html = self.env["ir.qweb"]._render(
                "kreancia_collect.res_partner_aged_line",
                {"line": line, "buckets": buckets, "currency": company.currency_id},
            )

    def action_dunning_open_items(self):
        """The customer's open items today, in the aged balance."""
        self.ensure_one()
        return self.env["kreancia.aged.balance"].action_open(
            domain=[("partner_id", "=", self.commercial_partner_id.id)],
            name=self.env._("Open items of %(customer)s", customer=self.commercial_partner_id.display_name),
        ) | {"view_mode": "list,pivot,graph", "views": [(False, "list"), (False, "pivot"), (False, "graph")]}

    def action_dunning_export_account_xlsx(self):
        """Download the customer's account (statement, reminders, calls, commitments) as XLSX."""
        self.ensure_one()
        return self.env["kreancia.xlsx.export"]._download("account", self.commercial_partner_id)

    # ------------------------------------------------------------------
    # Calls: a number found wrong
    # ------------------------------------------------------------------
    dunning_wrong_phone = fields.Char(
        "Wrong number",
        copy=False,
        help="A call found this number wrong: My Calls flags it until the number is corrected.",
    )

    def action_dunning_clear_wrong_phone(self):
        self.dunning_wrong_phone = False
        return True

    # ------------------------------------------------------------------
    # Debtor page, as the agents see it: links, actions and plans waiting
    # ------------------------------------------------------------------
    dunning_debtor_link_ids = fields.One2many(
        "kreancia.debtor.link", "partner_id", "Debtor links", groups="kreancia_collect.kreancia_collect_group_agent"
    )
    dunning_debtor_action_ids = fields.One2many(
        "kreancia.debtor.action",
        "partner_id",
        "Debtor page activity",
        domain=[("action", "not in", ("view", "download"))],
        groups="kreancia_collect.kreancia_collect_group_agent",
    )
    dunning_plan_proposal_ids = fields.One2many(
        "kreancia.plan.proposal",
        "partner_id",
        "Plan proposals",
        groups="kreancia_collect.kreancia_collect_group_agent",
    )

    # ------------------------------------------------------------------
    # Debtor replies: an answer to a reminder, filed here, read and listed in the inbox
    # ------------------------------------------------------------------
    dunning_insolvency_id = fields.Many2one(
        "kreancia.insolvency",
        "Insolvency procedure",
        compute="_compute_dunning_insolvency_id",
        groups=ACCOUNTING_READERS,
        help="The customer's collective procedure in progress in the current company, read from the BODACC.",
    )

    def _compute_dunning_insolvency_id(self):
        procedures = self.env["kreancia.insolvency"].search(
            [("partner_id", "in", self.ids), ("company_id", "=", self.env.company.id), ("state", "!=", "closed")]
        )
        by_partner = {procedure.partner_id: procedure for procedure in procedures}
        for partner in self:
            partner.dunning_insolvency_id = by_partner.get(partner._origin, False)

    dunning_reply_ids = fields.One2many(
        "kreancia.reply", "partner_id", "Replies", groups="kreancia_collect.kreancia_collect_group_agent"
    )

    def _message_post_after_hook(self, message, msg_values):
        """An e-mail the gateway routed here as a debtor's reply (see ``kreancia.reply``) becomes a reply to read."""
        result = super()._message_post_after_hook(message, msg_values)
        match = self.env.context.get("kreancia_reply_match")
        if match and match.get("partner_id") == self.id and message.message_type == "email":
            self.env["kreancia.reply"].with_context(kreancia_reply_match=None)._from_message(message, match)
        return result

    # ------------------------------------------------------------------
    # Hand-overs: a receiving party's terms (agency, bailiff, lawyer), copied
    # on each case handed over to it, and the customer's cases
    # ------------------------------------------------------------------
    dunning_case_role = fields.Selection(PARTY_ROLES, "Receives hand-overs as")
    dunning_mandate_ref = fields.Char("Collection mandate reference")
    dunning_commission_rate = fields.Float(
        "Collection commission (%)", digits=(5, 2), help="Share of the amounts it recovers that it invoices."
    )
    dunning_case_ids = fields.One2many(
        "kreancia.case", "partner_id", "Hand-over cases", groups="kreancia_collect.kreancia_collect_group_agent"
    )
    dunning_case_count = fields.Integer("Hand-over case count", compute="_compute_dunning_case_count")

    def _compute_dunning_case_count(self):
        # a count only, shown to collection users: invoicing users without access to cases see 0, not an error
        cases = self.env["kreancia.case"]
        if not cases.has_access("read"):
            self.dunning_case_count = 0
            return
        counts = dict(cases._read_group([("partner_id", "in", self.ids)], ["partner_id"], ["__count"]))
        for partner in self:
            partner.dunning_case_count = counts.get(partner._origin, 0)

    def _dunning_case_terms(self):
        """The terms a case handed over to this receiving party starts with (its role, mandate, commission)."""
        return {
            "party_role": self.dunning_case_role or "agency",
            "mandate_ref": self.dunning_mandate_ref,
            "commission_rate": self.dunning_commission_rate,
        }

    def action_dunning_cases(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("kreancia_collect.kreancia_case_action")
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.commercial_partner_id.id}
        return action

    def action_dunning_hand_over(self):
        """Open a hand-over case for the customer's open invoices."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("kreancia_collect.kreancia_case_create_action")
        action["context"] = {"active_model": "res.partner", "active_ids": self.ids, "active_id": self.id}
        return action

    def action_dunning_order_for_payment(self):
        """The customer's open hand-over case, where the order for payment is requested; without one, the hand-over
        wizard that opens it (``kreancia_case_order_payment.py``)."""
        self.ensure_one()
        cases = self.env["kreancia.case"].search(
            [("partner_id", "=", self.commercial_partner_id.id), ("state", "!=", "closed")]
        )
        if not cases:
            return self.action_dunning_hand_over()
        action = self.action_dunning_cases()
        if len(cases) == 1:
            action.update({"view_mode": "form", "views": [(False, "form")], "res_id": cases.id})
        return action
