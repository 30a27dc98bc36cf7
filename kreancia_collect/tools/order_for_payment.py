"""Request for an order for payment (injonction de payer, C. pr. civ. 1405 and following): its content, or why not.

A creditor (or its lawyer) asks the court of the debtor's seat for an order
to pay a contractual claim of a fixed amount (C. pr. civ. 1405, 1406): the
commercial court between traders, the judicial court otherwise. The request
states both parties, the amounts split into principal, interest and
indemnities with their basis, and lists the supporting documents (1407).
This add-on files it only for invoices that were put on formal notice by
registered mail and are not time-barred.

Hand-computed example, as in DOMAIN.md: an invoice of 1,000.00 EUR due on
31 March 2026, claimed on 30 April 2026 from a trader. Interest runs from
1 April to 30 April, 30 days at 12.15 % (ECB 2.15 + 10 points, H1 2026):
1,000 x 12.15 % x 30 / 365 = 9.99; indemnity 40.00 (D441-5); total 1,049.99.

>>> from datetime import date
>>> creditor = Party("Créancier SAS", "552100554", "1 rue du Port, 69002 Lyon", "Lyon")
>>> debtor = Party("Boulangerie SARL", "443061841", "12 rue de la République, 69002 Lyon", "Lyon")
>>> invoice = Invoice("INV/2026/0001", date(2026, 3, 1), date(2026, 3, 31), 1000.0, 9.99, 40.0,
...                   rates=((2026, 1, 12.15),), interest_until=date(2026, 4, 30))
>>> notice = Notice("FN/2026/0007", date(2026, 4, 10), "1A 111 222 3333 4", ("INV/2026/0001",))
>>> request = prepare_request(creditor, debtor, [invoice], [notice], today=date(2026, 4, 30))
>>> request.refusals
()
>>> request.court.name
'Tribunal de commerce de Lyon'
>>> request.totals
{'principal': 1000.0, 'credit': 0.0, 'interest': 9.99, 'indemnity': 40.0, 'total': 1049.99}
>>> row = request.rows[0]
>>> row.interest_from, row.interest_until, row.total
(datetime.date(2026, 4, 1), datetime.date(2026, 4, 30), 1049.99)
>>> [(document.kind, document.reference) for document in request.documents]
[('invoice', 'INV/2026/0001'), ('notice', 'FN/2026/0007'), ('statement', '')]

Without a formal notice, or past the limitation date (five years from the
due date between professionals), the request is refused, with the invoices:

>>> prepare_request(creditor, debtor, [invoice], [], today=date(2026, 4, 30)).refusals
(Refusal(code='no_notice', invoices=('INV/2026/0001',)),)
>>> barred = invoice._replace(limitation_date=date(2031, 3, 31))
>>> prepare_request(creditor, debtor, [barred], [notice], today=date(2031, 4, 1)).refusals
(Refusal(code='time_barred', invoices=('INV/2026/0001',)),)

A debtor who is not a trader (a consumer) answers to the judicial court:

>>> prepare_request(creditor, debtor._replace(trader=False), [invoice], [notice], date(2026, 4, 30)).court
Court(kind='judicial', name='Tribunal judiciaire de Lyon', city='Lyon')
"""

from datetime import date, timedelta
from typing import NamedTuple

SECTIONS = ("court", "creditor", "debtor", "claim", "basis", "request", "documents", "signature")
PROCEDURE_BASIS = ("C. pr. civ. 1405", "C. pr. civ. 1406", "C. pr. civ. 1407")
PRINCIPAL_BASIS = ("C. civ. 1103", "C. civ. 1353")
TRADER_INTEREST_BASIS = ("C. com. L441-10 II",)
CIVIL_INTEREST_BASIS = ("C. civ. 1231-6", "C. civ. 1344-1")
INDEMNITY_BASIS = ("C. com. L441-10 II", "C. com. D441-5")
Day = date  # for the fields named ``date``


class Party(NamedTuple):
    """A party: ``siren`` its registration number, ``address`` its registered office on one line,
    ``city`` the city of that office (it names the court), ``trader`` False for a consumer."""

    name: str
    siren: str = ""
    address: str = ""
    city: str = ""
    trader: bool = True


class Invoice(NamedTuple):
    """An invoice claimed, its amounts in the claim's currency.

    ``rates`` are ``(year, half, rate %)`` of the interest period, which ends
    on ``interest_until`` (the date the interest was computed);
    ``limitation_date`` the day its claim is time-barred (None: unknown);
    ``currency`` and ``amount_currency`` the invoice's own currency and
    principal when it is not the claim's.
    """

    reference: str
    invoice_date: date
    due_date: date
    principal: float
    interest: float = 0.0
    indemnity: float = 0.0
    rates: tuple = ()
    interest_until: date | None = None
    limitation_date: date | None = None
    currency: str = ""
    amount_currency: float = 0.0


class Notice(NamedTuple):
    """A formal notice sent by registered mail, with the references of the invoices it claimed."""

    reference: str
    posted_date: date
    tracking_number: str
    invoices: tuple


class Court(NamedTuple):
    kind: str  # "commercial" or "judicial"
    name: str  # its name in French, as the court is called
    city: str


class Row(NamedTuple):
    """One invoice of the claim, as the request prints it."""

    reference: str
    invoice_date: date
    due_date: date
    principal: float
    interest: float
    interest_from: date | None
    interest_until: date | None
    rates: tuple
    indemnity: float
    total: float
    notices: tuple
    currency: str
    amount_currency: float


class Document(NamedTuple):
    """A supporting document: ``kind`` in invoice, notice, statement, terms."""

    kind: str
    reference: str = ""
    date: Day | None = None
    tracking_number: str = ""


class Refusal(NamedTuple):
    """Why the request cannot be filed: ``code`` in no_invoice, no_seat, no_notice, time_barred."""

    code: str
    invoices: tuple = ()


class Request(NamedTuple):
    court: Court | None
    creditor: Party
    debtor: Party
    rows: tuple
    totals: dict
    basis: tuple  # ((item, articles), ...), item in principal, interest, indemnity, procedure
    documents: tuple
    refusals: tuple
    sections: tuple
    date: Day


def competent_court(debtor):
    """The court of the debtor's seat: commercial between traders, judicial for a consumer; None without a city.

    >>> competent_court(Party("SARL", city="Villeurbanne"))
    Court(kind='commercial', name='Tribunal de commerce de Villeurbanne', city='Villeurbanne')
    >>> competent_court(Party("SARL")) is None
    True
    """
    city = (debtor.city or "").strip()
    if not city:
        return None
    if debtor.trader:
        return Court("commercial", f"Tribunal de commerce de {city}", city)
    return Court("judicial", f"Tribunal judiciaire de {city}", city)


def refusals(debtor, invoices, notices, today):
    """``(Refusal, ...)`` of the request, empty when it may be filed.

    An invoice needs a formal notice sent by registered mail and a limitation
    date not passed; on the limitation date itself the claim may still be
    brought. An unknown limitation date refuses nothing.

    >>> inv = Invoice("A", date(2021, 1, 1), date(2021, 1, 31), 10.0, limitation_date=date(2026, 1, 31))
    >>> refusals(Party("X", city="Lyon"), [inv], [Notice("N", date(2021, 3, 1), "1A", ("A",))], date(2026, 1, 31))
    ()
    >>> refusals(Party("X"), [], [], date(2026, 1, 31))
    (Refusal(code='no_invoice', invoices=()), Refusal(code='no_seat', invoices=()))
    """
    found = []
    if not invoices:
        found.append(Refusal("no_invoice"))
    if competent_court(debtor) is None:
        found.append(Refusal("no_seat"))
    noticed = {reference for notice in notices for reference in notice.invoices}
    without_notice = tuple(invoice.reference for invoice in invoices if invoice.reference not in noticed)
    if without_notice:
        found.append(Refusal("no_notice", without_notice))
    barred = tuple(
        invoice.reference for invoice in invoices if invoice.limitation_date and invoice.limitation_date < today
    )
    if barred:
        found.append(Refusal("time_barred", barred))
    return tuple(found)


def prepare_request(creditor, debtor, invoices, notices, today, *, credit=0.0, terms=""):
    """The request's content and its refusals (see :func:`refusals`): a request with refusals is not filed.

    :param invoices: :class:`Invoice` claimed, amounts in the claim's currency
    :param notices: :class:`Notice` sent by registered mail (those claiming none of the invoices are left out)
    :param today: the request's date
    :param credit: open credit notes of the debtor, deducted from the principal
    :param terms: the reference of the contract or terms and conditions, when there are any
    """
    invoices = sorted(invoices, key=lambda invoice: (invoice.due_date, invoice.reference))
    references = {invoice.reference for invoice in invoices}
    notices = sorted(
        (notice for notice in notices if references.intersection(notice.invoices)),
        key=lambda notice: (notice.posted_date, notice.reference),
    )
    rows = tuple(_row(invoice, notices) for invoice in invoices)
    totals = {
        "principal": round(sum(row.principal for row in rows), 2),
        "credit": round(credit, 2),
        "interest": round(sum(row.interest for row in rows), 2),
        "indemnity": round(sum(row.indemnity for row in rows), 2),
    }
    totals["total"] = round(totals["principal"] - totals["credit"] + totals["interest"] + totals["indemnity"], 2)
    basis = [("principal", PRINCIPAL_BASIS)]
    if totals["interest"]:
        basis.append(("interest", TRADER_INTEREST_BASIS if debtor.trader else CIVIL_INTEREST_BASIS))
    if totals["indemnity"]:
        basis.append(("indemnity", INDEMNITY_BASIS))
    basis.append(("procedure", PROCEDURE_BASIS))
    documents = [Document("invoice", invoice.reference, invoice.invoice_date) for invoice in invoices]
    documents += [
        Document("notice", notice.reference, notice.posted_date, notice.tracking_number) for notice in notices
    ]
    documents.append(Document("statement", "", None))
    if terms:
        documents.append(Document("terms", terms))
    return Request(
        court=competent_court(debtor),
        creditor=creditor,
        debtor=debtor,
        rows=rows,
        totals=totals,
        basis=tuple(basis),
        documents=tuple(documents),
        refusals=refusals(debtor, invoices, notices, today),
        sections=SECTIONS,
        date=today,
    )


def _row(invoice, notices):
    interest_from = invoice.due_date + timedelta(days=1) if invoice.interest else None
    return Row(
        reference=invoice.reference,
        invoice_date=invoice.invoice_date,
        due_date=invoice.due_date,
        principal=round(invoice.principal, 2),
        interest=round(invoice.interest, 2),
        interest_from=interest_from,
        interest_until=invoice.interest_until if invoice.interest else None,
        rates=tuple(invoice.rates),
        indemnity=round(invoice.indemnity, 2),
        total=round(invoice.principal + invoice.interest + invoice.indemnity, 2),
        notices=tuple(notice.reference for notice in notices if invoice.reference in notice.invoices),
        currency=invoice.currency,
        amount_currency=invoice.amount_currency,
    )
