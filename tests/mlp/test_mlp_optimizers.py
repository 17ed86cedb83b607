"""The optimizer contract ``new_params = optimizer.update(old_params, gradient)``, each
built-in optimizer against a hand-written reference of its documented rule, settings
validation and name resolution."""

import numpy as np
import pytest

import mlp
from mlp import NeuralNetwork, registry
from mlp.optimizers import SGD, Adagrad, Adam, RMSprop

N_STEPS = 5


# ------------------------------------------------- hand-written references
# ``lr`` is one rate for every step, or a list with the rate of each step.
def rates(lr, n):
    return list(lr) if np.ndim(lr) else [lr] * n


def reference_sgd(p, grads, lr, momentum=0.0, nesterov=False):
    v = np.zeros_like(p)
    for g, lr in zip(grads, rates(lr, len(grads))):
        v = momentum * v - lr * g
        p = p + momentum * v - lr * g if nesterov else p + v
    return p


def reference_adam(p, grads, lr, beta_1=0.9, beta_2=0.999, epsilon=1e-8):
    m, v = np.zeros_like(p), np.zeros_like(p)
    for t, (g, lr) in enumerate(zip(grads, rates(lr, len(grads))), start=1):
        m = beta_1 * m + (1 - beta_1) * g
        v = beta_2 * v + (1 - beta_2) * g ** 2
        p = p - lr * np.sqrt(1 - beta_2 ** t) / (1 - beta_1 ** t) * m / (np.sqrt(v) + epsilon)
    return p


def reference_rmsprop(p, grads, lr, rho=0.9, epsilon=1e-7):
    s = np.zeros_like(p)
    for g, lr in zip(grads, rates(lr, len(grads))):
        s = rho * s + (1 - rho) * g ** 2
        p = p - lr * g / (np.sqrt(s) + epsilon)
    return p


def reference_adagrad(p, grads, lr, epsilon=1e-7):
    s = np.zeros_like(p)
    for g, lr in zip(grads, rates(lr, len(grads))):
        s = s + g ** 2
        p = p - lr * g / (np.sqrt(s) + epsilon)
    return p


CASES = {
    "sgd": (lambda: SGD(0.1), lambda p, gs: reference_sgd(p, gs, 0.1)),
    "momentum": (lambda: SGD(0.1, momentum=0.9),
                 lambda p, gs: reference_sgd(p, gs, 0.1, momentum=0.9)),
    "nesterov": (lambda: SGD(0.1, momentum=0.8, nesterov=True),
                 lambda p, gs: reference_sgd(p, gs, 0.1, momentum=0.8, nesterov=True)),
    "adam": (lambda: Adam(0.01), lambda p, gs: reference_adam(p, gs, 0.01)),
    "adam_settings": (lambda: Adam(0.05, beta_1=0.5, beta_2=0.9, epsilon=1e-3),
                      lambda p, gs: reference_adam(p, gs, 0.05, 0.5, 0.9, 1e-3)),
    "rmsprop": (lambda: RMSprop(0.01), lambda p, gs: reference_rmsprop(p, gs, 0.01)),
    "rmsprop_settings": (lambda: RMSprop(0.02, rho=0.5, epsilon=1e-4),
                         lambda p, gs: reference_rmsprop(p, gs, 0.02, 0.5, 1e-4)),
    "adagrad": (lambda: Adagrad(0.1), lambda p, gs: reference_adagrad(p, gs, 0.1)),
    # decay_steps=3: the rate falls linearly to zero over the first three of the five updates.
    "nesterov_decay": (lambda: SGD(0.1, momentum=0.8, nesterov=True, decay_steps=3),
                       lambda p, gs: reference_sgd(p, gs, [0.1, 0.1 * 2 / 3, 0.1 / 3, 0, 0],
                                                   momentum=0.8, nesterov=True)),
    "adam_decay": (lambda: Adam(0.01, decay_steps=3),
                   lambda p, gs: reference_adam(p, gs, [0.01, 0.01 * 2 / 3, 0.01 / 3, 0, 0])),
    "rmsprop_decay": (lambda: RMSprop(0.01, decay_steps=4),
                      lambda p, gs: reference_rmsprop(p, gs, [0.01, 0.0075, 0.005, 0.0025, 0])),
    "adagrad_decay": (lambda: Adagrad(0.1, decay_steps=2),
                      lambda p, gs: reference_adagrad(p, gs, [0.1, 0.05, 0, 0, 0])),
}


def random_steps(n_params=11, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=n_params), [rng.normal(size=n_params) for _ in range(N_STEPS)]


@pytest.mark.parametrize("name", sorted(CASES))
def test_update_matches_the_documented_rule(name):
    make, reference = CASES[name]
    p0, grads = random_steps()
    optimizer, p = make(), p0.copy()
    for g in grads:
        old = p.copy()
        new = optimizer.update(p, g)
        np.testing.assert_array_equal(p, old)      # update() leaves old_params alone
        assert new is not p
        p = new
    np.testing.assert_allclose(p, reference(p0, grads), rtol=1e-12, atol=1e-14)
    assert optimizer.iterations == N_STEPS


@pytest.mark.parametrize("name", sorted(CASES))
def test_step_in_place_equals_update(name):
    make, _ = CASES[name]
    p0, grads = random_steps(seed=1)
    by_update, by_step = make(), make()
    p_update, p_step = p0.copy(), p0.copy()
    for g in grads:
        p_update = by_update.update(p_update, g)
        by_step.step(p_step, g)
    np.testing.assert_array_equal(p_update, p_step)


def test_sgd_default_is_the_tutorials_rule():
    p, g = np.array([1.0, -2.0, 3.0]), np.array([0.5, 0.5, -1.0])
    new = SGD().update(p, g)
    np.testing.assert_array_equal(new, p - 0.01 * g)
    np.testing.assert_array_equal(p, [1.0, -2.0, 3.0])


def test_float32_state_stays_float32():
    p = np.ones(4, dtype=np.float32)
    for optimizer in (SGD(0.1, momentum=0.9), Adam(), RMSprop(), Adagrad()):
        q = p.copy()
        optimizer.step(q, np.full(4, 0.5, dtype=np.float32))
        assert q.dtype == np.float32
        assert q[0] < 1


def test_step_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match="same shape"):
        Adam().step(np.zeros(3), np.zeros(4))
    optimizer = Adam()
    optimizer.step(np.zeros(3), np.ones(3))
    with pytest.raises(ValueError, match="holds state for 3 parameters but received 5"):
        optimizer.step(np.zeros(5), np.ones(5))


def test_state_round_trip_and_reset():
    p0, grads = random_steps(seed=2)
    a = Adam(0.01)
    p = p0.copy()
    for g in grads[:3]:
        a.step(p, g)
    b = Adam(0.01)
    b.set_state({key: np.array(value) for key, value in a.get_state().items()})
    pa, pb = p.copy(), p.copy()
    for g in grads[3:]:
        a.step(pa, g)
        b.step(pb, g)
    np.testing.assert_array_equal(pa, pb)
    a.reset()
    assert a.iterations == 0 and a.m is None and a.v is None
    with pytest.raises(ValueError, match="Unknown state"):
        a.set_state({"velocity": np.zeros(3)})


# --------------------------------------------- the contract inside fit()
class RecordingOptimizer:
    """Only ``update``: plain gradient descent that records what it receives."""

    def __init__(self, network):
        self.network = network
        self.calls = []

    def update(self, old_params, gradient):
        net = self.network
        self.calls.append({
            "old_is_params": old_params is net.params, "grad_is_gradient": gradient is net.gradient,
            "old_equal": np.array_equal(old_params, net.params),
            "grad_equal": np.array_equal(gradient, net.gradient),
            "shapes": (old_params.shape, gradient.shape),
        })
        self.last = old_params - 0.1 * gradient
        return self.last


def test_custom_optimizer_receives_flat_gradient_and_its_return_value_becomes_the_params(
        classification_data):
    x, labels = classification_data
    net = NeuralNetwork([4, 6, 3], "relu", seed=0)
    optimizer = RecordingOptimizer(net)
    net.optimizer = optimizer
    net.fit(x, labels, batch_size=20, epochs=2, categorical=True)
    assert len(optimizer.calls) == 3 * 2
    for call in optimizer.calls:
        assert call["shapes"] == ((net.n_params,), (net.n_params,))
        assert call["old_equal"] and call["grad_equal"]
    np.testing.assert_array_equal(net.params, optimizer.last)


def test_custom_optimizer_via_constructor_is_used_as_is(classification_data):
    x, labels = classification_data

    class Halver:
        def update(self, old_params, gradient):
            return old_params * 0.5

    optimizer = Halver()
    net = NeuralNetwork([4, 3], optimizer=optimizer, seed=0)
    assert net.optimizer is optimizer
    start = net.params.copy()
    net.fit(x, labels, batch_size=60, epochs=2, categorical=True, shuffle=False)
    np.testing.assert_allclose(net.params, start * 0.25)


def test_custom_optimizer_returning_the_wrong_shape_is_an_error(classification_data):
    x, labels = classification_data

    class Shrinker:
        def update(self, old_params, gradient):
            return old_params[:-1]

    net = NeuralNetwork([4, 3], optimizer=Shrinker(), seed=0)
    with pytest.raises(ValueError, match=r"optimizer returned parameters of shape"):
        net.fit(x, labels, epochs=1, categorical=True)


def test_built_in_optimizer_in_fit_follows_its_rule(classification_data):
    """Three full-batch epochs of fit() equal the reference Adam rule on the network's gradients."""
    x, labels = classification_data
    net = NeuralNetwork([4, 5, 3], "tanh", optimizer=Adam(0.01), seed=1)
    reference_net = NeuralNetwork([4, 5, 3], "tanh", seed=1)
    y = reference_net.targets(labels)
    start = reference_net.params.copy()
    grads, p = [], start
    for _ in range(3):
        reference_net.params[...] = p
        grads.append(reference_net.backward(*reference_net.forward(x), y).copy())
        p = reference_adam(start, grads, 0.01)
    net.fit(x, labels, batch_size=60, epochs=3, categorical=True, shuffle=False)
    np.testing.assert_allclose(net.params, p, rtol=1e-10, atol=1e-13)


# ------------------------------------------------------ settings checks
@pytest.mark.parametrize("make, match", [
    (lambda: SGD(-0.1), "learning_rate must be finite and non-negative"),
    (lambda: SGD(0), "learning_rate must be positive"),
    (lambda: SGD(float("nan")), "learning_rate must be finite"),
    (lambda: SGD("fast"), "learning_rate must be a number"),
    (lambda: SGD(None), "learning_rate must be a number"),
    (lambda: SGD(0.1, momentum=1.0), r"momentum must be in \[0, 1\)"),
    (lambda: SGD(0.1, momentum=1.5), r"momentum must be in \[0, 1\)"),
    (lambda: SGD(0.1, momentum=-0.5), "momentum must be finite and non-negative"),
    (lambda: SGD(0.1, momentum="high"), "momentum must be a number"),
    (lambda: SGD(0.1, nesterov="yes"), "nesterov must be True or False"),
    (lambda: Adam(beta_1=1.0), r"beta_1 must be in \[0, 1\)"),
    (lambda: Adam(beta_2=2), r"beta_2 must be in \[0, 1\)"),
    (lambda: Adam(epsilon=0), "epsilon must be positive"),
    (lambda: Adam(-1e-3), "learning_rate must be finite and non-negative"),
    (lambda: RMSprop(rho=1), r"rho must be in \[0, 1\)"),
    (lambda: RMSprop(epsilon=-1), "epsilon must be finite and non-negative"),
    (lambda: Adagrad(epsilon=0), "epsilon must be positive"),
    (lambda: Adagrad("x"), "learning_rate must be a number"),
])
def test_bad_settings_raise_value_error(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_a_decaying_rate_continues_from_the_saved_update_count():
    """A schedule follows ``iterations``, which is state: a pause, a save and a load do not
    restart it."""
    p0, grads = random_steps(seed=4)
    whole = SGD(0.1, momentum=0.9, decay_steps=4)
    p_whole = p0.copy()
    for g in grads:
        whole.step(p_whole, g)
    first = SGD(0.1, momentum=0.9, decay_steps=4)
    p_split = p0.copy()
    for g in grads[:2]:
        first.step(p_split, g)
    second = registry.get_optimizer(first.get_config())
    second.set_state({key: np.array(value) for key, value in first.get_state().items()})
    assert second.rate() == pytest.approx(0.1 * 2 / 4)   # the 3rd update's rate, once counted
    for g in grads[2:]:
        second.step(p_split, g)
    np.testing.assert_array_equal(p_split, p_whole)


def test_decay_steps_appear_in_the_config_only_when_set():
    assert "decay_steps" not in SGD(0.1).get_config()
    assert SGD(0.1, decay_steps=7).get_config()["decay_steps"] == 7
    assert "decay_steps=7" in repr(Adam(decay_steps=7))


@pytest.mark.parametrize("value", [-1, 2.5, True, "10"])
def test_decay_steps_must_be_a_whole_number(value):
    with pytest.raises(ValueError, match="decay_steps must be a whole number >= 0"):
        SGD(0.1, decay_steps=value)


def test_settings_are_checked_on_assignment_too():
    optimizer = SGD(0.1, momentum=0.5)
    with pytest.raises(ValueError, match="momentum"):
        optimizer.momentum = 1.0
    with pytest.raises(ValueError, match="learning_rate"):
        optimizer.learning_rate = -1
    assert optimizer.momentum == 0.5 and optimizer.learning_rate == 0.1


@pytest.mark.parametrize("value", ["0.1", True])
def test_string_or_bool_learning_rate_is_refused(value):
    """A setting typed as text (e.g. read from a form) must not be silently converted."""
    with pytest.raises(ValueError, match="learning_rate must be a number"):
        SGD(value)


# -------------------------------------------------------- name resolution
@pytest.mark.parametrize("name, cls", [("sgd", SGD), ("adam", Adam), ("rmsprop", RMSprop),
                                       ("adagrad", Adagrad), ("ADAM", Adam)])
def test_names_resolve_to_fresh_default_optimizers(name, cls):
    a, b = registry.get_optimizer(name), registry.get_optimizer(name)
    assert type(a) is cls and a is not b
    assert a.get_config() == cls().get_config()


def test_config_dict_resolves_and_round_trips():
    optimizer = registry.get_optimizer({"name": "sgd", "learning_rate": 0.1, "momentum": 0.9,
                                        "nesterov": True})
    assert isinstance(optimizer, SGD)
    assert (optimizer.learning_rate, optimizer.momentum, optimizer.nesterov) == (0.1, 0.9, True)
    for make, _ in CASES.values():
        original = make()
        again = registry.get_optimizer(original.get_config())
        assert type(again) is type(original) and again.get_config() == original.get_config()


def test_network_accepts_optimizer_names_and_dicts():
    assert isinstance(NeuralNetwork([2, 2], optimizer="rmsprop").optimizer, RMSprop)
    net = NeuralNetwork([2, 2], optimizer={"name": "adam", "learning_rate": 0.5})
    assert isinstance(net.optimizer, Adam) and net.optimizer.learning_rate == 0.5
    assert isinstance(NeuralNetwork([2, 2]).optimizer, SGD)


@pytest.mark.parametrize("identifier", ["adamw", {"name": "nadam"}, {"learning_rate": 0.1}])
def test_unknown_optimizer_names_list_the_valid_ones(identifier):
    with pytest.raises(ValueError, match="Valid names: adagrad, adam, rmsprop, sgd"):
        registry.get_optimizer(identifier)
    with pytest.raises(ValueError, match="Valid names: adagrad, adam, rmsprop, sgd"):
        NeuralNetwork([2, 2], optimizer=identifier)


def test_unknown_optimizer_settings_and_objects_are_refused():
    with pytest.raises(ValueError, match=r"Unknown settings for optimizer 'adam': \['momentum'\]"):
        registry.get_optimizer({"name": "adam", "momentum": 0.9})
    with pytest.raises(ValueError, match="update\\(old_params, gradient\\)"):
        registry.get_optimizer(42)
    with pytest.raises(ValueError, match="learning_rate must be finite"):
        registry.get_optimizer({"name": "sgd", "learning_rate": -1})


def test_optimizer_objects_pass_through():
    optimizer = Adam(0.2)
    assert registry.get_optimizer(optimizer) is optimizer
    assert mlp.NeuralNetwork([2, 2], optimizer=optimizer).optimizer is optimizer
