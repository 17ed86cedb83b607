"""Which role each column of a table plays, inferred with the reason shown to the user.

:func:`infer_plan` proposes for every column: numeric feature, categorical
feature, date, or ignored -- identifiers and free text (nearly every value
distinct, not numbers), empty and constant columns, duplicates of another
column, and a column identical to the target (it would give the answer away).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .table_values import _date_format, parse_numbers

ROLES = ("target", "numeric", "categorical", "date", "ignore")
FEATURE_ROLES = ("numeric", "categorical", "date")
DISTINCT_SHARE = 0.5        # text with more distinct values than this share of rows: ignored
MIN_DISTINCT_FOR_TEXT = 20
_ID_NAME = re.compile(r"(^|[^a-z])(id|ids|uuid|guid|key|index|row|rownum)([^a-z]|$)|^Unnamed: 0$"
                      r"|^$", re.I)


@dataclass
class ColumnPlan:
    """One column's role and why: ``kind`` is what was seen, ``note`` says it to the user."""

    name: str
    kind: str       # number, number as text, date, category, text, empty, constant, ...
    role: str       # one of ROLES
    note: str = ""


def infer_plan(df: pd.DataFrame, target: str) -> list[ColumnPlan]:
    """A role for every column of ``df`` (its target gets "target"), with the reason.

    Identifiers and free text (nearly every value distinct, not numbers) and
    empty, constant or duplicate columns are ignored; a column identical to the
    target is ignored as a leak.
    """
    plans = []
    seen = {}
    target_key = _fingerprint(df[target]) if target in df else None
    for name in df.columns:
        s = df[name]
        if name == target:
            plans.append(ColumnPlan(name, _kind(s), "target", "what the network predicts"))
            continue
        plan = _plan_column(name, s)
        if plan.role != "ignore":
            key = _fingerprint(s)
            if key == target_key:
                plan = ColumnPlan(name, plan.kind, "ignore", "identical to the target: it would "
                                                            "give the answer away")
            elif key in seen:
                plan = ColumnPlan(name, plan.kind, "ignore", f"a duplicate of {seen[key]!r}")
            else:
                seen[key] = name
        plans.append(plan)
    return plans


def _fingerprint(s: pd.Series):
    """A digest of the column's values as text: equal for columns with the same values."""
    hashed = pd.util.hash_pandas_object(s.astype("string").fillna("\0"), index=False)
    return hashlib.sha256(hashed.to_numpy().tobytes()).hexdigest()


def _kind(s: pd.Series) -> str:
    return "number" if pd.api.types.is_numeric_dtype(s) else "text"


def _plan_column(name, s: pd.Series) -> ColumnPlan:
    present = s.dropna()
    if not pd.api.types.is_numeric_dtype(s):
        present = present[present.astype("string").str.strip() != ""]
    n, distinct = len(s), present.nunique()
    if len(present) == 0:
        return ColumnPlan(name, "empty", "ignore", "empty: no values")
    if distinct == 1:
        return ColumnPlan(name, "constant", "ignore",
                          f"constant: {clip(present.iloc[0])!r} in every row")
    missing = _missing_note(1 - len(present) / n)
    if pd.api.types.is_bool_dtype(s):
        return ColumnPlan(name, "yes / no", "numeric", "true / false as 1 / 0" + missing)
    if pd.api.types.is_numeric_dtype(s):
        if _date_format(s) == "unix":
            return ColumnPlan(name, "timestamp", "date", "seconds since 1970 read as dates: "
                              "year, month, weekday and day of year" + missing)
        numbers = present.to_numpy(dtype=np.float64)
        integral = np.all(np.isfinite(numbers)) and np.all(np.mod(numbers, 1) == 0)
        if integral and distinct == len(present) and _ID_NAME.search(str(name)):
            return ColumnPlan(name, "identifier", "ignore",
                              f"an identifier: every value distinct ({distinct:,} of "
                              f"{len(present):,})")
        return ColumnPlan(name, "number", "numeric", missing.lstrip("; "))
    parsed = parse_numbers(s)
    if parsed is not None:
        style = {"plain": "numbers written as text", "thousands": "numbers with thousands "
                 "separators", "decimal_comma": "numbers with decimal commas"}[parsed[1]]
        return ColumnPlan(name, "number as text", "numeric", style + missing)
    fmt = _date_format(s)
    if fmt is not None:
        shown = ("ISO dates" if fmt == "ISO8601" else "dates in several formats"
                 if fmt.startswith("mixed") else f"dates as {fmt}")
        return ColumnPlan(name, "date", "date", f"{shown}: year, month, weekday and day of "
                                                "year" + missing)
    if distinct > DISTINCT_SHARE * len(present) and distinct >= MIN_DISTINCT_FOR_TEXT:
        return ColumnPlan(name, "text", "ignore", f"an identifier or free text: {distinct:,} "
                          f"distinct values in {len(present):,} rows")
    return ColumnPlan(name, "category", "categorical", f"{distinct} levels" + missing)


def _missing_note(share):
    return f"; {share:.0%} missing" if share > 0 else ""


def clip(value, n=30):
    """``value`` as text, cut to ``n`` characters (for messages)."""
    text = str(value)
    return text if len(text) <= n else text[:n] + "…"

