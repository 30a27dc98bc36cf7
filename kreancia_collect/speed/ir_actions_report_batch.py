import io
import logging
import os
import tempfile
from concurrent.futures import ThreadPoolExecutor

from odoo import models
from odoo.exceptions import UserError

from odoo.addons.base.models.ir_actions_report import _run_wkhtmltopdf, _wkhtml

from .pdf_batch import document_signature, merge_documents, split_documents

_logger = logging.getLogger(__name__)

CHUNK_SIZE = 100  # documents per wkhtmltopdf process: each loads the report assets once
PROCESSES = 2  # wkhtmltopdf processes at once, while Odoo renders the next chunk's HTML


def _convert(command_args, html, header, footer):
    """Run wkhtmltopdf on one HTML document (a worker thread: no ORM here).

    :return: ``(pdf bytes, None)`` or ``(None, error message)``
    """
    paths = []
    try:
        files_args = []
        for option, content in (("--header-html", header), ("--footer-html", footer), (None, html)):
            if not content:
                continue
            fd, path = tempfile.mkstemp(suffix=".html", prefix="kreancia.letters.")
            paths.append(path)
            with os.fdopen(fd, "wb") as file:
                file.write(content.encode())
            files_args += [option, path] if option else [path]
        fd, pdf_path = tempfile.mkstemp(suffix=".pdf", prefix="kreancia.letters.")
        os.close(fd)
        paths.append(pdf_path)
        process = _run_wkhtmltopdf(command_args + files_args + [pdf_path])
        if process.returncode not in (0, 1):  # 1: warnings, e.g. headers unsupported without patched Qt
            return None, f"wkhtmltopdf failed (error code {process.returncode}): {process.stderr[-1000:]}"
        with open(pdf_path, "rb") as pdf:
            return pdf.read(), None
    finally:
        for path in paths:
            try:
                os.unlink(path)
            except OSError:
                _logger.warning("Could not remove %s", path)


class IrActionsReport(models.Model):
    _inherit = "ir.actions.report"

    def _kreancia_render_pdf_batch(self, report_ref, res_ids):
        """Render one PDF per record of ``res_ids`` with as few wkhtmltopdf processes as possible.

        With a wkhtmltopdf built on patched Qt, Odoo's own path converts the
        documents in one call. Without it (Debian's build), the documents are
        merged, by chunks, into one HTML document per language and layout,
        converted in one call each (two at a time, while the next chunk is
        rendered) and split per record (see ``pdf_batch.py``); records
        whose split cannot be trusted are rendered one by one by Odoo.

        :return: ``{res_id: {"stream": BytesIO, "pages": page count or None}}``
        """
        res_ids = list(res_ids)
        if len(res_ids) < 2 or _wkhtml().is_patched_qt:
            return self._kreancia_render_pdf_one_by_one(report_ref, res_ids)
        report = self._get_report(report_ref)
        command_args = None
        result = {}
        with ThreadPoolExecutor(max_workers=PROCESSES) as executor:
            jobs = []
            for start in range(0, len(res_ids), CHUNK_SIZE):
                chunk = res_ids[start : start + CHUNK_SIZE]
                groups, header, footer, paperformat_args = self._kreancia_prepare_documents(report, report_ref, chunk)
                if command_args is None:
                    command_args = self._build_wkhtmltopdf_args(
                        report.get_paperformat(), False, specific_paperformat_args=paperformat_args
                    )
                for documents in groups:
                    html = merge_documents(documents)
                    keys = [res_id for _body, res_id in documents]
                    jobs.append((keys, executor.submit(_convert, command_args, html, header, footer)))
            for keys, job in jobs:
                content, error = job.result()
                if error:
                    raise UserError(error)
                split = split_documents(content, keys)
                if split is None:
                    _logger.warning("Could not split the PDF of %s merged documents: one by one", len(keys))
                    continue
                for res_id, (pdf, pages) in split.items():
                    result[res_id] = {"stream": io.BytesIO(pdf), "pages": pages}
        missing = [res_id for res_id in res_ids if res_id not in result]
        if missing:
            result.update(self._kreancia_render_pdf_one_by_one(report_ref, missing))
        return result

    def _kreancia_prepare_documents(self, report, report_ref, res_ids):
        """Render the HTML of ``res_ids`` and group their documents by what they must share to be merged.

        :return: ``(groups, header, footer, paperformat arguments)``, ``groups`` a list of ``[(html, res_id)]``;
            documents that cannot be told apart are left out (rendered one by one later)
        """
        context = {"debug": False}
        html = self.with_context(**context)._render_qweb_html(
            report_ref, res_ids, data={"report_type": "pdf", "debug": False}
        )[0]
        bodies, html_ids, header, footer, paperformat_args = report.with_context(**context)._prepare_html(
            html, report_model=report.model
        )
        groups = {}
        if html_ids == res_ids:
            for body, res_id in zip(bodies, res_ids, strict=True):
                groups.setdefault(document_signature(body), []).append((body, res_id))
        return list(groups.values()), header, footer, paperformat_args

    def _kreancia_render_pdf_one_by_one(self, report_ref, res_ids):
        """Odoo's own rendering: one call (one process per record without patched Qt)."""
        result = {}
        if len(res_ids) > 1 and not _wkhtml().is_patched_qt:
            for res_id in res_ids:
                result.update(self._kreancia_render_pdf_one_by_one(report_ref, [res_id]))
            return result
        streams = self._render_qweb_pdf_prepare_streams(report_ref, {}, res_ids=res_ids)
        return {res_id: {"stream": streams[res_id]["stream"], "pages": None} for res_id in res_ids}
