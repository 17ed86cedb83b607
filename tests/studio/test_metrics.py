"""studio.metrics: hand-computed cases, and scikit-learn's metrics as an independent oracle."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn import metrics as skm

from mlp import NeuralNetwork
from studio.metrics import (classification_report, confidence_split, confident_mistakes,
                            confusion_matrix, evaluate_split, regression_metrics)

# A 3-class case worked out by hand.
#   y_true = 0 0 0 1 1 2
#   y_pred = 0 1 0 1 2 2
# Confusion (rows true, columns predicted):
#   [[2, 1, 0],      class 0: tp 2, predicted 2, support 3 -> P 1,   R 2/3, F1 2(2/3)/(5/3) = 0.8
#    [0, 1, 1],      class 1: tp 1, predicted 2, support 2 -> P 1/2, R 1/2, F1 1/2
#    [0, 0, 1]]      class 2: tp 1, predicted 2, support 1 -> P 1/2, R 1,   F1 2*(1/2)/(3/2) = 2/3
# accuracy 4/6; macro P (1 + 1/2 + 1/2)/3 = 2/3, R (2/3 + 1/2 + 1)/3 = 13/18,
# F1 (4/5 + 1/2 + 2/3)/3 = 59/90; weighted (3/6, 2/6, 1/6): P 3/4, R 2/3 (= accuracy).
Y_TRUE = np.array([0, 0, 0, 1, 1, 2])
Y_PRED = np.array([0, 1, 0, 1, 2, 2])


def test_confusion_matrix_by_hand():
    c = confusion_matrix(Y_TRUE, Y_PRED, 3)
    np.testing.assert_array_equal(c, [[2, 1, 0], [0, 1, 1], [0, 0, 1]])
    assert c.dtype == np.int64 and c.shape == (3, 3)


def test_confusion_matrix_counts_absent_classes_as_zero_rows():
    c = confusion_matrix([1, 1], [1, 3], 5)
    assert c.shape == (5, 5) and c.sum() == 2 and c[1, 1] == 1 and c[1, 3] == 1


@pytest.mark.parametrize("y_true, y_pred, n_classes, match", [
    ([0, 3], [0, 1], 3, "outside 0..2"),
    ([0, 1], [0, -1], 3, "outside 0..2"),
    ([0, 1, 2], [0, 1], 3, "different lengths"),
    ([0.5, 1], [0, 1], 3, "whole-number"),
    ([[0, 1], [1, 0]], [0, 1], 3, "shape"),
    (["a", "b"], [0, 1], 3, "integer"),
    ([0, 1], [0, 1], 0, "n_classes"),
])
def test_confusion_matrix_rejects_bad_labels(y_true, y_pred, n_classes, match):
    with pytest.raises(ValueError, match=match):
        confusion_matrix(y_true, y_pred, n_classes)


def test_labels_as_column_and_whole_floats_are_accepted():
    c = confusion_matrix(Y_TRUE[:, None], Y_PRED.astype(float), 3)
    np.testing.assert_array_equal(c, confusion_matrix(Y_TRUE, Y_PRED, 3))


def test_classification_report_by_hand():
    r = classification_report(Y_TRUE, Y_PRED, 3, class_names=["zero", "one", "two"])
    assert r["accuracy"] == pytest.approx(4 / 6)
    assert r["n_samples"] == 6
    np.testing.assert_array_equal(r["confusion"], confusion_matrix(Y_TRUE, Y_PRED, 3))
    expected = [("zero", 1.0, 2 / 3, 0.8, 3), ("one", 0.5, 0.5, 0.5, 2),
                ("two", 0.5, 1.0, 2 / 3, 1)]
    for row, (name, p, rec, f1, support) in zip(r["per_class"], expected):
        assert row["class"] == name
        assert row["precision"] == pytest.approx(p)
        assert row["recall"] == pytest.approx(rec)
        assert row["f1"] == pytest.approx(f1)
        assert row["support"] == support
        assert row["undefined"] == []
    assert r["macro"]["precision"] == pytest.approx(2 / 3)
    assert r["macro"]["recall"] == pytest.approx(13 / 18)
    assert r["macro"]["f1"] == pytest.approx(59 / 90)
    assert r["weighted"]["precision"] == pytest.approx(3 / 4)
    assert r["weighted"]["recall"] == pytest.approx(r["accuracy"])
    assert r["notes"] == []


def test_undefined_precision_and_recall_are_zero_and_flagged():
    # Class 1 is never predicted (precision 0/0); class 2 is predicted once but
    # never true (recall 0/0); class 3 neither appears nor is predicted.
    r = classification_report([0, 0, 1], [0, 2, 0], 4)
    rows = r["per_class"]
    assert rows[1]["undefined"] == ["precision"] and rows[1]["precision"] == 0.0
    assert rows[2]["undefined"] == ["recall"] and rows[2]["recall"] == 0.0
    assert rows[2]["precision"] == 0.0  # defined: 0 of 1 prediction right
    assert rows[3]["undefined"] == ["precision", "recall"]
    assert all(row[m] == 0.0 for row in rows[1:] for m in ("precision", "recall", "f1"))
    assert len(r["notes"]) == 3 and "never predicted" in r["notes"][0]
    values = [row[m] for row in rows for m in ("precision", "recall", "f1")]
    assert np.all(np.isfinite(values))


def test_empty_report_is_zero_not_nan():
    r = classification_report([], [], 3)
    assert r["accuracy"] == 0.0 and r["n_samples"] == 0
    assert r["macro"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 0}
    assert r["weighted"]["f1"] == 0.0


def test_class_names_must_match_n_classes():
    with pytest.raises(ValueError, match="class_names has 2 entries for 3 classes"):
        classification_report(Y_TRUE, Y_PRED, 3, class_names=["a", "b"])


@settings(max_examples=60, deadline=None)
@given(n_classes=st.integers(2, 7), n=st.integers(1, 80), seed=st.integers(0, 2**32 - 1))
def test_classification_matches_sklearn(n_classes, n, seed):
    rng = np.random.default_rng(seed)
    # Draw from a random subset of classes so that some are missing from either side.
    y_true = rng.choice(rng.choice(n_classes, size=rng.integers(1, n_classes + 1)), size=n)
    y_pred = rng.choice(rng.choice(n_classes, size=rng.integers(1, n_classes + 1)), size=n)
    labels = list(range(n_classes))
    r = classification_report(y_true, y_pred, n_classes)
    np.testing.assert_array_equal(r["confusion"],
                                  skm.confusion_matrix(y_true, y_pred, labels=labels))
    assert r["accuracy"] == pytest.approx(skm.accuracy_score(y_true, y_pred))
    p, rec, f1, support = skm.precision_recall_fscore_support(
        y_true, y_pred, labels=labels, zero_division=0)
    np.testing.assert_allclose([row["precision"] for row in r["per_class"]], p)
    np.testing.assert_allclose([row["recall"] for row in r["per_class"]], rec)
    np.testing.assert_allclose([row["f1"] for row in r["per_class"]], f1)
    np.testing.assert_array_equal([row["support"] for row in r["per_class"]], support)
    for average in ("macro", "weighted"):
        p, rec, f1, _ = skm.precision_recall_fscore_support(
            y_true, y_pred, labels=labels, average=average, zero_division=0)
        assert r[average]["precision"] == pytest.approx(p)
        assert r[average]["recall"] == pytest.approx(rec)
        assert r[average]["f1"] == pytest.approx(f1)


# ----------------------------------------------------------------- regression
def test_regression_metrics_by_hand():
    # residuals 0 0 0 -1: MSE 1/4, RMSE 1/2, MAE 1/4; mean(y) 2.5, SS_tot 5 -> R^2 = 1 - 1/5.
    m = regression_metrics([1, 2, 3, 4], [1, 2, 3, 5])
    assert m == pytest.approx({"mse": 0.25, "rmse": 0.5, "mae": 0.25, "r2": 0.8, "n_samples": 4})


def test_regression_accepts_column_vectors():
    y = np.array([[1.0], [2.0], [4.0]])
    assert regression_metrics(y, y[:, 0] + 1) == regression_metrics(y[:, 0], y + 1)


def test_r2_for_constant_targets_is_finite():
    assert regression_metrics([3, 3, 3], [3, 3, 3])["r2"] == 1.0
    assert regression_metrics([3, 3, 3], [3, 4, 3])["r2"] == 0.0
    assert regression_metrics([3, 3, 3], [3, 4, 3])["r2"] == skm.r2_score([3, 3, 3], [3, 4, 3])
    assert regression_metrics([7.0], [6.0])["r2"] == 0.0


@pytest.mark.parametrize("y_true, y_pred, match", [
    (np.zeros((3, 2)), np.zeros((3, 2)), "shape"),
    ([1, 2], [1, 2, 3], "different lengths"),
    ([], [], "empty"),
    ([1, np.nan], [1, 2], "NaN"),
    ([1, 2], [1, np.inf], "NaN or infinite"),
])
def test_regression_rejects_bad_input(y_true, y_pred, match):
    with pytest.raises(ValueError, match=match):
        regression_metrics(y_true, y_pred)


@settings(max_examples=60, deadline=None)
@given(n=st.integers(2, 60), seed=st.integers(0, 2**32 - 1))
def test_regression_matches_sklearn(n, seed):
    rng = np.random.default_rng(seed)
    y_true = rng.normal(size=n) * rng.uniform(0.1, 100)
    y_pred = y_true + rng.normal(size=n) * rng.uniform(0, 10)
    m = regression_metrics(y_true, y_pred)
    assert m["mse"] == pytest.approx(skm.mean_squared_error(y_true, y_pred))
    assert m["rmse"] == pytest.approx(skm.root_mean_squared_error(y_true, y_pred))
    assert m["mae"] == pytest.approx(skm.mean_absolute_error(y_true, y_pred))
    assert m["r2"] == pytest.approx(skm.r2_score(y_true, y_pred), abs=1e-9)


# ----------------------------------------------------------------- confidence
PROBS = np.array([[0.7, 0.2, 0.1],    # predicts 0, true 0: right, 0.7
                  [0.1, 0.3, 0.6],    # predicts 2, true 1: wrong, 0.6
                  [0.5, 0.4, 0.1],    # predicts 0, true 1: wrong, 0.5
                  [0.05, 0.9, 0.05],  # predicts 1, true 2: wrong, 0.9
                  [0.2, 0.2, 0.6]])   # predicts 2, true 0: wrong, 0.6 (ties with row 1)
TRUTH = np.array([0, 1, 1, 2, 0])


def test_confidence_split_by_hand():
    confidence, correct = confidence_split(PROBS, TRUTH)
    np.testing.assert_allclose(confidence, [0.7, 0.6, 0.5, 0.9, 0.6])
    np.testing.assert_array_equal(correct, [True, False, False, False, False])
    assert confidence.shape == (5,) and correct.dtype == bool


def test_confident_mistakes_sorted_by_confidence_ties_in_index_order():
    np.testing.assert_array_equal(confident_mistakes(PROBS, TRUTH), [3, 1, 4, 2])
    np.testing.assert_array_equal(confident_mistakes(PROBS, TRUTH, k=2), [3, 1])
    assert confident_mistakes(PROBS, TRUTH, k=0).shape == (0,)
    none = confident_mistakes(PROBS[:1], TRUTH[:1])
    assert none.shape == (0,) and none.dtype == np.int64


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 50), k=st.integers(0, 60), seed=st.integers(0, 2**32 - 1))
def test_confident_mistakes_properties(n, k, seed):
    rng = np.random.default_rng(seed)
    probs = rng.dirichlet(np.ones(4), size=n)
    y = rng.integers(0, 4, size=n)
    idx = confident_mistakes(probs, y, k)
    confidence, correct = confidence_split(probs, y)
    assert len(idx) == min(k, np.count_nonzero(~correct))
    assert not correct[idx].any()
    assert np.all(np.diff(confidence[idx]) <= 0)
    if len(idx):  # nothing left out is more confident than the last one kept
        rest = np.setdiff1d(np.flatnonzero(~correct), idx)
        assert np.all(confidence[rest] <= confidence[idx[-1]])


@pytest.mark.parametrize("probs, y, match", [
    (np.ones(3), [0, 1, 2], "shape"),
    (np.ones((3, 1)), [0, 0, 0], "n_classes >= 2"),
    (np.ones((3, 2)), [0, 1], "rows"),
    (np.ones((2, 2)), [0, 2], "outside"),
])
def test_confidence_rejects_bad_shapes(probs, y, match):
    with pytest.raises(ValueError, match=match):
        confidence_split(probs, y)


def test_confident_mistakes_rejects_bad_k():
    with pytest.raises(ValueError, match="k must be"):
        confident_mistakes(PROBS, TRUTH, k=-1)


# -------------------------------------------------------------- evaluate_split
class CountingNetwork(NeuralNetwork):
    """Counts calls to predict, to check that evaluate_split runs the model once."""

    calls = 0

    def predict(self, x, labels=False):
        self.calls += 1
        return super().predict(x, labels)


def test_evaluate_split_classification_agrees_with_network_score():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 4))
    y = rng.integers(0, 3, size=60)
    net = CountingNetwork([4, 6, 3], "tanh", seed=0)
    result = evaluate_split(net, x, y, "classification", class_names=["a", "b", "c"])
    assert net.calls == 1
    assert result["task"] == "classification" and result["n_samples"] == 60
    assert result["accuracy"] == pytest.approx(net.score(x, y, accuracy=True))
    assert result["loss"] == pytest.approx(net.score(x, y))
    assert result["report"]["per_class"][2]["class"] == "c"
    assert result["report"]["confusion"].sum() == 60
    np.testing.assert_array_equal(result["predictions"], net.predict(x, labels=True))
    assert result["probabilities"].shape == (60, 3)
    np.testing.assert_array_equal(result["correct"], result["predictions"] == y)
    np.testing.assert_allclose(result["confidence"], result["probabilities"].max(axis=1))


def test_evaluate_split_regression_agrees_with_network_score():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(40, 3))
    y = x @ [1.0, -2.0, 0.5] + 3
    net = CountingNetwork([3, 5, 1], "relu", "identity", "mean_squared_error", seed=0)
    result = evaluate_split(net, x, y, "regression")
    assert net.calls == 1
    assert result["loss"] == pytest.approx(net.score(x, y))
    assert result["metrics"]["mse"] == pytest.approx(net.score(x, y))
    assert result["predictions"].shape == (40,)
    expected = regression_metrics(y, net.predict(x))
    assert result["metrics"] == pytest.approx(expected)


def test_evaluate_split_empty_split_and_bad_task():
    net = NeuralNetwork([2, 3, 2], seed=0)
    assert evaluate_split(net, np.zeros((0, 2)), np.zeros(0, dtype=int), "classification") is None
    with pytest.raises(ValueError, match="task"):
        evaluate_split(net, np.zeros((2, 2)), [0, 1], "clustering")
    with pytest.raises(ValueError, match="different numbers of samples"):
        evaluate_split(net, np.zeros((3, 2)), [0, 1], "classification")
    with pytest.raises(ValueError, match="one output unit"):
        evaluate_split(net, np.zeros((2, 2)), [0.5, 1.5], "regression")
