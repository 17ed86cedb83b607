"""Datasets from a user's CSV file.

Two steps, so the app can show the columns before the user picks a target:
:func:`read_csv_table` turns the upload into a DataFrame (size limit,
encoding, separator, shape checks), :func:`dataset_from_table` turns the
DataFrame and a target column into a :class:`Dataset`. :func:`load_csv` does
both. Every problem raises :class:`CsvError` with a message for the user;
what was decided for the user (columns ignored, dates derived, categories
folded, values filled, rows dropped, the task inferred) is reported in
``Dataset.notes``; each column's role comes from :mod:`data.tabular` and can
be overridden.
"""

from __future__ import annotations

import csv
import io
import os

import numpy as np
import pandas as pd

from .registry import Dataset, DatasetInfo
from .tabular import (DEFAULT_MAX_LEVELS, ROLES, ColumnPlan, TableEncoder, TableError,
                      infer_plan, parse_numbers)

DEFAULT_MAX_BYTES = 25_000_000  # 25 MB, in the decimal megabytes the uploader shows
DEFAULT_MAX_ROWS = 200_000
MIN_ROWS = 10
MAX_CLASSES = 100
MAX_CLASSIFICATION_VALUES = 20  # integer targets with at most this many values -> classification
_BINARY_MAGIC = {b"PK\x03\x04": "a ZIP archive or an Excel .xlsx workbook",
                 b"\xd0\xcf\x11\xe0": "an old Excel .xls workbook",
                 b"\x1f\x8b": "a gzip archive", b"%PDF": "a PDF document",
                 b"\x89PNG": "a PNG image", b"\xff\xd8\xff": "a JPEG image"}


class CsvError(ValueError):
    """A CSV upload cannot be used; the message says why, for the user."""


def _size(n: int) -> str:
    """Decimal megabytes, as Streamlit's uploader shows a file's size (33.3 MB = 33,300,000)."""
    return f"{n / 1e6:.1f} MB" if n >= 1_000_000 else f"{n:,} bytes"


def _read_source(source, max_bytes: int) -> bytes:
    """Bytes of ``source``: bytes, a path, or a file-like object (e.g. Streamlit's upload)."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        raw = bytes(source)
        size = len(raw)
    elif isinstance(source, (str, os.PathLike)):
        size = os.path.getsize(source)
        with open(source, "rb") as f:
            raw = f.read(max_bytes + 1)
    elif hasattr(source, "getvalue"):
        raw = source.getvalue()
        size = len(raw)
    elif hasattr(source, "read"):
        raw = source.read(max_bytes + 1)
        size = None  # unknown: only max_bytes + 1 bytes were read
    else:
        raise TypeError("expected bytes, a path or a file object. "
                        f"Received: {type(source).__name__}")
    if len(raw) > max_bytes:
        shown = f"more than {_size(max_bytes)}" if size is None else _size(size)
        raise CsvError(f"The file is too large: {shown}; the limit is {_size(max_bytes)}.")
    return raw


def _decode(raw: bytes) -> str:
    for magic, kind in _BINARY_MAGIC.items():
        if raw.startswith(magic):
            raise CsvError(f"This is not a CSV file: it looks like {kind}. Export it as CSV first.")
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise CsvError("The file is UTF-16 encoded; save it as CSV UTF-8 and upload again.")
    if b"\x00" in raw[:65536]:
        raise CsvError("This is not a CSV file: it contains binary data (NUL bytes).")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CsvError(f"The file is not UTF-8 text: byte 0x{raw[exc.start]:02x} at position "
                       f"{exc.start} cannot be decoded. Save it as CSV UTF-8.") from exc


def _sniff_separator(text: str) -> str:
    header = text.lstrip().splitlines()[0] if text.strip() else ""
    if not any(sep in header for sep in ",;\t|"):
        return "\x1f"  # one column: its values may hold commas ("3,5"), which do not split
    sample = "\n".join(text.splitlines()[:50])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def read_csv_table(source, *, max_bytes: int = DEFAULT_MAX_BYTES,
                   max_rows: int = DEFAULT_MAX_ROWS, min_columns: int = 2) -> pd.DataFrame:
    """Read an uploaded CSV (bytes, path or file object) into a DataFrame.

    The separator (``,`` ``;`` tab ``|``) is detected; the first line is the header.
    ``min_columns`` is 2 for training (a feature and a target), 1 for new rows.

    Raises
    ------
    CsvError
        Too large, binary or not UTF-8, empty, unparsable, one column only,
        no data rows, or more than ``max_rows`` rows.
    """
    text = _decode(_read_source(source, max_bytes))
    if not text.strip():
        raise CsvError("The file is empty.")
    try:
        df = pd.read_csv(io.StringIO(text), sep=_sniff_separator(text), skipinitialspace=True)
    except pd.errors.EmptyDataError as exc:
        raise CsvError("The file is empty.") from exc
    except pd.errors.ParserError as exc:
        raise CsvError(f"The file could not be parsed as CSV: {exc}") from exc
    df.columns = [str(c).strip() for c in df.columns]
    if df.shape[1] < min_columns:
        raise CsvError(f"The file has only one column ({df.columns[0]!r}); a dataset needs at "
                       "least one feature column and a target column. Is the separator a comma?")
    if len(df) == 0:
        raise CsvError("The file has a header but no data rows.")
    if len(df) > max_rows:
        raise CsvError(f"The file has {len(df):,} rows; the limit is {max_rows:,}.")
    return df


def _is_numeric(series: pd.Series) -> bool:
    return pd.api.types.is_bool_dtype(series) or pd.api.types.is_numeric_dtype(series)


def infer_task(target: pd.Series) -> str:
    """``"classification"`` for a non-numeric target or one with at most 20 integer values,
    else ``"regression"``."""
    values = target.dropna()
    if not _is_numeric(values) or pd.api.types.is_bool_dtype(values):
        return "classification"
    numbers = values.to_numpy(dtype=np.float64)
    integral = bool(np.all(np.isfinite(numbers)) and np.all(numbers == np.round(numbers)))
    return "classification" if integral and values.nunique() <= MAX_CLASSIFICATION_VALUES \
        else "regression"


def _class_name(value) -> str:
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value)


def _encode_target(s: pd.Series, task: str, name: str):
    """Target of shape (n_rows,): int64 labels and class names, or float64 values."""
    if task == "regression":
        if not _is_numeric(s):
            raise CsvError(f"Regression needs a numeric target, but column {name!r} holds text "
                           f"(e.g. {s.iloc[0]!r}). Choose classification or another column.")
        return s.to_numpy(dtype=np.float64), None
    values = s.to_numpy() if _is_numeric(s) else s.astype(str).to_numpy()
    uniques, labels = np.unique(values, return_inverse=True)
    if len(uniques) > MAX_CLASSES:
        raise CsvError(f"Target column {name!r} has {len(uniques)} distinct values: too many "
                       f"classes for classification (limit {MAX_CLASSES}). Choose regression.")
    return labels.reshape(-1).astype(np.int64), tuple(_class_name(u) for u in uniques)


def column_plan(df: pd.DataFrame, target: str, roles: dict | None = None,
                features=None) -> list[ColumnPlan]:
    """Every column's role: inferred (:func:`data.tabular.infer_plan`), then ``roles`` and
    ``features`` (columns outside it are ignored) applied; CsvError names a bad request."""
    columns = [str(c) for c in df.columns]
    if target not in columns:
        raise CsvError(f"Target column {target!r} not found. Columns: {', '.join(columns)}")
    plans = infer_plan(df, target)
    if features is not None:
        features = list(features)
        unknown = [c for c in features if c not in columns or c == target]
        if unknown or not features:
            raise CsvError(f"Feature columns must be other columns of the file. Received: "
                           f"{features}; columns: {', '.join(columns)}; target: {target!r}")
    for plan in plans:
        if plan.role == "target":
            continue
        if features is not None and plan.name not in features:
            plan.role, plan.note = "ignore", "not among the chosen features"
        elif features is not None and plan.role == "ignore":
            plan.role = "categorical" if plan.kind in ("text", "category") else "numeric"
    for name, role in (roles or {}).items():
        if name not in columns:
            raise CsvError(f"Cannot set the role of {name!r}: the file has no such column. "
                           f"Columns: {', '.join(columns)}")
        if role not in ROLES or role == "target":
            raise CsvError(f"Column {name!r}: the role must be one of "
                           f"{', '.join(r for r in ROLES if r != 'target')}. Received: {role!r}")
        if name == target:
            raise CsvError(f"{name!r} is the target; choose another target to use it as a "
                           "feature.")
        plan = next(p for p in plans if p.name == name)
        if plan.role != role:
            plan.role, plan.note = role, "set by you"
    return plans


def dataset_from_table(df: pd.DataFrame, target: str, *, task: str | None = None,
                       features=None, roles: dict | None = None,
                       max_levels: int = DEFAULT_MAX_LEVELS, missing: str = "impute",
                       name: str = "csv", min_rows: int = MIN_ROWS) -> Dataset:
    """Build a :class:`Dataset` from a table and the name of its target column.

    Parameters
    ----------
    df : DataFrame of shape (n_rows, n_columns)
    target : str
        Column to predict; rows where it is missing are dropped.
    task : {"classification", "regression"}, optional
        Overrides the inferred task (see :func:`infer_task`).
    features : list of str, optional
        Only these columns are features (each as inferred, or numeric / categorical).
    roles : dict of column -> role, optional
        Overrides the inferred roles ("numeric", "categorical", "date", "ignore").
    max_levels : int
        Levels kept per categorical column; the rarer ones become "other".
    missing : {"impute", "drop"}
        Fill missing feature values (median / most frequent, with an indicator
        column where more than 5% are missing) or drop the rows that have any.
    name : str
        Shown as the dataset's name (e.g. the file name).

    Returns
    -------
    Dataset
        ``x`` float64 of shape (n_rows_kept, n_features), ``y`` of shape (n_rows_kept,);
        ``info.key`` is ``"csv"``; ``encoder`` the fitted :class:`TableEncoder` as JSON;
        ``notes`` says what was ignored, derived, filled, dropped or inferred.
    """
    if task not in (None, "classification", "regression"):
        raise ValueError(f"task must be 'classification', 'regression' or None. Received: {task!r}")
    plans = column_plan(df, target, roles, features)
    notes: list[str] = [f"Ignored {p.name!r}: {p.note}." for p in plans if p.role == "ignore"]
    if df[target].isna().all():
        raise CsvError(f"Target column {target!r} is empty. Choose another target.")
    table = df
    target_missing = _missing_target(df[target])
    if target_missing.any():
        notes.append(f"Dropped {int(target_missing.sum())} of {len(df)} rows without a target "
                     "value.")
        table = df.loc[~target_missing]
    encoder = TableEncoder({p.name: p.role for p in plans if p.role != "target"},
                           max_levels=max_levels, missing=missing)
    try:
        encoder.fit(table)
        if missing == "drop":
            drop = encoder.rows_to_drop(table)
            if drop.all():
                raise CsvError("Every row has a missing feature value; fill them in or choose "
                               "to impute missing values.")
            if drop.any():
                notes.append(f"Dropped {int(drop.sum())} of {len(table)} rows with missing "
                             "values.")
                table = table.loc[~drop]
                encoder.fit(table)
        x = encoder.transform(table)
    except TableError as exc:
        raise CsvError(str(exc)) from None
    if len(table) < min_rows:
        raise CsvError(f"Only {_rows(len(table))} {'has' if len(table) == 1 else 'have'} "
                       f"complete values; at least {min_rows} are needed.")
    y_col = _numbers_if_written_as_text(table[target])
    if y_col.nunique() < 2:
        raise CsvError(f"Target column {target!r} has a single value ({y_col.iloc[0]!r}) in every "
                       "row; there is nothing to learn. Choose another target.")
    if task is None:
        task = infer_task(y_col)
        notes.append(f"Task inferred as {task} from target {target!r} "
                     f"({y_col.nunique()} distinct values).")
    notes += encoder.notes()
    y, class_names = _encode_target(y_col, task, target)
    n_classes = None if class_names is None else len(class_names)
    info = DatasetInfo("csv", name, task, x.shape[1], n_classes, class_names or (), None, None,
                       f"Uploaded CSV: {len(y)} rows, {x.shape[1]} features, target {target!r}.")
    lines = np.arange(len(df))[df.index.get_indexer(table.index)] + 2  # header: line 1
    return Dataset(info, x, y, feature_names=tuple(encoder.feature_names), target_name=target,
                   notes=notes, encoder=encoder.to_dict(), source_rows=lines)


def _rows(n: int) -> str:
    return "1 row" if n == 1 else f"{n:,} rows"


def _numbers_if_written_as_text(s: pd.Series) -> pd.Series:
    """A text target that holds numbers ("62,3", "1,200") as numbers; else unchanged."""
    if _is_numeric(s):
        return s
    parsed = parse_numbers(s)
    if parsed is None or np.isnan(parsed[0]).any():
        return s
    return pd.Series(parsed[0], index=s.index, name=s.name)


def _missing_target(s: pd.Series) -> np.ndarray:
    missing = s.isna().to_numpy().copy()
    if _is_numeric(s) and not pd.api.types.is_bool_dtype(s):
        missing |= np.isinf(s.to_numpy(dtype=np.float64, na_value=np.nan))
    elif not _is_numeric(s):
        missing |= (s.astype("string").str.strip() == "").fillna(False).to_numpy(dtype=bool)
    return missing


def load_csv(source, *, target: str | None = None, task: str | None = None, features=None,
             roles: dict | None = None, max_levels: int = DEFAULT_MAX_LEVELS,
             missing: str = "impute", max_bytes: int = DEFAULT_MAX_BYTES,
             max_rows: int = DEFAULT_MAX_ROWS, name: str = "csv") -> Dataset:
    """:func:`read_csv_table` then :func:`dataset_from_table`; the target defaults to the
    last column (reported in ``notes``)."""
    df = read_csv_table(source, max_bytes=max_bytes, max_rows=max_rows)
    notes = []
    if target is None:
        target = df.columns[-1]
        notes.append(f"No target column given: using the last column, {target!r}.")
    dataset = dataset_from_table(df, target, task=task, features=features, roles=roles,
                                 max_levels=max_levels, missing=missing, name=name)
    dataset.notes[:0] = notes
    return dataset
