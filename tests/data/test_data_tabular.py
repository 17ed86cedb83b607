"""Column roles and the table encoding: dates, numbers as text, categories, missing values."""

import io
import json

import numpy as np
import pandas as pd
import pytest

from data import load_csv, read_csv_table
from data.tabular import TableEncoder, TableError, date_features, infer_plan, parse_dates, \
    parse_numbers


def roles(df, target):
    return {p.name: p.role for p in infer_plan(df, target)}


def notes_of(df, target):
    return {p.name: p.note for p in infer_plan(df, target)}


@pytest.mark.parametrize("values, expected, style", [
    (["1,234.5", "12", "-3,000"], [1234.5, 12, -3000], "thousands"),
    (["3,5", "1.234,25", "-0,5"], [3.5, 1234.25, -0.5], "decimal_comma"),
    (["1e3", ".5", "+7"], [1000, 0.5, 7], "plain"),
    (["4", "?", "", "6"], [4, np.nan, np.nan, 6], "plain"),
])
def test_numbers_written_as_text_are_read(values, expected, style):
    parsed, found = parse_numbers(pd.Series(values, dtype="string"))
    np.testing.assert_array_equal(parsed, np.array(expected, dtype=float))
    assert found == style


def test_words_are_not_numbers():
    assert parse_numbers(pd.Series(["red", "1", "blue"])) is None


@pytest.mark.parametrize("values, fmt, first", [
    (["2024-03-01", "2023-12-31"], "ISO8601", "2024-03-01"),
    (["2024-03-01T10:30:00", "2023-12-31 23:59:59"], "ISO8601", "2024-03-01T10:30"),
    (["31/12/2023", "01/03/2024"], "%d/%m/%Y", "2023-12-31"),
    (["12/31/2023", "03/01/2024"], "%m/%d/%Y", "2023-12-31"),
    (["1.3.2024", "24.12.2023"], "%d.%m.%Y", "2024-03-01"),
])
def test_dates_in_common_formats(values, fmt, first):
    stamps, found = parse_dates(pd.Series(values))
    assert found == fmt
    assert str(stamps[0]).startswith(first)


def test_unix_seconds_in_a_column_named_like_a_date():
    stamps, fmt = parse_dates(pd.Series([1_700_000_000, 1_710_000_000], name="created_at"))
    assert fmt == "unix" and str(stamps[0]).startswith("2023-11-14")
    assert parse_dates(pd.Series([1_700_000_000, 1_710_000_000], name="price")) is None


def test_date_features_are_a_year_and_three_cycles():
    x = date_features(np.array(["2024-01-01", "2024-07-01"], dtype="datetime64[ns]"))
    assert x.shape == (2, 7)
    assert x[:, 0].tolist() == [2024, 2024]
    np.testing.assert_allclose(x[0, 1:3], [0, 1], atol=1e-12)       # January: angle 0
    np.testing.assert_allclose(x[1, 1:3], [0, -1], atol=1e-12)      # July: half a turn
    np.testing.assert_allclose(x[:, 1] ** 2 + x[:, 2] ** 2, 1)


def test_roles_are_inferred_with_reasons():
    n = 60
    df = pd.DataFrame({
        "id": range(1000, 1000 + n),
        "name": [f"Customer number {i}" for i in range(n)],
        "city": [["Paris", "Lyon", "Nice"][i % 3] for i in range(n)],
        "joined": pd.date_range("2020-01-01", periods=n, freq="7D").strftime("%Y-%m-%d"),
        "income": [f"{1000 + 37 * i:,}" for i in range(n)],
        "constant": ["x"] * n,
        "copy_of_city": [["Paris", "Lyon", "Nice"][i % 3] for i in range(n)],
        "leak": [i % 2 for i in range(n)],
        "y": [i % 2 for i in range(n)],
    })
    assert roles(df, "y") == {"id": "ignore", "name": "ignore", "city": "categorical",
                              "joined": "date", "income": "numeric", "constant": "ignore",
                              "copy_of_city": "ignore", "leak": "ignore", "y": "target"}
    notes = notes_of(df, "y")
    assert notes["id"] == "an identifier: every value distinct (60 of 60)"
    assert notes["name"] == "an identifier or free text: 60 distinct values in 60 rows"
    assert notes["constant"] == "constant: 'x' in every row"
    assert notes["copy_of_city"] == "a duplicate of 'city'"
    assert notes["leak"] == "identical to the target: it would give the answer away"
    assert notes["income"] == "numbers with thousands separators"


def test_rare_levels_fold_into_other_and_the_cut_off_is_adjustable():
    levels = [f"L{k:02d}" for k in range(40)]
    values = [levels[min(i % 50, 39)] for i in range(500)]   # L39 is the most frequent
    df = pd.DataFrame({"c": values, "y": [i % 2 for i in range(500)]})
    encoder = TableEncoder({"c": "categorical"}, max_levels=5).fit(df)
    assert encoder.feature_names[0] == "c=L39" and encoder.feature_names[-1] == "c=other"
    assert len(encoder.feature_names) == 6
    x = encoder.transform(pd.DataFrame({"c": ["L39", "L00", "never seen"]}))
    assert x[0].tolist() == [1, 0, 0, 0, 0, 0]
    assert x[2].tolist() == [0, 0, 0, 0, 0, 1]      # unknown levels are "other" too
    assert np.all(x.sum(axis=1) == 1)
    assert len(TableEncoder({"c": "categorical"}, max_levels=40).fit(df).feature_names) == 40


def test_missing_values_are_filled_and_marked():
    df = pd.DataFrame({"n": [1.0, np.nan, 3.0, np.nan, 5.0] * 4,
                       "c": ["a", None, "a", "b", "a"] * 4})
    encoder = TableEncoder({"n": "numeric", "c": "categorical"}).fit(df)
    assert encoder.feature_names == ["n", "n (missing)", "c=a", "c=b", "c (missing)"]
    x = encoder.transform(df)
    assert x[1].tolist() == [3.0, 1.0, 1.0, 0.0, 1.0]
    assert "'n': 8 values (40.0%) missing, filled with the median 3 and marked in an indicator column." \
        in encoder.notes()


def test_the_encoding_travels_as_json_and_encodes_new_rows_the_same():
    df = pd.DataFrame({"when": ["2024-01-05", "2024-06-30", None, "2023-02-11"] * 5,
                       "price": ["1,200", "950", "2,000", None] * 5,
                       "kind": ["a", "b", "c", "a"] * 5})
    encoder = TableEncoder({"when": "date", "price": "numeric", "kind": "categorical"}).fit(df)
    copy = TableEncoder.from_dict(json.loads(json.dumps(encoder.to_dict())))
    new = df.sample(frac=1, random_state=0)[["kind", "price", "when"]]  # another column order
    np.testing.assert_array_equal(copy.transform(new), encoder.transform(new))
    assert copy.feature_names == encoder.feature_names


def test_new_rows_with_a_missing_or_mistyped_column_get_a_specific_message():
    df = pd.DataFrame({"age": [20, 30, 40, 50] * 5, "kind": ["a", "b"] * 10})
    encoder = TableEncoder({"age": "numeric", "kind": "categorical"}).fit(df)
    with pytest.raises(TableError, match="lacks the column\\(s\\) 'age' that the model reads"):
        encoder.transform(pd.DataFrame({"kind": ["a"]}))
    with pytest.raises(TableError, match="Column 'age' should hold numbers, but 2 of 2 values "
                                         "are not numbers \\(e.g. 'young'\\)"):
        encoder.transform(pd.DataFrame({"age": ["young", "old"], "kind": ["a", "b"]}))


@pytest.mark.parametrize("bad, message", [
    ({"format": "x"}, "not a table encoding"),
    ({"version": 99}, "unsupported table encoding version 99"),
    ({"columns": [{"name": "age", "role": "numeric", "style": "roman", "fill": 1.0,
                   "missing_share": 0.0, "indicator": False}]}, "unknown number style"),
    ({"columns": []}, "its columns do not follow its roles"),
    ({"roles": {"age": "wizard"}}, "Unknown role"),
])
def test_a_damaged_encoding_is_refused_with_the_reason(bad, message):
    good = TableEncoder({"age": "numeric"}).fit(pd.DataFrame({"age": [1, 2, 3]})).to_dict()
    with pytest.raises(ValueError, match=message):
        TableEncoder.from_dict({**good, **bad})


def test_a_wrong_role_asked_for_says_which_value_does_not_fit():
    df = pd.DataFrame({"kind": ["red", "blue"] * 10, "y": [0, 1] * 10})
    with pytest.raises(TableError, match="Column 'kind' cannot be a numeric feature: 'red' is "
                                         "not a number"):
        TableEncoder({"kind": "numeric"}).fit(df)


def test_semicolons_decimal_commas_and_a_bom():
    text = "\ufeffheight;weight;sex\n" + "".join(
        f"{150 + i},5;{50 + i // 2},{i % 10};{'fm'[i % 2]}\n" for i in range(40))
    df = read_csv_table(text.encode("utf-8"))
    assert list(df.columns) == ["height", "weight", "sex"]
    ds = load_csv(text.encode("utf-8"), target="sex")
    assert ds.feature_names == ("height", "weight")
    assert ds.x[1].tolist() == [151.5, 50.1]
    assert "'height': numbers written with decimal commas, read as numbers." in ds.notes


def test_roles_can_be_overridden_and_wrong_overrides_are_named():
    data = b"zip,income,y\n" + b"".join(b"%d,%d,%d\n" % (75001 + i % 3, 100 * i, i % 2)
                                         for i in range(30))
    ds = load_csv(data, target="y", roles={"zip": "categorical"})
    assert ds.feature_names[:3] == ("zip=75001", "zip=75002", "zip=75003")
    from data import CsvError
    with pytest.raises(CsvError, match="the file has no such column"):
        load_csv(data, target="y", roles={"zipcode": "categorical"})
    with pytest.raises(CsvError, match="the role must be one of numeric, categorical, date, "
                                       "ignore. Received: 'feature'"):
        load_csv(data, target="y", roles={"zip": "feature"})
    with pytest.raises(CsvError, match="'y' is the target"):
        load_csv(data, target="y", roles={"y": "numeric"})


def test_the_fitted_encoding_travels_with_the_prepared_data():
    from data import Preprocessing, prepare
    data = io.BytesIO(b"when,kind,y\n" + b"".join(
        b"2024-%02d-01,%s,%d\n" % (1 + i % 12, b"ab"[i % 2:i % 2 + 1], i % 2) for i in range(40)))
    prepared = prepare(load_csv(data, target="y"), seed=0)
    block = prepared.preprocessing.to_dict()
    assert block["table"]["columns"][0]["format"] == "ISO8601"
    again = Preprocessing.from_dict(json.loads(json.dumps(block)))
    assert again.table == block["table"]
