"""Numbers and dates written as text in a table's columns, read as numbers and dates.

:func:`parse_numbers` reads thousands separators ("1,234.5") and decimal commas
("3,5", "1.234,5"); :func:`parse_dates` reads ISO dates and timestamps, the
common day-first and month-first forms, several forms in one column, and
seconds since 1970 in a column named like a date. Each returns the style or
format it found, so new rows are read exactly as the training rows were.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

PARSE_SHARE = 0.95          # a column is numbers / dates when this share of its values parse
MISSING_MARKERS = ("?", "-", "--", "n/a", "na", "null", "none", "nan", "missing")
DATE_FORMATS = ("%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y", "%d-%m-%Y", "%m-%d-%Y", "%Y/%m/%d",
                "%d/%m/%y", "%m/%d/%y", "%d %b %Y", "%b %d %Y", "%d %B %Y", "%B %d %Y")
_DATE_NAME = re.compile(r"date|time|day|stamp|created|updated", re.I)
_PLAIN = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d{1,3}(\.\d{3})*,\d+$|^[+-]?\d+,\d+$")
_DECIMAL_COMMA_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+(,\d+)?$")


def parse_numbers(series: pd.Series, style: str | None = None):
    """Numbers from a column: ``(values float64 (n,) with NaN where missing, style)``.

    ``style`` is "plain", "thousands" ("1,234.5") or "decimal_comma" ("1.234,5",
    "3,5"); when None it is detected, and None is returned when fewer than 95% of
    the non-missing values parse in any style.
    """
    if pd.api.types.is_bool_dtype(series) or pd.api.types.is_numeric_dtype(series):
        values = series.to_numpy(dtype=np.float64, na_value=np.nan).copy()
        values[np.isinf(values)] = np.nan  # an infinite value counts as missing
        return values, "plain"
    text = series.astype("string").str.strip()
    present = text.notna() & (text != "") & ~text.str.lower().isin(MISSING_MARKERS)
    values = text[present]
    if style is None:
        if len(values) == 0:
            return None
        style = _number_style(values)
        if style is None:
            return None
    cleaned = values
    if style == "thousands":
        cleaned = values.str.replace(",", "", regex=False)
    elif style == "decimal_comma":
        cleaned = values.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    numbers = pd.to_numeric(cleaned, errors="coerce")
    out = np.full(len(series), np.nan)
    out[present.to_numpy(dtype=bool)] = numbers.to_numpy(dtype=np.float64, na_value=np.nan)
    return out, style


def _number_style(values: pd.Series) -> str | None:
    n = len(values)
    for style, patterns in (("plain", (_PLAIN,)), ("thousands", (_PLAIN, _THOUSANDS)),
                            ("decimal_comma", (_PLAIN, _DECIMAL_COMMA,
                                               _DECIMAL_COMMA_THOUSANDS))):
        matched = values.map(lambda v: any(p.match(v) for p in patterns)).sum()
        if matched >= PARSE_SHARE * n:
            return style
    return None


def parse_dates(series: pd.Series, fmt: str | None = None):
    """Dates from a column: ``(datetime64[ns] (n,) with NaT where missing, format)``.

    ``format`` is "ISO8601", "unix" (seconds since 1970, for numeric columns
    named like a date), a strftime pattern such as "%d/%m/%Y", or "mixed" /
    "mixed, day first" (several formats in one column); when None it is
    detected (a day-first reading is chosen when a first field exceeds 12), and
    None is returned when fewer than 95% of the values parse.
    """
    if fmt is None:
        fmt = _date_format(series)
        if fmt is None:
            return None
    if fmt == "unix":
        numbers = pd.to_numeric(series, errors="coerce")
        parsed = pd.to_datetime(numbers, unit="s", errors="coerce")
    else:
        text = series.astype("string").str.strip()
        if fmt.startswith("mixed"):
            parsed = pd.to_datetime(text, format="mixed", dayfirst=fmt.endswith("day first"),
                                    errors="coerce")
        else:
            parsed = pd.to_datetime(text, format=fmt, errors="coerce")
        if getattr(parsed.dt, "tz", None) is not None:
            parsed = parsed.dt.tz_convert(None)
    return parsed.to_numpy(dtype="datetime64[ns]"), fmt


def _date_format(series: pd.Series) -> str | None:
    if pd.api.types.is_numeric_dtype(series):
        values = pd.to_numeric(series, errors="coerce").dropna()
        if _DATE_NAME.search(str(series.name) or "") and len(values) and \
                values.between(1e8, 4.2e9).all():
            return "unix"
        return None
    text = series.astype("string").str.strip().dropna()
    text = text[text != ""]
    if len(text) == 0 or not text.str.contains(r"\d").all():
        return None
    sample = text.iloc[:2000]
    for fmt in ("ISO8601", *DATE_FORMATS):
        try:
            parsed = pd.to_datetime(sample, format=fmt, errors="coerce")
        except (ValueError, TypeError):
            continue
        if parsed.notna().mean() >= PARSE_SHARE:
            full = pd.to_datetime(text, format=fmt, errors="coerce")
            if full.notna().mean() >= PARSE_SHARE:
                return fmt
    # Several formats in one column (exports merged from several sources): each value on its
    # own, day first when some value can only be read that way.
    if not text.str.contains(r"[0-9][/.-][0-9]").all():
        return None
    day_first = bool(text.str.extract(r"^(\d{1,2})[/.-]\d{1,2}[/.-]\d{2,4}")[0]
                     .dropna().astype(int).gt(12).any())
    fmt = "mixed, day first" if day_first else "mixed"
    parsed = pd.to_datetime(sample, format="mixed", dayfirst=day_first, errors="coerce")
    return fmt if parsed.notna().mean() >= PARSE_SHARE else None


def date_features(stamps: np.ndarray) -> np.ndarray:
    """Year and sine-cosine pairs of month, day of week and day of year: shape (n, 7).

    ``stamps`` is datetime64 of shape (n,) without NaT.
    """
    index = pd.DatetimeIndex(stamps)
    year = index.year.to_numpy(dtype=np.float64)
    columns = [year]
    for value, period in ((index.month.to_numpy() - 1, 12), (index.day_of_week.to_numpy(), 7),
                          (index.day_of_year.to_numpy() - 1, 365.25)):
        angle = 2 * np.pi * value.astype(np.float64) / period
        columns += [np.sin(angle), np.cos(angle)]
    return np.column_stack(columns)


DATE_PARTS = ("year", "month sin", "month cos", "weekday sin", "weekday cos", "day of year sin",
              "day of year cos")



def unreadable(s, missing):
    """Boolean (n,): values given in ``s`` that did not parse (``missing`` but not empty)."""
    text = s.astype("string").str.strip()
    given = (text.notna() & (text != "")).to_numpy(dtype=bool)
    return missing & given
