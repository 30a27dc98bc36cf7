from odoo import api, models


class ReportKreanciaCaseDocuments(models.AbstractModel):
    """The cover sheets and histories of a batch of cases, as one document (one wkhtmltopdf call)."""

    _name = "report.kreancia_collect.report_case_documents"
    _description = "Hand-over case documents"

    @api.model
    def _get_report_values(self, docids, data=None):
        ids = (data or {}).get("case_ids") or docids or []
        return {"docs": self.env["kreancia.case"].browse(ids), "doc_model": "kreancia.case"}
