from odoo import fields, models

DEBTOR_ACTIONS = [
    ("view", "Opened the page"),
    ("download", "Downloaded a document"),
    ("payment", "Started an online payment"),
    ("plan", "Proposed a payment plan"),
    ("dispute", "Disputed an invoice"),
    ("declared_payment", "Declared a payment"),
    ("callback", "Asked to be called back"),
]


class KreanciaDebtorAction(models.Model):
    """What a debtor did on the collection page: the evidence trail of the debtor's side.

    One row per request, with the link used and the IP address; written by
    the page only (no one edits it).
    """

    _name = "kreancia.debtor.action"
    _description = "Debtor Page Action"
    _order = "date desc, id desc"
    _check_company_auto = True

    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now, index=True)
    link_id = fields.Many2one("kreancia.debtor.link", "Link used", required=True, readonly=True, index=True)
    company_id = fields.Many2one(related="link_id.company_id", store=True, index=True)
    partner_id = fields.Many2one(related="link_id.partner_id", store=True, index=True, string="Customer")
    action = fields.Selection(DEBTOR_ACTIONS, required=True, readonly=True)
    ip_address = fields.Char("IP address", readonly=True)
    move_ids = fields.Many2many("account.move", string="Invoices", readonly=True)
    description = fields.Text(readonly=True)
    amount = fields.Monetary(readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    attachment_ids = fields.Many2many("ir.attachment", string="Documents sent", readonly=True)
    proposal_id = fields.Many2one("kreancia.plan.proposal", readonly=True, ondelete="set null")
    commitment_id = fields.Many2one("kreancia.commitment", readonly=True, ondelete="set null")
    activity_id = fields.Many2one("mail.activity", "Task", readonly=True, ondelete="set null")
