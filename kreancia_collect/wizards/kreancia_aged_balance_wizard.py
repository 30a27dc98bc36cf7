from odoo import fields, models
from odoo.exceptions import UserError

from ..models.account_move import DUNNING_STATES
from ..reports.kreancia_aged_balance import TRUST_SELECTION


class KreanciaAgedBalanceWizard(models.TransientModel):
    """Choose the date and the filters of the aged balance, then show or export it."""

    _name = "kreancia.aged.balance.wizard"
    _description = "Aged Balance Options"

    as_of = fields.Date("As of", required=True, default=fields.Date.context_today)
    company_ids = fields.Many2many(
        "res.company", string="Companies", required=True, default=lambda self: self.env.companies
    )
    partner_ids = fields.Many2many("res.partner", string="Customers")
    collector_ids = fields.Many2many("res.users", string="Collectors")
    trust = fields.Selection(TRUST_SELECTION, "Payer segment")
    scenario_ids = fields.Many2many("kreancia.scenario", string="Scenarios")
    step_ids = fields.Many2many("kreancia.scenario.step", string="Current steps")
    dunning_state = fields.Selection(DUNNING_STATES, "Dunning state")
    currency_ids = fields.Many2many("res.currency", string="Currencies", help="Items in these currencies only.")

    def _domain(self):
        """Domain on ``kreancia.aged.balance`` from the filters chosen."""
        self.ensure_one()
        domain = [("company_id", "in", self.company_ids.ids)]
        if self.partner_ids:
            domain.append(("partner_id", "in", self.partner_ids.commercial_partner_id.ids))
        if self.collector_ids:
            domain.append(("collector_id", "in", self.collector_ids.ids))
        if self.trust:
            domain.append(("trust", "=", self.trust))
        if self.scenario_ids:
            domain.append(("scenario_id", "in", self.scenario_ids.ids))
        if self.step_ids:
            domain.append(("step_id", "in", self.step_ids.ids))
        if self.dunning_state:
            domain.append(("dunning_state", "=", self.dunning_state))
        if self.currency_ids:
            domain.append(("move_currency_id", "in", self.currency_ids.ids))
        return domain

    def _filters_text(self):
        """The filters in words, for a report's header."""
        self.ensure_one()
        parts = [self.env._("Companies: %(names)s", names=", ".join(self.company_ids.mapped("name")))]
        for label, records in (
            (self.env._("Customers"), self.partner_ids),
            (self.env._("Collectors"), self.collector_ids),
            (self.env._("Scenarios"), self.scenario_ids),
            (self.env._("Current steps"), self.step_ids),
            (self.env._("Currencies"), self.currency_ids),
        ):
            if records:
                parts.append(f"{label}: {', '.join(records.mapped('display_name'))}")
        selections = (("trust", self.env._("Payer segment")), ("dunning_state", self.env._("Dunning state")))
        for name, label in selections:
            if self[name]:
                value = dict(self._fields[name]._description_selection(self.env))[self[name]]
                parts.append(f"{label}: {value}")
        return "; ".join(parts)

    def _checked(self):
        """Refuse a future date, no company or a company the user may not see."""
        self.ensure_one()
        report = self.env["kreancia.aged.balance"]
        report._check_as_of(self.as_of)
        report._check_companies(self.company_ids.ids)
        return report.with_companies(self.company_ids)

    def action_show(self):
        self.ensure_one()
        report = self._checked()
        if not report.with_context(kreancia_as_of=fields.Date.to_string(self.as_of)).search_count(
            self._domain(), limit=1
        ):
            raise UserError(self.env._("No open item matches these filters at this date."))
        return report.action_open(self.as_of, self._domain())

    def action_export_xlsx(self):
        self.ensure_one()
        return self.env["kreancia.xlsx.export"]._download("aged_balance", self)
