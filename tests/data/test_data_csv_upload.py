"""CSV uploads: each bad file gets its own message; encoding, missing values, task inference."""

import io

import numpy as np
import pytest

from data import CsvError, dataset_from_table, infer_task, load_csv, prepare, read_csv_table


def _csv(rows: int = 30, **columns) -> bytes:
    """CSV bytes from column name -> function of the row index."""
    header = ",".join(columns)
    lines = [",".join(str(f(i)) for f in columns.values()) for i in range(rows)]
    return ("\n".join([header, *lines]) + "\n").encode()


NUMERIC = _csv(a=lambda i: i * 0.5, b=lambda i: (i * 7) % 11, y=lambda i: i % 3)


def test_numeric_csv_with_integer_target_is_classification():
    ds = load_csv(NUMERIC, target="y")
    assert ds.info.key == "csv" and ds.info.task == "classification"
    assert ds.x.shape == (30, 2) and ds.x.dtype == np.float64
    assert ds.info.class_names == ("0", "1", "2") and ds.y.dtype == np.int64
    np.testing.assert_array_equal(ds.y, np.arange(30) % 3)
    assert ds.feature_names == ("a", "b") and ds.target_name == "y"
    assert any("Task inferred as classification" in n for n in ds.notes)


def test_float_target_is_regression_and_override_works():
    data = _csv(a=lambda i: i, y=lambda i: i * 0.37)
    assert load_csv(data, target="y").info.task == "regression"
    forced = load_csv(NUMERIC, target="y", task="regression")
    assert forced.info.task == "regression" and forced.y.dtype == np.float64
    assert forced.info.n_classes is None


def test_many_integer_values_are_regression():
    assert load_csv(_csv(a=lambda i: 2 * i, y=lambda i: i), target="y").info.task == "regression"


def test_text_target_is_classification_with_sorted_class_names():
    data = _csv(a=lambda i: i, species=lambda i: ["setosa", "virginica", "versicolor"][i % 3])
    ds = load_csv(data, target="species")
    assert ds.info.class_names == ("setosa", "versicolor", "virginica")
    assert ds.y[:3].tolist() == [0, 2, 1]


def test_regression_forced_on_text_target_is_an_error():
    data = _csv(a=lambda i: i, species=lambda i: ["x", "y"][i % 2])
    with pytest.raises(CsvError, match="Regression needs a numeric target, but column 'species'"):
        load_csv(data, target="species", task="regression")


def test_integer_valued_float_classes_are_named_without_decimals():
    data = _csv(a=lambda i: i, y=lambda i: float(i % 2))
    assert load_csv(data, target="y").info.class_names == ("0", "1")


def test_default_target_is_the_last_column():
    ds = load_csv(NUMERIC)
    assert ds.target_name == "y" and "using the last column, 'y'" in ds.notes[0]


def test_low_cardinality_text_feature_is_one_hot_encoded_and_reported():
    data = _csv(size=lambda i: i, color=lambda i: ["red", "green", "blue"][i % 3],
                y=lambda i: i * 1.5)
    ds = load_csv(data, target="y")
    assert ds.feature_names == ("size", "color=blue", "color=green", "color=red")
    np.testing.assert_array_equal(ds.x[:3, 1:], [[0, 0, 1], [0, 1, 0], [1, 0, 0]])
    assert ds.info.n_features == 4
    assert "'color': one-hot encoded, 3 level(s)." in ds.notes


def test_free_text_and_identifiers_are_ignored_with_the_reason():
    data = _csv(a=lambda i: i, name=lambda i: f"person{i}", customer_id=lambda i: 1000 + i,
                y=lambda i: i % 2)
    ds = load_csv(data, target="y")
    assert ds.feature_names == ("a",)
    assert "Ignored 'name': an identifier or free text: 30 distinct values in 30 rows." in ds.notes
    assert "Ignored 'customer_id': an identifier: every value distinct (30 of 30)." in ds.notes


def test_a_missing_marker_among_numbers_is_filled():
    data = _csv(a=lambda i: "?" if i == 4 else i, b=lambda i: i, y=lambda i: i % 2)
    ds = load_csv(data, target="y")
    assert ds.feature_names == ("a", "b")
    assert ds.x[4, 0] == np.median([i for i in range(30) if i != 4])
    assert any("'a': 1 value (3.3%) missing, filled with the median 15" in n for n in ds.notes)


def test_rows_with_missing_values_are_dropped_when_asked_and_reported():
    data = _csv(a=lambda i: "" if i in (3, 8) else i, b=lambda i: "" if i == 5 else i * 2,
                y=lambda i: i % 2)
    ds = load_csv(data, target="y", missing="drop")
    assert ds.x.shape == (27, 2) and np.all(np.isfinite(ds.x))
    assert "Dropped 3 of 30 rows with missing values." in ds.notes


def test_missing_values_are_filled_by_default_with_an_indicator_when_frequent():
    data = _csv(a=lambda i: "" if i in (3, 8) else i, b=lambda i: "" if i == 5 else i * 2,
                y=lambda i: i % 2)
    ds = load_csv(data, target="y")
    # a: 2 of 30 missing (6.7%, over 5%) gets an indicator; b: 1 of 30 does not.
    assert ds.feature_names == ("a", "a (missing)", "b")
    assert ds.x.shape == (30, 3) and np.all(np.isfinite(ds.x))
    assert ds.x[3].tolist() == [15.5, 1.0, 6.0] and ds.x[5, 2] == 30.0
    assert any(n.startswith("'a': 2 values (6.7%) missing, filled with the median 15.5 and marked in an "
                            "indicator column") for n in ds.notes)


def test_missing_target_values_are_dropped_too():
    data = _csv(a=lambda i: i, y=lambda i: "" if i == 0 else i % 2)
    ds = load_csv(data, target="y")
    assert len(ds.y) == 29 and "Dropped 1 of 30 rows without a target value." in ds.notes


def test_infinite_values_count_as_missing():
    data = _csv(a=lambda i: "inf" if i == 1 else i, y=lambda i: i % 2)
    ds = load_csv(data, target="y")
    assert ds.x.shape == (30, 1) and np.all(np.isfinite(ds.x)) and ds.x[1, 0] == 15.0


def test_empty_columns_from_trailing_commas_are_ignored_and_reported():
    data = b"a,b,y,\n" + b"".join(f"{i},{i * 2},{i % 2},\n".encode() for i in range(20))
    ds = load_csv(data, target="y")
    assert ds.feature_names == ("a", "b") and ds.x.shape == (20, 2)
    assert "Ignored 'Unnamed: 3': empty: no values." in ds.notes


def test_empty_target_column():
    data = b"a,y\n" + b"".join(f"{i},\n".encode() for i in range(20))
    with pytest.raises(CsvError, match="Target column 'y' is empty"):
        load_csv(data, target="y")


def test_every_row_missing_cannot_be_dropped():
    data = _csv(a=lambda i: "" if i % 2 else i, b=lambda i: i if i % 2 else "", y=lambda i: i % 2)
    with pytest.raises(CsvError, match="Every row has a missing feature value"):
        load_csv(data, target="y", missing="drop")


@pytest.mark.parametrize("data, kwargs, message", [
    (b"x" * 101, {"max_bytes": 100}, r"The file is too large: 101 bytes; the limit is 100 bytes"),
    (b"PK\x03\x04rest", {}, "This is not a CSV file: it looks like a ZIP archive or an Excel"),
    (b"%PDF-1.4", {}, "it looks like a PDF document"),
    (b"a,b\n1,\x002\n", {}, r"it contains binary data \(NUL bytes\)"),
    ("a,b\nélan,1\n".encode("latin-1"), {}, "The file is not UTF-8 text: byte 0xe9 at position 4"),
    ("a,b\n1,2\n".encode("utf-16"), {}, "UTF-16 encoded"),
    (b"", {}, "The file is empty"),
    (b"  \n\n ", {}, "The file is empty"),
    (b"a\n1\n2\n3\n", {}, r"only one column \('a'\)"),
    (b"a,b,c\n", {}, "a header but no data rows"),
    (NUMERIC, {"max_rows": 10}, "The file has 30 rows; the limit is 10"),
    (b'a,b\n1,2\n3,4,5,6\n', {}, "could not be parsed as CSV"),
])
def test_bad_files(data, kwargs, message):
    with pytest.raises(CsvError, match=message):
        read_csv_table(data, **kwargs)


def test_unknown_target_lists_the_columns():
    with pytest.raises(CsvError, match="Target column 'price' not found. Columns: a, b, y"):
        load_csv(NUMERIC, target="price")


def test_target_with_a_single_value():
    with pytest.raises(CsvError, match="Target column 'y' has a single value .*nothing to learn"):
        load_csv(_csv(a=lambda i: i, y=lambda i: 7), target="y")


def test_too_few_rows():
    with pytest.raises(CsvError, match="Only 5 rows have complete values; at least 10 are needed"):
        load_csv(_csv(rows=5, a=lambda i: i, y=lambda i: i % 2), target="y")


def test_too_many_classes():
    data = _csv(rows=150, a=lambda i: i, y=lambda i: f"c{i}")
    with pytest.raises(CsvError, match="150 distinct values: too many classes"):
        load_csv(data, target="y")


def test_bad_feature_selection_and_task():
    df = read_csv_table(NUMERIC)
    with pytest.raises(CsvError, match="Feature columns must be other columns"):
        dataset_from_table(df, "y", features=["a", "zzz"])
    with pytest.raises(CsvError, match="Feature columns must be other columns"):
        dataset_from_table(df, "y", features=["y"])
    with pytest.raises(ValueError, match="task must be 'classification', 'regression' or None"):
        dataset_from_table(df, "y", task="ranking")


def test_feature_subset():
    ds = dataset_from_table(read_csv_table(NUMERIC), "y", features=["b"])
    assert ds.feature_names == ("b",) and ds.x.shape == (30, 1)


def test_semicolon_separator_bom_and_spaces():
    data = "\ufeffa; b; y\n" + "\n".join(f"{i}; {i * 2}; {i % 2}" for i in range(20))
    df = read_csv_table(data.encode("utf-8"))
    assert list(df.columns) == ["a", "b", "y"] and len(df) == 20


def test_file_like_objects_and_paths(tmp_path):
    assert read_csv_table(io.BytesIO(NUMERIC)).shape == (30, 3)

    class Upload:  # like Streamlit's UploadedFile: read() only
        def __init__(self, data):
            self.stream = io.BytesIO(data)

        def read(self, n=-1):
            return self.stream.read(n)

    assert read_csv_table(Upload(NUMERIC)).shape == (30, 3)
    with pytest.raises(CsvError, match="too large: more than 100 bytes"):
        read_csv_table(Upload(NUMERIC), max_bytes=100)
    path = tmp_path / "data.csv"
    path.write_bytes(NUMERIC)
    assert read_csv_table(path).shape == (30, 3)
    with pytest.raises(CsvError, match=r"too large: \d+ bytes; the limit is 100 bytes"):
        read_csv_table(path, max_bytes=100)


def test_boolean_columns_are_numeric():
    data = _csv(flag=lambda i: i % 2 == 0, a=lambda i: i, y=lambda i: ["no", "yes"][i % 2])
    ds = load_csv(data, target="y")
    assert ds.feature_names == ("flag", "a") and set(ds.x[:, 0]) == {0.0, 1.0}


def test_infer_task_directly():
    import pandas as pd
    assert infer_task(pd.Series(["a", "b"])) == "classification"
    assert infer_task(pd.Series([1, 2, 3])) == "classification"
    assert infer_task(pd.Series([1.5, 2.0])) == "regression"
    assert infer_task(pd.Series(range(21))) == "regression"


def test_a_csv_dataset_can_be_prepared():
    p = prepare(load_csv(NUMERIC, target="y"), seed=0)
    assert p.preprocessing.dataset_key == "csv" and p.preprocessing.feature_names == ["a", "b"]
    assert len(p.y_train) + len(p.y_val) + len(p.y_test) == 30


def test_sizes_are_in_the_decimal_megabytes_the_uploader_shows():
    with pytest.raises(CsvError, match=r"The file is too large: 2.5 MB; the limit is 2.0 MB"):
        read_csv_table(b"x" * 2_500_000, max_bytes=2_000_000)


def test_one_complete_row_is_said_in_the_singular():
    data = b"a,y\n1,0\n" + b"".join(b",%d\n" % (i % 2) for i in range(9))
    with pytest.raises(CsvError, match="Only 1 row has complete values; at least 10 are needed"):
        load_csv(data, target="y", missing="drop", roles={"a": "numeric"})
