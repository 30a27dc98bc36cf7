"""Odoo's ``format_amount`` and ``format_date`` for a whole batch of e-mails.

A reminder lists every invoice with its dates and amount due: a batch of
200 e-mails formats thousands of values. For each one, Odoo's functions
look the language up and parse its digit grouping again, which costs as
much as rendering the rest of the e-mail. :class:`BatchFormatter` gives the
same strings: the language and currency settings are read once per
rendering, each amount is then formatted with Odoo's own grouping function
(``test_batch_writing.py`` compares both for every language setting), and
each date is formatted once (the invoices of a batch share few dates).
"""

import ast

from odoo.tools import get_lang

from odoo.addons.base.models.res_lang import intersperse
from odoo.addons.mail.models.mail_render_mixin import format_date

NO_BREAK_SPACE = "\N{NO-BREAK SPACE}"
MINUS = "-\N{ZERO WIDTH NO-BREAK SPACE}"


class BatchFormatter:
    """``amount`` and ``date``, called as the mail templates' ``format_amount`` and ``format_date``."""

    def __init__(self, env):
        self.env = env
        self._lang = get_lang(env).code  # the context's language, or Odoo's fallback when it is not active
        self._dates = {}
        self._amount_settings = {}

    def date(self, value, date_format=False, lang_code=False):
        key = (value, date_format, lang_code or self._lang)
        if key not in self._dates:
            self._dates[key] = format_date(self.env, value, date_format, lang_code)
        return self._dates[key]

    def amount(self, amount, currency, lang_code=False):
        number_format, grouping, thousands_sep, decimal_point, prefix, suffix = self._settings(currency, lang_code)
        whole, point, decimals = (number_format % currency.round(amount)).partition(".")
        whole = intersperse(whole, grouping, thousands_sep)[0]
        number = f"{whole}{decimal_point}{decimals}" if point else whole
        return prefix + number.replace(" ", NO_BREAK_SPACE).replace("-", MINUS) + suffix

    def _settings(self, currency, lang_code):
        key = (currency.id, lang_code or self._lang)
        if key not in self._amount_settings:
            lang = get_lang(self.env, lang_code)
            symbol = currency.symbol or ""
            before = currency.position == "before"
            self._amount_settings[key] = (
                f"%.{currency.decimal_places}f",
                ast.literal_eval(lang.grouping),
                lang.thousands_sep or "",
                lang.decimal_point,
                f"{symbol}{NO_BREAK_SPACE}" if before else "",
                "" if before else f"{NO_BREAK_SPACE}{symbol}",
            )
        return self._amount_settings[key]
