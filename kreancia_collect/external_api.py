"""What the methods called from outside Odoo (JSON-2 or XML-RPC with an API key) share.

Such a caller has no session and sends plain JSON: its messages are given in
its user's language (:func:`in_caller_lang`) and its dates arrive as text
(:func:`to_date`). Public model methods meant for it (``run``, ``plan``,
``check_commitments``, ``log_call``...) go through these two.
"""

from odoo import fields
from odoo.exceptions import UserError
from odoo.http import request


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


def to_date(records, value):
    """A date from a date, an ISO string (external callers) or None (today in the user's time zone).

    :param records: any recordset, for its user's time zone and language
    :raise UserError: translated, naming the value, when it is not a date
    """
    if not value:
        return fields.Date.context_today(records)
    try:
        return fields.Date.to_date(value)
    except (ValueError, TypeError):
        raise UserError(records.env._("%(value)s is not a date: give it as YYYY-MM-DD.", value=value)) from None
