"""Optimizers over one flat parameter vector.

The contract, kept from the tutorial: ``new_params = optimizer.update(old_params,
gradient)`` where both arguments are 1-D arrays of shape ``(n_params,)``. Any
object with that method works as an optimizer for :class:`mlp.NeuralNetwork`.

The built-in optimizers also implement ``step(params, gradient)``, which updates
``params`` in place (the network uses it to avoid a copy per batch), and keep
their state (momentum, moment estimates, step count) so that training can be
paused, resumed, saved and loaded without losing it. ``get_config()`` returns
the JSON-able settings, ``get_state()`` / ``set_state()`` the state arrays.

Every built-in optimizer takes ``decay_steps``: 0 (the default) keeps the learning
rate constant; T > 0 lowers it linearly to zero over the first T updates (see
:meth:`Optimizer.rate`). The rate follows the update count, which is part of the
state, so a schedule continues where it was after a pause, a save and a load.
"""

import numpy as np


class Optimizer:
    """Base class: ``update`` returns a new vector, ``step`` updates in place.

    Subclasses define ``_apply(params, gradient)`` (in place, at the learning rate
    ``step_rate`` that :meth:`step` sets), list their settings in ``_settings`` and
    their state arrays in ``_slots``.
    """

    name = "optimizer"
    _settings = ("learning_rate", "decay_steps")
    _slots = ()

    def __init__(self, learning_rate, decay_steps=0):
        self.learning_rate = learning_rate
        self.decay_steps = decay_steps
        self.iterations = 0
        self.step_rate = self.learning_rate
        self._checked = None  # the params array the state was last checked against
        for slot in self._slots:
            setattr(self, slot, None)

    def __setattr__(self, key, value):
        if key in self._settings:
            value = self._check_setting(key, value)
        if key in self._slots:  # new state: check it against the parameters at the next step
            super().__setattr__("_checked", None)
        object.__setattr__(self, key, value)

    @staticmethod
    def _check_setting(key, value):
        if key == "decay_steps":
            if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) \
                    or value < 0:
                raise ValueError(f"decay_steps must be a whole number >= 0 (0: a constant "
                                 f"learning rate). Received: {value!r}")
            return int(value)
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.number)):
            raise ValueError(f"{key} must be a number. Received: {value!r}")
        number = float(value)
        if not np.isfinite(number) or number < 0:
            raise ValueError(f"{key} must be finite and non-negative. Received: {value!r}")
        if key == "learning_rate" and number == 0:
            raise ValueError("learning_rate must be positive. Received: 0")
        return number

    def update(self, old_params, gradient):
        """Return the new parameters; ``old_params`` is left unchanged.

        Parameters
        ----------
        old_params : ndarray of shape (n_params,)
        gradient : ndarray of shape (n_params,)

        Returns
        -------
        ndarray of shape (n_params,)
        """
        new_params = np.array(old_params, copy=True)
        self.step(new_params, gradient)
        return new_params

    def step(self, params, gradient):
        """Apply one update to ``params`` (shape (n_params,)) in place."""
        if self._checked is not params or gradient.shape != params.shape:
            if params.shape != gradient.shape or params.ndim != 1:
                raise ValueError(
                    "params and gradient must be 1-D arrays of the same shape. "
                    f"Received: params.shape={params.shape}, gradient.shape={gradient.shape}")
            self._ensure_slots(params)
            self._checked = params  # the same array again: its slots fit, skip the checks
        self.step_rate = self.rate()   # what _apply uses for the learning rate
        self.iterations += 1
        self._apply(params, gradient)

    def rate(self):
        """The learning rate of the next update.

        ``learning_rate`` if ``decay_steps`` is 0; else it falls linearly to zero over
        ``decay_steps`` = T updates: ``learning_rate * max(0, 1 - t / T)`` after t updates
        (``iterations``), so the first update is at the full rate, the T-th at
        ``learning_rate / T`` and later ones at zero.
        """
        if not self.decay_steps:
            return self.learning_rate
        return self.learning_rate * max(0.0, 1.0 - self.iterations / self.decay_steps)

    def _ensure_slots(self, params):
        for slot in self._slots:
            current = getattr(self, slot)
            if current is None:
                setattr(self, slot, np.zeros_like(params))
            elif current.shape != params.shape:
                raise ValueError(
                    f"{type(self).__name__} holds state for {current.size} parameters but "
                    f"received {params.size}; use a new optimizer (or reset()) for a new network.")
            elif current.dtype != params.dtype:
                setattr(self, slot, current.astype(params.dtype))

    def _apply(self, params, gradient):
        raise NotImplementedError

    def _scratch(self, params, count=1):
        """``count`` reusable work buffers shaped like ``params`` (not state: never saved)."""
        buffers = getattr(self, "_buffers", ())
        if (len(buffers) < count or buffers[0].shape != params.shape
                or buffers[0].dtype != params.dtype):
            buffers = self._buffers = tuple(np.empty_like(params) for _ in range(count))
        return buffers[:count]

    def reset(self):
        """Forget all state (momentum, moments, step count); keep the settings."""
        self.iterations = 0
        self._checked = None
        for slot in self._slots:
            setattr(self, slot, None)

    def get_config(self):
        """The optimizer's name and settings as a JSON-able dict (``decay_steps`` only if set)."""
        config = {"name": self.name}
        config.update({key: getattr(self, key) for key in self._shown_settings()})
        return config

    def _shown_settings(self):
        return [key for key in self._settings if key != "decay_steps" or self.decay_steps]

    def get_state(self):
        """The state as a dict of arrays (empty before the first update)."""
        state = {"iterations": np.array(self.iterations, dtype=np.int64)}
        for slot in self._slots:
            if getattr(self, slot) is not None:
                state[slot] = getattr(self, slot)
        return state

    def set_state(self, state):
        """Restore a state produced by :meth:`get_state` (arrays are copied)."""
        unknown = set(state) - {"iterations", *self._slots}
        if unknown:
            raise ValueError(f"Unknown state for {type(self).__name__}: {sorted(unknown)}")
        self.reset()
        self.iterations = int(state.get("iterations", 0))
        for slot in self._slots:
            if slot in state:
                setattr(self, slot, np.array(state[slot], copy=True))

    def __repr__(self):
        args = ", ".join(f"{key}={getattr(self, key)!r}" for key in self._shown_settings())
        return f"{type(self).__name__}({args})"


class SGD(Optimizer):
    """Stochastic gradient descent with optional (Nesterov) momentum.

    Update rule (``v`` starts at zero)::

        v = momentum * v - learning_rate * g
        p = p + v                                    # classical momentum
        p = p + momentum * v - learning_rate * g     # nesterov=True

    With ``momentum=0`` this is the tutorial's ``p - learning_rate * g``.
    """

    name = "sgd"
    _settings = ("learning_rate", "momentum", "nesterov", "decay_steps")
    _slots = ("velocity",)

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, decay_steps=0):
        super().__init__(learning_rate, decay_steps)
        self.momentum = momentum
        self.nesterov = nesterov

    @staticmethod
    def _check_setting(key, value):
        if key == "nesterov":
            if not isinstance(value, (bool, np.bool_)):
                raise ValueError(f"nesterov must be True or False. Received: {value!r}")
            return bool(value)
        value = Optimizer._check_setting(key, value)
        if key == "momentum" and value >= 1:
            raise ValueError(f"momentum must be in [0, 1). Received: {value!r}")
        return value

    def _ensure_slots(self, params):
        if self.momentum > 0 or self.velocity is not None:
            super()._ensure_slots(params)

    def _apply(self, params, gradient):
        lr, mu = self.step_rate, self.momentum
        step = np.multiply(gradient, lr, out=self._scratch(params)[0])   # lr * g
        if self.velocity is None:
            params -= step
            return
        v = self.velocity
        v *= mu
        v -= step
        if self.nesterov:
            params += np.multiply(v, mu, out=step)
            params -= np.multiply(gradient, lr, out=step)
        else:
            params += v


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015) with bias correction.

    Update rule at step ``t``::

        m = beta_1 m + (1 - beta_1) g
        v = beta_2 v + (1 - beta_2) g^2
        p = p - learning_rate * sqrt(1 - beta_2^t) / (1 - beta_1^t) * m / (sqrt(v) + epsilon)
    """

    name = "adam"
    _settings = ("learning_rate", "beta_1", "beta_2", "epsilon", "decay_steps")
    _slots = ("m", "v")

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-8,
                 decay_steps=0):
        super().__init__(learning_rate, decay_steps)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon

    @staticmethod
    def _check_setting(key, value):
        value = Optimizer._check_setting(key, value)
        if key in ("beta_1", "beta_2") and value >= 1:
            raise ValueError(f"{key} must be in [0, 1). Received: {value!r}")
        if key == "epsilon" and value == 0:
            raise ValueError("epsilon must be positive. Received: 0")
        return value

    def _apply(self, params, gradient):
        b1, b2, t = self.beta_1, self.beta_2, self.iterations
        work, denominator = self._scratch(params, 2)
        self.m *= b1
        self.m += np.multiply(gradient, 1 - b1, out=work)
        self.v *= b2
        np.multiply(gradient, 1 - b2, out=work)
        self.v += np.multiply(work, gradient, out=work)
        step_size = self.step_rate * float(np.sqrt(1 - b2 ** t)) / (1 - b1 ** t)
        np.sqrt(self.v, out=denominator)
        denominator += self.epsilon
        np.multiply(self.m, step_size, out=work)
        params -= np.divide(work, denominator, out=work)


class RMSprop(Optimizer):
    """RMSprop (Tieleman & Hinton, 2012).

    Update rule::

        s = rho s + (1 - rho) g^2
        p = p - learning_rate * g / (sqrt(s) + epsilon)
    """

    name = "rmsprop"
    _settings = ("learning_rate", "rho", "epsilon", "decay_steps")
    _slots = ("s",)

    def __init__(self, learning_rate=0.001, rho=0.9, epsilon=1e-7, decay_steps=0):
        super().__init__(learning_rate, decay_steps)
        self.rho = rho
        self.epsilon = epsilon

    @staticmethod
    def _check_setting(key, value):
        value = Optimizer._check_setting(key, value)
        if key == "rho" and value >= 1:
            raise ValueError(f"rho must be in [0, 1). Received: {value!r}")
        if key == "epsilon" and value == 0:
            raise ValueError("epsilon must be positive. Received: 0")
        return value

    def _apply(self, params, gradient):
        work, denominator = self._scratch(params, 2)
        self.s *= self.rho
        np.multiply(gradient, 1 - self.rho, out=work)
        self.s += np.multiply(work, gradient, out=work)
        _scaled_step(params, gradient, self.step_rate, self.s, self.epsilon, work, denominator)


class Adagrad(Optimizer):
    """Adagrad (Duchi et al., 2011).

    Update rule::

        s = s + g^2
        p = p - learning_rate * g / (sqrt(s) + epsilon)
    """

    name = "adagrad"
    _settings = ("learning_rate", "epsilon", "decay_steps")
    _slots = ("s",)

    def __init__(self, learning_rate=0.01, epsilon=1e-7, decay_steps=0):
        super().__init__(learning_rate, decay_steps)
        self.epsilon = epsilon

    @staticmethod
    def _check_setting(key, value):
        value = Optimizer._check_setting(key, value)
        if key == "epsilon" and value == 0:
            raise ValueError("epsilon must be positive. Received: 0")
        return value

    def _apply(self, params, gradient):
        work, denominator = self._scratch(params, 2)
        self.s += np.multiply(gradient, gradient, out=work)
        _scaled_step(params, gradient, self.step_rate, self.s, self.epsilon, work, denominator)


def _scaled_step(params, gradient, learning_rate, s, epsilon, work, denominator):
    """``params -= learning_rate * gradient / (sqrt(s) + epsilon)`` in the two buffers given."""
    np.sqrt(s, out=denominator)
    denominator += epsilon
    np.multiply(gradient, learning_rate, out=work)
    params -= np.divide(work, denominator, out=work)
