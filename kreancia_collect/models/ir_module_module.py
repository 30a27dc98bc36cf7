from odoo import models


class IrModuleModule(models.Model):
    _inherit = "ir.module.module"

    def _load_module_terms(self, modules, langs, overwrite=False):
        """A language loaded after the aged balance buckets were created: their default names in it too."""
        result = super()._load_module_terms(modules, langs, overwrite=overwrite)
        if "kreancia_collect" in modules and self.env.registry.loaded:
            buckets = self.env["kreancia.aging.bucket"].sudo().search([])  # pylint: disable=no-search-all
            buckets._translate_default_names(langs)
        return result
