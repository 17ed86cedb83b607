"""Input checks shared by the figure builders.

Each check converts its input to a NumPy array and raises ``ValueError`` naming the
argument and the shape it received when the shape is wrong.
"""

import numpy as np

TASKS = ("classification", "regression")


def task(value):
    """``value`` if it is "classification" or "regression", else ``ValueError``."""
    if value not in TASKS:
        raise ValueError(f"task must be 'classification' or 'regression'. Received: {value!r}")
    return value


def vector(name, values, dtype=float):
    """``values`` as a 1-D array of shape (n,); accepts (n,) and (n, 1).

    ``None`` entries become NaN when ``dtype`` is float.
    """
    try:
        array = np.asarray([] if values is None else values, dtype=dtype)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a list or 1-D array of numbers. "
                         f"Received: {type(values).__name__}") from None
    if array.ndim == 2 and array.shape[1] == 1:
        array = array[:, 0]
    if array.ndim == 0:
        array = array.reshape(1)
    if array.ndim != 1:
        raise ValueError(f"{name} must have shape (n,) or (n, 1). Received shape {array.shape}")
    return array


def matrix(name, values, n_columns=None, dtype=float):
    """``values`` as a 2-D array of shape (n, n_columns); (n,) is read as (n, 1)."""
    array = np.asarray(values, dtype=dtype)
    if array.ndim == 1 and n_columns in (None, 1):
        array = array.reshape(-1, 1)
    if array.ndim != 2 or (n_columns is not None and array.shape[1] != n_columns):
        wanted = f"(n, {n_columns})" if n_columns is not None else "(n, n_features)"
        raise ValueError(f"{name} must have shape {wanted}. Received shape {array.shape}")
    return array


def same_length(**arrays):
    """Raise unless every keyword array has the same first dimension."""
    lengths = {name: len(array) for name, array in arrays.items()}
    if len(set(lengths.values())) > 1:
        shown = ", ".join(f"{name} has {n}" for name, n in lengths.items())
        raise ValueError(f"Inputs must have the same number of samples: {shown}. "
                         f"Received shapes {[np.shape(a) for a in arrays.values()]}")


def labels(name, values):
    """Class labels as an int array of shape (n,): accepts (n,), (n, 1) or one-hot (n, k)."""
    array = np.asarray([] if values is None else values)
    if array.ndim == 2 and array.shape[1] > 1:
        return np.argmax(array, axis=1).astype(int)
    array = vector(name, array, dtype=float)
    if array.size and not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinite class labels.")
    if np.any(array != np.round(array)):
        raise ValueError(f"{name} must hold whole class indices. Received e.g. "
                         f"{array[array != np.round(array)][0]!r}")
    if np.any(array < 0):
        raise ValueError(f"{name} must hold class indices >= 0. Received e.g. "
                         f"{array[array < 0][0]!r}")
    return array.astype(int)


def image_shape(value, n_pixels):
    """``value`` as a tuple (height, width) whose product is ``n_pixels``."""
    try:
        shape = tuple(int(v) for v in value)
    except TypeError:
        raise ValueError(f"image_shape must be (height, width). Received: {value!r}") from None
    if len(shape) != 2 or min(shape) < 1:
        raise ValueError(f"image_shape must be (height, width). Received: {value!r}")
    if shape[0] * shape[1] != n_pixels:
        raise ValueError(f"image_shape {shape} holds {shape[0] * shape[1]} pixels but each "
                         f"image has {n_pixels}")
    return shape


def is_row_source(values):
    """A row source such as ``data.views.ScaledRows``: rows are read, never the whole array."""
    return not isinstance(values, np.ndarray) and hasattr(values, "finite") \
        and hasattr(values, "shape") and hasattr(values, "__getitem__")


def images(name, values, shape, rows=slice(None)):
    """The selected images as float (n_selected, height, width), and how many there are in all.

    ``values`` has shape (n_samples, height * width) or (n_samples, height, width), any
    numeric dtype, or is a row source (``data.views.ScaledRows``); only the ``rows`` selected (a slice or index array) are converted, so a
    preview of a large dataset stays cheap.
    """
    array = values if is_row_source(values) else np.asarray(values)
    if array.ndim == 3:
        array = array.reshape(len(array), -1)
    if array.ndim != 2 or not (np.issubdtype(array.dtype, np.number)
                               or np.issubdtype(array.dtype, np.bool_)):
        raise ValueError(f"{name} must be numbers of shape (n_samples, height * width). "
                         f"Received shape {array.shape} of {array.dtype}")
    height, width = image_shape(shape, array.shape[1])
    selected = np.asarray(array[rows], dtype=float)
    return selected.reshape(len(selected), height, width), len(array)


def text(value):
    """``str(value)`` with ``&``, ``<`` and ``>`` as entities, so Plotly shows it literally.

    Plotly renders a subset of HTML in titles, ticks, legends and hover labels
    (``<a href>`` makes a link); names that come from a user's data never get to.
    """
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def class_names(names, n_classes):
    """A list of ``n_classes`` display names: ``names`` or "0", "1", ...; raises if too few.

    The names are escaped with :func:`text`.
    """
    if names is None:
        return [str(i) for i in range(n_classes)]
    names = [text(name) for name in names]
    if len(names) < n_classes:
        raise ValueError(f"class_names has {len(names)} names but the labels need "
                         f"{n_classes}. Received: {names}")
    return names


def n_classes(labels):
    """Number of classes the int labels (n,) need: ``max + 1``, or 0 when empty."""
    return int(labels.max()) + 1 if labels.size else 0


def label_names(labels, names):
    """Display names for class indices ``labels`` (n,): ``names[i]`` or ``str(i)``."""
    names = class_names(names, n_classes(labels))
    return [names[i] for i in labels]


def finite(values):
    """The finite entries of ``values`` as a flat float array."""
    array = np.asarray(values, dtype=float).ravel()
    return array[np.isfinite(array)]
