from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_date

from ..tools.xlsx import Book, Column, excel_date_format

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# the exports by the name in their download's URL, and the model of the record each one exports
EXPORTS = {
    "aged_balance": "kreancia.aged.balance.wizard",
    "kpi": "kreancia.collection.overview",
    "account": "res.partner",
}


class KreanciaXlsxExport(models.AbstractModel):
    """XLSX exports of the figures: aged balance, KPIs and a customer's account.

    Each ``*_xlsx`` method returns the file's bytes. A button returns
    ``_download``'s action: the browser then asks the file of
    ``controllers/xlsx_download.py``, built at that moment and streamed,
    never stored, so nothing piles up on the record at each click. Labels
    follow the user's language, dates its date format; amounts are numbers
    in the company's currency, totals ``SUM`` formulas.
    """

    _name = "kreancia.xlsx.export"
    _description = "Collection XLSX Exports"

    @api.model
    def _book(self, company):
        lang = self.env["res.lang"]._get_data(code=self.env.lang or "en_US")
        return Book(excel_date_format(lang.date_format or "%Y-%m-%d"), company.currency_id.symbol or "")

    @api.model
    def _header(self, title, company, as_of, filters=None):
        lines = [
            title,
            company.name,
            self.env._("As of %(date)s", date=format_date(self.env, as_of)),
            self.env._("Currency: %(currency)s", currency=company.currency_id.name),
        ]
        if filters:
            lines.append(filters)
        return lines

    @api.model
    def _download(self, kind, record):
        """The action downloading the export ``kind`` (a key of ``EXPORTS``) of ``record``.

        What would refuse the export is checked now, so the user reads it in
        a dialog and not on an error page. The URL carries the companies
        selected in the web client, as the button saw them.
        """
        record.ensure_one()
        record.check_access("read")
        if kind == "aged_balance":
            report = record._checked().with_context(kreancia_as_of=fields.Date.to_string(record.as_of))
            if not report.search_count(record._domain(), limit=1):
                raise UserError(self.env._("No open item matches these filters at this date."))
        companies = ",".join(str(company_id) for company_id in self.env.companies.ids)
        return {
            "type": "ir.actions.act_url",
            "url": f"/kreancia_collect/xlsx/{kind}/{record.id}?companies={companies}",
            "target": "self",
        }

    @api.model
    def _file(self, kind, record):
        """``(file name, XLSX bytes)`` of the export ``kind`` of ``record``, read as the current user."""
        record.check_access("read")
        if kind == "aged_balance":
            return f"aged_balance_{fields.Date.to_string(record.as_of)}.xlsx", self.aged_balance_xlsx(record)
        if kind == "kpi":
            return f"collection_kpis_{fields.Date.to_string(record.as_of)}.xlsx", self.kpi_xlsx(record)
        partner = record.commercial_partner_id
        return f"account_{partner.id}.xlsx", self.customer_account_xlsx(partner)

    # ------------------------------------------------------------------
    # Aged balance
    # ------------------------------------------------------------------
    @api.model
    def aged_balance_xlsx(self, wizard):
        """The aged balance chosen in ``wizard``: one sheet per company, one line per customer."""
        wizard._checked()
        as_of = fields.Date.to_string(wizard.as_of)
        result = self.env["kreancia.aged.balance"].aged_balance(
            as_of, domain=wizard._domain(), company_ids=wizard.company_ids.ids, group_by=("partner_id",)
        )
        if not any(balance.lines for balance in result.values()):
            raise UserError(self.env._("No open item matches these filters at this date."))
        partners = self.env["res.partner"].browse({key[0] for b in result.values() for key in b.lines if key[0]})
        names = {partner.id: partner for partner in partners}
        book = None
        for company in wizard.company_ids:
            balance = result[company.id]
            book = book or self._book(company)
            bucket_names = self.env["kreancia.aging.bucket"]._company_buckets(company).sorted("sequence").mapped("name")
            columns = [
                Column(self.env._("Customer"), "text", 34),
                Column(self.env._("Collector"), "text", 20),
                Column(self.env._("Payer segment"), "text", 14),
                *(Column(name, "amount", 14) for name in bucket_names),
                Column(self.env._("Open invoices"), "amount", 15),
                Column(self.env._("Share in %(bucket)s", bucket=bucket_names[-1]), "percent", 12),
                Column(self.env._("Credit notes"), "amount", 14),
                Column(self.env._("Unallocated payments"), "amount", 14),
                Column(self.env._("Balance"), "amount", 15),
            ]
            trusts = dict(self.env["res.partner"]._fields["trust"]._description_selection(self.env))
            rows = []
            for key, line in sorted(balance.lines.items(), key=lambda item: names.get(item[0][0]).name or ""):
                partner = names.get(key[0]).with_company(company)
                rows.append(
                    [
                        partner.display_name,
                        partner.dunning_collector_id.name or "",
                        trusts.get(partner.trust, ""),
                        *line.buckets,
                        line.invoiced,
                        line.share_oldest,
                        line.credit_notes,
                        line.payments,
                        line.net,
                    ]
                )
            book.table(
                company.name,
                self._header(self.env._("Aged balance"), company, wizard.as_of, wizard._filters_text()),
                columns,
                rows,
                total_label=self.env._("Total"),
            )
        return book.close()

    # ------------------------------------------------------------------
    # KPIs
    # ------------------------------------------------------------------
    @api.model
    def kpi_xlsx(self, overview):
        """Every KPI of ``overview``: DSO and CEI by month, steps, promises, calls, forecast."""
        figures = overview._figures()
        company = overview.company_id
        book = self._book(company)
        header = lambda title: self._header(title, company, overview.as_of)  # noqa: E731
        book.table(
            self.env._("DSO and CEI"),
            header(self.env._("DSO and CEI by month")),
            [
                Column(self.env._("Month"), "date", 12),
                Column(self.env._("Sales"), "amount", 15),
                Column(self.env._("Receivable"), "amount", 15),
                Column(self.env._("Not yet due"), "amount", 15),
                Column(self.env._("DSO"), "float", 10),
                Column(self.env._("Best possible DSO"), "float", 12),
                Column(self.env._("Average days delinquent"), "float", 12),
                Column(self.env._("CEI"), "percent", 10),
            ],
            [
                [
                    row["month_end"],
                    row["sales"],
                    row["receivable"],
                    row["current"],
                    row["dso"],
                    row["best_dso"],
                    row["add"],
                    row["cei"] / 100 if row["cei"] is not None else None,
                ]
                for row in figures["monthly"]["months"]
            ],
        )
        steps = self.env["kreancia.scenario.step"].browse([row["step_id"] for row in figures["steps"]])
        brands = self.env["kreancia.brand"].browse(
            [row["brand_id"] for row in figures["steps"] + figures["promises"] if row["brand_id"]]
        )
        channels = dict(self.env["kreancia.intervention"]._fields["channel"]._description_selection(self.env))
        step_columns = [
            Column(self.env._("Scenario"), "text", 22),
            Column(self.env._("Step"), "text", 22),
            Column(self.env._("Channel"), "text", 14),
            Column(self.env._("Brand"), "text", 18),
            Column(self.env._("Invoices"), "int", 10),
            Column(self.env._("Amount"), "amount", 14),
        ]
        for window in (7, 14, 30):
            step_columns += [
                Column(self.env._("Paid within %(days)s days", days=window), "percent", 12),
                Column(self.env._("Amount paid within %(days)s days", days=window), "percent", 12),
            ]
        step_rows = []
        for row in figures["steps"]:
            step = steps.filtered(lambda s, row=row: s.id == row["step_id"])
            brand = brands.filtered(lambda b, row=row: b.id == row["brand_id"])
            shares = [share for window in (7, 14, 30) for share in row[window]]
            step_rows.append(
                [step.scenario_id.name or "", step.name or "", channels.get(row["channel"], ""), brand.name or "",
                 row["count"], row["amount"], *shares]
            )  # fmt: skip
        book.table(
            self.env._("Steps"),
            header(self.env._("Effectiveness of the steps")),
            step_columns,
            step_rows,
            self.env._("Total"),
        )
        users = self.env["res.users"].browse(overview._user_ids(figures))
        book.table(
            self.env._("Promises"),
            header(self.env._("Payment promises per agent and brand")),
            [
                Column(self.env._("Agent"), "text", 22),
                Column(self.env._("Brand"), "text", 18),
                Column(self.env._("Kept"), "int", 8),
                Column(self.env._("Broken"), "int", 8),
                Column(self.env._("Open"), "int", 8),
                Column(self.env._("Kept rate"), "percent", 10),
                Column(self.env._("Promised"), "amount", 14),
                Column(self.env._("Received"), "amount", 14),
            ],
            [
                [
                    users.filtered(lambda u, r=row: u.id == r["user_id"]).name or "",
                    brands.filtered(lambda b, r=row: b.id == r["brand_id"]).name or "",
                    row["kept"],
                    row["broken"],
                    row["open"],
                    row["kept_rate"],
                    row["promised"],
                    row["received"],
                ]
                for row in figures["promises"]
            ],
            self.env._("Total"),
        )
        outcomes = self.env["kreancia.call"]._fields["outcome"]._description_selection(self.env)
        book.table(
            self.env._("Calls"),
            header(self.env._("Calls per agent")),
            [Column(self.env._("Agent"), "text", 22), Column(self.env._("Calls"), "int", 8)]
            + [Column(label, "int", 10) for _value, label in outcomes]
            + [Column(self.env._("Collected on promises"), "amount", 14)],
            [
                [
                    users.filtered(lambda u, r=row: u.id == r["user_id"]).name or "",
                    row["calls"],
                    *(row["outcomes"].get(value, 0) for value, _label in outcomes),
                    row["collected"],
                ]
                for row in figures["calls"]
            ],
            self.env._("Total"),
        )
        book.table(
            self.env._("Forecast"),
            header(self.env._("Expected cash-in, 13 weeks")),
            [Column(self.env._("Week of"), "date", 12), Column(self.env._("Expected cash-in"), "amount", 16)],
            [[week["week_start"], week["amount"]] for week in figures["forecast"]["weeks"]],
            self.env._("Total"),
        )
        return book.close()

    # ------------------------------------------------------------------
    # A customer's account
    # ------------------------------------------------------------------
    @api.model
    def customer_account_xlsx(self, partner, as_of=None):
        """A customer's account: open items, interventions, calls and commitments."""
        partner = partner.commercial_partner_id
        company = self.env.company
        report = self.env["kreancia.aged.balance"]
        as_of = report._check_as_of(as_of)
        items = report.with_context(kreancia_as_of=fields.Date.to_string(as_of)).search(
            [("partner_id", "=", partner.id), ("company_id", "=", company.id)]
        )
        book = self._book(company)
        header = lambda title: [*self._header(title, company, as_of), partner.display_name]  # noqa: E731
        kinds = dict(report._fields["kind"]._description_selection(self.env))
        book.table(
            self.env._("Statement"),
            header(self.env._("Statement of account")),
            [
                Column(self.env._("Document"), "text", 18),
                Column(self.env._("Type"), "text", 16),
                Column(self.env._("Date"), "date", 12),
                Column(self.env._("Due date"), "date", 12),
                Column(self.env._("Days late"), "int", 10, total=False),
                Column(self.env._("Bucket"), "text", 10),
                Column(self.env._("Open amount"), "amount", 15),
            ],
            [
                [
                    item.move_name or "",
                    kinds.get(item.kind, ""),
                    item.date,
                    item.date_due,
                    max(item.days_late, 0) if item.kind == "invoice" else None,
                    item.bucket_id.name or "",
                    item.amount_residual,
                ]
                for item in items
            ],
            self.env._("Total"),
        )
        states = dict(self.env["kreancia.intervention"]._fields["state"]._description_selection(self.env))
        channels = dict(self.env["kreancia.intervention"]._fields["channel"]._description_selection(self.env))
        interventions = self.env["kreancia.intervention"].search(
            [("partner_id", "=", partner.id), ("company_id", "=", company.id)]
        )
        book.table(
            self.env._("Interventions"),
            header(self.env._("Reminders")),
            [
                Column(self.env._("Date"), "date", 12),
                Column(self.env._("Reference"), "text", 16),
                Column(self.env._("Step"), "text", 20),
                Column(self.env._("Channel"), "text", 14),
                Column(self.env._("State"), "text", 12),
                Column(self.env._("Amount claimed"), "amount", 15),
            ],
            [
                [
                    i.date,
                    i.name,
                    i.step_id.name or "",
                    channels.get(i.channel, ""),
                    states.get(i.state, ""),
                    i.amount_total,
                ]
                for i in interventions
            ],
        )
        outcomes = dict(self.env["kreancia.call"]._fields["outcome"]._description_selection(self.env))
        calls = self.env["kreancia.call"].search([("partner_id", "=", partner.id), ("company_id", "=", company.id)])
        book.table(
            self.env._("Calls"),
            header(self.env._("Calls")),
            [
                Column(self.env._("Date"), "date", 12),
                Column(self.env._("Agent"), "text", 20),
                Column(self.env._("Outcome"), "text", 16),
                Column(self.env._("Number"), "text", 16),
                Column(self.env._("Note"), "text", 40),
            ],
            [
                [c.date.date(), c.user_id.name, outcomes.get(c.outcome, ""), c.phone_e164 or c.phone, c.note or ""]
                for c in calls
            ],
        )
        commitment_states = dict(self.env["kreancia.commitment"]._fields["state"]._description_selection(self.env))
        commitments = self.env["kreancia.commitment"].search(
            [("partner_id", "=", partner.id), ("company_id", "=", company.id)]
        )
        book.table(
            self.env._("Commitments"),
            header(self.env._("Payment commitments")),
            [
                Column(self.env._("Promised on"), "date", 12),
                Column(self.env._("Next instalment"), "date", 14),
                Column(self.env._("State"), "text", 12),
                Column(self.env._("Amount promised"), "amount", 15),
                Column(self.env._("Paid since"), "amount", 15),
            ],
            [
                [c.create_date.date(), c.next_date, commitment_states.get(c.state, ""), c.amount_total, c.amount_paid]
                for c in commitments
            ],
            self.env._("Total"),
        )
        return book.close()
