"""The ECB main refinancing rate, read from the ECB Data Portal.

The series ``FM.B.U2.EUR.4F.KR.MRR_FR.LEV`` (main refinancing operations,
fixed rate, level) has one observation per date of change. The rate in
force on a day is the last observation on or before it. The Data Portal
answers ``format=csvdata`` with one row per observation, columns named in
the first line (``KEY``, ``TIME_PERIOD``, ``OBS_VALUE``, ...).

>>> body = '''KEY,FREQ,TIME_PERIOD,OBS_VALUE
... FM.B.U2.EUR.4F.KR.MRR_FR.LEV,B,2024-12-18,3.15
... FM.B.U2.EUR.4F.KR.MRR_FR.LEV,B,2025-02-05,2.9
... '''
>>> observations = parse_csv(body)
>>> observations
[(datetime.date(2024, 12, 18), 3.15), (datetime.date(2025, 2, 5), 2.9)]
>>> rate_in_force(observations, date(2025, 1, 1))
(datetime.date(2024, 12, 18), 3.15)
>>> rate_in_force(observations, date(2025, 2, 5))
(datetime.date(2025, 2, 5), 2.9)
>>> rate_in_force(observations, date(2024, 7, 1)) is None
True
"""

import csv
import io
import math
from datetime import date

SERIES_KEY = "FM.B.U2.EUR.4F.KR.MRR_FR.LEV"
DATA_URL = "https://data-api.ecb.europa.eu/service/data/FM/B.U2.EUR.4F.KR.MRR_FR.LEV"
PLAUSIBLE_RATES = (-5.0, 30.0)  # percent: anything outside is a broken answer, not a rate


class EcbFormatError(ValueError):
    """The Data Portal's answer cannot be read as the series' observations."""


def parse_csv(text, series_key=SERIES_KEY):
    """``[(date, rate)]`` of the series in a ``format=csvdata`` answer, oldest first.

    Columns are found by name, wherever they sit. Rows of another series are
    ignored; observations without a value (``NaN`` or empty, e.g. the years of
    variable-rate tenders) are skipped.

    :raises EcbFormatError: when the text is not such an answer, a row cannot be
        read, two rows disagree on a date, or no observation is left

    >>> def read(text):
    ...     try:
    ...         return parse_csv(text)
    ...     except EcbFormatError as error:
    ...         return f"refused: {error}"
    >>> read('<html><body>Service unavailable</body></html>')
    'refused: not a CSV answer of the ECB Data Portal (no TIME_PERIOD and OBS_VALUE columns)'
    >>> read('TIME_PERIOD,OBS_VALUE\\n2000-06-28,NaN\\n2008-10-15,3.75\\n')
    [(datetime.date(2008, 10, 15), 3.75)]
    >>> read('TIME_PERIOD,OBS_VALUE\\n2025-06-11,2,15\\n')
    "refused: unreadable observation on line 2: '2025-06-11', '2'"
    >>> read('TIME_PERIOD,OBS_VALUE\\n2025-06-11,two\\n')
    "refused: unreadable observation on line 2: '2025-06-11', 'two'"
    >>> read('TIME_PERIOD,OBS_VALUE\\n2025-06-11,215\\n')
    'refused: implausible rate 215.0 on 2025-06-11'
    >>> read('TIME_PERIOD,OBS_VALUE\\n')
    'refused: the answer holds no observation of FM.B.U2.EUR.4F.KR.MRR_FR.LEV'
    """
    reader = csv.DictReader(io.StringIO((text or "").lstrip("\ufeff")))
    columns = set(reader.fieldnames or ())
    if not {"TIME_PERIOD", "OBS_VALUE"} <= columns:
        raise EcbFormatError("not a CSV answer of the ECB Data Portal (no TIME_PERIOD and OBS_VALUE columns)")
    values = {}
    for row in reader:
        if "KEY" in columns and (row.get("KEY") or "").strip() not in ("", series_key):
            continue
        period = (row.get("TIME_PERIOD") or "").strip()
        value = (row.get("OBS_VALUE") or "").strip()
        if not value or value.lower() == "nan":
            continue
        try:
            if None in row:  # more values than columns, e.g. a decimal comma
                raise ValueError(row[None])
            day = date.fromisoformat(period)
            rate = float(value)
        except ValueError:
            raise EcbFormatError(f"unreadable observation on line {reader.line_num}: {period!r}, {value!r}") from None
        if not math.isfinite(rate) or not PLAUSIBLE_RATES[0] <= rate <= PLAUSIBLE_RATES[1]:
            raise EcbFormatError(f"implausible rate {rate} on {period}")
        if values.get(day, rate) != rate:
            raise EcbFormatError(f"two different rates on {period}")
        values[day] = rate
    if not values:
        raise EcbFormatError(f"the answer holds no observation of {series_key}")
    return sorted(values.items())


def rate_in_force(observations, day):
    """``(date, rate)`` of the last observation on or before ``day``, or None when there is none.

    >>> rate_in_force([(date(2025, 6, 11), 2.15)], date(2025, 6, 10)) is None
    True
    """
    found = None
    for observed, rate in observations:
        if observed > day:
            break
        found = (observed, rate)
    return found


def half_year_start(key):
    """First day of the ``(year, half)`` half-year.

    >>> half_year_start((2026, 2))
    datetime.date(2026, 7, 1)
    """
    year, half = key
    return date(year, 1 if half == 1 else 7, 1)
