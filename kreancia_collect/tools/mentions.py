"""Late-payment mentions of an invoice to a professional (Code de commerce L441-9).

An invoice between professionals must state the late-payment penalty rate
and the fixed recovery indemnity of 40 EUR, the amount itself (L441-9 I,
L441-10 II, D441-5); a missing mention is fined (L441-16) although the
penalties stay due. :func:`invoice_mentions` writes them for a rate and a
language; :func:`has_legal_mentions` tells whether an invoice's terms
already carry them.

The legal default rate of a half-year (ECB rate in force on 1 January or
1 July + 10 points), H1 2026: 2.15 + 10 = 12.15 %:

>>> from textwrap import fill
>>> print(fill(invoice_mentions(12.15, "fr_FR"), 100))
En cas de retard de paiement, des pénalités sont exigibles au taux de 12,15 % l'an (taux directeur
de la BCE majoré de 10 points), ainsi qu'une indemnité forfaitaire pour frais de recouvrement de 40
€ (art. L441-10 et D441-5 du Code de commerce).
>>> print(fill(invoice_mentions(12.15, "en_US"), 100))
In case of late payment, penalties are due at the rate of 12.15% per year (ECB main refinancing rate
plus 10 points), together with a fixed indemnity of EUR 40 for recovery costs (art. L441-10 and
D441-5 of the French Commercial Code).

A contractual rate is stated alone; an unknown rate (a half-year not yet
recorded) is stated as its formula, which the law accepts:

>>> print(invoice_mentions(15, "fr_FR", contractual=True).split(", ")[1])
des pénalités sont exigibles au taux de 15,00 % l'an
>>> "au taux directeur de la BCE majoré de 10 points" in invoice_mentions(None, "fr_FR")
True
>>> has_legal_mentions(invoice_mentions(None, "en_US")), has_legal_mentions(invoice_mentions(15, "fr", True))
(True, True)

The detector reads HTML terms, accents optional, in French or English:

>>> has_legal_mentions("<p>Penalites de retard : 3 fois le taux legal. Indemnite de recouvrement : 40&nbsp;EUR.</p>")
True
>>> has_legal_mentions("Pénalités de retard : 10 %.")  # no 40 EUR indemnity
False
>>> has_legal_mentions("Payment within 30 days. Fixed recovery indemnity: 40 euros.")  # no penalty rate
False
"""

import html
import re
import unicodedata

RECOVERY_INDEMNITY_TEXT = {
    "fr": "ainsi qu'une indemnité forfaitaire pour frais de recouvrement de 40 € "
    "(art. L441-10 et D441-5 du Code de commerce)",
    "en": "together with a fixed indemnity of EUR 40 for recovery costs "
    "(art. L441-10 and D441-5 of the French Commercial Code)",
}


def mentions_language(lang):
    """``"fr"`` for a French language code, ``"en"`` for any other (the invoice's language).

    >>> mentions_language("fr_BE"), mentions_language("de_DE"), mentions_language(None)
    ('fr', 'en', 'en')
    """
    return "fr" if (lang or "").lower().startswith("fr") else "en"


def format_rate(rate, language):
    """The rate with two decimals, a comma and a space before % in French.

    >>> format_rate(12.15, "fr"), format_rate(12.15, "en"), format_rate(15, "fr")
    ('12,15 %', '12.15%', '15,00 %')
    """
    if language == "fr":
        return f"{rate:.2f}".replace(".", ",") + " %"
    return f"{rate:.2f}%"


def invoice_mentions(rate, lang="fr_FR", contractual=False):
    """The late-payment mentions an invoice to a professional must carry.

    :param rate: the annual late-payment rate in percent: the customer's contractual
        rate, or the legal default of the invoice date's half-year; ``None`` when that
        half-year's rate is not recorded yet, then stated as its formula
    :param lang: the invoice's language code (French, else English)
    :param contractual: ``rate`` is the customer's contractual rate, not the legal default
    """
    language = mentions_language(lang)
    if language == "fr":
        if rate is None:
            penalty = "au taux directeur de la BCE majoré de 10 points"
        elif contractual:
            penalty = f"au taux de {format_rate(rate, language)} l'an"
        else:
            penalty = f"au taux de {format_rate(rate, language)} l'an (taux directeur de la BCE majoré de 10 points)"
        return f"En cas de retard de paiement, des pénalités sont exigibles {penalty}, {RECOVERY_INDEMNITY_TEXT['fr']}."
    if rate is None:
        penalty = "at the ECB main refinancing rate plus 10 points"
    elif contractual:
        penalty = f"at the rate of {format_rate(rate, language)} per year"
    else:
        penalty = f"at the rate of {format_rate(rate, language)} per year (ECB main refinancing rate plus 10 points)"
    return f"In case of late payment, penalties are due {penalty}, {RECOVERY_INDEMNITY_TEXT['en']}."


# What the detector looks for, on text without accents, lower case, blanks collapsed.
PENALTY_WORDS = re.compile(r"penalit|penalt|interets? de retard|interets? moratoires|late[- ]payment interest|interest")
# a percentage, or the legal formulas that stand for one (ECB rate + 10 points, 3 x the legal interest rate)
PENALTY_RATE = re.compile(
    r"\d+(?:[.,]\d+)?\s?%"
    r"|(?:bce|ecb|banque centrale europeenne|european central bank)\D{0,80}10 (?:percentage )?points?"
    r"|(?:3|trois|three) (?:fois|times) (?:le |the )?(?:taux (?:d'interet )?legal|legal (?:interest )?rate)"
)
INDEMNITY_WORDS = re.compile(r"indemnit|recouvrement|recovery")
FORTY_EUROS = re.compile(
    r"(?<![\d.,])40(?:[.,]00?)?\s?(?:€|eur\b|euros?\b)|(?:€|\beur|\beuros?)\s?40(?:[.,]00?)?(?![\d.,]?\d)"
)
NEAR = 160  # characters either side of a keyword where its figure must stand


def normalise_terms(text):
    """Plain text of ``text`` (HTML or not): no tags, no accents, lower case, blanks collapsed.

    >>> normalise_terms("<p>Indemnité&nbsp;: 40&#8239;€</p>")
    'indemnite : 40 €'
    """
    text = html.unescape(re.sub(r"<[^>]+>", " ", text or ""))
    text = "".join(char for char in unicodedata.normalize("NFKD", text) if not unicodedata.combining(char))
    text = text.replace("\u2019", "'")
    return " ".join(text.lower().split())


def _near(text, words, figure):
    """Whether a match of ``figure`` stands within :data:`NEAR` characters of a match of ``words``."""
    for word in words.finditer(text):
        window = text[max(0, word.start() - NEAR) : word.end() + NEAR]
        if figure.search(window):
            return True
    return False


def has_legal_mentions(text):
    """Whether ``text`` (an invoice's terms, HTML or plain) states both late-payment mentions.

    The penalty mention is a penalty or interest word with a percentage (or
    the formula "ECB rate + 10 points" / "3 x the legal interest rate") near
    it; the indemnity mention is 40 with €, EUR or euros near "indemnité",
    "recouvrement", "indemnity" or "recovery". Both are needed.

    >>> has_legal_mentions("Pénalités de retard : 12,15 % l'an. Indemnité forfaitaire de recouvrement : 40 €.")
    True
    >>> has_legal_mentions("Late payment interest 12.15%; recovery indemnity EUR 40.00")
    True
    >>> has_legal_mentions("Pénalités de retard : 12,15 %. Indemnité de recouvrement : 140 €.")
    False
    """
    text = normalise_terms(text)
    return _near(text, PENALTY_WORDS, PENALTY_RATE) and _near(text, INDEMNITY_WORDS, FORTY_EUROS)
