"""Datasets handed to local workers as memory-mapped files, not as pickled copies.

A local pool's workers need the server's data (an uploaded table, a built-in set
already in memory). Sent through the pool's start pipe, each worker would get its
own copy (MNIST: 55 MB per worker), and the pool would start its workers one after
the other: the server's write of the next worker's start message waits until the
previous worker has read the whole of its copy.

Instead :func:`ship` writes each dataset's arrays once into a folder as ``.npy``
files and hands the workers a :class:`ShippedDataset`: the dataset with its arrays
replaced by their file names (a few hundred bytes). :func:`unpack` opens them in a
worker read-only with ``mmap_mode="r"``, so every worker reads the same pages of
the operating system's file cache. The arrays are never written: a split is index
arrays into them, scaled batch by batch (:mod:`data.views`).
"""

import dataclasses
import os

import numpy as np

#: The array fields of :class:`data.Dataset` that travel as files.
ARRAY_FIELDS = ("x", "y", "x_test", "y_test", "source_rows")


@dataclasses.dataclass(frozen=True)
class ShippedDataset:
    """A :class:`data.Dataset` whose arrays wait in files.

    ``dataset``: the dataset with every field of :data:`ARRAY_FIELDS` that holds a
    numeric array set to None; ``files``: ``{field: path of its .npy file}``.
    """

    dataset: object
    files: dict


def ship(datasets, folder):
    """Write the arrays of ``datasets`` (``{key: data.Dataset}``) into ``folder``.

    Returns ``{key: ShippedDataset}``. An array NumPy cannot map (object dtype) stays
    in the dataset and travels pickled.
    """
    shipped = {}
    for number, (key, dataset) in enumerate(datasets.items()):
        files, empty = {}, {}
        for name in ARRAY_FIELDS:
            array = getattr(dataset, name)
            if array is None or array.dtype.hasobject:
                continue
            path = os.path.join(folder, f"{number}-{name}.npy")
            np.save(path, np.ascontiguousarray(array), allow_pickle=False)
            files[name], empty[name] = path, None
        shell = object.__new__(type(dataset))            # no __post_init__: x is None here
        shell.__dict__.update(vars(dataset), **empty)
        shipped[key] = ShippedDataset(shell, files)
    return shipped


def unpack(shipped):
    """The datasets of :func:`ship`'s result, their arrays mapped read-only.

    Returns ``{key: data.Dataset}``; values that are not :class:`ShippedDataset`
    pass through.
    """
    datasets = {}
    for key, item in shipped.items():
        if not isinstance(item, ShippedDataset):
            datasets[key] = item
            continue
        arrays = {name: np.load(path, mmap_mode="r", allow_pickle=False)
                  for name, path in item.files.items()}
        datasets[key] = dataclasses.replace(item.dataset, **arrays)
    return datasets
