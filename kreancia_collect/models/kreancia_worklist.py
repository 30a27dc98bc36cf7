from odoo import fields, models, tools
from odoo.tools import SQL


class KreanciaWorklist(models.Model):
    """ "My calls": open phone-call tasks on customers, ranked by priority.

    Call steps of the daily run, callbacks and broken commitments all leave a
    phone-call activity; this view ranks them by what is at stake: amount
    overdue (one point per 1,000), days late, broken commitments (30 points
    each) and payer segment (bad debtor 20, normal 5).
    """

    _name = "kreancia.worklist"
    _description = "Collection Call List"
    _auto = False
    _order = "priority desc, date_deadline, id"

    activity_id = fields.Many2one("mail.activity", readonly=True)
    user_id = fields.Many2one("res.users", "Agent", readonly=True)
    partner_id = fields.Many2one("res.partner", "Customer", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    summary = fields.Char(readonly=True)
    date_deadline = fields.Date("Due", readonly=True)
    amount_overdue = fields.Monetary(readonly=True)
    days_late = fields.Integer(readonly=True)
    broken_count = fields.Integer("Broken commitments", readonly=True)
    priority = fields.Float(readonly=True, digits=(16, 1))

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
            CREATE VIEW %(table)s AS (
                WITH overdue AS (
                    SELECT commercial_partner_id AS partner_id, company_id,
                           SUM(amount_residual_signed) AS amount,
                           MAX(CURRENT_DATE - invoice_date_due) AS days_late
                      FROM account_move
                     WHERE move_type = 'out_invoice' AND state = 'posted'
                       AND payment_state IN ('not_paid', 'partial') AND invoice_date_due < CURRENT_DATE
                  GROUP BY commercial_partner_id, company_id
                ), broken AS (
                    SELECT partner_id, company_id, COUNT(*) AS broken
                      FROM kreancia_commitment WHERE state = 'broken'
                  GROUP BY partner_id, company_id
                )
                SELECT a.id, a.id AS activity_id, a.user_id, a.res_id AS partner_id, u.company_id,
                       a.summary, a.date_deadline,
                       COALESCE(o.amount, 0) AS amount_overdue,
                       COALESCE(o.days_late, 0) AS days_late,
                       COALESCE(b.broken, 0) AS broken_count,
                       COALESCE(o.amount, 0) / 1000.0 + COALESCE(o.days_late, 0) + 30 * COALESCE(b.broken, 0)
                       + CASE p.trust ->> u.company_id::text WHEN 'bad' THEN 20 WHEN 'normal' THEN 5 ELSE 0 END
                         AS priority
                  FROM mail_activity a
                  JOIN mail_activity_type t ON t.id = a.activity_type_id AND t.category = 'phonecall'
                  JOIN res_partner p ON p.id = a.res_id
                  JOIN res_users u ON u.id = a.user_id
             LEFT JOIN overdue o ON o.partner_id = a.res_id AND o.company_id = u.company_id
             LEFT JOIN broken b ON b.partner_id = a.res_id AND b.company_id = u.company_id
                 WHERE a.res_model = 'res.partner' AND a.active
            )
                """,
                table=SQL.identifier(self._table),
            )
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
