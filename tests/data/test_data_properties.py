"""Property tests (Hypothesis) for splits, one-hot and the preprocessing round trip."""

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from data import Dataset, DatasetInfo, Preprocessing, one_hot, split_dataset

INFO = DatasetInfo("p", "p", "classification", 1, 4, ("a", "b", "c", "d"), None, None, "")
fractions = st.floats(min_value=0.0, max_value=0.45)


@settings(max_examples=60, deadline=None, database=None)
@given(n=st.integers(4, 300), val=fractions, test=fractions, seed=st.integers(0, 2**32 - 1),
       stratify=st.booleans(), label_seed=st.integers(0, 1000))
def test_split_is_a_partition(n, val, test, seed, stratify, label_seed):
    y = np.random.default_rng(label_seed).integers(0, 4, n)
    ds = Dataset(INFO, np.arange(n, dtype=np.float64)[:, None], y)
    n_val, n_test = (0 if f == 0 else max(1, round(f * n)) for f in (val, test))
    if n - n_val - n_test < 1:
        with pytest.raises(ValueError, match="leave no training data"):
            split_dataset(ds, val_fraction=val, test_fraction=test, seed=seed)
        return
    s = split_dataset(ds, val_fraction=val, test_fraction=test, seed=seed, stratify=stratify)
    assert (len(s.y_val), len(s.y_test)) == (n_val, n_test)
    ids = np.concatenate([s.x_train[:, 0], s.x_val[:, 0], s.x_test[:, 0]]).astype(int)
    assert sorted(ids.tolist()) == list(range(n))
    assert len(s.x_train) >= 1
    np.testing.assert_array_equal(y[s.x_test[:, 0].astype(int)], s.y_test)


@settings(max_examples=60, deadline=None, database=None)
@given(labels=st.lists(st.integers(0, 6), max_size=50), extra=st.integers(1, 3))
def test_one_hot_rows_sum_to_one_and_argmax_gives_the_label(labels, extra):
    labels = np.array(labels, dtype=np.int64)
    out = one_hot(labels, 7 + extra)
    assert out.shape == (len(labels), 7 + extra)
    np.testing.assert_array_equal(out.sum(axis=1), 1)
    np.testing.assert_array_equal(out.argmax(axis=1), labels)


@settings(max_examples=40, deadline=None, database=None)
@given(method=st.sampled_from(["standard", "minmax", "scale", "none"]),
       rows=st.integers(1, 30), cols=st.integers(1, 6), seed=st.integers(0, 1000),
       spread=st.floats(1e-3, 1e6))
def test_json_round_trip_is_exact(method, rows, cols, seed, spread):
    x = np.random.default_rng(seed).normal(0, spread, size=(rows, cols))
    pre = Preprocessing(method, constant=255 if method == "scale" else None).fit(x)
    back = Preprocessing.from_dict(json.loads(json.dumps(pre.to_dict())))
    np.testing.assert_array_equal(back.transform(x, np.float64), pre.transform(x, np.float64))
