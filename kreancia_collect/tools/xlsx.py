"""XLSX tables written with xlsxwriter: header, real numbers and dates, totals as formulas.

>>> from datetime import date
>>> book = Book(date_format="dd/mm/yyyy", currency_symbol="EUR")
>>> sheet = book.table(
...     "Aged balance", ["ACME", "As of 15/06/2026"],
...     [Column("Customer", "text", 30), Column("Amount", "amount"), Column("Due", "date")],
...     [["Boulangerie", 100.5, date(2026, 6, 1)], ["Atelier", 20, None]],
... )
>>> raw = book.close()
>>> raw[:2]
b'PK'

Records for another program to import (a case file's facts), the same bytes for the same facts:

>>> def facts():
...     book = Book(created=date(2026, 6, 15))
...     book.records("Claim", ["Item", "Value"], [("Principal", 1200.0), ("Handed over on", date(2026, 6, 15))])
...     return book.close()
>>> facts() == facts()
True
"""

import io
import re
from collections import namedtuple
from datetime import date, datetime

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell

Column = namedtuple("Column", "label kind width total", defaults=("text", 14, None))
Column.__doc__ = """A column: ``kind`` in text, int, amount, percent, float, date; ``width`` in characters;
``total`` False for numbers that do not add up (days late, ranks), else ``int`` and ``amount`` are summed."""

STRFTIME_TO_EXCEL = {"%d": "dd", "%m": "mm", "%Y": "yyyy", "%y": "yy", "%b": "mmm", "%B": "mmmm", "%e": "d"}


def excel_date_format(strftime_format):
    """Excel's date format for a strftime one (a res.lang's ``date_format``).

    >>> excel_date_format("%d/%m/%Y"), excel_date_format("%m/%d/%Y")
    ('dd/mm/yyyy', 'mm/dd/yyyy')
    """
    return re.sub(r"%[a-zA-Z]", lambda match: STRFTIME_TO_EXCEL.get(match.group(0), ""), strftime_format)


class Book:
    """A workbook of tables, each on its own sheet, with shared formats.

    ``created`` (a date) fixes the workbook's creation date, else now: a
    workbook built again from the same facts on that date has the same bytes.
    """

    def __init__(self, date_format="yyyy-mm-dd", currency_symbol="", created=None):
        self.stream = io.BytesIO()
        self.workbook = xlsxwriter.Workbook(self.stream, {"in_memory": True})
        if created:
            self.workbook.set_properties({"created": datetime(created.year, created.month, created.day)})
        add = self.workbook.add_format
        amount = "#,##0.00" + (f' "{currency_symbol}"' if currency_symbol else "")
        self.formats = {
            "title": add({"bold": True, "font_size": 14}),
            "meta": add({"italic": True, "font_color": "#555555"}),
            "header": add({"bold": True, "bg_color": "#DDE3EA", "border": 1, "text_wrap": True, "valign": "top"}),
            "text": add({}),
            "int": add({"num_format": "0"}),
            "float": add({"num_format": "0.00"}),
            "amount": add({"num_format": amount}),
            "percent": add({"num_format": "0.0%"}),
            "date": add({"num_format": date_format}),
            "total_label": add({"bold": True, "top": 1}),
            "total_amount": add({"bold": True, "top": 1, "num_format": amount}),
            "total_int": add({"bold": True, "top": 1, "num_format": "0"}),
            "total_blank": add({"top": 1}),
            "records_header": add({"bold": True, "bg_color": "#EEEEEE"}),
        }
        self._names = set()

    def _sheet_name(self, name):
        name = re.sub(r"[\[\]:*?/\\]", " ", name)[:31] or "Sheet"
        candidate, index = name, 2
        while candidate.lower() in self._names:
            suffix = f" ({index})"
            candidate, index = name[: 31 - len(suffix)] + suffix, index + 1
        self._names.add(candidate.lower())
        return candidate

    def table(self, name, header_lines, columns, rows, total_label=None):
        """One sheet: title and header lines, a frozen and filtered header row, the rows, a total row.

        The total row sums every ``amount`` and ``int`` column with a
        ``SUM`` formula, but those whose ``total`` is False (when
        ``total_label`` is given and there are rows to sum).
        """
        sheet = self.workbook.add_worksheet(self._sheet_name(name))
        sheet.write(0, 0, header_lines[0] if header_lines else name, self.formats["title"])
        for index, line in enumerate(header_lines[1:], start=1):
            sheet.write(index, 0, line, self.formats["meta"])
        head = len(header_lines) + 1
        for col, column in enumerate(columns):
            sheet.write(head, col, column.label, self.formats["header"])
            sheet.set_column(col, col, column.width)
        for offset, row in enumerate(rows, start=1):
            for col, (column, value) in enumerate(zip(columns, row, strict=True)):
                self._write_cell(sheet, head + offset, col, column, value)
        last = head + len(rows)
        sheet.set_landscape()
        sheet.fit_to_pages(1, 0)  # printed: every column on the page's width
        sheet.repeat_rows(head)
        sheet.set_row(head, 30)
        sheet.freeze_panes(head + 1, 0)
        sheet.autofilter(head, 0, max(last, head), len(columns) - 1)
        if total_label is not None and rows:
            total_row = last + 1
            for col, column in enumerate(columns):
                if col == 0:
                    sheet.write(total_row, col, total_label, self.formats["total_label"])
                elif column.kind in ("amount", "int") and column.total is not False:
                    first_cell = xl_rowcol_to_cell(head + 1, col)
                    last_cell = xl_rowcol_to_cell(last, col)
                    total = sum(row[col] or 0 for row in rows)
                    sheet.write_formula(
                        total_row, col, f"=SUM({first_cell}:{last_cell})", self.formats[f"total_{column.kind}"], total
                    )
                else:
                    sheet.write_blank(total_row, col, None, self.formats["total_blank"])
        return sheet

    def records(self, name, headers, rows):
        """One sheet for another program to import: the column titles on the first row, then the rows.

        Each value is written by its type: dates as dates, floats as
        amounts, integers as numbers, anything else as text (``None`` and
        ``False`` as empty text); columns are as wide as their longest value
        (at most 60 characters).
        """
        sheet = self.workbook.add_worksheet(self._sheet_name(name))
        widths = [len(str(header)) for header in headers]
        sheet.write_row(0, 0, headers, self.formats["records_header"])
        for row_index, row in enumerate(rows, start=1):
            for col, value in enumerate(row):
                if isinstance(value, datetime | date):
                    day = datetime(value.year, value.month, value.day)
                    sheet.write_datetime(row_index, col, day, self.formats["date"])
                elif isinstance(value, float):
                    sheet.write_number(row_index, col, value, self.formats["amount"])
                elif isinstance(value, int) and not isinstance(value, bool):
                    sheet.write_number(row_index, col, value)
                else:
                    sheet.write_string(row_index, col, str(value or ""))
                if col < len(widths):
                    widths[col] = max(widths[col], min(len(str(value or "")), 60))
        for col, width in enumerate(widths):
            sheet.set_column(col, col, width + 2)
        sheet.freeze_panes(1, 0)
        return sheet

    def _write_cell(self, sheet, row, col, column, value):
        if value is None or value is False:
            sheet.write_blank(row, col, None)
        elif column.kind == "date":
            sheet.write_datetime(row, col, value, self.formats["date"])
        elif column.kind == "text":
            sheet.write_string(row, col, str(value), self.formats["text"])
        else:
            sheet.write_number(row, col, value, self.formats[column.kind])

    def close(self):
        """The workbook's bytes."""
        self.workbook.close()
        return self.stream.getvalue()
