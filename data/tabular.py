"""Real tables as network inputs: every column gets a role, and the encoding travels as JSON.

(Column roles are inferred in :mod:`data.column_roles`; numbers and dates written
as text are read by :mod:`data.table_values`.)

:func:`infer_plan` looks at each column of a table and proposes its role --
numeric feature, categorical feature, date, or ignored -- with a note saying
why (identifiers and free text, constant and duplicate columns, a column that
repeats the target). :class:`TableEncoder` applies a plan: it parses numbers
written as text (thousands separators, decimal commas), turns dates into a
year and sine-cosine pairs for month, day of week and day of year, keeps the
most frequent levels of a category and folds the rest into "other", and fills
missing values (median, most frequent, plus an indicator column where more
than a few percent are missing) or drops those rows. Fitted, it is plain JSON
(:meth:`TableEncoder.to_dict`), so a model file can carry it and new rows are
encoded exactly as the training rows were.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .column_roles import FEATURE_ROLES, ROLES, ColumnPlan, clip, infer_plan
from .table_values import DATE_PARTS, date_features, parse_dates, parse_numbers, unreadable

__all__ = ["DEFAULT_MAX_LEVELS", "FEATURE_ROLES", "ROLES", "ColumnPlan", "TableEncoder",
           "TableError", "date_features", "infer_plan", "parse_dates", "parse_numbers"]

FORMAT = "mlp-studio.table"
VERSION = 1
INDICATOR_SHARE = 0.05      # more missing than this: an indicator column is added
DEFAULT_MAX_LEVELS = 20     # categories kept per column; the rest become "other"
OTHER = "other"
MISTYPED_SHARE = 0.5        # new rows: more values than this share unreadable -> wrong column


class TableError(ValueError):
    """A table cannot be encoded as asked; the message says why, for the user."""



class TableEncoder:
    """Encodes the feature columns of a table as a float64 matrix, following a plan.

    Parameters
    ----------
    roles : dict of column name -> role (see :data:`ROLES`); columns whose role
        is "numeric", "categorical" or "date" become features, in table order.
    max_levels : int
        Levels kept per categorical column (the most frequent); the rest are "other".
    missing : {"impute", "drop"}
        Fill missing feature values, or drop the rows that have any.
    """

    def __init__(self, roles: dict, max_levels: int = DEFAULT_MAX_LEVELS,
                 missing: str = "impute"):
        bad = {c: r for c, r in roles.items() if r not in ROLES}
        if bad:
            raise ValueError(f"Unknown role(s) {bad}. Valid roles: {', '.join(ROLES)}.")
        if missing not in ("impute", "drop"):
            raise ValueError(f"missing must be 'impute' or 'drop'. Received: {missing!r}")
        if isinstance(max_levels, bool) or not isinstance(max_levels, (int, np.integer)) \
                or max_levels < 1:
            raise ValueError(f"max_levels must be a whole number >= 1. Received: {max_levels!r}")
        self.roles = dict(roles)
        self.max_levels = int(max_levels)
        self.missing = missing
        self.columns: list[dict] | None = None    # one fitted entry per feature column

    @classmethod
    def numeric_columns(cls, names):
        """A fitted encoder that reads the numeric columns ``names`` as they are (a built-in
        table's features); rows with a missing value cannot be encoded."""
        encoder = cls({name: "numeric" for name in names}, missing="drop")
        encoder.columns = [{"name": name, "role": "numeric", "style": "plain", "fill": 0.0,
                            "missing_share": 0.0, "indicator": False} for name in names]
        return encoder

    @property
    def features(self):
        return [c for c, r in self.roles.items() if r in FEATURE_ROLES]

    @property
    def is_fitted(self):
        return self.columns is not None

    # ---- fit ----------------------------------------------------------------------------
    def fit(self, df: pd.DataFrame) -> "TableEncoder":
        """Learn parsing, levels and fill values from ``df`` (rows as they will be used)."""
        self.check_columns(df)
        if not self.features:
            raise TableError("No feature columns: give at least one column the role numeric, "
                             "categorical or date.")
        self.columns = [self._fit_column(name, df[name], self.roles[name])
                        for name in self.features]
        return self

    def _fit_column(self, name, s, role):
        entry = {"name": name, "role": role}
        if role == "numeric":
            parsed = parse_numbers(s)
            if parsed is None:
                bad = _first_unparsable(s)
                raise TableError(f"Column {name!r} cannot be a numeric feature: {bad!r} is not a "
                                 "number. Make it categorical, or ignore it.")
            values, entry["style"] = parsed
            entry["fill"] = _median(values)
            entry["unreadable"] = int(unreadable(s, np.isnan(values)).sum())
        elif role == "date":
            parsed = parse_dates(s)
            if parsed is None:
                bad = _first_unparsable(s)
                raise TableError(f"Column {name!r} cannot be a date: {bad!r} is not a date in a "
                                 "format this app reads (ISO 2024-03-01, 01/03/2024, 1.3.2024, "
                                 "...). Make it categorical, or ignore it.")
            stamps, entry["format"] = parsed
            values = stamps.astype("int64").astype(np.float64)
            values[np.isnat(stamps)] = np.nan
            entry["fill"] = _median(values)
            entry["unreadable"] = int(unreadable(s, np.isnat(stamps)).sum())
        else:
            text = _as_text(s)
            counts = text.value_counts(dropna=True)
            counts = counts.sort_index(kind="stable").sort_values(ascending=False, kind="stable")
            entry["levels"] = [str(v) for v in counts.index[:self.max_levels]]
            entry["other"] = len(counts) > self.max_levels
            entry["fill"] = str(counts.index[0]) if len(counts) else OTHER
            values = text
        missing = int(np.count_nonzero(pd.isna(values)))
        share = missing / len(s) if len(s) else 0.0
        entry["missing_share"], entry["missing_count"] = share, missing
        entry["indicator"] = self.missing == "impute" and share > INDICATOR_SHARE
        return entry

    # ---- transform ----------------------------------------------------------------------
    def check_columns(self, df: pd.DataFrame):
        """Raise :class:`TableError` naming the feature columns ``df`` lacks."""
        missing = [c for c in self.features if c not in df.columns]
        if missing:
            raise TableError(f"The table lacks the column(s) {', '.join(map(repr, missing))} "
                             f"that the model reads. Its columns: "
                             f"{', '.join(map(str, df.columns))}.")

    def rows_to_drop(self, df: pd.DataFrame) -> np.ndarray:
        """Boolean (n,): rows with a missing feature value (dropped when ``missing="drop"``)."""
        drop = np.zeros(len(df), dtype=bool)
        if self.missing != "drop":
            return drop
        for entry in self.columns:
            drop |= self._raw(entry, df[entry["name"]])[1]
        return drop

    def transform(self, df: pd.DataFrame) -> np.ndarray:
        """The feature matrix of ``df``: float64 of shape (n_rows, n_features).

        Missing values are filled (``missing="impute"``) or raise (``"drop"``:
        drop :meth:`rows_to_drop` first). A value that does not parse (text in a
        numeric column, a malformed date) raises :class:`TableError` naming it.
        """
        if not self.is_fitted:
            raise ValueError("TableEncoder is not fitted: call fit(table) first")
        self.check_columns(df)
        blocks = []
        for entry in self.columns:
            values, missing = self._raw(entry, df[entry["name"]])
            if missing.any() and self.missing == "drop":
                raise TableError(f"Column {entry['name']!r} has {int(missing.sum())} missing "
                                 "value(s); this model was trained on complete rows only.")
            blocks.append(self._encode(entry, values, missing))
            if entry["indicator"]:
                blocks.append(missing.astype(np.float64)[:, None])
        return np.hstack(blocks) if blocks else np.zeros((len(df), 0))

    def _raw(self, entry, s):
        """``(values, missing)``: parsed values and a boolean (n,) of missing ones.

        A value that does not read as a number (or date) counts as missing ("?" and
        "-" are common markers); a column where most values do not read is the
        wrong column, and raises :class:`TableError`.
        """
        role, name = entry["role"], entry["name"]
        if role == "numeric":
            values, _ = parse_numbers(s, entry["style"])
            missing = np.isnan(values)
            _check_readable(name, s, missing, "numbers")
        elif role == "date":
            stamps, _ = parse_dates(s, entry["format"])
            missing = np.isnat(stamps)
            _check_readable(name, s, missing, "dates")
            values = stamps
        else:
            values = _as_text(s)
            missing = values.isna().to_numpy()
        return values, missing

    def _encode(self, entry, values, missing):
        role = entry["role"]
        if role == "numeric":
            out = np.where(missing, entry["fill"], values)
            return out[:, None]
        if role == "date":
            ns = values.astype("int64").astype(np.float64)
            ns[missing] = entry["fill"]
            return date_features(ns.astype("int64").astype("datetime64[ns]"))
        text = values.fillna(entry["fill"]).to_numpy(dtype=object)
        levels = entry["levels"]
        hot = (text[:, None] == np.array(levels, dtype=object)[None, :]).astype(np.float64)
        if entry["other"]:
            hot = np.hstack([hot, (hot.sum(axis=1) == 0).astype(np.float64)[:, None]])
        return hot

    @property
    def feature_names(self):
        """The names of the matrix's columns, e.g. "city=Paris", "when: year", "age (missing)"."""
        names = []
        for entry in self.columns or ():
            name = entry["name"]
            if entry["role"] == "numeric":
                names.append(name)
            elif entry["role"] == "date":
                names += [f"{name}: {part}" for part in DATE_PARTS]
            else:
                names += [f"{name}={level}" for level in entry["levels"]]
                if entry["other"]:
                    names.append(f"{name}={OTHER}")
            if entry["indicator"]:
                names.append(f"{name} (missing)")
        return names

    def notes(self):
        """What the encoding did, one sentence per column that was not taken as it was."""
        notes = []
        for entry in self.columns or ():
            name, share = entry["name"], entry["missing_share"]
            if entry["role"] == "date":
                fmt = {"ISO8601": "ISO dates", "unix": "seconds since 1970",
                       "mixed": "several formats, month first",
                       "mixed, day first": "several formats, day first"}.get(
                    entry["format"], entry["format"])
                notes.append(f"{name!r}: read as dates ({fmt}); derived its year and sine-cosine "
                             "pairs of month, weekday and day of year.")
            elif entry["role"] == "numeric" and entry["style"] != "plain":
                style = {"thousands": "thousands separators", "decimal_comma":
                         "decimal commas"}[entry["style"]]
                notes.append(f"{name!r}: numbers written with {style}, read as numbers.")
            elif entry["role"] == "categorical":
                kept = len(entry["levels"])
                text = f"{name!r}: one-hot encoded, {kept} level(s)"
                if entry["other"]:
                    text += f" kept (the {kept} most frequent); the rarer ones became {OTHER!r}"
                notes.append(text + ".")
            if entry.get("unreadable"):
                notes.append(f"{name!r}: {entry['unreadable']} value(s) that are not "
                             f"{'numbers' if entry['role'] == 'numeric' else 'dates'} counted "
                             "as missing.")
            if share > 0 and self.missing == "impute":
                fill = entry["fill"]
                shown = (f"the median {fill:.4g}" if entry["role"] == "numeric" else
                         "the median date" if entry["role"] == "date" else
                         f"the most frequent value {fill!r}")
                count = entry.get("missing_count")
                said = f"{share:.1%}" if count is None else \
                    f"{count:,} value{'s' * (count != 1)} ({share:.1%})"
                notes.append(f"{name!r}: {said} missing, filled with {shown}"
                             + (" and marked in an indicator column." if entry["indicator"]
                                else "."))
        return notes

    # ---- JSON ---------------------------------------------------------------------------
    def to_dict(self) -> dict:
        """Plain JSON-able data: the roles, options and every fitted column."""
        if not self.is_fitted:
            raise ValueError("TableEncoder is not fitted: call fit(table) first")
        return {"format": FORMAT, "version": VERSION, "roles": dict(self.roles),
                "max_levels": self.max_levels, "missing": self.missing,
                "columns": [dict(c) for c in self.columns]}

    @classmethod
    def from_dict(cls, d: dict) -> "TableEncoder":
        """Rebuild from :meth:`to_dict` output; ValueError names what is wrong."""
        if not isinstance(d, dict) or d.get("format") != FORMAT:
            raise ValueError("not a table encoding (its format is not "
                             f"{FORMAT!r})")
        if d.get("version") != VERSION:
            raise ValueError(f"unsupported table encoding version {d.get('version')!r}")
        try:
            encoder = cls(d["roles"], d["max_levels"], d["missing"])
            columns = [dict(c) for c in d["columns"]]
            for c in columns:
                _check_entry(c)
        except (KeyError, TypeError) as exc:
            raise ValueError(f"a malformed table encoding: {exc}") from None
        if [c["name"] for c in columns] != encoder.features:
            raise ValueError("a malformed table encoding: its columns do not follow its roles")
        encoder.columns = columns
        return encoder


def _check_entry(c):
    role = c["role"]
    if role not in FEATURE_ROLES or not isinstance(c["name"], str):
        raise ValueError(f"a malformed table column: {c!r}"[:200])
    if role == "numeric" and c["style"] not in ("plain", "thousands", "decimal_comma"):
        raise ValueError(f"unknown number style {c['style']!r}")
    if role in ("numeric", "date") and not (isinstance(c["fill"], (int, float))
                                            and math.isfinite(c["fill"])):
        raise ValueError(f"column {c['name']!r}: its fill value is not a finite number")
    if role == "categorical" and not (isinstance(c["levels"], list) and c["levels"]
                                      and all(isinstance(v, str) for v in c["levels"])):
        raise ValueError(f"column {c['name']!r}: its levels are not a list of text")
    if not isinstance(c["indicator"], bool) or not isinstance(c["missing_share"], (int, float)):
        raise ValueError(f"column {c['name']!r}: a malformed indicator or missing share")


def _as_text(s: pd.Series) -> pd.Series:
    """Text values with surrounding spaces removed; empty strings count as missing.

    Whole numbers read as categories are written without a decimal part ("75001").
    """
    if pd.api.types.is_float_dtype(s):
        finite = s.dropna()
        if len(finite) and np.all(np.mod(finite.to_numpy(), 1) == 0):
            s = s.astype("Int64")
    text = s.astype("string").str.strip()
    return text.mask(text == "")


def _median(values):
    finite = values[~np.isnan(values)]
    return float(np.median(finite)) if len(finite) else 0.0


def _first_unparsable(s):
    text = s.astype("string").str.strip()
    for value in text.dropna():
        if value != "":
            numbers = parse_numbers(pd.Series([value]))
            if numbers is None:
                return clip(value)
    return clip(text.dropna().iloc[0]) if text.notna().any() else ""


def _check_readable(name, s, missing, what):
    wrong = unreadable(s, missing)
    if len(s) and wrong.sum() > MISTYPED_SHARE * len(s):
        example = clip(s.astype("string").str.strip()[wrong].iloc[0])
        raise TableError(f"Column {name!r} should hold {what}, but {int(wrong.sum())} of "
                         f"{len(s)} values are not {what} (e.g. {example!r}).")
