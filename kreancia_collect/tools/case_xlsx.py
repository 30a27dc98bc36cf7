"""The case file's facts as an XLSX workbook (xlsxwriter), identical bytes for identical facts.

>>> from datetime import date
>>> sheets = [("Claim", ["Item", "Value"], [("Principal", 1200.0), ("Handed over on", date(2026, 6, 15))])]
>>> build_xlsx(sheets, date(2026, 6, 15)) == build_xlsx(sheets, date(2026, 6, 15))
True
"""

import io
from datetime import date, datetime

import xlsxwriter

MAX_SHEET_NAME = 31


def build_xlsx(sheets, day):
    """One worksheet per ``(title, headers, rows)``; dates as dates, numbers as numbers.

    :param sheets: ``[(title, [header], [row tuple])]``
    :param day: the workbook's creation date (the case's date, not now)
    :return: the XLSX bytes
    """
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    workbook.set_properties({"created": datetime(day.year, day.month, day.day)})
    bold = workbook.add_format({"bold": True, "bg_color": "#EEEEEE"})
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    amount_format = workbook.add_format({"num_format": "#,##0.00"})
    for title, headers, rows in sheets:
        sheet = workbook.add_worksheet(title[:MAX_SHEET_NAME])
        widths = [len(str(header)) for header in headers]
        sheet.write_row(0, 0, headers, bold)
        for row_index, row in enumerate(rows, start=1):
            for column, value in enumerate(row):
                if isinstance(value, datetime | date):
                    sheet.write_datetime(row_index, column, datetime(value.year, value.month, value.day), date_format)
                elif isinstance(value, float):
                    sheet.write_number(row_index, column, value, amount_format)
                elif isinstance(value, int) and not isinstance(value, bool):
                    sheet.write_number(row_index, column, value)
                else:
                    sheet.write_string(row_index, column, str(value or ""))
                if column < len(widths):
                    widths[column] = max(widths[column], min(len(str(value or "")), 60))
        for column, width in enumerate(widths):
            sheet.set_column(column, column, width + 2)
        sheet.freeze_panes(1, 0)
    workbook.close()
    return buffer.getvalue()
