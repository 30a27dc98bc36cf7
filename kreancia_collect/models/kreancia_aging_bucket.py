from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools.aging import DEFAULT_BUCKETS, BucketError, check_buckets


class KreanciaAgingBucket(models.Model):
    """One column of the aged balance: a range of days past due, per company.

    A company's buckets must cover every number of days once, from "not yet
    due" (no lower bound) to the oldest (no upper bound).
    """

    _name = "kreancia.aging.bucket"
    _description = "Aged Balance Bucket"
    _order = "company_id, sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, ondelete="cascade", default=lambda self: self.env.company
    )
    days_from = fields.Integer("From (days late)", help="Empty: everything before (invoices not yet due).")
    days_from_set = fields.Boolean("Has a lower bound", default=True)
    days_to = fields.Integer("To (days late)", help="Included.")
    days_to_set = fields.Boolean("Has an upper bound", default=True)

    @api.constrains("days_from", "days_to", "days_from_set", "days_to_set", "company_id")
    def _check_bucket_ranges(self):
        if self.env.context.get("kreancia_defer_bucket_check"):
            return  # the company checks its buckets once, after the whole edit
        for company in self.company_id:
            self._check_company_buckets(company)

    def unlink(self):
        companies = self.company_id
        result = super().unlink()
        if not self.env.context.get("kreancia_defer_bucket_check"):
            for company in companies.exists():
                self._check_company_buckets(company)
        return result

    @api.model
    def _check_company_buckets(self, company):
        """Refuse a company's buckets that overlap, leave a hole or leave days out."""
        buckets = self.search([("company_id", "=", company.id)])
        try:
            check_buckets(buckets._bounds())
        except BucketError as error:
            raise ValidationError(self._bucket_error_message(company, error)) from None

    def _bucket_error_message(self, company, error):
        values = {"company": company.name, **error.values}
        if error.code == "reversed":
            return self.env._(
                "An aged balance bucket of %(company)s ends (%(days_to)s days) before it starts (%(days_from)s days).",
                **values,
            )
        if error.code == "no_start":
            return self.env._(
                "The aged balance buckets of %(company)s leave out invoices less than %(days)s days late: "
                "the first bucket needs no lower bound.",
                **values,
            )
        if error.code == "no_end":
            return self.env._(
                "The aged balance buckets of %(company)s leave out invoices more than %(days)s days late: "
                "the last bucket needs no upper bound.",
                **values,
            )
        if error.code == "overlap":
            return self.env._(
                "The aged balance buckets of %(company)s overlap: %(first)s and %(second)s days.", **values
            )
        if error.code == "hole":
            return self.env._(
                "The aged balance buckets of %(company)s leave a hole: nothing from %(days_from)s to %(days_to)s days.",
                **values,
            )
        return self.env._("%(company)s needs at least one aged balance bucket.", **values)

    def _bounds(self):
        """The buckets as ``(days_from, days_to)`` pairs in their order, ``None`` for an open side."""
        return tuple(
            (bucket.days_from if bucket.days_from_set else None, bucket.days_to if bucket.days_to_set else None)
            for bucket in self.sorted(lambda bucket: (bucket.sequence, bucket.id))
        )

    @api.model
    def _default_names(self):
        """Names of the default buckets in the environment's language."""
        return [
            self.env._("Not due"),
            self.env._("1-30"),
            self.env._("31-60"),
            self.env._("61-90"),
            self.env._("> 90"),
        ]

    @api.model
    def _default_values(self, company):
        """Values of the default buckets: not due, 1-30, 31-60, 61-90, over 90 (names in English)."""
        names = self.with_context(lang="en_US")._default_names()
        return [
            {
                "company_id": company.id,
                "name": name,
                "sequence": 10 * (index + 1),
                "days_from": days_from or 0,
                "days_from_set": days_from is not None,
                "days_to": days_to or 0,
                "days_to_set": days_to is not None,
            }
            for index, (name, (days_from, days_to)) in enumerate(zip(names, DEFAULT_BUCKETS, strict=True))
        ]

    @api.model
    def _ensure_company_buckets(self, companies):
        """Create the default buckets of the companies that have none."""
        sudo = self.sudo()
        configured = set(sudo.search([("company_id", "in", companies.ids)]).company_id.ids)
        vals_list = [
            vals for company in companies if company.id not in configured for vals in self._default_values(company)
        ]
        if not vals_list:
            return sudo.browse()
        buckets = sudo.create(vals_list)
        buckets._translate_default_names()
        return buckets

    def _translate_default_names(self, langs=None):
        """Give the buckets named as by default their name in each active language (or ``langs``).

        The buckets are created by code, not loaded from data files, so
        Odoo's translation files do not reach them: their default names are
        translated here, at creation, on update and when a language is
        loaded. A name a manager wrote or translated stays as it is.
        """
        langs = [lang for lang in langs or dict(self.env["res.lang"].get_installed()) if lang != "en_US"]
        english = self.with_context(lang="en_US")._default_names()
        sources = {bucket: bucket.with_context(lang="en_US").name for bucket in self}
        for lang in langs:
            translations = dict(zip(english, self.with_context(lang=lang)._default_names(), strict=True))
            for bucket in self.with_context(lang=lang):
                source = sources[bucket]
                # no translation yet: Odoo reads the English name
                if bucket.name == source and translations.get(source, source) != source:
                    bucket.update_field_translations("name", {lang: translations[source]})

    @api.model
    def _company_buckets(self, company):
        """The company's buckets in order (defaults created when it has none)."""
        buckets = self.sudo().search([("company_id", "=", company.id)])
        return buckets or self._ensure_company_buckets(company)

    @api.model
    def _companies_bounds(self, companies):
        """``{company_id: bounds}`` of several companies, read in one query."""
        fnames = ["company_id", "sequence", "days_from", "days_from_set", "days_to", "days_to_set"]
        buckets = self.sudo().search_fetch([("company_id", "in", companies.ids)], fnames)
        missing = companies - buckets.company_id
        if missing:
            buckets |= self._ensure_company_buckets(missing)
        return {company.id: buckets.filtered(lambda b, c=company: b.company_id == c)._bounds() for company in companies}

    @api.model
    def _ensure_all_companies(self):
        """Install / update: default buckets for every company that has none, default names translated."""
        self.sudo().search([])._translate_default_names()  # pylint: disable=no-search-all
        return self._ensure_company_buckets(self.env["res.company"].sudo().search([]))  # pylint: disable=no-search-all
