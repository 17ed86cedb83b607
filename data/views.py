"""Rows of a shared array, scaled as they are read: a split without a copy of the data.

A :class:`ScaledRows` stands for the float array ``(base[rows] - offset) / scale``
without holding it. Indexing it (an int, a slice, an integer or boolean array)
computes just those rows, so a training batch, an evaluation chunk or a handful of
images for a figure cost their own size, and every visitor's split of MNIST is an
index array into the one uint8 copy the server holds.

It is the *row source* :mod:`mlp` trains and predicts on: an object with
``shape``, ``dtype``, ``ndim``, ``len()`` and ``__getitem__`` returning ndarrays
(``mlp.utils.check_inputs``). ``np.asarray(view)`` materialises the whole array,
chunk by chunk; use it only for small data.
"""

from __future__ import annotations

import numpy as np

CHUNK_ROWS = 4096


class ScaledRows:
    """The rows ``rows`` of ``base``, scaled per feature as they are read.

    Parameters
    ----------
    base : ndarray of shape (n_base, n_features)
        Any numeric dtype (uint8 pixels stay uint8). Never modified and never copied.
    rows : int ndarray of shape (n_rows,), optional
        Which rows of ``base``, in order; None means all of them.
    offset, scale : ndarray of shape (n_features,), optional
        Row ``i`` of the view is ``(base[rows[i]] - offset) / scale``, computed in
        ``dtype``: a cast, then ``-=`` and ``/=`` (both or neither given).
    dtype : numpy float dtype
    """

    ndim = 2

    def __init__(self, base, rows=None, offset=None, scale=None, dtype=np.float32):
        base = np.asarray(base)
        if base.ndim != 2:
            raise ValueError(f"base must have shape (n_samples, n_features). Received: "
                             f"shape {base.shape}")
        if base.dtype.kind not in "iufb":
            raise ValueError(f"base must be numeric. Received: dtype {base.dtype}")
        self.dtype = np.dtype(dtype)
        if self.dtype.kind != "f":
            raise ValueError(f"dtype must be a float dtype. Received: {self.dtype}")
        if rows is not None:
            rows = np.asarray(rows)
            if rows.ndim != 1 or (rows.size and rows.dtype.kind not in "iu"):
                raise ValueError(f"rows must be a 1-D integer array. Received: shape "
                                 f"{rows.shape}, dtype {rows.dtype}")
            if rows.size and (rows.min() < 0 or rows.max() >= len(base)):
                raise ValueError(f"rows must lie in 0..{len(base) - 1}.")
            rows = rows.astype(np.intp, copy=False)
        if (offset is None) != (scale is None):
            raise ValueError("offset and scale must be given together")
        n_features = base.shape[1]
        if offset is not None:
            offset = np.asarray(offset, dtype=self.dtype).reshape(-1)
            scale = np.asarray(scale, dtype=self.dtype).reshape(-1)
            if offset.shape != (n_features,) or scale.shape != (n_features,):
                raise ValueError(f"offset and scale must have shape ({n_features},). Received: "
                                 f"{offset.shape} and {scale.shape}")
        self.base, self.rows, self.offset, self.scale = base, rows, offset, scale
        # x - 0 is x exactly: a zero offset (scaling by a constant) is not subtracted.
        self._subtract = offset is not None and bool(np.any(offset))
        self._finite = True if base.dtype.kind in "iub" else None

    # ------------------------------------------------------------------ shape
    @property
    def shape(self):
        n = len(self.base) if self.rows is None else len(self.rows)
        return (n, self.base.shape[1])

    def __len__(self):
        return self.shape[0]

    @property
    def nbytes(self):
        """Bytes this view holds of its own (the row index), not the shared base."""
        return 0 if self.rows is None else self.rows.nbytes

    @property
    def finite(self):
        """Whether every value of the base is finite (integer bases always are; checked once)."""
        if self._finite is None:
            self._finite = all(np.isfinite(self.base[s:s + CHUNK_ROWS]).all()
                               for s in range(0, len(self.base), CHUNK_ROWS))
        return self._finite

    # ---------------------------------------------------------------- reading
    def __getitem__(self, key):
        """Rows as an ndarray of ``dtype``: ``view[i]`` (n_features,), anything else 2-D."""
        if isinstance(key, tuple):
            raise IndexError("ScaledRows is indexed by rows only (an int, a slice or an index "
                             "array); read the rows first, then pick columns.")
        if isinstance(key, (int, np.integer)):
            n = len(self)
            if not -n <= key < n:
                raise IndexError(f"row {key} is out of range for {n} rows")
            return self.gather(np.array([key % n]))[0]
        if isinstance(key, slice):
            if self.rows is None and key.step in (None, 1):
                return self._scaled(self.base[key])
            return self.gather(np.arange(len(self))[key])
        key = np.asarray(key)
        if key.dtype == bool:
            if key.shape != (len(self),):
                raise IndexError(f"a boolean mask must have shape ({len(self)},). Received: "
                                 f"{key.shape}")
            key = np.flatnonzero(key)
        return self.gather(key)

    def gather(self, indices):
        """Rows ``indices`` (positions in this view): ndarray of shape (len(indices), n_features)."""
        indices = np.asarray(indices)
        source = self.base[indices] if self.rows is None else self.base[self.rows[indices]]
        return self._scaled(source)

    def _scaled(self, block):
        out = block.astype(self.dtype)  # always a new array: the base is never written to
        if self.offset is not None:
            if self._subtract:
                out -= self.offset
            out /= self.scale
        return out

    def chunks(self, size=CHUNK_ROWS):
        """Yield ``(start, rows)`` for consecutive blocks of at most ``size`` rows."""
        for start in range(0, len(self), size):
            yield start, self[start:start + size]

    def __array__(self, dtype=None, copy=None):
        out = np.empty(self.shape, dtype=self.dtype)
        for start, block in self.chunks():
            out[start:start + len(block)] = block
        return out if dtype is None else out.astype(dtype, copy=False)

    def __repr__(self):
        return (f"ScaledRows(shape={self.shape}, dtype={self.dtype.name}, base dtype "
                f"{self.base.dtype.name}, scaled={self.offset is not None})")
