"""The hand-over case file as plain bytes: stable ZIP, stable PDFs, one batch PDF split per document.

Nothing here touches the ORM, so the evidence rules are testable on their own:

>>> from datetime import date
>>> first = build_zip([("a.txt", b"x")], date(2026, 6, 15))
>>> first == build_zip([("a.txt", b"x")], date(2026, 6, 15))
True
>>> raw = b"<< /CreationDate (D:20261123102150+01'00') >>"
>>> normalize_pdf(raw, date(2026, 6, 15))
b'<< /CreationDate (D:20260615000000Z)       >>'
>>> len(normalize_pdf(raw, date(2026, 6, 15))) == len(raw)
True
"""

import io
import os
import re
import zipfile
from datetime import date, datetime

from odoo.tools.pdf import PdfFileReader, PdfFileWriter

# wkhtmltopdf (Qt 5) orders and names its embedded font subsets by a hash seeded at random in each
# process: two renderings of the same page differ. A fixed seed makes them identical; every
# wkhtmltopdf started by this server inherits it (it changes nothing else).
os.environ.setdefault("QT_HASH_SEED", "0")

_PDF_DATES = re.compile(rb"/(CreationDate|ModDate)\s*\(D:[^)]*\)")


def _moment(day):
    """``(year, month, day, 0, 0, 0)`` for a date or datetime, not before 1980 (ZIP's epoch)."""
    if isinstance(day, datetime):
        day = day.date()
    day = max(day or date(1980, 1, 1), date(1980, 1, 1))
    return (day.year, day.month, day.day, 0, 0, 0)


def normalize_pdf(raw, day):
    """``raw`` with its creation and modification dates set to ``day``.

    The replacement keeps every byte offset (the cross-reference table stays
    valid): the new date is padded with blanks, which PDF ignores between tokens.
    """
    year, month, day_of_month = _moment(day)[:3]
    stamp = f"{year:04d}{month:02d}{day_of_month:02d}000000"

    def replace(match):
        original = match.group(0)
        for candidate in (f"{stamp}Z", stamp, stamp[:8]):
            new = b"/" + match.group(1) + b" (D:" + candidate.encode() + b")"
            if len(new) <= len(original):
                return new.ljust(len(original), b" ")
        return original

    return _PDF_DATES.sub(replace, raw)


def build_zip(entries, day):
    """A ZIP of ``entries`` (``[(name, bytes)]``, kept in this order), every entry dated ``day``.

    Same entries, same day: same bytes, whenever it is built.
    """
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=_moment(day))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()


def _flat(text):
    return re.sub(r"\s+", "", text or "")


def split_pdf(raw, markers):
    """Cut one PDF into documents, each starting on the page that shows its marker.

    :param raw: the PDF holding every document, each starting on a new page
    :param markers: the text printed at the top of each document's first page, in page order
    :return: one PDF (bytes) per marker, in the same order
    :raises ValueError: when a marker is not found after the previous one
    """
    reader = PdfFileReader(io.BytesIO(raw))
    texts = [_flat(page.extract_text()) for page in reader.pages]
    starts = []
    page = 0
    for marker in markers:
        flat = _flat(marker)
        while page < len(texts) and flat not in texts[page]:
            page += 1
        if page == len(texts):
            raise ValueError(f"Document marker {marker!r} not found in the batch PDF")
        starts.append(page)
        page += 1
    documents = []
    for index, start in enumerate(starts):
        end = starts[index + 1] if index + 1 < len(starts) else len(texts)
        writer = PdfFileWriter()
        for number in range(start, end):
            writer.add_page(reader.pages[number])
        stream = io.BytesIO()
        writer.write(stream)
        documents.append(stream.getvalue())
    return documents
