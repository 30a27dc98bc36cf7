"""Reading a debtor's reply to a dunning reminder (French and English), by rules.

The reader takes the new text of a reply (HTML turned to text, quoted reminder,
signature and disclaimer removed by :func:`strip_reply`) and looks for signals
with named, commented regular expressions: no learning, so every decision can be
traced to a phrase. Keywords are matched on a lower-cased, accent-free copy of
the text of the same length (``payé``, ``paye`` and ``PAYÉ`` read alike);
amounts and references are cut from the original text at the same positions.

Kinds, by priority when several signals appear (what a credit manager acts on
first):

1. ``absence``: an auto-reply (subject "Réponse automatique", "Out of Office"...);
2. ``dispute`` when the invoice is said to be a duplicate (such replies usually
   add "we paid the first one");
3. ``paid``: "déjà réglé", "transfer sent"... unless the payment lies in the
   future ("le virement partira le 30" is a promise);
4. ``dispute``: the invoice is contested, even with an offer to pay the rest
   (the lead handles partial payment): ``reason`` tells why;
5. ``promise``: a payment to come, with its instalments;
6. ``absence`` written by hand ("je suis en arrêt, de retour le 1er juillet")
   when nothing above is said;
7. ``document``: a copy of an invoice, a statement or bank details is asked for
   (a dateless "I'll pay once I have your IBAN" is a document request);
8. ``other``.

Dates resolve against the day the reply was received: a promise looks forward
(a day-month before it rolls to next year, a bare day to next month, a weekday
is the next such day after it), a payment looks back ("vendredi dernier", a
day-month after it belongs to last year). Month-only dates: "fin mars", "in
March", "en mars" = last day of the month, "début mars"/"early March" = the 5th,
"mi-mars"/"mid-March" = the 15th; "fin du mois"/"end of the month" = last day of
the current month; "cette semaine" = its Friday; "la semaine prochaine" = next
Monday. "dans 15 jours"/"in two weeks" go to dateparser. Numeric dates are read
day first (15/07/2026) unless that is impossible (06/30/2026).

Out of office: "de retour le X"/"back on X" returns X; "jusqu'au X"/"until X"/
"du 15 au X" returns the day after X, moved to Monday when it falls on a week-end.

Instalments are ``(date, amount, share)``: "half now and the rest in March" gives
shares 0.5 and 0.5; "la totalité" gives 1.0; "the rest"/"le solde" after stated
amounts has neither amount nor share: it is the balance after them, and counts
as stated for ``clear``.

>>> from datetime import date
>>> r = read_reply("Bonjour, nous réglerons 400 € le 30 juin et 450 € le 31 juillet.", date(2026, 6, 15))
>>> r.kind, r.instalments, r.clear
('promise', ((datetime.date(2026, 6, 30), 400.0, None), (datetime.date(2026, 7, 31), 450.0, None)), True)
>>> read_reply("We will pay half now and the rest in March.", date(2026, 1, 20)).instalments
((datetime.date(2026, 1, 20), None, 0.5), (datetime.date(2026, 3, 31), None, 0.5))
>>> r = read_reply("Déjà réglé par chèque n° 1234567 le 10 juin.", date(2026, 6, 15))
>>> r.kind, r.paid_date, r.paid_reference
('paid', datetime.date(2026, 6, 10), '1234567')
>>> r = read_reply("La marchandise est arrivée abîmée.", date(2026, 6, 15))
>>> r.kind, r.reason
('dispute', 'goods')
>>> read_reply("Je suis absente jusqu'au 26 juin.", date(2026, 6, 15), subject="Réponse automatique").return_date
datetime.date(2026, 6, 29)
>>> read_amounts("1 200,50 € le 12/07, puis €1,200.50 et 450 EUR (tél. 06 12 34 56 78, 10 %)")
((1200.5, 'EUR'), (450.0, 'EUR'))
>>> strip_reply("Ok pour vendredi.\\n\\nLe 10 juin 2026 à 09:12, Acme <r@acme.fr> a écrit :\\n> Bonjour")
'Ok pour vendredi.'
"""

import calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from html.parser import HTMLParser

from babel.numbers import parse_decimal

KINDS = ("promise", "dispute", "paid", "absence", "document", "other")
REASONS = ("goods", "price", "delivery", "duplicate", "not_ordered")
DOCUMENTS = ("invoice", "statement", "rib")


@dataclass(frozen=True)
class ReplyReading:
    """What a reply says; see the module docstring for the meaning of each field."""

    kind: str
    text: str
    instalments: tuple = ()
    amounts: tuple = ()
    currency: str | None = None
    invoice_refs: tuple = ()
    reason: str | None = None
    paid_date: date | None = None
    paid_amount: float | None = None
    paid_reference: str | None = None
    return_date: date | None = None
    documents: tuple = ()
    clear: bool = False
    opt_out: bool = False


# ---------------------------------------------------------------------------------------------------------- HTML


class _HtmlText(HTMLParser):
    """HTML to plain text: blocks become lines, blockquotes become '>' lines, head/style/script vanish."""

    BLOCKS = frozenset(("p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "hr", "ul", "ol"))
    HIDDEN = frozenset(("style", "script", "head", "title"))

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = [[]]
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self.hidden += 1
        elif tag == "blockquote":
            self.parts.append([])
        elif tag in self.BLOCKS:
            self.parts[-1].append("\n")
        elif tag == "td":
            self.parts[-1].append(" ")

    def handle_startendtag(self, tag, attrs):
        if tag in self.BLOCKS:
            self.parts[-1].append("\n")

    def handle_endtag(self, tag):
        if tag in self.HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag == "blockquote" and len(self.parts) > 1:
            quoted = "".join(self.parts.pop())
            self.parts[-1].append("\n" + "\n".join("> " + line for line in quoted.split("\n")) + "\n")
        elif tag in self.BLOCKS and tag != "br":
            self.parts[-1].append("\n")

    def handle_data(self, data):
        if not self.hidden:
            self.parts[-1].append(re.sub(r"\s+", " ", data))

    def text(self):
        while len(self.parts) > 1:
            self.handle_endtag("blockquote")
        return "".join(self.parts[0])


def html_to_text(markup):
    """Plain text of an HTML mail body."""
    parser = _HtmlText()
    parser.feed(markup or "")
    parser.close()
    lines = (line.strip() for line in parser.text().split("\n"))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


# -------------------------------------------------------------------------------------------------- stripping

# where the quoted original starts (searched line by line, in the raw text)
QUOTE_HEADER = re.compile(
    r"""^\s*(?:
        (?:Le|On)\s[^\n]{4,200}?(?:a\s+[ée]crit|wrote)\s*:  # Gmail / Apple "Le ... a écrit :", "On ... wrote:"
      | -{2,}\s*(?:Original\s+Message|Message\s+d'origine|Forwarded\s+message|Message\s+transf[ée]r[ée])\s*-{2,}
      | _{10,}                                                # Outlook separator line
      | (?:De|From)\s*:.*\n(?:.*\n){0,2}?\s*(?:Envoy[ée]|Sent|Date)\s*:   # Outlook header block
    )""",
    re.IGNORECASE | re.MULTILINE | re.VERBOSE,
)
# "Le ... a écrit :" wrapped on two lines by the sender's mailer
WROTE_SPAN = re.compile(r"^\s*(?:Le|On)\s[^\n]{4,200}(?:\n[^\n]{0,120})?(?:a\s+[ée]crit|wrote)\s*:", re.I | re.M)
# a line that ends the message and starts the signature
SIGNATURE_LINE = re.compile(
    r"""^\s*(?:
        --\s*                                                   # the standard "-- " delimiter
      | (?:Sent|Envoy[ée])\s+(?:from|de(?:puis)?)\s+(?:my|mon)\b.*  # "Sent from my iPhone", "Envoyé de mon iPhone"
      | (?:Get\s+Outlook\s+for|Obtenir\s+Outlook\s+pour)\b.*
      | (?:bien\s+|tr[eè]s\s+)?cordialement | cdt | cdlt | bien\s+[àa]\s+vous | salutations(?:\s+distingu[ée]es)?
      | (?:best|kind|warm)\s+regards | regards | best | cheers | sincerely | yours\s+(?:sincerely|faithfully)
      | (?:many\s+)?thanks | thank\s+you | merci(?:\s+d'avance|\s+par\s+avance)? | bonne\s+(?:journ[ée]e|soir[ée]e)
    )[\s,.!]*(?:\s+[A-Z][\w.\-]*){0,3}[\s,.!]*$""",
    re.IGNORECASE | re.VERBOSE,
)
# opening words of a legal disclaimer: everything from there on goes
DISCLAIMER = re.compile(
    r"""^\s*(?:
        ce\s+(?:message|courriel|e-?mail)\s+(?:et\s+toutes\s+les\s+pi[eè]ces|est\s+confidentiel|ainsi\s+que)
      | le\s+pr[ée]sent\s+(?:message|courriel) | avertissement\s*: | confidentialit[ée]\s*:
      | this\s+e-?mail\s+(?:and\s+any|\(and\s+any|is\s+confidential|message\s+is) | confidentiality\s+notice
      | disclaimer\s*:
    )""",
    re.IGNORECASE | re.VERBOSE,
)


def strip_reply(text, html=False):
    """The new text of a reply: HTML turned to text (``html=True``), then the
    quoted original ('>' lines, "Le ... a écrit :", "On ... wrote:", Outlook
    "De : / Envoyé :" blocks, "-----Original Message-----"), the signature (from
    "-- ", "Cordialement", "Best regards", "Sent from my iPhone"... on its own
    line) and legal disclaimers removed."""
    text = html_to_text(text) if html else (text or "")
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\xa0", " ").replace("\u202f", " ")
    cut = len(text)
    for pattern in (QUOTE_HEADER, WROTE_SPAN):
        match = pattern.search(text)
        if match and match.start() < cut:
            cut = match.start()
    lines = []
    for line in text[:cut].split("\n"):
        if line.lstrip().startswith(">"):
            continue
        if DISCLAIMER.match(line):
            break
        if SIGNATURE_LINE.match(line) and any(existing.strip() for existing in lines):
            break
        lines.append(line.rstrip())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def fold(text):
    """Lower case without accents, one character for one (positions are kept).

    >>> fold("Déjà RÉGLÉ, œuvre")
    'deja regle, œuvre'
    """
    return "".join(unicodedata.normalize("NFKD", char)[0] for char in text.lower().replace("\u2019", "'"))


# ------------------------------------------------------------------------------------------------------ amounts

# a number in either format: "1 200,50", "1.200,50", "1,200.50", "1200.5", "450"
NUMBER = r"\d{1,3}(?:[ .,'](?=\d{3}\b)\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?"
CURRENCY_BEFORE = r"€|\$|£|\bEUR|\bUSD|\bGBP|\bCHF"
CURRENCY_AFTER = r"€|\$|£|EUR\b|USD\b|GBP\b|CHF\b|euros?\b|dollars?\b|pounds?\b|francs?\b"
# money: a currency before or after the number; a bare number only after a money word
AMOUNT = re.compile(
    rf"""(?:(?P<cur1>{CURRENCY_BEFORE})\s?(?P<num1>{NUMBER})
          | (?<![\d/.,-])(?P<num2>{NUMBER})\s?(?P<cur2>{CURRENCY_AFTER})
          | (?P<num4>\d{{3,}}(?:[.,]\d{{1,2}})?)e\b                # "1500e" typed on a phone
          | (?:montant|somme|amount|payment|versement|acompte)\s+(?:de|of)\s+(?P<num3>{NUMBER})(?![\d/%.,]|\s*%)
        )""",
    re.IGNORECASE | re.VERBOSE,
)
CURRENCY_CODES = {
    "€": "EUR",
    "eur": "EUR",
    "euro": "EUR",
    "euros": "EUR",
    "e": "EUR",
    "$": "USD",
    "usd": "USD",
    "dollar": "USD",
    "dollars": "USD",
    "£": "GBP",
    "gbp": "GBP",
    "pound": "GBP",
    "pounds": "GBP",
    "chf": "CHF",
    "franc": "CHF",
    "francs": "CHF",
}


def parse_number(raw):
    """Float of a French or English number: a final comma with 1-2 digits is a
    decimal comma (French), a final point with 1-2 digits a decimal point.

    >>> parse_number("1.200,50"), parse_number("1,200.50"), parse_number("1 200"), parse_number("1,000")
    (1200.5, 1200.5, 1200.0, 1000.0)
    """
    raw = raw.strip()
    decimal_comma = re.search(r",\d{1,2}$", raw)
    locale = "fr_FR" if decimal_comma else "en_US"
    decimal_sep = "," if decimal_comma else "."
    if not decimal_comma and not re.search(r"\.\d{1,2}$", raw):
        decimal_sep = None
    digits = "".join(
        char if char.isdigit() else (char if char == decimal_sep and index == raw.rfind(char) else "")
        for index, char in enumerate(raw)
    )
    return float(parse_decimal(digits, locale=locale))


def _amount_matches(text):
    """(start, end, value, currency or None) of every money amount in ``text``."""
    found = []
    for match in AMOUNT.finditer(text):
        raw = match.group("num1") or match.group("num2") or match.group("num3") or match.group("num4")
        symbol = (match.group("cur1") or match.group("cur2") or ("e" if match.group("num4") else "")).lower()
        found.append((match.start(), match.end(), parse_number(raw), CURRENCY_CODES.get(symbol)))
    return found


def read_amounts(text):
    """``(value, currency)`` of the money amounts in ``text``, in order, without repeats."""
    seen, result = set(), []
    for _start, _end, value, currency in _amount_matches(text):
        if value not in seen:
            seen.add(value)
            result.append((value, currency))
    return tuple(result)


# ------------------------------------------------------------------------------------------------- references

# invoice numbers as they are printed: "INV/2026/00012", "FAC/2026/0042", "F2026-0012"
INVOICE_NUMBER = re.compile(r"\b(?:[A-Z]{2,5}/\d{4}/\d{2,6}|[A-Z]{1,4}-?20\d{2}-\d{2,6})\b", re.IGNORECASE)
# "facture n° 2026-118", "invoice #1234", "invoice number 2026-118"
INVOICE_NAMED = re.compile(
    r"\b(?:facture|invoice)s?\s*(?:n\s*°|n°|no\.?|num(?:[ée]ro)?\.?|number|nr\.?|#)\s*:?\s*([A-Z0-9][A-Z0-9/\-]*\d)",
    re.IGNORECASE,
)
# documents that carry numbers like invoices but are not invoices
NOT_INVOICE_CONTEXT = re.compile(
    r"(?:devis|quote|quotation|commande|order|rma|avoir|credit\s+note|bl)\s*(?:n°|no\.?|#)?\s*$"
)


def read_invoice_refs(text):
    """Invoice numbers named in ``text``, upper-cased, in order, without repeats.

    >>> read_invoice_refs("factures INV/2026/00012 et fac/2026/0042, facture n° 2026-118, devis D-2026-114")
    ('INV/2026/00012', 'FAC/2026/0042', '2026-118')
    """
    found = []
    for match in INVOICE_NUMBER.finditer(text):
        if not NOT_INVOICE_CONTEXT.search(fold(text[max(0, match.start() - 20) : match.start()])):
            found.append((match.start(), match.group(0)))
    for match in INVOICE_NAMED.finditer(text):
        if not any(start <= match.start(1) < start + len(ref) for start, ref in found):
            found.append((match.start(1), match.group(1)))
    refs = []
    for _start, ref in sorted(found):
        if ref.upper() not in refs:
            refs.append(ref.upper())
    return tuple(refs)


# payment references: "réf. VIR-88213", "reference 55120934", "chèque n° 1234567"
PAYMENT_REFERENCE = re.compile(
    r"(?:\bref(?:erence)?\b\.?|\bconfirmation\s*(?:#|no\.?|number)?|\btransaction\s*(?:id|#|no\.?)?|\bcheque\s+(?:n°|n\s*°|no\.?|number|#)|\bcheck\s+(?:no\.?|number|#))\s*:?\s*"
    r"(?P<ref>[a-z0-9][a-z0-9\-/]{2,}\d[a-z0-9\-/]*|\d{4,})",
    re.IGNORECASE,
)


# --------------------------------------------------------------------------------------------------------- dates

MONTHS = {
    **dict.fromkeys(("janvier", "janv", "january", "jan"), 1),
    **dict.fromkeys(("fevrier", "fevr", "fev", "february", "feb"), 2),
    **dict.fromkeys(("mars", "march", "mar"), 3),
    **dict.fromkeys(("avril", "avr", "april", "apr"), 4),
    **dict.fromkeys(("mai", "may"), 5),
    **dict.fromkeys(("juin", "june", "jun"), 6),
    **dict.fromkeys(("juillet", "juil", "july", "jul"), 7),
    **dict.fromkeys(("aout", "august", "aug"), 8),
    **dict.fromkeys(("septembre", "september", "sept", "sep"), 9),
    **dict.fromkeys(("octobre", "october", "oct"), 10),
    **dict.fromkeys(("novembre", "november", "nov"), 11),
    **dict.fromkeys(("decembre", "december", "dec"), 12),
}
WEEKDAYS = {
    **dict.fromkeys(("lundi", "monday", "mon"), 0),
    **dict.fromkeys(("mardi", "tuesday", "tue"), 1),
    **dict.fromkeys(("mercredi", "wednesday", "wed"), 2),
    **dict.fromkeys(("jeudi", "thursday", "thu"), 3),
    **dict.fromkeys(("vendredi", "friday", "fri"), 4),
    **dict.fromkeys(("samedi", "saturday", "sat"), 5),
    **dict.fromkeys(("dimanche", "sunday", "sun"), 6),
}
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
# a month name safe to read alone ("may" and "mar" are words too)
_MONTH_ALONE = "|".join(
    sorted((m for m in MONTHS if m not in ("may", "mar", "mai", "dec", "sep")), key=len, reverse=True)
)
_WEEKDAY = (
    "lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|monday|tuesday|wednesday|thursday|friday|saturday|sunday"
)
_DAY = r"(?:[12]\d|3[01]|0?[1-9])"
_ORD = r"(?:er|e|eme|st|nd|rd|th)?"

# what follows a number that is no day of the month ("le 20 %", "the 3 units", "le 10 juin" read as a whole)
_NOT_A_DAY = (
    r"\s*(?:/|%|€|\$|h\b|:|,\d|\.\d|euros?|eur|jours?|days?|mois|months?|ans?|years?|fois|pieces|units?"
    rf"|(?:of\s+|de\s+)?(?:{_MONTH})\b)"
)
# every date phrase, on folded text; alternatives are tried longest first at each position
DATE_PHRASE = re.compile(
    rf"""
      (?P<iso>\b20\d\d-\d\d-\d\d\b)
    | \b(?P<n1>\d{{1,2}})/(?P<n2>\d{{1,2}})(?:/(?P<n3>(?:20)?\d\d))?\b(?!\s*%)
    | \b(?P<n1d>\d{{1,2}})\.(?P<n2d>\d{{1,2}})\.(?P<n3d>(?:20)?\d\d)\b
    | (?:\b(?:{_WEEKDAY}),?\s+)?(?:the\s+)?\b(?P<dm_day>{_DAY}){_ORD}\s+(?:of\s+|de\s+)?(?P<dm_month>{_MONTH})\b\.?
          (?:,?\s+(?P<dm_year>20\d\d)\b)?
    | (?:\b(?:{_WEEKDAY}),?\s+)?\b(?P<md_month>{_MONTH})\.?\s+(?P<md_day>{_DAY}){_ORD}\b(?!\s*(?:%|h\b|:))
          (?:,?\s+(?P<md_year>20\d\d)\b)?
    | \b(?P<rel_month_q>fin|debut|mi|milieu|end|beginning|start|early|mid|late)[\s-]*(?:of\s+|de\s+|du\s+)?(?:the\s+)?
          (?P<rel_month>(?:mois|month)(?:\s+(?:prochain|suivant))?|(?:next|this|the\s+following)\s+month
                        |mois\s+prochain|courant)\b
    | \b(?P<nextmonth>(?:le\s+)?mois\s+prochain|next\s+month)\b
    | \b(?P<mq>fin|debut|mi|milieu|courant|end\s+of|beginning\s+of|start\s+of|early|mid|late|en|in|by|for|until|d'ici)
          [\s-]*(?:de\s+|d')?(?P<m_month>{_MONTH_ALONE})\b(?:\s+(?P<m_year>20\d\d)\b)?
    | \b(?P<week>(?:fin|end)\s+(?:de\s+(?:la\s+)?|of\s+(?:the\s+)?)?(?:semaine|week)(?:\s+prochaine)?
          |(?:fin|end)\s+(?:de\s+la\s+semaine\s+prochaine|of\s+next\s+week)
          |(?:la\s+|de\s+la\s+)?semaine\s+prochaine|next\s+week|(?:la\s+|de\s+la\s+)?semaine\s+(?:derniere|passee)
          |last\s+week|cette\s+semaine|this\s+week|dans\s+la\s+semaine|courant\s+de\s+semaine|later\s+this\s+week)\b
    | (?<!every\s)(?<!chaque\s)(?<!tous\sles\s)\b(?P<wd>{_WEEKDAY})(?:\s+(?P<wd_day>{_DAY})\b(?!\s*(?:/|%|{_MONTH})))?
          (?:\s+(?P<wd_q>prochain|dernier|passe|d'apres))?\b
    | \b(?P<wd_q2>next|last|this|ce|coming)\s+(?P<wd2>{_WEEKDAY})\b
    | \b(?P<rel_in>(?:dans|sous|d'ici|in|within)\s+(?:\d+|un|une|deux|trois|quatre|cinq|six|huit|dix|quinze|a|one|two
          |three|four|five|six|seven|eight|ten|fifteen)\s+(?:jours?|semaines?|mois|days?|weeks?|months?))\b
    | \b(?P<day_word>aujourd'hui|aujourd hui|ce\s+jour|ce\s+matin|ce\s+soir|cet\s+apres-midi|maintenant
          |immediatement|tout\s+de\s+suite|des\s+aujourd'hui|today|tonight|this\s+(?:morning|afternoon|evening)
          |right\s+away|now|apres-demain|apres\s+demain|avant-hier|avant\s+hier|demain|tomorrow|hier|yesterday)\b
    | (?:\ble\s+|\bthe\s+|\bon\s+the\s+|\bau\s+|\bdu\s+)(?P<day_only>{_DAY}){_ORD}\b(?!{_NOT_A_DAY})
    """,
    re.VERBOSE,
)
DAY_WORDS = {
    "apres-demain": 2,
    "apres demain": 2,
    "demain": 1,
    "tomorrow": 1,
    "hier": -1,
    "yesterday": -1,
    "avant-hier": -2,
    "avant hier": -2,
}


@dataclass(frozen=True)
class DateMention:
    """A date phrase found in the text, resolved for a promise (``ahead``) and for a payment (``back``)."""

    start: int
    end: int
    ahead: date | None
    back: date | None
    past_reference: bool = False


def _month_end(year, month):
    return date(year, month, calendar.monthrange(year, month)[1])


def _add_months(day, months, *, end=False):
    total = day.year * 12 + day.month - 1 + months
    year, month = divmod(total, 12)
    if end:
        return _month_end(year, month + 1)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _safe_date(year, month, day):
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _day_month(day, month, year, received):
    """(ahead, back, past_reference) of a day and month with or without a year."""
    if year:
        value = _safe_date(year if year > 99 else 2000 + year, month, day)
        return value, value, False
    this_year = _safe_date(received.year, month, day)
    if this_year is None:
        return None, None, False
    ahead = this_year if this_year >= received else _safe_date(received.year + 1, month, day)
    back = this_year if this_year <= received else _safe_date(received.year - 1, month, day)
    return ahead, back, this_year < received


def _month_only(qualifier, month, year, received):
    """A month named without a day: its end, its 5th ("début") or its 15th ("mi")."""
    if qualifier in ("debut", "beginning of", "start of", "early"):
        day = 5
    elif qualifier in ("mi", "milieu", "mid"):
        day = 15
    else:
        day = calendar.monthrange(year or received.year, month)[1]
    if year:
        return date(year, month, day)
    value = date(received.year, month, min(day, calendar.monthrange(received.year, month)[1]))
    if value < received and (month < received.month or day != calendar.monthrange(received.year, month)[1]):
        value = date(received.year + 1, month, min(day, calendar.monthrange(received.year + 1, month)[1]))
    return value


def _weekday(name, qualifier, received):
    """(ahead, back): the next such day after ``received`` and the last one before it."""
    target = WEEKDAYS[name]
    ahead = received + timedelta(days=(target - received.weekday() - 1) % 7 + 1)
    back = received - timedelta(days=(received.weekday() - target - 1) % 7 + 1)
    if qualifier == "d'apres":
        ahead += timedelta(days=7)
    if qualifier in ("dernier", "passe", "last"):
        return back, back
    return ahead, back


@lru_cache(maxsize=64)
def _relative_parser(language, received):
    """A dateparser reader for one language and one base day (they are slow to build)."""
    from dateparser.date import DateDataParser  # noqa: PLC0415 - heavy import, only when needed

    settings = {"PREFER_DATES_FROM": "future", "RELATIVE_BASE": datetime.combine(received, datetime.min.time())}
    return DateDataParser(languages=[language], settings=settings)


def _in_some_time(phrase, received):
    """ "dans 15 jours", "in two weeks", "sous 8 jours" through dateparser."""
    french = re.match(r"(dans|sous|d'ici)\b", phrase)
    phrase = re.sub(r"^(?:sous|d'ici)\b", "dans", re.sub(r"^within\b", "in", phrase))
    result = _relative_parser("fr" if french else "en", received).get_date_data(phrase)
    return result.date_obj.date() if result and result.date_obj else None


def _numeric(group, received):
    first, second = int(group["n1"] or group["n1d"]), int(group["n2"] or group["n2d"])
    year = group["n3"] or group["n3d"]
    day, month = (second, first) if second > 12 >= first else (first, second)
    if month > 12:
        return None, None, False
    return _day_month(day, month, int(year) if year else None, received)


def _named_day(group, received):
    day = int(group["dm_day"] or group["md_day"])
    month = MONTHS[group["dm_month"] or group["md_month"]]
    year = group["dm_year"] or group["md_year"]
    return _day_month(day, month, int(year) if year else None, received)


def _this_or_next_month(group, received):
    next_month = bool(re.search(r"prochain|suivant|next|following", group["rel_month"]))
    base = _add_months(received, 1) if next_month else received
    qualifier = group["rel_month_q"]
    if qualifier in ("debut", "beginning", "start", "early"):
        return base.replace(day=5)
    if qualifier in ("mi", "milieu", "mid"):
        return base.replace(day=15)
    return _month_end(base.year, base.month)


def _named_weekday(group, received):
    if group["wd_day"]:
        return _day_only(int(group["wd_day"]), received)
    ahead, back = _weekday(group["wd"] or group["wd2"], group["wd_q"] or group["wd_q2"], received)
    return ahead, back, False


def _same(value):
    return value, value, False


# which resolver reads which DATE_PHRASE alternative: (group that tells, resolver(group, received))
RESOLVERS = (
    ("iso", lambda g, r: _same(_safe_date(*map(int, g["iso"].split("-"))))),
    ("n1", _numeric),
    ("n1d", _numeric),
    ("dm_month", _named_day),
    ("md_month", _named_day),
    ("rel_month", lambda g, r: _same(_this_or_next_month(g, r))),
    ("nextmonth", lambda g, r: _same(_add_months(r, 1, end=True))),
    (
        "m_month",
        lambda g, r: _same(
            _month_only(re.sub(r"\s+", " ", g["mq"]), MONTHS[g["m_month"]], int(g["m_year"] or 0) or None, r)
        ),
    ),
    ("week", lambda g, r: _week(g["week"], r)),
    ("wd", _named_weekday),
    ("wd2", _named_weekday),
    ("rel_in", lambda g, r: _same(_in_some_time(g["rel_in"], r))),
    ("day_word", lambda g, r: _same(r + timedelta(days=DAY_WORDS.get(re.sub(r"\s+", " ", g["day_word"]), 0)))),
    ("day_only", lambda g, r: _day_only(int(g["day_only"]), r)),
)


def _resolve(match, received):
    """(ahead, back, past_reference) of one DATE_PHRASE match."""
    group = match.groupdict()
    for name, resolver in RESOLVERS:
        if group[name]:
            return resolver(group, received)
    return None, None, False


def _week(phrase, received):
    monday = received - timedelta(days=received.weekday())
    if re.search(r"^(?:fin|end)", phrase):  # by the Friday of that week
        value = monday + timedelta(days=11 if re.search(r"prochaine|next", phrase) else 4)
        value = value if value >= received else value + timedelta(days=7)
    elif re.search(r"prochaine|next", phrase):
        value = monday + timedelta(days=7)
    elif re.search(r"derniere|passee|last", phrase):
        value = monday - timedelta(days=7)
    else:  # this week: by its Friday
        value = max(received, monday + timedelta(days=4))
    return value, value, False


def _day_only(day, received):
    """A bare day of the month: this month or the next one ahead, this month or the last one back."""
    this_month = _safe_date(received.year, received.month, day)
    next_month = _add_months(received.replace(day=1), 1)
    last_month = _add_months(received.replace(day=1), -1)
    ahead = this_month if this_month and this_month >= received else _safe_date(next_month.year, next_month.month, day)
    back = this_month if this_month and this_month <= received else _safe_date(last_month.year, last_month.month, day)
    return ahead, back, False


def find_dates(folded, received, amounts=()):
    """The date phrases of a folded text, skipping those inside money amounts."""
    mentions = []
    for match in DATE_PHRASE.finditer(folded):
        if any(start < match.end() and match.start() < end for start, end, *_rest in amounts):
            continue
        try:
            ahead, back, past_reference = _resolve(match, received)
        except (ValueError, OverflowError):  # beyond the calendar (year 10000, a month after 12/9999): no date
            continue
        if ahead or back:
            mentions.append(DateMention(match.start(), match.end(), ahead, back, past_reference))
    return mentions


# ------------------------------------------------------------------------------------------------------- signals


def _words(*phrases):
    """One regex out of several phrases (each a regex), bounded by word edges."""
    return re.compile(r"(?<![\w])(?:" + "|".join(phrases) + r")(?![\w])")


AUTO_SUBJECT = _words(
    r"reponse\s+automatique",
    r"automatic\s+reply",
    r"auto(?:matic)?[- ]?reply",
    r"autoreply",
    r"out\s+of\s+(?:the\s+)?office",
    r"absence",
    r"absent",
    r"auto",
    r"message\s+d'absence",
    r"conges",
    r"vacation",
    r"ooo",
)
ABSENCE_BODY = _words(
    r"je\s+suis\s+(?:actuellement\s+)?(?:absente?|en\s+conges?|en\s+vacances|en\s+arret|en\s+deplacement)",
    r"absente?(?:\(e\))?\s+(?:du\s+bureau|jusqu|du\s+\d)",
    r"out\s+of\s+(?:the\s+)?office",
    r"(?:i\s+am|i'm)\s+(?:currently\s+)?(?:away|on\s+\w*\s*leave|out\b)",
    r"on\s+(?:annual|parental|maternity|paternity|sick)\s+leave",
    r"ferme\s+pour\s+conges",
    r"fermee\s+pour\s+conges",
    r"en\s+conges\s+annuels",
    r"en\s+arret\s+maladie",
)
# the day they are back, and the last day they are away
BACK_ON = re.compile(r"(?:de\s+retour|back|return|rentre|reviens|reprendrai|serai\s+la)\b[^.\n]{0,20}$")
AWAY_UNTIL = re.compile(r"(?:jusqu'?\s*(?:au|a|en)|until|till|through|au|to)\s+(?:le\s+|the\s+)?[^.\n]{0,12}$")

PAID = _words(
    r"deja\s+(?:ete\s+)?(?:paye|payee|payes|regle|reglee|regles|vire|viree|envoye|verse)",
    r"(?:a|ont|avons|ai|as)\s+(?:deja\s+)?(?:ete\s+)?(?:paye|payee|payes|regle|reglee|regles|vire|viree|verse|effectue"
    r"|emis|execute)",
    r"(?:avons|ai|a)\s+(?:deja\s+)?(?:envoye|expedie|poste|fait|effectue|emis)\s+(?:le|un|notre|mon|votre)\s+"
    r"(?:cheque|virement|reglement|paiement)",
    r"(?:reglement|paiement|cheque|virement)(?:\s+[^.\n]{1,30}?)?\s+a\s+ete\s+(?:fait|effectue|envoye|expedie|poste|emis|execute)",
    r"virement\s+(?:a\s+ete\s+|est\s+)?(?:effectue|fait|envoye|emis|passe|parti|execute)",
    r"paiement\s+(?:a\s+ete\s+|est\s+)?(?:effectue|fait|envoye|emis|parti)",
    r"cheque\s+(?:n°\s*\w+\s+)?(?:a\s+ete\s+|est\s+)?(?:envoye|poste|expedie|parti)",
    r"c'?\s*est\s+(?:deja\s+)?(?:regle|paye)",
    r"already\s+(?:been\s+)?(?:paid|settled|sent|transferred)",
    r"(?:has|have|had|was|were)\s+(?:already\s+)?(?:been\s+)?(?:paid|settled)",
    r"payment\s+(?:was|has\s+been|had\s+been)\s+(?:made|sent|processed|released|issued)",
    r"(?:we|i)\s+(?:have\s+)?(?:already\s+)?(?:paid|settled|sent\s+(?:the\s+)?(?:payment|transfer|cheque|check))",
    r"(?<!get\s)(?<!gets\s)(?<!be\s)paid\s+(?:it|this|that|in\s+full|yesterday|today|this\s+morning|last|on)",
    r"funds\s+(?:left|have\s+left|were\s+sent|have\s+been\s+sent)",
    r"(?:les\s+)?fonds\s+(?:sont|ont\s+ete)\s+(?:partis|envoyes|vires)",
    r"transfer\s+(?:was\s+|has\s+been\s+)?(?:sent|made|done|executed|issued)",
    r"remittance(?!\s+(?:details|address|information|info))",
    r"(?:reglement|paiement|virement|cheque)\s+(?:est|a\s+ete)\s+(?:deja\s+)?parti",
    r"(?:avons|ai|a)\s+(?:deja\s+)?procede\s+au\s+(?:paiement|reglement|virement)",
    r"(?:was|were|has\s+been|have\s+been)\s+(?:wired|transferred|remitted|sent|processed|released|issued)",
    r"(?:we|i)\s+(?:have\s+)?(?:made|processed|sent|wired|transferred|released)\s+(?:the\s+|a\s+|our\s+)?"
    r"(?:payment|transfer|funds|money)",
    r"already\s+done|deja\s+fait|c'?\s*est\s+fait",
    r"check\s+your\s+(?:account|bank|records)|verifiez\s+(?:vos\s+comptes|votre\s+compte|vos\s+releves)",
    r"avis\s+de\s+(?:paiement|virement)",
    r"payment\s+of\s+\S+\s+made",
)
# "payé" with its accent is a past participle (the folded "paye" may be "je paye lundi")
PAID_ACCENTED = re.compile(r"(?<!\w)(?:payée?s?|réglée?s?)\s+(?:hier|ce\s+matin|aujourd'hui|le\s|depuis|avant)", re.I)
PAID_SMS = re.compile(r"^\s*(?:c\s+|c'est\s+)?(?:deja\s+)?(?:paye|regle|paid)\b")

PROMISE = _words(
    r"(?:je|nous|on)\s+(?:vous\s+)?(?:vais|allons|va|peux|pouvons|pourrai|pourrons|pourrions|pourrais)\s+(?:peut-etre\s+)?"
    r"(?:vous\s+)?(?:payer|regler|faire|effectuer|envoyer|verser|virer|proceder|solder|regulariser)",
    r"regulariserons|regulariserai|regularisera",
    r"(?:paierai|paierons|paiera|payerai|payerons|payera|reglerai|reglerons|reglera|verserai|verserons|enverrai"
    r"|enverrons|enverra|virerai|virerons|ferai|ferons|procederons|procederai|solderai|solderons)",
    r"(?:sera|seront)\s+(?:regle|reglee|regles|reglees|paye|payee|payes|effectue|effectues|vire|envoye|verse|solde)",
    r"partira|partiront",
    r"(?:je|nous|on)\s+(?:vous\s+)?(?:paie|paye|paies|regle|vire|verse|envoie|envoies|passe)",
    r"(?:je|nous|on)\s+(?:vous\s+)?(?:fais|fait|faisons|lance|lancons)\s+(?:le|un|les|des)\s+"
    r"(?:virements?|paiements?|reglements?|versements?|cheques?)",
    r"(?:can|could|would\s+like\s+to)\s+offer|(?:we|i)\s+offer|per\s+month|par\s+mois",
    r"devrait\s+(?:partir|etre\s+(?:regle|paye|vire|envoye))|should\s+(?:go\s+out|be\s+(?:paid|sent|released))",
    r"confirm\w*\s+(?:le\s+|the\s+)?(?:paiement|reglement|virement|payment|transfer)",
    r"passe\s+regler",
    r"(?:vous\s+)?proposons|propose\s+de|echeancier|en\s+\d+\s+fois|mensualites",
    r"(?:will|shall|i'll|we'll|they'll|i'd|we'd|can|could)\s+(?:try\s+to\s+)?(?:pay|settle|transfer|send|make|process|release|wire|remit|do)",
    r"(?:going\s+to|gonna)\s+(?:pay|settle|transfer)",
    r"will\s+be\s+(?:paid|made|settled|released|sent|transferred|processed|wired)",
    r"scheduled|payment\s+(?:plan|run)|instal?ments?|monthly\s+payments?",
    r"paying|to\s+pay\s+(?:on|by|next|tomorrow)",
)
PAYMENT_WORD = _words(r"paiements?|reglements?|virements?|cheques?|versements?|payments?|transfers?|cheques?|checks?")
HEDGE = _words(
    r"peut-?\s?etre",
    r"essai\w*",
    r"essayer",
    r"tenter\w*",
    r"si\s+possible",
    r"normalement",
    r"en\s+principe",
    r"j'espere",
    r"esperons",
    r"sous\s+reserve",
    r"sauf\s+imprevu",
    r"si",
    r"des\s+que",
    r"lorsque",
    r"quand",
    r"maybe",
    r"perhaps",
    r"try",
    r"trying",
    r"hopefully",
    r"hope",
    r"if",
    r"once",
    r"as\s+soon\s+as",
    r"when\s+we",
    r"depending",
    r"subject\s+to",
    r"should\s+be\s+able",
)
NEGATION = re.compile(r"(?<!\w)(?:ne\s+\w+\s+pas|n'\w+\s+pas|pas|not|can'?t|cannot|won'?t|unable)(?!\w)")

# dispute: why it is contested, in the order they are checked (the first one found wins)
DISPUTE_REASONS = (
    (
        "duplicate",
        _words(
            r"en\s+double",
            r"doublons?",
            r"factur\w*\s+(?:\w+\s+){0,2}(?:deux|2)\s+fois",
            r"(?:deux|2)\s+fois\s+(?:la\s+meme|le\s+meme|les\s+memes)",
            r"duplicate",
            r"twice",
            r"double\s+(?:facturation|billing|invoiced|charged)",
            r"already\s+invoiced",
            r"deja\s+(?:ete\s+)?facturee?s?",
            r"(?:avez|a)\s+deja\s+facture",
        ),
    ),
    (
        "not_ordered",
        _words(
            r"(?:jamais|pas)\s+(?:ete\s+)?commandee?s?",
            r"pas\s+moi\s+qui\s+(?:ai|a)\s+commande",
            r"aucune\s+commande",
            r"never\s+ordered",
            r"(?:did\s+not|didn't|did\s+never)\s+order",
            r"not\s+ordered",
            r"no\s+order",
            r"only\s+ordered",
            r"no\s+record\s+of\s+(?:this|the|any|that)\s+(?:purchase|order)",
            r"aucune\s+trace\s+de\s+(?:cette|la|votre)\s+commande",
            r"n'avons\s+commande\s+que",
        ),
    ),
    (
        "goods",
        _words(
            r"abimee?s?",
            r"endommagee?s?",
            r"cassee?s?",
            r"defectueu\w*",
            r"defaut\w*",
            r"non[\s-]+conformes?",
            r"pas\s+conformes?",
            r"qualite",
            r"ne\s+fonctionne\s+pas",
            r"en\s+panne",
            r"damaged",
            r"defective",
            r"broken",
            r"faulty",
            r"quality",
            r"not\s+working",
            r"doesn'?t\s+work",
            r"returned\s+the\s+goods",
            r"not\s+as\s+described",
        ),
    ),
    (
        "price",
        _words(
            r"prix",
            r"tarifs?",
            r"remises?",
            r"montant\s+(?:est\s+)?(?:incorrect|errone|faux)",
            r"mauvais\s+montant",
            r"erreur\s+de\s+(?:prix|montant|facturation)",
            r"au\s+lieu\s+de",
            r"ne\s+tient\s+pas\s+compte",
            r"wrong\s+(?:price|amount)",
            r"prices?",
            r"discounts?",
            r"overcharged",
            r"amount\s+(?:is\s+)?(?:wrong|incorrect)",
            r"amount\s+should\s+be",
            r"montant\s+(?:devrait|doit)\s+etre",
            r"ne\s+correspond(?:ent)?\s+pas",
            r"(?:don'?t|do\s+not|doesn'?t|does\s+not)\s+match",
            r"overbilled|over-billed|billed\s+(?:us\s+)?for\s+more",
            r"factur\w*\s+en\s+trop",
            r"gratuit\w*",
            r"free\s+of\s+charge",
            r"should\s+(?:have\s+been|be)\s+free",
            r"charged\s+(?:us\s+)?(?:vat|tax|for)",
            r"exempt\w*|exonere\w*",
        ),
    ),
    (
        "delivery",
        re.compile(
            r"(?<!\w)(?:jamais\s+(?:ete\s+)?(?:recu|recue|recus|livre|livree)|pas\s+(?:ete\s+)?(?:recu|livre|livree)"
            r"|non\s+livree?|livraison\s+(?:\w+\s+)?(?:incomplete|partielle|en\s+retard)|incomplete|il\s+manque"
            r"|manquant\w*|never\s+(?:received|delivered|arrived)|not\s+(?:been\s+)?(?:received|delivered)"
            r"|(?:received|delivered)\s+only|only\s+(?:received|delivered)|missing|late\s+delivery|short[\s-]?shipped"
            r"|partial\s+delivery|jamais\s+(?:ete\s+)?realisee?s?|pas\s+(?:ete\s+)?realisee?s?|(?:n'est|ne\s+sont)\s+pas\s+venus?"
            r"|never\s+(?:came|showed\s+up|performed|carried\s+out)|not\s+(?:been\s+)?(?:performed|carried\s+out))(?!\w)"
            # "we never received the invoice" asks for a copy, it does not contest the goods
            r"(?!\s+(?:la\s+|votre\s+|the\s+|your\s+|an?\s+|de\s+la\s+|d[eu]\s+)?(?:factures?|invoices?|copie|copy|releve"
            r"|statement))"
        ),
    ),
)
DISPUTE = _words(
    r"contest\w*",
    r"litiges?",
    r"desaccord",
    r"reclamation",
    r"disputes?",
    r"disputed",
    r"disagree",
    r"ne\s+(?:reglerons|paierons|reglerai|paierai|payerons|payerai)\s+pas",
    r"(?:paierai|paierons|reglerai|payerai)\s+pas",
    r"refus\w*",
    r"will\s+not\s+pay",
    r"won'?t\s+pay",
    r"not\s+(?:going\s+to\s+)?pay",
    r"holding\s+(?:the\s+)?payment",
    r"withh[oe]ld",
    r"avoir",
    r"credit\s+note",
    r"annuler",
    r"cancel\w*",
    r"(?:facture|invoice)\s+(?:is|est)\s+(?:wrong|incorrect|faux|fausse|erronee)",
    r"rectifiee",
    r"(?:merci\s+de\s+|pouvez-vous\s+|veuillez\s+)corriger",
    r"please\s+(?:correct|amend|adjust)",
    r"only\s+(?:paying|pay|going\s+to\s+pay)\s+for",
    r"ne\s+(?:paierons|reglerons|paierai|reglerai|payerons)\s+que",
    r"fausse|erronee",
    r"pas\s+a\s+nous",
    r"corrected\s+invoice",
)

DOCUMENT_REQUESTS = (
    (
        "invoice",
        _words(
            r"(?:copie|copies|duplicata|double|exemplaire|original)\s+(?:de\s+la\s+|des\s+|de\s+|d[eu]\s+)?factures?",
            r"duplicata",
            r"(?:renvoyer|envoyer|transmettre|renvoyez|envoyez)\s+(?:nous\s+|moi\s+)?(?:la|les)\s+factures?",
            r"(?:invoice|invoices)\s+cop(?:y|ies)",
            r"cop(?:y|ies)\s+of\s+(?:the\s+|your\s+)?invoices?",
            r"resend\s+(?:a\s+copy|the\s+invoice|it)",
            r"re-send",
            r"re-?issue\s+(?:the\s+|an?\s+|our\s+)?invoice",
            r"(?:reemettre|refaire|reediter)\s+(?:la|une)\s+facture",
            r"send\s+(?:us\s+|me\s+)?(?:again\s+)?(?:a\s+copy|the\s+invoice)",
        ),
    ),
    (
        "statement",
        _words(
            r"releve(?:\s+de\s+compte)?",
            r"statement(?:\s+of\s+account)?",
            r"detail\s+des\s+factures",
            r"liste\s+des\s+factures",
            r"situation\s+de\s+compte",
            r"extrait\s+de\s+compte",
            r"etat\s+(?:des\s+factures|de\s+compte|du\s+compte)",
            r"(?:list|listing)\s+of\s+(?:open|outstanding|unpaid)\s+(?:items|invoices)",
            r"open\s+items",
        ),
    ),
    (
        "rib",
        _words(
            r"rib",
            r"iban",
            r"bic",
            r"swift",
            r"coordonnees\s+bancaires",
            r"(?:bank|banking|bank\s+account)\s+details",
            r"bank\s+information",
            r"remittance\s+(?:details|information|info)",
        ),
    ),
)
# a document outside the three kinds: asked for, it still makes a document request (``documents`` stays empty)
OTHER_DOCUMENT = _words(
    r"bon\s+de\s+(?:livraison|commande)",
    r"delivery\s+note",
    r"proof\s+of\s+delivery",
    r"purchase\s+order",
    r"justificatifs?",
    r"w-?9",
    r"kbis",
)
OPT_OUT = _words(
    r"arret(?:ez|er)\s+de\s+(?:m'|me\s+|nous\s+)?(?:ecrire|relancer|contacter|harceler|appeler)",
    r"ne\s+plus\s+(?:me|nous)\s+(?:contacter|ecrire|relancer|appeler|harceler)",
    r"stop\s+(?:writing|contacting|emailing|sending|calling)",
    r"unsubscribe",
    r"desinscri\w*",
    r"desabonn\w*",
    r"remove\s+me\s+from",
    r"do\s+not\s+contact",
    r"don'?t\s+contact",
)

# shares of the debt: "la moitié", "half", "50 %", "la totalité", and the rest
SHARE = _words(
    r"(?P<pct>\d{1,3})\s?%",
    r"(?P<half>(?:la\s+)?moitie|half)",
    r"(?P<third>(?:un\s+)?tiers|(?:a|one)\s+third)",
    r"(?P<quarter>(?:un\s+)?quart|(?:a|one)\s+quarter)",
    r"(?P<whole>(?:la\s+)?totalite|l'integralite|l'ensemble|(?:the\s+)?(?:full|whole|total|entire)\s+(?:amount|balance|sum)"
    r"|in\s+full|the\s+lot|tout\s+regler|everything)",
    r"(?P<rest>(?:le\s+)?reste|(?:le\s+)?solde|(?:the\s+)?rest|(?:the\s+)?balance|(?:the\s+)?remainder|remaining)",
)
# "3 monthly payments of 1,000 EUR starting July 1st", "6 mensualités de 200 € à partir du 5 juillet"
NUMBER_WORDS = {"deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "two": 2, "three": 3, "four": 4, "five": 5}
MONTHLY = re.compile(
    r"(?P<count>\d{1,2}|deux|trois|quatre|cinq|six|two|three|four|five|six)\s+(?:monthly\s+(?:payments|instal?ments)"
    r"|mensualites|versements\s+mensuels|paiements\s+mensuels)\s+(?:of|de)\s+[^.\n]{0,20}?"
    r"(?:starting|beginning|from|a\s+partir\s+du|a\s+compter\s+du|des\s+le)\s"
)
# "votre courrier du 10 juin": a day gone by, not a day rolled to next year
PAST_REFERENCE = re.compile(
    r"(?:\bdu|\bdated|\bof|\bfrom|\bdepuis|\bsince|\bsent\s+on|envoye\s+le)\s+(?:le\s+|the\s+)?$"
)
# "60 jours fin de mois", "30 days end of month": payment terms, not a date
PAYMENT_TERMS = re.compile(r"\d+\s*(?:jours|days|j)\s+$")
SENTENCE_END = re.compile(r"[.!?;](?=\s|$)|\n")


# ------------------------------------------------------------------------------------------------------- reading


def _share_in(folded_chunk):
    """The share stated in a chunk of text: a fraction, "rest", or None."""
    share = None
    for match in SHARE.finditer(folded_chunk):
        if match.group("pct"):
            share = int(match.group("pct")) / 100
        elif match.group("half"):
            share = 0.5
        elif match.group("third"):
            share = round(1 / 3, 4)
        elif match.group("quarter"):
            share = 0.25
        elif match.group("whole"):
            share = 1.0
        else:
            share = "rest"
    return share


def _sentence_start(folded, position):
    starts = [m.end() for m in SENTENCE_END.finditer(folded, 0, position)]
    return starts[-1] if starts else 0


def read_instalments(folded, mentions, amounts, received):
    """Instalments ``(date, amount, share)`` of a promise: each date phrase takes the amount or share said
    between the previous date phrase (or the sentence start) and itself."""
    monthly = MONTHLY.search(folded)
    if monthly:
        return _monthly_plan(monthly, mentions, amounts, received)
    instalments = []
    previous_end = 0
    for mention in mentions:
        start = max(previous_end, _sentence_start(folded, mention.start))
        chunk = folded[start : mention.start]
        previous_end = mention.end
        if (
            mention.ahead is None
            or mention.ahead < received  # a day gone by, said with its year ("le 15/07/2020"), is no promise
            or NEGATION.search(chunk)
            or (mention.past_reference and PAST_REFERENCE.search(chunk))
            or PAYMENT_TERMS.search(chunk)
        ):
            continue
        amount = next((value for a_start, _e, value, _c in reversed(amounts) if start <= a_start < mention.start), None)
        share = None if amount is not None else _share_in(chunk)
        if amount is None and share is None:
            sentence_end = SENTENCE_END.search(folded, mention.end)
            after = range(mention.end, sentence_end.start() if sentence_end else len(folded))
            amount = next((value for a_start, _e, value, _c in amounts if a_start in after), None)
        instalments.append([mention.ahead, amount, share])
    return _settle_rest(instalments)


def _monthly_plan(match, mentions, amounts, received):
    count = match.group("count")
    count = int(count) if count.isdigit() else NUMBER_WORDS[count]
    amount = next((value for start, _e, value, _c in amounts if start >= match.start()), None)
    first = next((m.ahead for m in mentions if m.start >= match.end() - 1 and m.ahead and m.ahead >= received), None)
    if first is None:
        return ()
    last_possible = (9999 - first.year) * 12 + 12 - first.month  # months left before the calendar's end
    return tuple((_add_months(first, index), amount, None) for index in range(min(count, 24, last_possible + 1)))


def _settle_rest(instalments):
    """The rest takes the share left by the stated shares; after stated amounts, it stays the balance."""
    result = []
    for day, amount, stated in instalments:
        share = stated
        if stated == "rest":
            if not result:
                share = 1.0
            elif all(prev_share is not None for _d, _a, prev_share in result):
                share = round(1 - sum(prev_share for _d, _a, prev_share in result), 4)
            else:
                share = None
        result.append((day, amount, share))
    return tuple(result)


def _promise_is_clear(instalments, folded_text):
    if not instalments or HEDGE.search(folded_text):
        return False
    if len(instalments) == 1:
        _day, amount, share = instalments[0]
        return amount is not None or share is not None
    # several instalments: a last one without amount nor share is the balance after the others
    return all(amount is not None or share is not None for _day, amount, share in instalments[:-1])


def _return_date(folded, mentions):
    """The day an absent person is back (see the module docstring)."""
    best = None
    for mention in mentions:
        before = folded[max(0, mention.start - 30) : mention.start]
        day = mention.ahead
        if day is None:
            continue
        if AWAY_UNTIL.search(before) and not BACK_ON.search(before):
            day += timedelta(days=1)
            if day.weekday() >= 5:
                day += timedelta(days=7 - day.weekday())
        elif not BACK_ON.search(before):
            continue
        best = max(best, day) if best else day
    return best


def _paid_reference(text, invoice_refs):
    for match in PAYMENT_REFERENCE.finditer(fold(text)):
        reference = text[match.start("ref") : match.end("ref")].rstrip(".,;)")
        if reference.upper() not in invoice_refs:
            return reference
    return None


def _is_paid(text, folded, mentions, received):
    if not (PAID.search(folded) or PAID_ACCENTED.search(text) or PAID_SMS.search(folded)):
        return False
    # "le virement partira le 30" is a promise; a payment said done looks back
    return not any(m.back is None and m.ahead and m.ahead > received for m in mentions)


def _payment_ahead(folded, mentions, received, money=()):
    """A payment word or an amount, and a day to come, in one sentence: "1 000 € le 25/06"."""
    for mention in mentions:
        if mention.ahead and mention.ahead >= received and not mention.past_reference:
            start = _sentence_start(folded, mention.start)
            end = SENTENCE_END.search(folded, mention.end)
            stop = end.start() if end else len(folded)
            if PAYMENT_WORD.search(folded[start:stop]) or any(start <= m_start < stop for m_start, *_r in money):
                return True
    return False


def _kind(signals):
    """The kind of a reply from its signals, by the priority of the module docstring."""
    if signals["auto_reply"]:
        return "absence"
    if signals["reason"] == "duplicate":
        return "dispute"
    for kind in ("paid", "dispute"):
        if signals[kind]:
            return kind
    if signals["promise"] and (signals["instalments"] or not signals["documents"]):
        return "promise"
    if signals["absent"]:
        return "absence"
    return "document" if signals["documents"] or signals["other_document"] else "other"


def read_reply(text, received, html=False, subject=""):
    """Read a debtor's reply (see the module docstring): ``received`` is the date of the reply."""
    new_text = strip_reply(text, html=html)
    folded = fold(new_text)
    money = _amount_matches(new_text)
    amounts = read_amounts(new_text)
    refs = read_invoice_refs(new_text)
    mentions = find_dates(folded, received, money)
    reason = next((name for name, pattern in DISPUTE_REASONS if pattern.search(folded)), None)
    signals = {
        "auto_reply": bool(AUTO_SUBJECT.search(fold(subject or ""))),
        "absent": bool(ABSENCE_BODY.search(folded)),
        "reason": reason,
        "paid": _is_paid(new_text, folded, mentions, received),
        "dispute": reason is not None or bool(DISPUTE.search(folded)),
        "promise": bool(PROMISE.search(folded)) or _payment_ahead(folded, mentions, received, money),
        "documents": tuple(name for name, pattern in DOCUMENT_REQUESTS if pattern.search(folded)),
        "other_document": bool(OTHER_DOCUMENT.search(folded)),
    }
    signals["instalments"] = (
        read_instalments(folded, mentions, money, received) if signals["promise"] or signals["dispute"] else ()
    )
    kind = _kind(signals)
    fields = {}
    if kind in ("promise", "dispute"):
        fields["instalments"] = signals["instalments"]
    if kind == "promise":
        fields["clear"] = _promise_is_clear(signals["instalments"], folded)
    if kind == "dispute":
        fields["reason"] = reason
    if kind == "paid":
        past = [m.back for m in mentions if m.back and m.back <= received]
        fields["paid_date"] = past[0] if past else None
        fields["paid_amount"] = amounts[0][0] if amounts else None
        fields["paid_reference"] = _paid_reference(new_text, refs)
    if kind == "absence":
        fields["return_date"] = _return_date(folded, mentions)
    if kind in ("promise", "document"):
        fields["documents"] = signals["documents"]
    return ReplyReading(
        kind,
        text=new_text,
        amounts=tuple(value for value, _code in amounts),
        currency=next((code for _value, code in amounts if code), None),
        invoice_refs=refs,
        opt_out=bool(OPT_OUT.search(folded)),
        **fields,
    )
