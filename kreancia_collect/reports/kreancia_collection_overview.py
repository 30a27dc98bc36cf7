import copy
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import format_date, formatLang, get_lang
from odoo.tools.misc import babel_locale_parse

from ..tools.limitation import WATCH_DAYS

CHANNEL_STATES = ("channel", "state")


class KreanciaCollectionOverview(models.TransientModel):
    """The manager's collection overview at a date: each figure opens its records."""

    _name = "kreancia.collection.overview"
    _description = "Collection Overview"

    as_of = fields.Date("As of", required=True, default=fields.Date.context_today)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    currency_id = fields.Many2one(related="company_id.currency_id")
    aged_html = fields.Html("Aged balance", compute="_compute_figures", sanitize=False)
    dso_html = fields.Html("DSO", compute="_compute_figures", sanitize=False)
    effectiveness_html = fields.Html("Steps", compute="_compute_figures", sanitize=False)
    forecast_html = fields.Html("Forecast", compute="_compute_figures", sanitize=False)
    promised_this_month = fields.Monetary(compute="_compute_counts")
    to_validate_count = fields.Integer("Awaiting validation", compute="_compute_counts")
    to_send_count = fields.Integer("Letters to send", compute="_compute_counts")
    intervention_count = fields.Integer("Interventions this month", compute="_compute_counts")
    limitation_count = fields.Integer("Time-barred within 90 days", compute="_compute_limitation")
    limitation_amount = fields.Monetary("Amount time-barred within 90 days", compute="_compute_limitation")

    @api.depends("as_of")
    def _compute_display_name(self):
        for overview in self:
            overview.display_name = self.env._("Collection Overview")

    @api.depends("as_of", "company_id")
    def _compute_counts(self):
        Intervention = self.env["kreancia.intervention"]
        for overview in self:
            start = overview.as_of.replace(day=1)
            company = [("company_id", "=", overview.company_id.id)]
            overview.to_validate_count = Intervention.search_count([*company, ("state", "=", "to_validate")])
            overview.to_send_count = Intervention.search_count([*company, ("state", "=", "to_send")])
            overview.intervention_count = Intervention.search_count(
                [*company, ("date", ">=", start), ("date", "<=", overview.as_of)]
            )
            lines = self.env["kreancia.commitment.line"].search_fetch(
                [*company, ("date", ">=", start), ("date", "<=", fields.Date.end_of(overview.as_of, "month"))],
                ["amount"],
            )
            overview.promised_this_month = sum(lines.mapped("amount"))

    @api.depends("as_of", "company_id")
    def _compute_limitation(self):
        for overview in self:
            [(count, amount)] = self.env["account.move"]._read_group(
                overview._limitation_domain(), aggregates=["__count", "amount_residual_signed:sum"]
            )
            overview.limitation_count = count
            overview.limitation_amount = amount

    def _limitation_domain(self):
        """Open invoices whose last day to claim falls within ``WATCH_DAYS`` days of the overview's date."""
        self.ensure_one()
        return [
            ("company_id", "=", self.company_id.id),
            ("move_type", "=", "out_invoice"),
            ("state", "=", "posted"),
            ("payment_state", "in", ("not_paid", "partial")),
            ("dunning_limitation_date", ">=", self.as_of),
            ("dunning_limitation_date", "<=", self.as_of + timedelta(days=WATCH_DAYS)),
        ]

    @api.depends("as_of", "company_id")
    def _compute_figures(self):
        for overview in self:
            overview.update(overview._figures_html())

    def _figures(self):
        """Every figure of the overview as plain data (also what the XLSX export writes)."""
        self.ensure_one()
        kpi = self.env["kreancia.kpi"]
        as_of = fields.Date.to_string(self.as_of)
        company_id = self.company_id.id
        aged = self.env["kreancia.aged.balance"].aged_balance(as_of, company_ids=[company_id], group_by=())
        return {
            "aged": aged[company_id],
            "buckets": self.env["kreancia.aging.bucket"]._company_buckets(self.company_id).sorted("sequence"),
            "monthly": kpi.monthly_figures(as_of, company_id=company_id),
            "steps": kpi.step_effectiveness(date_to=as_of, company_id=company_id),
            "promises": kpi.promise_figures(date_to=as_of, company_id=company_id),
            "calls": kpi.call_outcomes(date_to=as_of, company_id=company_id),
            "forecast": kpi.expected_collection(as_of, company_id=company_id),
        }

    def _figures_html(self):
        figures = self._figures()
        values = {
            **figures,
            "currency": self.currency_id,
            "env": self.env,
            "users": {user.id: user for user in self.env["res.users"].browse(self._user_ids(figures)).exists()},
            "steps_by_id": {step.id: step for step in self.env["kreancia.scenario.step"].browse(
                [row["step_id"] for row in figures["steps"]]).exists()},
            "brands": {b.id: b for b in self.env["kreancia.brand"].browse(
                [row["brand_id"] for row in figures["steps"] + figures["promises"] if row["brand_id"]]).exists()},
            "channels": dict(self.env["kreancia.intervention"]._fields["channel"]._description_selection(self.env)),
            "outcomes": dict(self.env["kreancia.call"]._fields["outcome"]._description_selection(self.env)),
            "number": lambda value, digits=2: formatLang(self.env, value, digits=digits),
            "percent": self._format_percent,
            "shares": self._format_shares,
            "month": lambda day: format_date(self.env, day, date_format="LLLL yyyy"),
        }  # fmt: skip
        render = self.env["ir.qweb"]._render
        return {
            "aged_html": render("kreancia_collect.overview_aged", values),
            "dso_html": render("kreancia_collect.overview_dso", values),
            "effectiveness_html": render("kreancia_collect.overview_effectiveness", values),
            "forecast_html": render("kreancia_collect.overview_forecast", values),
        }

    def _format_percent(self, share, digits=1):
        """``share`` (0 to 1) as a percentage in the user's language: "39.4%" in English, "39,4 %" in French."""
        locale = babel_locale_parse(get_lang(self.env).code)
        pattern = copy.copy(locale.percent_formats[None])
        pattern.frac_prec = (digits, digits)
        return pattern.apply(share, locale)

    def _format_shares(self, shares):
        """A step's ``(share of invoices, share of amount)`` paid within a window, in words."""
        return self.env._(
            "%(invoices)s (%(amount)s of the amount)",
            invoices=self._format_percent(shares[0], 0),
            amount=self._format_percent(shares[1], 0),
        )

    @staticmethod
    def _user_ids(figures):
        return [row["user_id"] for row in figures["promises"] + figures["calls"] if row["user_id"]]

    # ------------------------------------------------------------------
    # Actions: each figure opens its records
    # ------------------------------------------------------------------
    def action_refresh(self):
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "current",
        }

    def action_open_aged(self):
        self.ensure_one()
        return (
            self.env["kreancia.aged.balance"]
            .with_context(allowed_company_ids=self.company_id.ids)
            .action_open(self.as_of)
        )

    def _intervention_action(self, xmlid, domain=None, context=None):
        action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
        if domain is not None:
            action["domain"] = domain
        if context:
            action["context"] = context
        return action

    def action_open_to_validate(self):
        return self._intervention_action("kreancia_collect.kreancia_intervention_action_to_validate")

    def action_open_to_send(self):
        return self._intervention_action("kreancia_collect.kreancia_intervention_action_to_send")

    def action_open_interventions(self):
        self.ensure_one()
        action = self._intervention_action(
            "kreancia_collect.kreancia_intervention_action",
            [("company_id", "=", self.company_id.id), ("date", ">=", self.as_of.replace(day=1)),
             ("date", "<=", self.as_of)],
            {"group_by": ["channel", "state"]},
        )  # fmt: skip
        action["view_mode"] = "list,form"
        return action

    def action_open_promised(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("kreancia_collect.kreancia_commitment_action")
        action["domain"] = [
            ("company_id", "=", self.company_id.id),
            ("line_ids.date", ">=", self.as_of.replace(day=1)),
            ("line_ids.date", "<=", fields.Date.end_of(self.as_of, "month")),
        ]
        return action

    def action_open_limitation(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("kreancia_collect.account_move_action_overdue")
        action["domain"] = self._limitation_domain()
        action["context"] = {"create": False}
        return action

    def action_export_xlsx(self):
        self.ensure_one()
        return self.env["kreancia.xlsx.export"]._download("kpi", self)
