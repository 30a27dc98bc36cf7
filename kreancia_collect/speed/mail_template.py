from odoo import api, models

from .formatting import BatchFormatter


class MailTemplate(models.Model):
    _inherit = "mail.template"

    @api.model
    def _render_eval_context(self):
        """The daily run's e-mails format their amounts and dates through one formatter per rendering."""
        context = super()._render_eval_context()
        if self.env.context.get("kreancia_batch_render"):
            formatter = BatchFormatter(self.env)
            context["format_amount"] = formatter.amount
            context["format_date"] = formatter.date
        return context
