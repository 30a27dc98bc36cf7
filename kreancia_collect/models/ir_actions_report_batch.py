import io
import logging

from odoo import models

from odoo.addons.base.models.ir_actions_report import _wkhtml

from ..tools.pdf_batch import document_signature, merge_documents, split_documents

_logger = logging.getLogger(__name__)


class IrActionsReport(models.Model):
    _inherit = "ir.actions.report"

    def _kreancia_render_pdf_batch(self, report_ref, res_ids):
        """Render one PDF per record of ``res_ids`` with as few wkhtmltopdf processes as possible.

        With a wkhtmltopdf built on patched Qt, Odoo's own path converts the
        documents in one call. Without it (Debian's build), the documents are
        merged into one HTML document per language and layout, converted in
        one call and split per record (see ``tools/pdf_batch.py``); records
        whose split cannot be trusted are rendered one by one.

        :return: ``{res_id: {"stream": BytesIO, "pages": page count or None}}``
        """
        res_ids = list(res_ids)
        if len(res_ids) < 2 or _wkhtml().is_patched_qt:
            streams = self._render_qweb_pdf_prepare_streams(report_ref, {}, res_ids=res_ids)
            return {res_id: {"stream": streams[res_id]["stream"], "pages": None} for res_id in res_ids}
        report = self._get_report(report_ref)
        context = {"debug": False}
        data = {"report_type": "pdf", "debug": False}
        html = self.with_context(**context)._render_qweb_html(report_ref, res_ids, data=data)[0]
        bodies, html_ids, header, footer, paperformat_args = report.with_context(**context)._prepare_html(
            html, report_model=report.model
        )
        groups = {}
        if len(bodies) == len(res_ids) and html_ids == res_ids:
            for body, res_id in zip(bodies, res_ids, strict=True):
                groups.setdefault(document_signature(body), []).append((body, res_id))
        result = {}
        for documents in groups.values():
            keys = [res_id for _body, res_id in documents]
            pdf_content = self._run_wkhtmltopdf(
                [merge_documents(documents)],
                report_ref=report_ref,
                header=header,
                footer=footer,
                specific_paperformat_args=paperformat_args,
            )
            split = split_documents(pdf_content, keys)
            if split is None:
                _logger.warning("Could not split the merged PDF of %s documents: rendering them one by one", len(keys))
                continue
            for res_id, (content, pages) in split.items():
                result[res_id] = {"stream": io.BytesIO(content), "pages": pages}
        for res_id in res_ids:
            if res_id not in result:
                stream = self._render_qweb_pdf_prepare_streams(report_ref, {}, res_ids=[res_id])[res_id]["stream"]
                result[res_id] = {"stream": stream, "pages": None}
        return result
