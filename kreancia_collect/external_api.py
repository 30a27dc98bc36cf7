"""What the methods called from outside Odoo (JSON-2 or XML-RPC with an API key) share.

Such a caller has no session and sends plain JSON: its messages are given in
its user's language (:func:`in_caller_lang`) and its dates arrive as text
(:func:`to_date`). Public model methods meant for it (``run``, ``plan``,
``check_commitments``, ``log_call``...) go through these two.
"""

import re
from datetime import date, datetime

from odoo import fields
from odoo.exceptions import UserError
from odoo.http import request

FAR_YEARS = 10  # a date further from today than this is a typing error (see to_date)
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def in_caller_lang(records):
    """``records`` in the language of the user an external call (JSON-2, API key) runs as.

    Such a call has no session, so its context carries the server's default
    language; unless the caller names one in the call's context, messages
    (errors included) are in its user's own language.
    """
    if request and request.httprequest.path.startswith("/json/2/"):
        context = request.params.get("context") or {}
        if "lang" not in context and records.env.user.lang:
            return records.with_context(lang=records.env.user.lang)
    return records


def shown(value, size=40):
    """``value`` as an error message quotes it: cut to ``size`` characters, so that a message never echoes
    a huge input whole."""
    text = str(value)
    return text if len(text) <= size else text[: size - 1] + "…"


def to_date(records, value, years=FAR_YEARS):
    """A date from a date, an ISO string (external callers) or None (today in the user's time zone).

    A string must be a day written YYYY-MM-DD (no time after it); a day more
    than ``years`` away from today is refused as a typing error (0206 for 2026,
    9999-12-31): no run, check or promise looks that far.

    :param records: any recordset, for its user's time zone and language
    :raise UserError: translated, naming the value, when it is not a date or is too far
    """
    if value is None or value is False or value == "":
        return fields.Date.context_today(records)
    if isinstance(value, datetime):
        value = value.date()
    elif isinstance(value, str) and ISO_DAY.fullmatch(value):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            value = None
    if not isinstance(value, date):
        raise UserError(records.env._("%(value)s is not a date: give it as YYYY-MM-DD.", value=shown(value)))
    today = fields.Date.context_today(records)
    if abs(value.year - today.year) > years:
        raise UserError(
            records.env._(
                "%(value)s is too far from today: give a date within %(years)s years of it.",
                value=value.isoformat(),
                years=years,
            )
        )
    return value


def to_id(records, value):
    """A record id from an external caller: a positive integer (not a string, a list or a boolean).

    :raise UserError: translated, naming the value, otherwise
    """
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**31:
        raise UserError(records.env._("%(value)s is not a record id: give a positive number.", value=shown(value)))
    return value
