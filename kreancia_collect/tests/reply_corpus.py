"""The corpus of debtor replies (``data/replies/corpus.json``) and the reader's score on it.

Plain Python, no Odoo: the reader's tests import it, ``scripts/score_reply_reader.py``
loads it by path to print the score table without Odoo.
"""

import json
from datetime import date
from pathlib import Path

CORPUS = Path(__file__).parent / "data" / "replies" / "corpus.json"
# the reading's fields an item of the corpus may expect, besides its kind
FIELDS = (
    "instalments",
    "amounts",
    "currency",
    "invoice_refs",
    "reason",
    "paid_date",
    "paid_amount",
    "paid_reference",
    "return_date",
    "documents",
    "clear",
    "opt_out",
)


def load():
    return json.loads(CORPUS.read_text(encoding="utf-8"))


def as_plain(field, value):
    """A reading's field in the corpus' JSON form (dates as ISO strings, tuples as lists)."""
    if isinstance(value, date):
        return value.isoformat()
    if field == "instalments":
        return [[day.isoformat() if day else None, amount, share] for day, amount, share in value]
    if isinstance(value, tuple):
        return list(value)
    return value


def score(read_reply, corpus):
    """Read every reply of ``corpus`` with ``read_reply``.

    :return: the (expected, read) kind of each reply, ``{field: [right, total]}`` and the misses as
        ``(id, field, expected, got)``, ``field`` being ``"kind"`` for a misread kind
    """
    pairs, fields, misses = [], {field: [0, 0] for field in FIELDS}, []
    for item in corpus:
        reading = read_reply(
            item["body"],
            date.fromisoformat(item["received"]),
            html=item["format"] == "html",
            subject=item.get("subject", ""),
        )
        expected = item["expected"]
        pairs.append((expected["kind"], reading.kind))
        if expected["kind"] != reading.kind:
            misses.append((item["id"], "kind", expected["kind"], reading.kind))
        for field in FIELDS:
            if field in expected:
                got = as_plain(field, getattr(reading, field))
                fields[field][1] += 1
                if got == expected[field]:
                    fields[field][0] += 1
                else:
                    misses.append((item["id"], field, expected[field], got))
    return pairs, fields, misses
