from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from ..tools.scoring import suggest_trust

# who may read a customer's collection history (core's partner "Invoicing" tab shows to the same groups)
ACCOUNTING_READERS = "account.group_account_invoice,account.group_account_readonly"


class ResPartner(models.Model):
    _inherit = "res.partner"

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

    # ------------------------------------------------------------------
    # Payer segment: core's company-dependent ``trust``, its default applied
    # ------------------------------------------------------------------
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

    @api.constrains("dunning_pause_until", "dunning_pause_reason")
    def _check_dunning_pause(self):
        for partner in self:
            if partner.dunning_pause_until and not partner.dunning_pause_reason:
                raise ValidationError(
                    self.env._("Give a reason for pausing the dunning of %(partner)s.", partner=partner.display_name)
                )

    def action_dunning_interventions(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("kreancia_collect.kreancia_intervention_action")
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.commercial_partner_id.id}
        return action
