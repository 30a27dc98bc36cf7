"""Many documents in one wkhtmltopdf call, then one PDF per document.

wkhtmltopdf converts several HTML files in one call only when it is built
with patched Qt; Debian's build is not, and Odoo then converts one document
per process (about a second each). Here the documents of a batch become one
HTML document, each starting on a new page behind an invisible marker: an
empty 1-pixel link whose address names the document, which wkhtmltopdf turns
into a link annotation on the page where the document starts (this works
without patched Qt). The PDF is then split at those pages and the markers
are removed, so each document's PDF holds the same pages and text as when
rendered alone.

>>> html = merge_documents([("<html><head><title>a</title></head><body class='b'><p>one</p></body></html>", 7),
...                         ("<html><head><title>a</title></head><body class='b'><p>two</p></body></html>", 9)])
>>> html.count(MARKER_PREFIX), html.count("data-kreancia-page-break=")
(2, 1)
>>> document_signature("<html lang='fr'><head><title>a</title></head><body class='b'></body></html>")[0]
(('lang', 'fr'),)
"""

import io

import lxml.html
from lxml import etree

from odoo.tools.pdf import ArrayObject, NameObject, PdfFileReader, PdfFileWriter

MARKER_PREFIX = "https://kreancia.invalid/document/"
MARKER_STYLE = "position:absolute;display:block;width:1px;height:1px;"  # out of the flow: no layout change
PAGE_BREAK_STYLE = "page-break-before:always;height:0;margin:0;padding:0;"
# A document alone starts below the body's top margin and padding; the next ones of a merged
# document start on a new page, above them: the page breaks get that space, whatever the CSS says.
PAGE_BREAK_SCRIPT = """
(function () {
    var style = window.getComputedStyle(document.body);
    var top = (parseFloat(style.marginTop) || 0) + (parseFloat(style.paddingTop) || 0);
    var breaks = document.querySelectorAll("div[data-kreancia-page-break]");
    for (var index = 0; index < breaks.length; index++) {
        breaks[index].style.paddingTop = top + "px";
    }
})();
"""


def _parse(html):
    return lxml.html.document_fromstring(html, parser=lxml.html.HTMLParser(encoding="utf-8"))


def document_signature(html):
    """What two documents must share to be printed as one: the attributes of
    ``<html>`` and ``<body>`` and the whole ``<head>`` (styles, scripts)."""
    root = _parse(html)
    head = root.find("head")
    body = root.find("body")
    return (
        tuple(sorted(root.attrib.items())),
        tuple(sorted(body.attrib.items())) if body is not None else (),
        etree.tostring(head) if head is not None else b"",
    )


def merge_documents(documents):
    """One HTML document holding ``documents`` (``[(html, key)]``, same signature), each on new pages.

    :return: the merged HTML (str)
    """
    merged = None
    merged_body = None
    for html, key in documents:
        root = _parse(html)
        body = root.find("body")
        if merged is None:
            merged = root
            merged_body = body
            children = list(body)
            text = body.text
            for child in children:
                body.remove(child)
            body.text = None
        else:
            children = list(body)
            text = body.text
            etree.SubElement(merged_body, "div", style=PAGE_BREAK_STYLE, attrib={"data-kreancia-page-break": "1"})
        marker = etree.SubElement(merged_body, "a", href=f"{MARKER_PREFIX}{key}", style=MARKER_STYLE)
        marker.tail = text
        for child in children:
            merged_body.append(child)
    script = etree.SubElement(merged_body, "script", type="text/javascript")
    script.text = PAGE_BREAK_SCRIPT
    return lxml.html.tostring(merged, encoding="unicode", doctype="<!DOCTYPE html>")


def _page_markers(page):
    """Keys of the markers on ``page`` and the page's other annotations."""
    keys, others = [], []
    for annotation in page.get("/Annots") or []:
        action = annotation.get_object().get("/A")
        uri = action.get_object().get("/URI") if action else None
        if uri and str(uri).startswith(MARKER_PREFIX):
            keys.append(str(uri)[len(MARKER_PREFIX) :])
        else:
            others.append(annotation)
    return keys, others


def split_documents(pdf_content, keys):
    """Split the PDF of :func:`merge_documents` into one PDF per key.

    :param keys: the documents' keys, in the order they were merged
    :return: ``{key: (pdf bytes, page count)}``, or ``None`` when the markers
        do not match ``keys`` (the caller then renders the documents one by one)
    """
    reader = PdfFileReader(io.BytesIO(pdf_content))
    starts = []
    pages = []
    for number, page in enumerate(reader.pages):
        found, others = _page_markers(page)
        for key in found:
            starts.append((key, number))
        if found:
            if others:
                page[NameObject("/Annots")] = ArrayObject(others)
            else:
                del page["/Annots"]
        pages.append(page)
    if [key for key, _number in starts] != [str(key) for key in keys]:
        return None
    if len({number for _key, number in starts}) != len(starts) or (starts and starts[0][1] != 0):
        return None
    result = {}
    for index, (_key, first) in enumerate(starts):
        last = starts[index + 1][1] if index + 1 < len(starts) else len(pages)
        writer = PdfFileWriter()
        for number in range(first, last):
            writer.add_page(pages[number])
        stream = io.BytesIO()
        writer.write(stream)
        result[keys[index]] = (stream.getvalue(), last - first)
    return result
