"""The Build page's CSV section: upload a table, then give every column its role.

After the upload a compact table lists each column with what was seen in it,
its role (editable: numeric, categorical, date or ignored) and why; the target,
the task, the number of categories kept and what to do with missing values are
chosen beside it. The resulting dataset (and its fitted encoding) is the
session's ``csv_dataset``; what was done to the file is listed under it.
"""

import pandas as pd
import streamlit as st

from data import CsvError, dataset_from_table, read_csv_table
from data.csv_upload import DEFAULT_MAX_BYTES, DEFAULT_MAX_ROWS, column_plan
from data.tabular import DEFAULT_MAX_LEVELS
from studio.ui import state
from studio.ui.plain import plain, say

EDITABLE_ROLES = ["numeric", "categorical", "date", "ignore"]
MISSING_LABELS = {"impute": "Fill them in (median / most frequent)", "drop": "Drop those rows"}


def _table(upload):
    """The upload as a DataFrame, parsed once per file and kept in this visitor's workspace
    (never in a server-wide cache: it is theirs, and may be large)."""
    kept = state.get("csv_table")
    if kept is not None and kept[0] == upload.file_id:
        return kept[1]
    table = read_csv_table(upload.getvalue())
    state.put("csv_table", (upload.file_id, table))
    return table


def csv_upload():
    """Upload a CSV and set up its columns; stores the dataset in the session."""
    upload = st.file_uploader("CSV file", type=["csv", "txt"], key="csv_file",
                              help=f"Up to {DEFAULT_MAX_BYTES / 1e6:.0f} MB and "
                                   f"{DEFAULT_MAX_ROWS:,} rows, UTF-8, with a header row.")
    if upload is None:
        current = state.get("csv_dataset")
        if current is not None:
            say("caption", f"Using {current.info.name}: {current.info.description}")
        return
    try:
        table = _table(upload)
    except CsvError as exc:
        say("error", f"{upload.name}: {exc}")
        return
    columns = [str(c) for c in table.columns]
    left, right = st.columns(2)
    target = left.selectbox("Target column", columns, index=len(columns) - 1, key="csv_target")
    task = right.selectbox("Task", ("infer", "classification", "regression"), key="csv_task")
    try:
        plans = _plans(upload, table, target)
    except CsvError as exc:
        say("error", f"{upload.name}: {exc}")
        return
    roles = _role_editor(plans, target)
    left, right = st.columns(2)
    max_levels = int(left.number_input(
        "Categories: levels kept per column", 2, 200, DEFAULT_MAX_LEVELS, key="csv_max_levels",
        help="The most frequent levels of each categorical column become their own input; "
             "the rarer ones are folded into one 'other' input."))
    missing = right.radio("Missing values", list(MISSING_LABELS), format_func=MISSING_LABELS.get,
                          key="csv_missing")
    signature = (upload.file_id, target, task, tuple(sorted(roles.items())), max_levels,
                 missing)
    dataset = state.get("csv_dataset")
    if dataset is None or state.get("csv_signature") != signature:  # else: built already
        try:
            dataset = dataset_from_table(table, target, task=None if task == "infer" else task,
                                         roles=roles, max_levels=max_levels, missing=missing,
                                         name=upload.name)
        except (CsvError, ValueError) as exc:
            say("error", f"{upload.name}: {exc}")
            return
        state.put("csv_dataset", dataset)
        state.put("csv_signature", signature)
    with st.expander(f"What was done to the file ({len(dataset.notes)} notes)"):
        for note in dataset.notes:
            st.markdown(f"- {plain(note)}")


def _plans(upload, table, target):
    """The inferred roles, worked out once per file and target (not on every rerun)."""
    kept = state.get("csv_plans")
    if kept is not None and kept[0] == (upload.file_id, target):
        return kept[1]
    plans = column_plan(table, target)
    state.put("csv_plans", ((upload.file_id, target), plans))
    return plans


def _role_editor(plans, target):
    """The column table with an editable role; returns the roles changed by the visitor."""
    inferred = {p.name: p.role for p in plans}
    frame = pd.DataFrame({"column": [p.name for p in plans], "seen": [p.kind for p in plans],
                          "role": [p.role for p in plans], "why": [p.note for p in plans]})
    edited = st.data_editor(
        frame, hide_index=True, width="stretch", key=f"csv_roles.{target}",
        disabled=["column", "seen", "why"],
        column_config={
            "role": st.column_config.SelectboxColumn(
                "role", options=["target", *EDITABLE_ROLES], required=True,
                help="numeric, categorical, date, or ignore (the target is chosen above)"),
            "column": st.column_config.TextColumn("column"),
            "seen": st.column_config.TextColumn("seen as"),
            "why": st.column_config.TextColumn("why", width="large"),
        })
    changed = {}
    for name, role in zip(edited["column"], edited["role"]):
        if name == target:
            if role != "target":
                say("warning", f"{name!r} is the target; choose another target column above "
                               "to use it as a feature.")
            continue
        if role == "target":
            say("warning", f"To predict {name!r}, choose it as the target column above.")
            continue
        if role != inferred[name]:
            changed[name] = role
    return changed
