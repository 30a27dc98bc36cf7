import threading
from collections import OrderedDict

from lxml import etree

from odoo import models

COMPILED_MAX = 64  # distinct (template source, language, options) kept per process
_compiled = OrderedDict()
_compiled_lock = threading.Lock()


class IrQweb(models.AbstractModel):
    """Compile an inline template (a mail template's body) once, render it for many records.

    ``mail.render.mixin`` renders a QWeb body by parsing it and rendering the
    resulting tree once per record; ``ir.qweb`` caches compiled code only for
    templates stored as views, so the same body is compiled again for every
    customer. Under the context key ``kreancia_batch_render`` (set by the
    dunning run), the code generated for an inline tree is kept, keyed by
    its source and the compilation options (language, branding, the
    restricted-rendering model): a template edited by an administrator has a
    new source, hence a new key. Rendering itself is unchanged: each record
    still gets its own ``_render`` call and fresh values.
    """

    _inherit = "ir.qweb"

    def _generate_code_uncached(self, template):
        if not (self.env.context.get("kreancia_batch_render") and isinstance(template, etree._Element)):
            return super()._generate_code_uncached(template)
        context = self.env.context
        key = (
            self.env.registry.db_name,
            self.env.registry.registry_sequence,  # a module installed or updated: compile again
            etree.tostring(template),
            tuple(context.get(name) or False for name in self._get_template_cache_keys()),
            context.get("raise_on_forbidden_code_for_model") or False,
        )
        with _compiled_lock:
            result = _compiled.get(key)
            if result is not None:
                _compiled.move_to_end(key)
                return result
        result = super()._generate_code_uncached(template)
        with _compiled_lock:
            _compiled[key] = result
            while len(_compiled) > COMPILED_MAX:
                _compiled.popitem(last=False)
        return result
