"""Small 2-D (and one 1-D) synthetic datasets for seeing decision boundaries.

Every generator is a pure function of ``(n_samples, noise, seed)``: it draws
from its own ``np.random.default_rng(seed)`` and never touches global state,
so the same arguments give identical arrays. ``noise`` is the standard
deviation of Gaussian jitter added to the coordinates (to ``y`` for the
regression curve). Classification generators return ``x`` of shape
``(n_samples, 2)`` float64 and ``y`` of shape ``(n_samples,)`` int64 labels;
``regression_curve`` returns ``x`` of shape ``(n_samples, 1)`` and float64 ``y``.
"""

from __future__ import annotations

import numpy as np

#: Default ``n_samples`` and ``noise`` for each generator (for UI sliders).
TOY_DEFAULTS: dict[str, dict[str, float]] = {
    "tutorial_two_lines": {"n_samples": 400, "noise": 0.05},
    "xor": {"n_samples": 400, "noise": 0.05},
    "circles": {"n_samples": 400, "noise": 0.08},
    "moons": {"n_samples": 400, "noise": 0.1},
    "spirals": {"n_samples": 400, "noise": 0.05},
    "blobs": {"n_samples": 300, "noise": 0.35},
    "regression_curve": {"n_samples": 200, "noise": 0.1},
}


def _check(n_samples, noise, minimum=4):
    if isinstance(n_samples, bool) or not isinstance(n_samples, (int, np.integer)) \
            or n_samples < minimum:
        raise ValueError(f"n_samples must be an integer >= {minimum}. Received: {n_samples!r}")
    if not np.isfinite(noise) or noise < 0:
        raise ValueError(f"noise must be a finite number >= 0. Received: {noise!r}")


def _class_sizes(n_samples, n_classes):
    """Split ``n_samples`` into ``n_classes`` counts that differ by at most one."""
    return [n_samples // n_classes + (c < n_samples % n_classes) for c in range(n_classes)]


def _finish(rng, x, y, noise):
    """Add jitter, shuffle rows, fix dtypes."""
    x = x + rng.normal(0.0, noise, size=x.shape)
    order = rng.permutation(len(y))
    return x[order].astype(np.float64), np.asarray(y)[order].astype(np.int64)


def tutorial_two_lines(n_samples=400, noise=0.05, seed=0):
    """Points in ``[-1, 1]^2``; class 1 lies between the lines ``x2 = x1 +- w``.

    ``w = 2 - sqrt(2)`` makes the band hold half of the square, so the classes
    are balanced on average. No single line separates them; two lines do.
    """
    _check(n_samples, noise)
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1.0, 1.0, size=(n_samples, 2))
    y = np.abs(x[:, 1] - x[:, 0]) < 2.0 - np.sqrt(2.0)
    return _finish(rng, x, y, noise)


def xor(n_samples=400, noise=0.05, seed=0):
    """Points in ``[-1, 1]^2``; the label is 1 where exactly one coordinate is positive."""
    _check(n_samples, noise)
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1.0, 1.0, size=(n_samples, 2))
    y = (x[:, 0] > 0) ^ (x[:, 1] > 0)
    return _finish(rng, x, y, noise)


def circles(n_samples=400, noise=0.08, seed=0):
    """An outer circle of radius 1 (class 0) around an inner one of radius 0.5 (class 1)."""
    _check(n_samples, noise)
    rng = np.random.default_rng(seed)
    n_outer, n_inner = _class_sizes(n_samples, 2)
    angle = rng.uniform(0.0, 2 * np.pi, size=n_samples)
    radius = np.r_[np.ones(n_outer), np.full(n_inner, 0.5)]
    x = np.c_[radius * np.cos(angle), radius * np.sin(angle)]
    return _finish(rng, x, np.r_[np.zeros(n_outer), np.ones(n_inner)], noise)


def moons(n_samples=400, noise=0.1, seed=0):
    """Two interleaving half circles (upper: class 0, lower: class 1)."""
    _check(n_samples, noise)
    rng = np.random.default_rng(seed)
    n_up, n_down = _class_sizes(n_samples, 2)
    t_up = rng.uniform(0.0, np.pi, size=n_up)
    t_down = rng.uniform(0.0, np.pi, size=n_down)
    up = np.c_[np.cos(t_up), np.sin(t_up)]
    down = np.c_[1.0 - np.cos(t_down), 0.5 - np.sin(t_down)]
    return _finish(rng, np.r_[up, down], np.r_[np.zeros(n_up), np.ones(n_down)], noise)


def spirals(n_samples=400, noise=0.05, seed=0):
    """Two interleaved spirals of 1.5 turns each, the second a half-turn rotation of the first."""
    _check(n_samples, noise)
    rng = np.random.default_rng(seed)
    parts, labels = [], []
    for label, n in enumerate(_class_sizes(n_samples, 2)):
        t = np.sqrt(rng.uniform(0.0, 1.0, size=n)) * 3 * np.pi  # denser toward the centre
        r = t / (3 * np.pi)
        phase = label * np.pi
        parts.append(np.c_[r * np.cos(t + phase), r * np.sin(t + phase)])
        labels.append(np.full(n, label))
    return _finish(rng, np.concatenate(parts), np.concatenate(labels), noise)


_BLOB_CENTRES = np.array([[0.0, 1.0], [-0.866, -0.5], [0.866, -0.5]])


def blobs(n_samples=300, noise=0.35, seed=0):
    """Three Gaussian blobs of standard deviation ``noise`` around fixed centres."""
    _check(n_samples, noise)
    rng = np.random.default_rng(seed)
    sizes = _class_sizes(n_samples, len(_BLOB_CENTRES))
    x = np.concatenate([np.repeat(c[None, :], n, axis=0) for c, n in zip(_BLOB_CENTRES, sizes)])
    y = np.concatenate([np.full(n, label) for label, n in enumerate(sizes)])
    return _finish(rng, x, y, noise)


def regression_curve(n_samples=200, noise=0.1, seed=0):
    """``x`` uniform in ``[-3, 3]``, ``y = sin(1.5 x) + 0.3 x + noise * N(0, 1)``.

    Returns
    -------
    x : ndarray of shape (n_samples, 1), float64
    y : ndarray of shape (n_samples,), float64
    """
    _check(n_samples, noise, minimum=2)
    rng = np.random.default_rng(seed)
    x = rng.uniform(-3.0, 3.0, size=(n_samples, 1))
    y = np.sin(1.5 * x[:, 0]) + 0.3 * x[:, 0] + rng.normal(0.0, noise, size=n_samples)
    return x, y.astype(np.float64)


#: Registry key -> generator ``f(n_samples, noise, seed) -> (x, y)``.
TOY_GENERATORS = {
    "tutorial_two_lines": tutorial_two_lines,
    "xor": xor,
    "circles": circles,
    "moons": moons,
    "spirals": spirals,
    "blobs": blobs,
    "regression_curve": regression_curve,
}
