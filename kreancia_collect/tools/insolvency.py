"""Collective procedures (procédures collectives) read from the BODACC, and what they change for a creditor.

The BODACC open-data service (DILA, dataset ``annonces-commerciales``,
no key) publishes every judgment of a collective procedure with the
debtor's SIREN (``registre``), the court (``tribunal``), the publication
date (``dateparution``) and the judgment (``jugement``: a JSON text with its
``nature``, ``date`` and ``complementJugement``, where the court-appointed
representative is named). These functions turn one announcement into a
:class:`Notice` and say what it means; fetching and recording are the
model's (``models/kreancia_insolvency.py``).

The law (Code de commerce, book VI):

- the opening judgment of a safeguard, receivership or liquidation
  suspends individual actions for claims born before it (L622-21): their
  invoices leave the dunning run. The judgment takes effect at 0:00 on
  its date, so an invoice dated the day of the judgment is born after it
  and stays in the run;
- it stops interest (L622-28): a claim is declared with the interest
  accrued up to the judgment date;
- creditors declare their claims to the representative within two months
  of the BODACC publication (R622-24, creditors in metropolitan France).

>>> from datetime import date
>>> claim_deadline(date(2026, 5, 12))
datetime.date(2026, 7, 12)
>>> claim_deadline(date(2026, 12, 31))
datetime.date(2027, 2, 28)
>>> frozen_by(date(2026, 5, 4), date(2026, 5, 5)), frozen_by(date(2026, 5, 5), date(2026, 5, 5))
(True, False)
>>> read_judgment("Jugement d'ouverture d'une procédure de redressement judiciaire")
('receivership', 'opening')
>>> read_judgment("Jugement de conversion en liquidation judiciaire")
('liquidation', 'conversion')
>>> read_judgment("Jugement de clôture pour insuffisance d'actif")
(None, 'closure_insufficient')
"""

import json
import re
import unicodedata
from collections import namedtuple
from datetime import date

from dateutil.relativedelta import relativedelta

API_URL = "https://bodacc-datadila.opendatasoft.com/api/explore/v2.1/catalog/datasets/annonces-commerciales/records"
BATCH_SIZE = 50  # SIRENs per request: a query string the service takes, few requests for a whole ledger
DECLARATION_MONTHS = 2  # R622-24

KINDS = ("safeguard", "receivership", "liquidation")
EVENTS = ("opening", "plan", "conversion", "closure_insufficient", "closure_paid", "other")

Notice = namedtuple(
    "Notice",
    "announcement_id sirens publication_date judgment_date court kind event representative text",
)


def _fold(text):
    """Lower case, without accents, single spaces: what the patterns below read."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(char for char in text if not unicodedata.combining(char))
    return re.sub(r"\s+", " ", text).strip().lower()


def claim_deadline(publication_date):
    """The last day to declare a claim: two months after the BODACC publication (R622-24).

    A month without the same day ends on its last day (31 December -> 28 February).
    """
    return publication_date + relativedelta(months=DECLARATION_MONTHS)


def frozen_by(invoice_date, judgment_date):
    """Whether an invoice of ``invoice_date`` is a claim born before the judgment (suspended, L622-21).

    The judgment takes effect at 0:00 on its date: an invoice of that very day is born after it.
    """
    return bool(invoice_date and judgment_date and invoice_date < judgment_date)


# (pattern on the folded nature of the judgment, event); the first that matches wins
_EVENT_PATTERNS = (
    (r"cloture.*insuffisance d.actif", "closure_insufficient"),
    (r"cloture.*extinction du passif", "closure_paid"),
    (r"conversion.*liquidation|prononcant la liquidation|resolution du plan.*liquidation", "conversion"),
    (r"arretant (le )?plan|adoption du plan|plan de (sauvegarde|redressement)", "plan"),
    (r"ouverture", "opening"),
)
_KIND_PATTERNS = (
    (r"liquidation judiciaire", "liquidation"),
    (r"redressement", "receivership"),
    (r"sauvegarde", "safeguard"),
)


def read_judgment(nature):
    """``(kind, event)`` of a judgment from its nature as the BODACC words it.

    ``kind`` is the procedure it opens or leads to (``safeguard``, ``receivership``,
    ``liquidation``, or None when the nature names none); ``event`` one of :data:`EVENTS`.

    >>> read_judgment("Jugement arrêtant le plan de sauvegarde")
    ('safeguard', 'plan')
    >>> read_judgment("Jugement d'ouverture d'une procédure de sauvegarde accélérée")
    ('safeguard', 'opening')
    >>> read_judgment("Jugement de clôture pour extinction du passif")
    (None, 'closure_paid')
    """
    folded = _fold(nature)
    event = next((name for pattern, name in _EVENT_PATTERNS if re.search(pattern, folded)), "other")
    kind = next((name for pattern, name in _KIND_PATTERNS if re.search(pattern, folded)), None)
    if event == "conversion":
        kind = "liquidation"
    return kind, event


# "désignant mandataire judiciaire SELARL X ..." / "liquidateur : Me Y ..." up to the end of the designation
_REPRESENTATIVE = re.compile(
    r"(?:mandataire judiciaire|liquidateur(?: judiciaire)?|commissaire a l.execution du plan)\s*:?\s*"
    r"(?P<who>.+?)(?=\s*(?:[,;]\s*(?:administrateur|date de cessation|les creances)|\.\s|les creances|$))",
)


def read_representative(complement):
    """The court-appointed representative (mandataire judiciaire, liquidateur) the judgment names, as written.

    >>> read_representative("désignant mandataire judiciaire SELARL MJ Synergie, Me Paul Martin, "
    ...     "10 rue de la Bourse 69002 Lyon. Les créances sont à déclarer dans les deux mois.")
    'SELARL MJ Synergie, Me Paul Martin, 10 rue de la Bourse 69002 Lyon'
    >>> read_representative("Jugement prononçant la liquidation judiciaire, liquidateur : Me Anne Roux, Villeurbanne")
    'Me Anne Roux, Villeurbanne'
    >>> read_representative("sans désignation") is None
    True
    """
    if not complement:
        return None
    folded = _fold(complement)
    match = _REPRESENTATIVE.search(folded)
    if not match:
        return None
    # the same span in the original text keeps its case and accents (folding keeps the length of plain text)
    original = re.sub(r"\s+", " ", unicodedata.normalize("NFC", complement)).strip()
    start, end = match.span("who")
    if len(original) == len(folded):
        return original[start:end].strip(" ,;.") or None
    return match.group("who").strip(" ,;.") or None


def _date(value):
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _sirens(registre):
    """The 9-digit SIRENs of an announcement's ``registre`` (a list or a text, spaced or not)."""
    values = registre if isinstance(registre, list) else [registre or ""]
    return tuple(sorted({digits for value in values if len(digits := re.sub(r"\D", "", str(value))) == 9}))


def read_notice(record):
    """A :class:`Notice` from one BODACC record (a dict of the open-data API), or None when it is no judgment.

    >>> notice = read_notice({"id": "A202601234", "registre": ["552 100 554", "552100554"],
    ...     "dateparution": "2026-05-12", "tribunal": "Tribunal de commerce de Lyon", "familleavis": "collective",
    ...     "jugement": '{"nature": "Jugement d\\'ouverture d\\'une procédure de redressement judiciaire", '
    ...                 '"date": "2026-05-05", "complementJugement": "mandataire judiciaire Me Paul Martin."}'})
    >>> notice.kind, notice.event, notice.judgment_date, notice.representative, notice.sirens
    ('receivership', 'opening', datetime.date(2026, 5, 5), 'Me Paul Martin', ('552100554',))
    """
    judgment = record.get("jugement")
    if isinstance(judgment, str):
        try:
            judgment = json.loads(judgment)
        except ValueError:
            judgment = None
    if not isinstance(judgment, dict) or not judgment.get("nature"):
        return None
    kind, event = read_judgment(judgment["nature"])
    publication = _date(record.get("dateparution"))
    return Notice(
        announcement_id=str(record.get("id") or record.get("numeroannonce") or ""),
        sirens=_sirens(record.get("registre")),
        publication_date=publication,
        judgment_date=_date(judgment.get("date")) or publication,
        court=(record.get("tribunal") or "").strip(),
        kind=kind,
        event=event,
        representative=read_representative(judgment.get("complementJugement")),
        text=" ".join(filter(None, (judgment.get("nature"), judgment.get("complementJugement")))).strip(),
    )


def query_params(sirens, since=None, limit=100):
    """The open-data API's parameters to read the collective-procedure judgments of ``sirens``.

    >>> query_params(["552100554", "412345671"], date(2026, 5, 1))["where"]
    'familleavis="collective" AND (registre="552100554" OR registre="412345671") AND dateparution>=date\\'2026-05-01\\''
    """
    where = 'familleavis="collective" AND (' + " OR ".join(f'registre="{siren}"' for siren in sirens) + ")"
    if since:
        where += f" AND dateparution>=date'{since.isoformat()}'"
    return {"where": where, "order_by": "dateparution", "limit": limit}


def next_state(current, event):
    """The procedure's state after ``event``: ``open``, ``plan``, ``liquidation`` or ``closed``.

    >>> next_state("open", "plan"), next_state("plan", "conversion"), next_state("liquidation", "closure_insufficient")
    ('plan', 'liquidation', 'closed')
    >>> next_state("plan", "other")
    'plan'
    """
    return {
        "opening": "open",
        "plan": "plan",
        "conversion": "liquidation",
        "closure_insufficient": "closed",
        "closure_paid": "closed",
    }.get(event, current)
