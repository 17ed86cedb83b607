"""Datasets from a user's CSV file.

Two steps, so the app can show the columns before the user picks a target:
:func:`read_csv_table` turns the upload into a DataFrame (size limit,
encoding, separator, shape checks), :func:`dataset_from_table` turns the
DataFrame and a target column into a :class:`Dataset`. :func:`load_csv` does
both. Every problem raises :class:`CsvError` with a message for the user;
what was changed silently elsewhere (rows dropped, columns one-hot encoded,
the task inferred) is reported in ``Dataset.notes``.
"""

from __future__ import annotations

import csv
import io
import os

import numpy as np
import pandas as pd

from .registry import Dataset, DatasetInfo

DEFAULT_MAX_BYTES = 25 * 1024 * 1024
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
    return f"{n / 1024 ** 2:.1f} MB" if n >= 1024 ** 2 else f"{n:,} bytes"


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
    sample = "\n".join(text.splitlines()[:50])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def read_csv_table(source, *, max_bytes: int = DEFAULT_MAX_BYTES,
                   max_rows: int = DEFAULT_MAX_ROWS) -> pd.DataFrame:
    """Read an uploaded CSV (bytes, path or file object) into a DataFrame.

    The separator (``,`` ``;`` tab ``|``) is detected; the first line is the header.

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
    if df.shape[1] < 2:
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


def _drop_missing(df: pd.DataFrame, notes: list[str]) -> pd.DataFrame:
    missing = df.isna()
    for col in df.columns:
        if _is_numeric(df[col]) and not pd.api.types.is_bool_dtype(df[col]):
            missing[col] |= np.isinf(df[col].to_numpy(dtype=np.float64, na_value=np.nan))
    rows = missing.any(axis=1)
    if not rows.any():
        return df
    counts = ", ".join(f"{c}: {n}" for c, n in missing.sum().items() if n)
    if rows.all():
        raise CsvError(f"Every row has a missing value (missing per column: {counts}).")
    notes.append(f"Dropped {int(rows.sum())} of {len(df)} rows with missing or infinite values "
                 f"(per column: {counts}).")
    return df.loc[~rows]


def _encode_features(df: pd.DataFrame, max_categories: int, notes: list[str]):
    """Feature matrix of shape (n_rows, n_features) float64 and its column names."""
    blocks, names, bad = [], [], []
    for col in df.columns:
        s = df[col]
        if _is_numeric(s):
            blocks.append(s.to_numpy(dtype=np.float64)[:, None])
            names.append(col)
        elif s.nunique() <= max_categories:
            values = s.astype(str)
            cats = sorted(values.unique())
            hot = values.to_numpy()[:, None] == np.array(cats)[None, :]
            blocks.append(hot.astype(np.float64))
            names += [f"{col}={c}" for c in cats]
            notes.append(f"One-hot encoded text column {col!r} ({len(cats)} values: "
                         f"{', '.join(cats)}) into {len(cats)} columns.")
        else:
            numeric_share = pd.to_numeric(s, errors="coerce").notna().mean()
            example = s[pd.to_numeric(s, errors="coerce").isna()].iloc[0]
            kind = "text among numbers" if numeric_share >= 0.5 else "text"
            bad.append(f"{col!r} ({kind}, {s.nunique()} distinct values, e.g. {example!r})")
    if bad:
        raise CsvError("Feature columns must be numeric. These are not: " + "; ".join(bad) +
                       f". Remove them or convert them to numbers (text columns with at most "
                       f"{max_categories} distinct values are one-hot encoded automatically).")
    return np.hstack(blocks), tuple(names)


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


def dataset_from_table(df: pd.DataFrame, target: str, *, task: str | None = None,
                       features=None, one_hot_max_categories: int = 10, name: str = "csv",
                       min_rows: int = MIN_ROWS) -> Dataset:
    """Build a :class:`Dataset` from a table and the name of its target column.

    Parameters
    ----------
    df : DataFrame of shape (n_rows, n_columns)
    target : str
        Column to predict.
    task : {"classification", "regression"}, optional
        Overrides the inferred task (see :func:`infer_task`).
    features : list of str, optional
        Input columns; default all columns but the target.
    one_hot_max_categories : int
        Text feature columns with at most this many values are one-hot encoded.
    name : str
        Shown as the dataset's name (e.g. the file name).

    Returns
    -------
    Dataset
        ``x`` float64 of shape (n_rows_kept, n_features), ``y`` of shape (n_rows_kept,);
        ``info.key`` is ``"csv"``; ``notes`` says what was dropped, encoded or inferred.
    """
    columns = [str(c) for c in df.columns]
    if target not in columns:
        raise CsvError(f"Target column {target!r} not found. Columns: {', '.join(columns)}")
    if task not in (None, "classification", "regression"):
        raise ValueError(f"task must be 'classification', 'regression' or None. Received: {task!r}")
    features = [c for c in columns if c != target] if features is None else list(features)
    unknown = [c for c in features if c not in columns or c == target]
    if unknown or not features:
        raise CsvError(f"Feature columns must be other columns of the file. Received: {features}; "
                       f"columns: {', '.join(columns)}; target: {target!r}")
    notes: list[str] = []
    if df[target].isna().all():
        raise CsvError(f"Target column {target!r} is empty. Choose another target.")
    empty = [c for c in features if df[c].isna().all()]
    if empty and len(empty) == len(features):
        raise CsvError(f"Every feature column is empty: {', '.join(empty)}")
    if empty:  # e.g. "Unnamed: 3" from trailing commas in a spreadsheet export
        features = [c for c in features if c not in empty]
        notes.append(f"Ignored empty column(s): {', '.join(repr(c) for c in empty)}.")
    table = _drop_missing(df[features + [target]], notes)
    if len(table) < min_rows:
        raise CsvError(f"Only {len(table)} rows have complete values; "
                       f"at least {min_rows} are needed.")
    y_col = table[target]
    if y_col.nunique() < 2:
        raise CsvError(f"Target column {target!r} has a single value ({y_col.iloc[0]!r}) in every "
                       "row; there is nothing to learn. Choose another target.")
    if task is None:
        task = infer_task(y_col)
        notes.append(f"Task inferred as {task} from target {target!r} "
                     f"({y_col.nunique()} distinct values).")
    x, names = _encode_features(table[features], one_hot_max_categories, notes)
    y, class_names = _encode_target(y_col, task, target)
    n_classes = None if class_names is None else len(class_names)
    info = DatasetInfo("csv", name, task, x.shape[1], n_classes, class_names or (), None, None,
                       f"Uploaded CSV: {len(y)} rows, {x.shape[1]} features, target {target!r}.")
    return Dataset(info, x, y, feature_names=names, target_name=target, notes=notes)


def load_csv(source, *, target: str | None = None, task: str | None = None, features=None,
             max_bytes: int = DEFAULT_MAX_BYTES, max_rows: int = DEFAULT_MAX_ROWS,
             one_hot_max_categories: int = 10, name: str = "csv") -> Dataset:
    """:func:`read_csv_table` then :func:`dataset_from_table`; the target defaults to the
    last column (reported in ``notes``)."""
    df = read_csv_table(source, max_bytes=max_bytes, max_rows=max_rows)
    notes = []
    if target is None:
        target = df.columns[-1]
        notes.append(f"No target column given: using the last column, {target!r}.")
    dataset = dataset_from_table(df, target, task=task, features=features,
                                 one_hot_max_categories=one_hot_max_categories, name=name)
    dataset.notes[:0] = notes
    return dataset
