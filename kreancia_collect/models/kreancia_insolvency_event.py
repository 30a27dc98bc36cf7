from odoo import fields, models

from .kreancia_insolvency import PROCEDURE_KINDS

EVENTS = [
    ("opening", "Opening judgment"),
    ("plan", "Plan adopted"),
    ("conversion", "Conversion to liquidation"),
    ("closure_insufficient", "Closure for insufficient assets"),
    ("closure_paid", "Closure, liabilities paid"),
    ("other", "Other judgment"),
]


class KreanciaInsolvencyEvent(models.Model):
    """A BODACC announcement read for a watched customer: what was seen, so that it is applied once."""

    _name = "kreancia.insolvency.event"
    _description = "BODACC Notice"
    _order = "publication_date, id"
    _check_company_auto = True

    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    announcement_id = fields.Char("BODACC announcement", required=True, readonly=True)
    partner_id = fields.Many2one("res.partner", "Customer", required=True, index=True, readonly=True)
    insolvency_id = fields.Many2one(
        "kreancia.insolvency", "Procedure", index=True, readonly=True, ondelete="cascade", check_company=True
    )
    publication_date = fields.Date("Published on", readonly=True)
    judgment_date = fields.Date("Judgment of", readonly=True)
    kind = fields.Selection(PROCEDURE_KINDS, "Kind of procedure", readonly=True)
    event = fields.Selection(EVENTS, "Judgment", readonly=True)
    court = fields.Char(readonly=True)
    representative = fields.Char(readonly=True)
    text = fields.Text("Notice", readonly=True)

    _announcement_company_uniq = models.Constraint(
        "unique(announcement_id, partner_id, company_id)",
        "This BODACC announcement was already recorded for this customer.",
    )
