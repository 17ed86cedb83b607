"""Training: divergence, callbacks, resuming, early stopping, stopping from another thread,
reproducibility, dtypes, input checks and the ways to name activations."""

import threading

import numpy as np
import pytest

import mlp
from mlp import EarlyStopping, NeuralNetwork, TrainingDiverged
from mlp import activations as A
from mlp import losses as L
from mlp import network as network_module
from mlp.optimizers import SGD, Adam

EVENT_KEYS = {"event", "epoch", "epochs", "batch", "batches", "samples_seen", "loss", "metric",
              "metric_name", "val_loss", "val_metric", "elapsed"}


# ------------------------------------------------------------- divergence
def diverge_classifier():
    """A huge learning rate with momentum on unscaled inputs: the tutorial's classic mistake.

    (A softmax or sigmoid output saturates instead of diverging, so the one-hot targets
    are fitted with an identity output and MSE here.)
    """
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 5)) * 1e3
    labels = rng.integers(0, 3, 200)
    net = NeuralNetwork([5, 16, 3], "relu", "identity", "mean_squared_error", SGD(1e6, 0.9),
                        seed=0)
    return net, x, labels, dict(batch_size=20, epochs=20, categorical=True)


def diverge_regressor():
    """Inputs of 1e30 with the default learning rate."""
    rng = np.random.default_rng(1)
    x = rng.normal(size=(64, 3)) * 1e30
    y = rng.normal(size=(64, 1))
    net = NeuralNetwork([3, 8, 1], "relu", "identity", "mean_squared_error", SGD(), seed=0)
    return net, x, y, dict(batch_size=8, epochs=5)


CASES = {"huge_learning_rate": diverge_classifier, "huge_inputs": diverge_regressor}


@pytest.mark.parametrize("case", sorted(CASES))
def test_divergence_raises_with_epoch_batch_and_advice(case):
    net, x, y, options = CASES[case]()
    with np.errstate(all="ignore"), pytest.raises(TrainingDiverged) as info:
        net.fit(x, y, **options)
    error = info.value
    message = str(error)
    assert f"epoch {error.epoch}, batch {error.batch}" in message
    assert "learning rate" in message
    assert error.what in ("loss", "gradient", "weights")
    assert 1 <= error.batch <= -(-x.shape[0] // options["batch_size"])
    assert 1 <= error.epoch <= options["epochs"]
    assert isinstance(error, ArithmeticError)
    assert np.isfinite(net.params).all(), "the network must keep finite weights"
    with np.errstate(all="ignore"):      # huge weights: only the outputs must be finite
        assert np.isfinite(net.predict(x)).all(), "the kept weights must give finite outputs"
    assert len(net.history["loss"]) == error.epoch - 1


def test_custom_optimizer_returning_nan_diverges_and_keeps_the_params(classification_data):
    x, labels = classification_data

    class Broken:
        def update(self, old_params, gradient):
            new = old_params - 0.1 * gradient
            new[3] = np.nan
            return new

    net = NeuralNetwork([4, 5, 3], optimizer=Broken(), seed=0)
    start = net.params.copy()
    with pytest.raises(TrainingDiverged, match=r"epoch 1, batch 1: the weights became NaN") as info:
        net.fit(x, labels, batch_size=10, epochs=2, categorical=True)
    assert (info.value.epoch, info.value.batch, info.value.what) == (1, 1, "weights")
    np.testing.assert_array_equal(net.params, start)


def test_built_in_optimizer_overflow_restores_params_and_resets_state():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(16, 3)) * 1e100
    y = rng.normal(size=(16, 1))
    net = NeuralNetwork([3, 4, 1], "identity", "identity", "mean_squared_error",
                        SGD(1e300, momentum=0.5), seed=2)
    start = net.params.copy()
    with np.errstate(all="ignore"), pytest.raises(TrainingDiverged, match="weights") as info:
        net.fit(x, y, batch_size=16, epochs=1)
    assert (info.value.epoch, info.value.batch) == (1, 1)
    np.testing.assert_array_equal(net.params, start)
    assert net.optimizer.velocity is None and net.optimizer.iterations == 0


# -------------------------------------------------------------- callbacks
def collect(events):
    return lambda info: events.append(dict(info))


def stop_from_another_thread(net, x, y, **options):
    """Start ``net.fit(x, y, **options)`` in a thread, call ``request_stop()`` once its first
    callback event came, and return what ``fit`` returned (asserting that it did return)."""
    started, result = threading.Event(), {}

    def train():
        result["losses"] = net.fit(x, y, callbacks=[lambda info: started.set()], **options)

    worker = threading.Thread(target=train, daemon=True)
    worker.start()
    assert started.wait(timeout=30), "training never started"
    net.request_stop()
    worker.join(timeout=60)
    assert not worker.is_alive(), "request_stop() did not stop fit"
    return result["losses"]


def test_callbacks_receive_every_batch_and_epoch(classification_data):
    x, labels = classification_data            # 60 samples
    net = NeuralNetwork([4, 6, 3], seed=0)
    events = []
    losses = net.fit(x, labels, batch_size=16, epochs=3, categorical=True,
                     callbacks=[collect(events)])
    batches = [e for e in events if e["event"] == "batch"]
    epochs = [e for e in events if e["event"] == "epoch"]
    assert len(batches) == 4 * 3 and len(epochs) == 3
    assert all(set(e) == EVENT_KEYS for e in events)
    assert [e["event"] for e in events[:5]] == ["batch"] * 4 + ["epoch"]
    assert [(e["epoch"], e["batch"]) for e in batches[:5]] == [(1, 1), (1, 2), (1, 3), (1, 4),
                                                                (2, 1)]
    assert [e["samples_seen"] for e in batches[:5]] == [16, 32, 48, 60, 76]
    assert all(e["epochs"] == 3 and e["batches"] == 4 for e in events)
    assert [e["epoch"] for e in epochs] == [1, 2, 3]
    assert [e["samples_seen"] for e in epochs] == [60, 120, 180]
    np.testing.assert_array_equal(losses, [e["loss"] for e in epochs])
    assert all(e["metric_name"] == "accuracy" and 0 <= e["metric"] <= 1 for e in events)
    assert all(e["val_loss"] is None and e["val_metric"] is None for e in events)
    elapsed = [e["elapsed"] for e in events]
    assert elapsed == sorted(elapsed) and elapsed[0] >= 0
    # The epoch loss is the sample-weighted mean of its batch losses.
    first = [e["loss"] for e in batches[:4]]
    assert epochs[0]["loss"] == pytest.approx(np.dot(first, [16, 16, 16, 12]) / 60)
    assert net.history["batch_loss"] == [e["loss"] for e in batches]
    assert net.history["samples_seen"] == 180


def test_regression_events_have_no_metric(regression_data):
    x, y = regression_data
    events = []
    NeuralNetwork([3, 4, 1], "tanh", "identity", "mse", seed=0).fit(
        x, y, batch_size=30, epochs=1, callbacks=[collect(events)])
    assert len(events) == 3
    assert all(e["metric"] is None and e["metric_name"] is None for e in events)


def test_batch_events_every_thins_the_batch_events_and_keeps_every_epoch(classification_data):
    x, labels = classification_data            # 60 samples: 4 batches of 16 per epoch
    plain = NeuralNetwork([4, 6, 3], seed=0)
    expected = plain.fit(x, labels, batch_size=16, epochs=3, categorical=True)
    net, events = NeuralNetwork([4, 6, 3], seed=0), []
    losses = net.fit(x, labels, batch_size=16, epochs=3, categorical=True,
                     callbacks=[collect(events)], batch_events_every=1e6)
    # The first batch is told at once, then none within the next 1e6 s; epochs always.
    assert [(e["event"], e["epoch"], e["batch"]) for e in events] == [
        ("batch", 1, 1), ("epoch", 1, 4), ("epoch", 2, 4), ("epoch", 3, 4)]
    assert events[0]["samples_seen"] == 16 and events[-1]["samples_seen"] == 180
    np.testing.assert_array_equal(losses, expected)            # the training is the same
    assert net.history["batch_loss"] == plain.history["batch_loss"]


def test_request_stop_is_seen_after_the_next_batch_between_batch_events(classification_data):
    x, labels = classification_data
    x, labels = np.tile(x, (2000, 1)), np.tile(labels, 2000)   # one epoch of 30,000 batches
    net = NeuralNetwork([4, 6, 3], seed=0)
    net.fit(x[:60], labels[:60], batch_size=4, epochs=1, categorical=True,
            callbacks=[lambda info: net.request_stop() if info["event"] == "batch" else None],
            batch_events_every=1e6)
    assert len(net.history["batch_loss"]) == 1    # stopped at its only batch event
    losses = stop_from_another_thread(net, x, labels, batch_size=4, epochs=1, categorical=True,
                                      batch_events_every=1e6)
    assert len(losses) == 0                                    # within the epoch, not at its end
    assert 1 < len(net.history["batch_loss"]) < 1 + 30_000


@pytest.mark.parametrize("every", [-1, -0.5, float("inf"), float("nan"), "0.1", True, None])
def test_batch_events_every_must_be_finite_seconds(classification_data, every):
    x, labels = classification_data
    with pytest.raises(ValueError, match=r"batch_events_every must be a finite number of "
                                         r"seconds >= 0\. Received: "):
        NeuralNetwork([4, 3], seed=0).fit(x, labels, categorical=True, batch_events_every=every)


def test_callback_returning_true_stops_and_fit_resumes(classification_data):
    x, labels = classification_data
    net = NeuralNetwork([4, 6, 3], seed=0)
    losses = net.fit(x, labels, batch_size=20, epochs=5, categorical=True,
                     callbacks=[lambda info: info["event"] == "epoch" and info["epoch"] == 2])
    assert len(losses) == 2 and len(net.history["loss"]) == 2
    events = []
    more = net.fit(x, labels, batch_size=20, epochs=3, categorical=True,
                   callbacks=[collect(events)])
    assert len(more) == 3
    assert [e["epoch"] for e in events if e["event"] == "epoch"] == [3, 4, 5]
    assert all(e["epochs"] == 5 for e in events)
    assert len(net.history["loss"]) == 5 and len(net.history["val_loss"]) == 5
    assert net.history["loss"][2:] == list(more)
    assert net.history["samples_seen"] == 5 * 60


def test_callback_stopping_mid_epoch_leaves_the_epoch_incomplete(classification_data):
    x, labels = classification_data
    net = NeuralNetwork([4, 6, 3], seed=0)
    losses = net.fit(x, labels, batch_size=20, epochs=4, categorical=True,
                     callbacks=[lambda info: (info["epoch"], info["batch"]) == (2, 2)])
    assert len(losses) == 1
    assert len(net.history["loss"]) == 1
    assert len(net.history["batch_loss"]) == 3 + 2
    assert net.fit(x, labels, batch_size=20, epochs=0, categorical=True).shape == (0,)


def test_validation_data_gives_val_loss_and_val_metric(classification_data):
    x, labels = classification_data
    x_val, y_val = x[40:], labels[40:]
    net = NeuralNetwork([4, 6, 3], seed=0)
    scores = []

    def score_now(info):
        if info["event"] == "epoch":
            scores.append((info["val_loss"], info["val_metric"], net.score(x_val, y_val),
                           net.score(x_val, y_val, accuracy=True)))

    net.fit(x[:40], labels[:40], batch_size=10, epochs=3, categorical=True,
            validation_data=(x_val, y_val), callbacks=[score_now])
    assert len(scores) == 3
    for val_loss, val_metric, loss, accuracy in scores:
        assert val_loss == pytest.approx(loss, rel=1e-12)
        assert val_metric == pytest.approx(accuracy)
    assert net.history["val_loss"] == [s[0] for s in scores]
    assert net.history["val_metric"] == [s[1] for s in scores]


def test_validation_data_for_regression(regression_data):
    x, y = regression_data
    net = NeuralNetwork([3, 4, 1], "tanh", "identity", "mse", seed=0)
    net.fit(x[:40], y[:40], batch_size=10, epochs=2, validation_data=(x[40:], y[40:, 0]))
    assert net.history["val_loss"][-1] == pytest.approx(net.score(x[40:], y[40:]))
    assert all(isinstance(v, float) for v in net.history["val_metric"])


def overfitting_case():
    """Noise targets, a wide network and a high learning rate: validation loss soon rises."""
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(30, 5)), rng.normal(size=(30, 1))
    x_val, y_val = rng.normal(size=(30, 5)), rng.normal(size=(30, 1))
    net = NeuralNetwork([5, 64, 1], "tanh", "identity", "mean_squared_error", Adam(0.05), seed=0)
    return net, x, y, (x_val, y_val)


@pytest.mark.parametrize("make_early_stopping", [lambda: EarlyStopping(patience=3), lambda: 3],
                         ids=["object", "patience"])
def test_early_stopping_stops_and_restores_the_best_weights(make_early_stopping):
    early_stopping = make_early_stopping()
    net, x, y, validation = overfitting_case()
    snapshots = []

    def remember(info):
        if info["event"] == "epoch":
            snapshots.append((info["val_loss"], net.params.copy()))

    losses = net.fit(x, y, batch_size=10, epochs=100, validation_data=validation,
                     early_stopping=early_stopping, callbacks=[remember])
    val_losses = [v for v, _ in snapshots]
    best = int(np.argmin(val_losses))
    assert len(losses) < 100, "validation loss never rose; the case is too easy"
    assert len(losses) == best + 1 + 3, "stops after `patience` epochs without improvement"
    assert best < len(snapshots) - 1
    np.testing.assert_array_equal(net.params, snapshots[best][1])
    assert not np.array_equal(net.params, snapshots[-1][1])
    if isinstance(early_stopping, EarlyStopping):
        assert early_stopping.best_epoch == best + 1
        assert early_stopping.best_loss == val_losses[best]


def test_early_stopping_needs_validation_data(classification_data):
    x, labels = classification_data
    net = NeuralNetwork([4, 3], seed=0)
    with pytest.raises(ValueError, match="early_stopping needs validation_data"):
        net.fit(x, labels, categorical=True, early_stopping=3)
    with pytest.raises(ValueError, match="patience must be a whole number >= 1"):
        EarlyStopping(patience=0)
    with pytest.raises(ValueError, match="min_delta must be finite and non-negative"):
        EarlyStopping(min_delta=-1)


def test_request_stop_from_another_thread_stops_a_running_fit(classification_data):
    x, labels = classification_data
    net = NeuralNetwork([4, 6, 3], seed=0)
    losses = stop_from_another_thread(net, x, labels, batch_size=4, epochs=100_000,
                                      categorical=True)
    assert len(losses) < 100_000
    # A new fit starts with the stop request cleared.
    assert len(net.fit(x, labels, batch_size=30, epochs=2, categorical=True)) == 2


# -------------------------------------------------------- reproducibility
def test_same_seed_same_init_and_same_training(classification_data):
    x, labels = classification_data
    a, b = (NeuralNetwork([4, 6, 3], "relu", seed=42, optimizer=Adam(0.01)) for _ in range(2))
    assert np.array_equal(a.params, b.params)
    a.fit(x, labels, batch_size=8, epochs=3, categorical=True)
    b.fit(x, labels, batch_size=8, epochs=3, categorical=True)
    assert np.array_equal(a.params, b.params)
    c = NeuralNetwork([4, 6, 3], "relu", seed=43, optimizer=Adam(0.01))
    assert not np.array_equal(a.params, c.params)
    unseeded = [NeuralNetwork([4, 6, 3]).params for _ in range(2)]
    assert not np.array_equal(*unseeded)


def test_initialisation_scale():
    net = NeuralNetwork([300, 200, 10], seed=0)
    assert net.n_params == 300 * 200 + 200 + 200 * 10 + 10
    assert net.weights[0].std() == pytest.approx(np.sqrt(1 / 500), rel=0.05)
    assert all(np.shares_memory(w, net.params) for w in net.weights + net.biases)
    assert net.weights[1].shape == (200, 10) and net.biases[1].shape == (1, 10)


def test_float32_stays_float32_through_fit(classification_data, optimizer_factory):
    x, labels = classification_data
    net = NeuralNetwork([4, 6, 3], "tanh", optimizer=optimizer_factory(), seed=0, dtype="float32")
    net.fit(x, labels, batch_size=8, epochs=2, categorical=True)
    assert net.params.dtype == np.float32 and net.gradient.dtype == np.float32
    assert all(w.dtype == np.float32 for w in net.weights)
    assert net.predict(x).dtype == np.float32
    assert np.isfinite(net.params).all()


def test_uint8_inputs_are_accepted_and_equal_their_float_values():
    rng = np.random.default_rng(3)
    x = rng.integers(0, 256, size=(40, 6)).astype(np.uint8)
    labels = rng.integers(0, 2, 40).astype(np.uint8)
    a = NeuralNetwork([6, 5, 2], "relu", seed=1, optimizer=SGD(1e-4))
    b = NeuralNetwork([6, 5, 2], "relu", seed=1, optimizer=SGD(1e-4))
    a.fit(x, labels, batch_size=10, epochs=2, categorical=True)
    b.fit(x.astype(np.float64), labels.astype(np.int64), batch_size=10, epochs=2,
          categorical=True)
    assert np.array_equal(a.params, b.params)
    assert np.array_equal(a.predict(x), a.predict(x.astype(np.float64)))
    assert a.score(x, labels, accuracy=True) == b.score(x, labels, accuracy=True)


# ---------------------------------------------------------- clear errors
@pytest.mark.parametrize("layers, match", [
    ([784], r"at least two layers \(input and output\)\. Received: \[784\]"),
    ([], "at least two layers"),
    (784, "layers must be a list of layer sizes"),
    ([4, 0, 3], r"Layer sizes must be positive\. Received: \[4, 0, 3\]"),
    ([4, -2, 3], "Layer sizes must be positive"),
    ([4, 2.5, 3], r"Layer sizes must be whole numbers\. Received: \[4, 2\.5, 3\]"),
    ([4, "8", 3], "Layer sizes must be whole numbers"),
    ([4, True, 3], "Layer sizes must be whole numbers"),
])
def test_bad_layers(layers, match):
    with pytest.raises(ValueError, match=match):
        NeuralNetwork(layers)


@pytest.mark.parametrize("kwargs, match", [
    (dict(hidden_activation=["relu"]), "Got 1 hidden activations for 2 hidden layers"),
    (dict(hidden_activation=["relu", "tanh", "relu"]), "Got 3 hidden activations for 2 hidden"),
    (dict(hidden_activation="swish"),
     (r"hidden activation identifier 'swish'\. Valid names: identity, leaky_relu, relu, "
      r"sigmoid, tanh\.")),
    (dict(hidden_activation=["relu", "gelu"]), "Valid names: identity, leaky_relu, relu"),
    (dict(output_activation="softplus"), r"Valid names: identity, sigmoid, softmax, tanh\."),
    (dict(loss="hinge"), r"Valid names: categorical_crossentropy, mean_squared_error\."),
    (dict(hidden_activation=42), "expected a name .* or a \\(function, derivative\\) pair"),
    (dict(dtype="float16"), "dtype must be 'float32' or 'float64'"),
    (dict(l2=-0.1), "l2 must be finite and non-negative"),
    (dict(l2="much"), "l2 must be a number"),
])
def test_bad_construction_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        NeuralNetwork([4, 6, 5, 3], **kwargs)


def test_output_activation_without_a_jacobian_is_refused():
    with pytest.raises(ValueError, match="has no Jacobian derivative"):
        NeuralNetwork([3, 2], output_activation=mlp.registry.Pair(A.softmax, None, None))


@pytest.mark.parametrize("make_args, match", [
    (lambda x, y: (x[:, :3], y), (r"x has 3 features but the input layer has 4\. "
                                  r"Received: x\.shape=\(20, 3\)")),
    (lambda x, y: (x[0], y), r"x must have shape \(n_samples, 4\)\. Received: shape=\(4,\)"),
    (lambda x, y: (x[:0], y[:0]), "x is empty: at least one sample is needed"),
    (lambda x, y: (x[:10], y), "x and y have different numbers of samples: 10 and 20"),
    (lambda x, y: (np.where(np.arange(4) == 2, np.nan, x), y), "x contains NaN or infinite"),
    (lambda x, y: (np.where(np.arange(4) == 2, np.inf, x), y), "x contains NaN or infinite"),
    (lambda x, y: (x.astype(str), y), "x must be numeric"),
    (lambda x, y: (x, np.where(np.arange(20) == 5, 3, y)),
     r"Class label 3 is out of range for 3 output units \(labels must be in 0\.\.2\)"),
    (lambda x, y: (x, y - 1), "Class labels must be non-negative"),
    (lambda x, y: (x, y + 0.5), "Class labels must be whole numbers"),
    (lambda x, y: (x, np.eye(3)[y]), r"Class labels must have shape \(n_samples,\)"),
])
def test_bad_classification_data(make_args, match):
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(20, 4)), rng.integers(0, 3, 20)
    net = NeuralNetwork([4, 5, 3], seed=0)
    with pytest.raises(ValueError, match=match):
        net.fit(*make_args(x, y), categorical=True)


@pytest.mark.parametrize("y_shape, match", [
    ((20, 2), (r"y must have shape \(n_samples, 3\) to match the output layer .* "
               r"Received: y\.shape=\(20, 2\)")),
    ((20,), r"y must have shape \(n_samples, 3\)"),
    ((20, 3, 1), r"y must have shape \(n_samples, 3\)"),
])
def test_targets_must_match_the_output_size(y_shape, match):
    x = np.random.default_rng(0).normal(size=(20, 4))
    net = NeuralNetwork([4, 3], "relu", "identity", "mse", seed=0)
    with pytest.raises(ValueError, match=match):
        net.fit(x, np.zeros(y_shape))
    y = np.zeros((20, 3))
    y[0, 0] = np.nan
    with pytest.raises(ValueError, match="y contains NaN or infinite"):
        net.fit(x, y)


@pytest.mark.parametrize("options, match", [
    (dict(batch_size=0), "batch_size must be at least 1. Received: 0"),
    (dict(batch_size=-5), "batch_size must be at least 1"),
    (dict(batch_size=2.5), "batch_size must be a whole number"),
    (dict(batch_size=True), "batch_size must be a whole number"),
    (dict(epochs=-1), "epochs must be at least 0"),
    (dict(epochs="3"), "epochs must be a whole number"),
    (dict(validation_data=[1, 2, 3]), r"validation_data must be a pair \(x_val, y_val\)"),
    (dict(validation_data=(np.zeros((5, 4)), np.zeros(4, dtype=int))),
     "x_val and y_val have different numbers of samples: 5 and 4"),
    (dict(validation_data=(np.zeros((5, 2)), np.zeros(5, dtype=int))),
     "x has 2 features but the input layer has 4"),
])
def test_bad_fit_options(classification_data, options, match):
    x, labels = classification_data
    with pytest.raises(ValueError, match=match):
        NeuralNetwork([4, 3], seed=0).fit(x, labels, categorical=True, **options)


def test_predict_and_score_check_their_inputs(classifier):
    with pytest.raises(ValueError, match="x has 5 features but the input layer has 4"):
        classifier.predict(np.zeros((2, 5)))
    with pytest.raises(ValueError, match="x contains NaN"):
        classifier.predict(np.full((2, 4), np.nan))
    with pytest.raises(ValueError, match="x and y have different numbers of samples: 2 and 3"):
        classifier.score(np.zeros((2, 4)), np.zeros(3, dtype=int))
    with pytest.raises(ValueError, match="out of range for 3 output units"):
        classifier.score(np.zeros((2, 4)), np.array([0, 7]))
    with pytest.raises(ValueError, match=r"layer must be in 1\.\.1\. Received: 2"):
        classifier.hidden_outputs(np.zeros((2, 4)), 2)


# ------------------------------------------------- naming activations
def test_per_layer_hidden_activations_by_name():
    net = NeuralNetwork([4, 5, 6, 3], ["tanh", "leaky_relu"], seed=0)
    assert [p.name for p in net.hidden] == ["tanh", "leaky_relu"]
    x = np.random.default_rng(0).normal(size=(3, 4))
    first = net.hidden_outputs(x, 1)
    np.testing.assert_allclose(first, np.tanh(x @ net.weights[0] + net.biases[0]))
    second = net.hidden_outputs(x, 2, before_activation=True)
    np.testing.assert_allclose(second, first @ net.weights[1] + net.biases[1])


def test_mixed_names_and_pairs_and_aliases():
    net = NeuralNetwork([4, 5, 6, 3], [(A.sigmoid, A.d_sigmoid), "linear"], "softmax",
                        "crossentropy", seed=0)
    assert [p.name for p in net.hidden] == ["sigmoid", "identity"]
    assert net.loss.name == "categorical_crossentropy"
    identity = NeuralNetwork([2, 3, 1], (A.identity, A.d_identity), "identity", "mse")
    assert identity.hidden[0].derivative is A.d_identity_elementwise


def test_names_and_tutorial_pairs_give_the_same_network(classification_data):
    x, labels = classification_data
    by_name = NeuralNetwork([4, 6, 3], "relu", "softmax", "categorical_crossentropy", "sgd",
                            seed=7)
    by_pair = NeuralNetwork([4, 6, 3], (A.relu, A.d_relu), (A.softmax, A.d_softmax),
                            (L.categorical_crossentropy, L.d_categorical_crossentropy), SGD(),
                            seed=7)
    assert by_name.get_config() == by_pair.get_config()
    assert np.array_equal(by_name.predict(x), by_pair.predict(x))
    by_name.fit(x, labels, batch_size=16, epochs=2, categorical=True)
    by_pair.fit(x, labels, batch_size=16, epochs=2, categorical=True)
    assert np.array_equal(by_name.predict(x), by_pair.predict(x))


# ----------------------------------------------------- predict and score
def test_predict_in_chunks_equals_one_pass(monkeypatch, classifier):
    x = np.random.default_rng(0).normal(size=(25, 4))
    whole = classifier.predict(x)
    monkeypatch.setattr(network_module, "PREDICT_CHUNK", 7)
    np.testing.assert_array_equal(classifier.predict(x), whole)
    np.testing.assert_array_equal(classifier.predict(x, labels=True), whole.argmax(axis=1))


def test_score_is_mean_loss_or_accuracy(classifier, classification_data):
    x, labels = classification_data
    classifier.fit(x, labels, batch_size=10, epochs=3, categorical=True)
    p = classifier.predict(x)
    expected = np.mean(-np.log(p[np.arange(len(labels)), labels]))
    assert classifier.score(x, labels) == pytest.approx(expected, rel=1e-12)
    assert classifier.score(x, labels, accuracy=True) == np.mean(p.argmax(axis=1) == labels)
    onehot = np.eye(3)[labels]
    assert classifier.score(x, onehot, accuracy=True) == classifier.score(x, labels,
                                                                          accuracy=True)
