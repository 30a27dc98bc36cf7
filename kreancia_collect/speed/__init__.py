"""The speed layer: where the daily run leaves Odoo's own, slower path.

Every module here stands in for something Odoo already does, because doing
it Odoo's way costs as much as the rest of the run. Each leans on Odoo
internals that an update may change without notice; each is therefore
guarded by a test that runs the fast path and Odoo's own path on the same
input and compares what a user (or the next line of code) would see. When
a guard fails after an Odoo update, fix the fast path, not the guard.
``readme/DEVELOP.md`` ("The speed layer") lists every private API used.

- ``bulk.py``: the run's interventions, their invoice lines and new debtor
  links inserted with one query per table instead of ``create()``, then
  what ``create()`` does around its insert (inverse caches, recomputation,
  constraints). Private APIs: ``Field._update_cache``, ``Field._get_cache``,
  ``Field.get_comodel_domain``, ``registry.field_inverses``,
  ``env.protecting``, ``modified(create=True)``, ``_validate_fields``,
  ``_check_company``. Guard: ``tests/test_speed_guards.py``
  (``TestBulkGuard``), also ``tests/test_batch_writing.py``.
- ``formatting.py``: ``BatchFormatter``, Odoo's ``format_amount`` and
  ``format_date`` with the language read once per rendering. Private APIs:
  ``res_lang.intersperse``, ``mail_render_mixin.format_date``, the
  ``res.lang`` grouping format, ``formatLang``'s non-breaking spaces and
  minus. Guard: ``TestFormattingGuard`` (and ``TestBatchFormatter``).
- ``mail_template.py``: gives the run's templates the ``BatchFormatter``
  (under the context key ``kreancia_batch_render``). Private API:
  ``mail.render.mixin._render_eval_context``. Guard: ``TestFormattingGuard``.
- ``ir_qweb.py``: a process-wide cache of the code compiled for an inline
  QWeb body (a mail template's), under ``kreancia_batch_render``. Private
  APIs: ``ir.qweb._generate_code_uncached``, ``_get_template_cache_keys``,
  ``registry.registry_sequence``, the context key
  ``raise_on_forbidden_code_for_model``. Guard: ``TestTemplateCacheGuard``.
- ``pdf_batch.py``: many HTML documents merged into one for a single
  wkhtmltopdf call, the PDF split back at invisible link markers (pure
  functions; wkhtmltopdf's link annotations). Guard: ``TestPdfBatchGuard``
  and ``tests/test_performance.py``.
- ``ir_actions_report_batch.py``: ``ir.actions.report._kreancia_render_pdf_batch``,
  the letters of a run rendered by chunks through ``pdf_batch``. Private
  APIs: ``ir_actions_report._run_wkhtmltopdf``, ``_wkhtml``,
  ``_prepare_html``, ``_build_wkhtmltopdf_args``,
  ``_render_qweb_pdf_prepare_streams``, ``_get_report``. Guard:
  ``TestPdfBatchGuard``.

The model classes (``ir_qweb``, ``mail_template``,
``ir_actions_report_batch``) register with the add-on when this package is
imported; they add methods or wrap hooks that no other class of the add-on
overrides, so their place in the inheritance order does not matter.
"""

from . import bulk
from . import formatting
from . import pdf_batch
from . import ir_qweb
from . import mail_template
from . import ir_actions_report_batch
