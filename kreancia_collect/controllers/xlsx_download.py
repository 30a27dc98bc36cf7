from werkzeug.exceptions import Forbidden, NotFound

from odoo import http
from odoo.http import content_disposition, request

from ..models.kreancia_case_file import _slug
from ..reports.kreancia_xlsx_export import EXPORTS, XLSX_MIMETYPE


class KreanciaDownload(http.Controller):
    """Files built when the browser asks for them and streamed, never stored as attachments.

    The records are read as the logged-in user, in the companies the web
    client had selected when the button was clicked (``companies``): the
    ORM refuses a record or a company the user may not see (403), an
    unknown one is a 404. As Odoo's ``web/controllers/export.py`` does.
    """

    @staticmethod
    def _env(companies):
        company_ids = [int(company_id) for company_id in (companies or "").split(",") if company_id.isdigit()]
        if not company_ids:
            return request.env
        return request.env(context=dict(request.env.context, allowed_company_ids=company_ids))

    @staticmethod
    def _file_response(filename, raw, mimetype):
        return request.make_response(
            raw,
            headers=[
                ("Content-Type", mimetype),
                ("Content-Length", len(raw)),
                ("Content-Disposition", content_disposition(filename)),
            ],
        )

    @http.route("/kreancia_collect/xlsx/<string:kind>/<int:record_id>", type="http", auth="user", methods=["GET"])
    def kreancia_xlsx(self, kind, record_id, companies=None):
        env = self._env(companies)
        record = env[EXPORTS[kind]].browse(record_id).exists() if kind in EXPORTS else None
        if not record:
            raise NotFound()
        if record._transient and record.create_uid != env.user:
            raise Forbidden()  # a wizard is its creator's
        filename, raw = env["kreancia.xlsx.export"]._file(kind, record)
        return self._file_response(filename, raw, XLSX_MIMETYPE)

    @http.route("/kreancia_collect/case_file/<int:case_id>", type="http", auth="user", methods=["GET"])
    def kreancia_case_file(self, case_id, companies=None):
        case = self._env(companies)["kreancia.case"].browse(case_id).exists()
        if not case:
            raise NotFound()
        case.check_access("read")
        return self._file_response(f"{_slug(case.name)}.zip", case._case_files()[case.id], "application/zip")
