"""Preprocessing: fitted on train only, JSON round trip, no float64 copies; prepare; one_hot."""

import json
import tracemalloc

import numpy as np
import pytest

from data import (Dataset, DatasetInfo, Preprocessing, load_dataset, one_hot, prepare,
                  split_dataset)

METHODS = ["standard", "minmax", "scale", "none"]


def _fitted(method, x):
    return Preprocessing(method, constant=4.0 if method == "scale" else None).fit(x)


@pytest.fixture
def x():
    return np.random.default_rng(0).normal(3.0, 2.0, size=(300, 5))


def test_standard_gives_zero_mean_unit_std_on_train(x):
    z = Preprocessing("standard").fit_transform(x, dtype=np.float64)
    np.testing.assert_allclose(z.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(z.std(axis=0), 1, atol=1e-12)


def test_minmax_maps_train_to_unit_interval(x):
    z = Preprocessing("minmax").fit_transform(x)
    np.testing.assert_allclose(z.min(axis=0), 0, atol=1e-6)
    np.testing.assert_allclose(z.max(axis=0), 1, atol=1e-6)


def test_scale_divides_by_the_constant_or_pixel_max():
    pixels = np.array([[0, 255], [51, 102]], dtype=np.uint8)
    np.testing.assert_allclose(Preprocessing("scale", pixel_max=255).fit_transform(pixels),
                               pixels / 255.0, rtol=1e-6)
    np.testing.assert_allclose(Preprocessing("scale", constant=16).fit_transform(pixels),
                               pixels / 16.0, rtol=1e-6)


def test_constant_feature_does_not_divide_by_zero():
    x = np.c_[np.ones(10), np.arange(10.0)]
    for method in ("standard", "minmax"):
        z = Preprocessing(method).fit_transform(x)
        assert np.all(np.isfinite(z)) and np.all(z[:, 0] == 0)


def test_statistics_come_from_the_training_split_only():
    rng = np.random.default_rng(1)
    info = DatasetInfo("r", "r", "regression", 3, None, (), None, None, "")
    ds = Dataset(info, rng.normal(size=(400, 3)), rng.normal(size=400))
    ds.x[:, 0] += 1000 * np.arange(400) % 7  # spread so that any leak would show
    prepared = prepare(ds, val_fraction=0.2, test_fraction=0.2, seed=3, dtype=np.float64)
    s = split_dataset(ds, val_fraction=0.2, test_fraction=0.2, seed=3)
    np.testing.assert_allclose(prepared.preprocessing.offset, s.x_train.mean(axis=0))
    np.testing.assert_allclose(prepared.preprocessing.scale, s.x_train.std(axis=0))
    everything = np.r_[s.x_train, s.x_val, s.x_test]
    assert not np.allclose(prepared.preprocessing.offset, everything.mean(axis=0))
    np.testing.assert_allclose(prepared.x_test, (s.x_test - s.x_train.mean(0)) / s.x_train.std(0))


@pytest.mark.parametrize("method", METHODS)
def test_json_round_trip_gives_identical_transforms(method, x):
    pre = _fitted(method, x)
    pre.dataset_key, pre.task, pre.feature_names = "toy", "regression", list("abcde")
    text = json.dumps(pre.to_dict())
    back = Preprocessing.from_dict(json.loads(text))
    for dtype in (np.float32, np.float64):
        np.testing.assert_array_equal(back.transform(x, dtype), pre.transform(x, dtype))
    assert back.to_dict() == pre.to_dict()


def test_to_dict_carries_what_the_app_needs():
    prepared = prepare(load_dataset("digits"))
    d = json.loads(json.dumps(prepared.preprocessing.to_dict()))
    assert d["dataset_key"] == "digits" and d["task"] == "classification"
    assert d["class_names"] == [str(i) for i in range(10)]
    assert d["image_shape"] == [8, 8] and d["pixel_max"] == 16 and d["method"] == "scale"
    assert d["n_features"] == 64 and len(d["offset"]) == len(d["scale"]) == 64


def _good_dict():
    return _fitted("standard", np.arange(12.0).reshape(4, 3)).to_dict()


@pytest.mark.parametrize("change, message", [
    ({"format": "other"}, "not a preprocessing block: format is 'other'"),
    ({"version": 99}, "unsupported preprocessing version 99"),
    ({"method": "log"}, "unknown method 'log'; valid: standard, minmax, scale, none"),
    ({"n_features": 0}, "n_features must be an integer >= 1. Received: 0"),
    ({"offset": [0.0, 1.0]}, "offset must be a list of 3 numbers. Received: 2"),
    ({"scale": "abc"}, "scale must be a list of 3 numbers. Received: str"),
    ({"offset": [0.0, float("nan"), 1.0]}, "offset must hold finite numbers only"),
    ({"scale": [1.0, 0.0, 1.0]}, "scale values must be > 0"),
    ({"feature_names": ["a"]}, "1 feature_names for n_features=3"),
    ({"image_shape": [2, 2]}, r"image_shape \[2, 2\] does not match n_features=3"),
    ({"task": "ranking"}, "task must be 'classification' or 'regression'"),
])
def test_from_dict_rejects_bad_blocks(change, message):
    with pytest.raises(ValueError, match=message):
        Preprocessing.from_dict({**_good_dict(), **change})


def test_from_dict_rejects_a_non_dict():
    with pytest.raises(ValueError, match="must be a dict. Received: list"):
        Preprocessing.from_dict([1, 2])


def test_uint8_input_is_not_copied_to_float64():
    x = np.random.default_rng(0).integers(0, 256, size=(20000, 784), dtype=np.uint8)
    out_bytes = x.size * 4
    pre = Preprocessing("standard")
    tracemalloc.start()
    try:
        pre.fit(x)
        _, fit_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        out = pre.transform(x, np.float32)
        _, transform_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    float64_copy = x.size * 8  # 125 MB
    assert fit_peak < float64_copy / 4, f"fit peaked at {fit_peak / 1e6:.0f} MB"
    assert transform_peak < out_bytes + float64_copy / 4, \
        f"transform peaked at {transform_peak / 1e6:.0f} MB for a {out_bytes / 1e6:.0f} MB output"
    assert out.dtype == np.float32


def test_transform_errors():
    with pytest.raises(ValueError, match="not fitted"):
        Preprocessing().transform(np.zeros((2, 2)))
    pre = Preprocessing().fit(np.arange(6.0).reshape(3, 2))
    with pytest.raises(ValueError, match=r"expected x of shape \(n_samples, 2\). Received: shape \(2,\)"):
        pre.transform(np.zeros(2))
    with pytest.raises(ValueError, match="dtype must be a float dtype"):
        pre.transform(np.zeros((1, 2)), dtype=np.int32)
    with pytest.raises(ValueError, match="Unknown scaling method 'zscore'"):
        Preprocessing("zscore")
    with pytest.raises(ValueError, match="'scale' needs a finite constant > 0"):
        Preprocessing("scale")
    with pytest.raises(ValueError, match="NaN or infinite"):
        Preprocessing().fit(np.array([[np.nan, 1.0]]))


def test_prepare_digits_scales_by_16_and_keeps_integer_labels():
    p = prepare(load_dataset("digits"), seed=0)
    assert p.preprocessing.method == "scale" and p.preprocessing.constant == 16
    x_train = np.asarray(p.x_train)
    assert x_train.dtype == np.float32 and 0 <= x_train.min() and x_train.max() <= 1
    assert p.y_train.dtype == np.int64
    assert len(p.x_train) + len(p.x_val) + len(p.x_test) == 1797


def test_prepare_regression_targets_are_not_scaled():
    ds = load_dataset("diabetes")
    p = prepare(ds, dtype=np.float64)
    assert p.preprocessing.method == "standard"
    np.testing.assert_array_equal(np.sort(np.r_[p.y_train, p.y_val, p.y_test]), np.sort(ds.y))


@pytest.mark.parametrize("scaling", ["standard", "minmax", "none"])
def test_prepare_with_each_scaling(scaling):
    p = prepare(load_dataset("moons"), scaling=scaling)
    assert p.preprocessing.method == scaling and np.all(np.isfinite(p.x_train))


def test_prepare_scale_needs_a_pixel_max():
    with pytest.raises(ValueError, match="scaling='scale' divides by the pixel maximum, "
                                         "which only image datasets have; 'moons' has none"):
        prepare(load_dataset("moons"), scaling="scale")


def test_one_hot():
    out = one_hot(np.array([2, 0, 1, 2]), 3)
    np.testing.assert_array_equal(out, np.eye(3, dtype=np.float32)[[2, 0, 1, 2]])
    assert out.dtype == np.float32 and one_hot(np.array([], dtype=int), 4).shape == (0, 4)


@pytest.mark.parametrize("labels, n_classes, message", [
    (np.array([0, 3]), 3, r"labels must be in 0..2. Received values outside: \[3\]"),
    (np.array([-1, 0]), 3, r"Received values outside: \[-1\]"),
    (np.array([0.0, 1.0]), 3, "labels must be integers. Received: dtype float64"),
    (np.array([[0, 1]]), 3, r"labels must have shape \(n_samples,\)"),
    (np.array([0, 1]), 0, "n_classes must be an integer >= 1. Received: 0"),
])
def test_one_hot_checks(labels, n_classes, message):
    with pytest.raises(ValueError, match=message):
        one_hot(labels, n_classes)


# ---- a standardised regression target --------------------------------------------------

def test_a_target_is_standardised_and_brought_back_in_its_units():

    y = np.array([100_000.0, 250_000.0, 400_000.0])
    pre = Preprocessing("standard").fit(np.zeros((3, 1))).fit_target(y)
    scaled = pre.scale_target(y)
    np.testing.assert_allclose(scaled.mean(), 0, atol=1e-12)
    np.testing.assert_allclose(scaled.std(), 1)
    np.testing.assert_allclose(pre.unscale_target(scaled), y)
    again = Preprocessing.from_dict(pre.to_dict())
    assert (again.target_offset, again.target_scale) == (250_000.0, pre.target_scale)
    np.testing.assert_allclose(again.unscale_target(scaled[:, None])[:, 0], y)


def test_without_target_scaling_targets_pass_unchanged():

    pre = Preprocessing("standard").fit(np.zeros((3, 1)))
    y = np.array([1.5, 2.5], dtype=np.float32)
    assert pre.scale_target(y) is y and pre.unscale_target(y) is y
    assert "target_scale" not in pre.to_dict()


@pytest.mark.parametrize("change, message", [
    ({"target_scale": 0.0, "target_offset": 1.0}, "target_scale must be > 0"),
    ({"target_scale": 2.0}, "target_offset and target_scale go together"),
    ({"target_scale": float("nan"), "target_offset": 0.0}, "target_scale must be a finite"),
])
def test_a_damaged_target_scaling_is_refused(change, message):

    good = Preprocessing("standard").fit(np.zeros((3, 1))).to_dict()
    with pytest.raises(ValueError, match=message):
        Preprocessing.from_dict({**good, **change})
