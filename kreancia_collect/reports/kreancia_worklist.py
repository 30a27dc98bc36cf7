from odoo import api, fields, models, tools
from odoo.fields import Domain
from odoo.tools import SQL, format_date

from ..models.kreancia_call import OUTCOMES

# the list's order and filters travel with "Log a call" (static/src/js/kreancia_worklist_list.js)
QUEUE_LIMIT = 500


# the weights of a call's priority: the list's SQL, the field's help and the rank's explanation read them here
PRIORITY_WEIGHTS = {
    "amount": 1000.0,  # one point per this much overdue
    "days_late": 1,  # points per day late of the oldest overdue invoice
    "broken_commitment": 30,  # points per broken payment commitment
    "segment": {"bad": 20, "normal": 5},  # points per payer segment
}
PRIORITY_HELP = (
    f"Amount overdue (1 point per {PRIORITY_WEIGHTS['amount']:,.0f}) + oldest days late + "
    f"{PRIORITY_WEIGHTS['broken_commitment']} per broken commitment + payer segment "
    f"(bad debtor {PRIORITY_WEIGHTS['segment']['bad']}, normal {PRIORITY_WEIGHTS['segment']['normal']})."
)


class KreanciaWorklist(models.Model):
    """ "My calls": open phone-call tasks on customers, ranked by priority.

    Call steps of the daily run, callbacks and broken commitments all leave a
    phone-call activity; this view ranks them by what is at stake: amount
    overdue, days late, broken commitments and payer segment, weighed by
    ``PRIORITY_WEIGHTS`` (the field's help says how). Days late count to the
    context's ``kreancia_today``, today by default. Each row carries what
    the agent needs before dialling: the number and the contact to ask for,
    the oldest invoice, the last contact and its outcome, open commitments
    and disputes.
    """

    _name = "kreancia.worklist"
    _description = "Collection Call List"
    _auto = False
    _order = "priority desc, date_deadline, id"
    # what the view reads: flushed before any query on it
    _depends = {
        "mail.activity": ["active", "user_id", "res_id", "res_model", "summary", "date_deadline", "activity_type_id"],
        "account.move": [
            "amount_residual_signed",
            "payment_state",
            "state",
            "move_type",
            "invoice_date_due",
            "dunning_dispute",
            "commercial_partner_id",
            "company_id",
        ],
        "kreancia.commitment": ["state", "partner_id", "company_id"],
        "kreancia.call": ["date", "outcome", "partner_id", "company_id", "active"],
        "res.partner": [
            "name",
            "phone",
            "dunning_wrong_phone",
            "dunning_collector_id",
            "trust",
            "parent_id",
            "type",
            "active",
        ],
    }

    activity_id = fields.Many2one("mail.activity", readonly=True)
    user_id = fields.Many2one("res.users", "Agent", readonly=True)
    partner_id = fields.Many2one("res.partner", "Customer", readonly=True)
    collector_id = fields.Many2one("res.users", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    summary = fields.Char(readonly=True)
    date_deadline = fields.Date("Due", readonly=True)
    contact_id = fields.Many2one("res.partner", readonly=True)
    contact_name = fields.Char("Ask for", readonly=True, help="The customer's invoicing contact.")
    phone = fields.Char("Number to dial", readonly=True)
    phone_wrong = fields.Boolean("Wrong number", readonly=True, help="The last call found this number wrong.")
    amount_overdue = fields.Monetary(readonly=True)
    days_late = fields.Integer(readonly=True)
    oldest_move_id = fields.Many2one("account.move", "Oldest invoice", readonly=True)
    last_call_date = fields.Datetime("Last call on", readonly=True)
    last_outcome = fields.Selection(OUTCOMES, "Last outcome", readonly=True)
    open_commitment_count = fields.Integer("Open commitments", readonly=True)
    dispute_count = fields.Integer("Disputes", readonly=True, help="Overdue invoices in dispute.")
    broken_count = fields.Integer("Broken commitments", readonly=True)
    priority_amount = fields.Float("Points: amount", readonly=True, digits=(16, 1))
    priority_segment = fields.Integer("Points: segment", readonly=True)
    priority = fields.Float(
        readonly=True,
        digits=(16, 1),
        help=PRIORITY_HELP,
    )
    priority_explained = fields.Char("Why this rank", compute="_compute_priority_explained")
    last_contact = fields.Char(
        "Last contact", compute="_compute_last_contact", help="Date and outcome of the last call."
    )

    def init(self):
        # the rows are read through _table_query (the payer segment's default is read at query time)
        tools.drop_view_if_exists(self.env.cr, self._table)

    def _today(self):
        """The day the list counts days late to: context ``kreancia_today``, else today."""
        value = self.env.context.get("kreancia_today")
        return fields.Date.to_date(value) if value else fields.Date.context_today(self)

    @property
    def _table_query(self):
        weights = PRIORITY_WEIGHTS
        segment = self.env["res.partner"]._dunning_trust_sql("p", SQL("u.company_id"))
        segment_points = SQL(
            "CASE %s %s ELSE 0 END",
            segment,
            SQL(" ").join(SQL("WHEN %s THEN %s", trust, points) for trust, points in weights["segment"].items()),
        )
        return SQL(
            """
                WITH overdue AS (
                    SELECT commercial_partner_id AS partner_id, company_id,
                           SUM(amount_residual_signed) AS amount,
                           MAX(%(today)s::date - invoice_date_due) AS days_late,
                           COUNT(*) FILTER (WHERE dunning_dispute) AS disputes
                      FROM account_move
                     WHERE move_type = 'out_invoice' AND state = 'posted'
                       AND payment_state IN ('not_paid', 'partial') AND invoice_date_due < %(today)s
                  GROUP BY commercial_partner_id, company_id
                ), commitments AS (
                    SELECT partner_id, company_id,
                           COUNT(*) FILTER (WHERE state = 'broken') AS broken,
                           COUNT(*) FILTER (WHERE state = 'open') AS open
                      FROM kreancia_commitment
                  GROUP BY partner_id, company_id
                )
                SELECT a.id, a.id AS activity_id, a.user_id, a.res_id AS partner_id, u.company_id,
                       p.dunning_collector_id AS collector_id,
                       a.summary, a.date_deadline,
                       contact.id AS contact_id,
                       contact.name AS contact_name,
                       COALESCE(NULLIF(contact.phone, ''), p.phone) AS phone,
                       COALESCE(p.dunning_wrong_phone IN (contact.phone, p.phone), FALSE) AS phone_wrong,
                       COALESCE(o.amount, 0) AS amount_overdue,
                       COALESCE(o.days_late, 0) AS days_late,
                       oldest.id AS oldest_move_id,
                       last_call.date AS last_call_date,
                       last_call.outcome AS last_outcome,
                       COALESCE(c.open, 0) AS open_commitment_count,
                       COALESCE(o.disputes, 0) AS dispute_count,
                       COALESCE(c.broken, 0) AS broken_count,
                       COALESCE(o.amount, 0) / %(per_amount)s AS priority_amount,
                       %(segment_points)s AS priority_segment,
                       COALESCE(o.amount, 0) / %(per_amount)s + %(per_day)s * COALESCE(o.days_late, 0)
                       + %(per_broken)s * COALESCE(c.broken, 0) + %(segment_points)s AS priority
                  FROM mail_activity a
                  JOIN mail_activity_type t ON t.id = a.activity_type_id AND t.category = 'phonecall'
                  JOIN res_partner p ON p.id = a.res_id
                  JOIN res_users u ON u.id = a.user_id
             LEFT JOIN overdue o ON o.partner_id = a.res_id AND o.company_id = u.company_id
             LEFT JOIN commitments c ON c.partner_id = a.res_id AND c.company_id = u.company_id
             LEFT JOIN LATERAL (
                    SELECT ct.id, ct.name, ct.phone FROM res_partner ct
                     WHERE ct.parent_id = p.id AND ct.type = 'invoice' AND ct.active
                  ORDER BY (NULLIF(ct.phone, '') IS NULL), ct.id LIMIT 1
                   ) contact ON TRUE
             LEFT JOIN LATERAL (
                    SELECT m.id FROM account_move m
                     WHERE m.commercial_partner_id = p.id AND m.company_id = u.company_id
                       AND m.move_type = 'out_invoice' AND m.state = 'posted'
                       AND m.payment_state IN ('not_paid', 'partial') AND m.invoice_date_due < %(today)s
                  ORDER BY m.invoice_date_due, m.id LIMIT 1
                   ) oldest ON TRUE
             LEFT JOIN LATERAL (
                    SELECT k.date, k.outcome FROM kreancia_call k
                     WHERE k.partner_id = p.id AND k.company_id = u.company_id AND k.active
                  ORDER BY k.date DESC, k.id DESC LIMIT 1
                   ) last_call ON TRUE
                 WHERE a.res_model = 'res.partner' AND a.active
            """,
            segment_points=segment_points,
            today=self._today(),
            per_amount=weights["amount"],
            per_day=weights["days_late"],
            per_broken=weights["broken_commitment"],
        )

    @api.depends("priority")
    def _compute_priority_explained(self):
        names = {"bad": self.env._("bad debtor"), "normal": self.env._("normal debtor")}
        segments = {points: names.get(trust) for trust, points in PRIORITY_WEIGHTS["segment"].items()}
        for row in self:
            parts = [
                self.env._("amount %(points).1f", points=row.priority_amount),
                self.env._("days late %(days)s", days=row.days_late),
            ]
            if row.broken_count:
                parts.append(
                    self.env._(
                        "broken commitments %(points)s", points=PRIORITY_WEIGHTS["broken_commitment"] * row.broken_count
                    )
                )
            if row.priority_segment:
                parts.append(
                    self.env._(
                        "%(segment)s %(points)s",
                        segment=segments.get(row.priority_segment),
                        points=row.priority_segment,
                    )
                )
            row.priority_explained = " + ".join(parts)

    @api.depends("last_call_date", "last_outcome")
    def _compute_last_contact(self):
        outcomes = dict(self._fields["last_outcome"]._description_selection(self.env))
        for row in self:
            row.last_contact = (
                self.env._(
                    "%(date)s: %(outcome)s",
                    date=format_date(self.env, fields.Datetime.context_timestamp(row, row.last_call_date).date()),
                    outcome=outcomes.get(row.last_outcome),
                )
                if row.last_call_date
                else False
            )

    def action_open_customer(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "res.partner",
            "res_id": self.partner_id.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }

    def action_log_call(self):
        """Log a call on this row's customer; "Save and next" then walks the list in its order.

        The list sends its domain and order in the context (``kreancia_worklist_domain``,
        ``kreancia_worklist_order``); without them the agent's own tasks, most urgent first.
        """
        self.ensure_one()
        context = self.env.context
        domain = context.get("kreancia_worklist_domain")
        domain = Domain(domain) if domain is not None else Domain("user_id", "=", self.env.uid)
        order = context.get("kreancia_worklist_order") or self._order
        try:
            queue = self.search(domain, order=order, limit=QUEUE_LIMIT).ids
        except ValueError:  # an order the list may send but this model cannot sort by
            queue = self.search(domain, limit=QUEUE_LIMIT).ids
        if self.id not in queue:
            queue.insert(0, self.id)
        return self.env["kreancia.call.log"]._action_open(self.partner_id, self.activity_id, queue)
