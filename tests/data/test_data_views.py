"""ScaledRows: a split read through an index and a scaling, identical to the copied array."""

import numpy as np
import pytest

from data import Preprocessing, load_dataset, prepare, split_dataset
from data.views import ScaledRows
from mlp import NeuralNetwork


@pytest.fixture
def base():
    return np.random.default_rng(0).integers(0, 256, (50, 6), dtype=np.uint8)


@pytest.fixture
def view(base):
    rows = np.array([7, 3, 3, 49, 0, 12, 30])
    offset, scale = np.arange(6.0), np.full(6, 255.0)
    return ScaledRows(base, rows, offset, scale, dtype=np.float32), rows, offset, scale


def _expected(base, rows, offset, scale):
    out = base[rows].astype(np.float32)
    out -= offset.astype(np.float32)
    out /= scale.astype(np.float32)
    return out


def test_every_kind_of_index_reads_the_scaled_rows(base, view):
    v, rows, offset, scale = view
    full = _expected(base, rows, offset, scale)
    assert v.shape == (7, 6) and len(v) == 7 and v.dtype == np.float32
    np.testing.assert_array_equal(np.asarray(v), full)
    np.testing.assert_array_equal(v[2:5], full[2:5])
    np.testing.assert_array_equal(v[::-2], full[::-2])
    np.testing.assert_array_equal(v[np.array([6, 0, 0])], full[[6, 0, 0]])
    np.testing.assert_array_equal(v[full[:, 0] > 0.3], full[full[:, 0] > 0.3])
    np.testing.assert_array_equal(v[-1], full[-1])
    assert v[1:3].dtype == np.float32


def test_the_base_is_never_written_and_never_copied(base, view):
    v = view[0]
    before = base.copy()
    block = v[0:3]
    block += 100
    np.testing.assert_array_equal(base, before)
    assert v.base is base and v.nbytes == v.rows.nbytes


def test_bad_indexes_and_arguments_say_what_is_wrong(base):
    v = ScaledRows(base)
    with pytest.raises(IndexError, match="row 50 is out of range for 50 rows"):
        v[50]
    with pytest.raises(IndexError, match="indexed by rows only"):
        v[0, 1]
    with pytest.raises(IndexError, match=r"boolean mask must have shape \(50,\)"):
        v[np.ones(3, dtype=bool)]
    with pytest.raises(ValueError, match="rows must lie in 0..49"):
        ScaledRows(base, rows=[0, 50])
    with pytest.raises(ValueError, match="offset and scale must be given together"):
        ScaledRows(base, offset=np.zeros(6))
    with pytest.raises(ValueError, match=r"offset and scale must have shape \(6,\)"):
        ScaledRows(base, offset=np.zeros(5), scale=np.ones(5))
    with pytest.raises(ValueError, match="dtype must be a float dtype"):
        ScaledRows(base, dtype=np.int32)


def test_finite_is_true_for_integers_and_checked_for_floats():
    assert ScaledRows(np.zeros((3, 2), dtype=np.uint8)).finite
    assert ScaledRows(np.ones((3, 2))).finite
    assert not ScaledRows(np.array([[1.0, np.inf], [0.0, 0.0]]), rows=[1]).finite


def test_prepare_views_equal_the_copied_and_transformed_splits():
    dataset = load_dataset("digits")
    for scaling in ("standard", "minmax", "scale", "none"):
        p = prepare(dataset, scaling=scaling, val_fraction=0.1, test_fraction=0.2, seed=3)
        s = split_dataset(dataset, val_fraction=0.1, test_fraction=0.2, seed=3)
        reference = Preprocessing(scaling, pixel_max=16).fit(s.x_train)
        for view, raw in ((p.x_train, s.x_train), (p.x_val, s.x_val), (p.x_test, s.x_test)):
            assert view.base is dataset.x
            np.testing.assert_array_equal(np.asarray(view), reference.transform(raw))
        np.testing.assert_array_equal(p.y_train, s.y_train)


def test_a_network_trains_on_a_view_exactly_as_on_the_array():
    dataset = load_dataset("digits")
    p = prepare(dataset, val_fraction=0.1, seed=0)
    results = []
    for x_train, x_val in ((p.x_train, p.x_val), (np.asarray(p.x_train), np.asarray(p.x_val))):
        net = NeuralNetwork([64, 16, 10], "relu", "softmax", "categorical_crossentropy",
                            "adam", seed=1, dtype="float32")
        net.fit(x_train, p.y_train, 32, 2, categorical=True, validation_data=(x_val, p.y_val))
        results.append((net.params.copy(), net.predict(p.x_test)))
    np.testing.assert_array_equal(results[0][0], results[1][0])
    np.testing.assert_array_equal(results[0][1], results[1][1])


def test_the_engine_refuses_a_view_of_non_finite_data():
    x = np.array([[0.0, 1.0], [np.nan, 2.0], [3.0, 4.0]])
    net = NeuralNetwork([2, 2], "relu", "softmax", "categorical_crossentropy", seed=0)
    with pytest.raises(ValueError, match="NaN or infinite"):
        net.fit(ScaledRows(x, rows=[0, 2]), np.array([0, 1]), 2, 1, categorical=True)
