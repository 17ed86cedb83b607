"""The data a spec asks for: one shared copy per server, a cheap split per model.

The raw datasets live in one :class:`studio.datastore.DatasetStore` for the whole
server (``st.cache_resource``). Loading runs in the visitor's own script run, so
a download's progress bar belongs to that run and nothing stale is replayed for
the next visitor. A model's splits are views into the shared arrays
(:func:`data.prepare`), so preparing costs index arrays, not copies. An uploaded
CSV belongs to its session and is passed in, never stored for the server.
"""

import numpy as np
import streamlit as st

from data import DATASETS, DatasetInfo, find_california_file, find_mnist_dir, prepare
from data.toy import TOY_GENERATORS
from studio.datastore import DatasetStore

CSV_KEY = "csv"


@st.cache_resource(show_spinner=False)
def store():
    """The server-wide dataset store."""
    return DatasetStore()


def dataset_info(spec, csv_dataset=None):
    """The :class:`data.DatasetInfo` for ``spec.dataset`` (the upload for ``"csv"``)."""
    if spec.dataset == CSV_KEY:
        if csv_dataset is None:
            raise ValueError("Upload a CSV file first.")
        return csv_dataset.info
    return DATASETS[spec.dataset]


def same_table(csv_dataset, preprocessing):
    """Whether the uploaded ``csv_dataset`` is the table a model with ``preprocessing`` read."""
    return (csv_dataset is not None and preprocessing.table is not None
            and csv_dataset.encoder == preprocessing.table
            and csv_dataset.target_name == preprocessing.target_name)


def info_from_preprocessing(preprocessing):
    """A :class:`data.DatasetInfo` for a model of a table whose file is not here."""
    names = tuple(preprocessing.class_names or ())
    target = preprocessing.target_name or "the target"
    return DatasetInfo(CSV_KEY, f"a CSV table (target {target})", preprocessing.task,
                       preprocessing.n_features, len(names) or None, names, None, None,
                       f"A model of an uploaded table predicting {target!r}; its training file "
                       "is not in this session.")


def _store_args(spec):
    """Seed, noise and size matter for generated sets only; real ones share one entry."""
    if spec.dataset in TOY_GENERATORS:
        return spec.dataset, spec.seed, spec.noise, spec.n_samples
    return (spec.dataset,)


def load(spec, csv_dataset=None, progress=None):
    """The raw :class:`data.Dataset` for ``spec`` (toy sets use its seed, noise and size).

    Another visitor's download of the same data is waited for, with a spinner.
    """
    if spec.dataset == CSV_KEY:
        if csv_dataset is None:
            raise ValueError("Upload a CSV file first.")
        return csv_dataset
    shared = store()
    args = _store_args(spec)
    if shared.is_loading(*args):
        with st.spinner(f"Another visitor is fetching {DATASETS[spec.dataset].name}; "
                        "waiting for it…"):
            return shared.get(*args, progress=progress)
    return shared.get(*args, progress=progress)


def available_locally(spec, csv_dataset=None):
    """Whether the data for ``spec`` can be had without a download (held, bundled or on disk)."""
    if spec.dataset == CSV_KEY:
        return csv_dataset is not None
    if cached(spec) is not None or not DATASETS[spec.dataset].needs_download:
        return True
    if spec.dataset == "mnist":
        return find_mnist_dir() is not None
    return find_california_file() is not None


def cached(spec):
    """The raw dataset if this server already holds it, else None (nothing is loaded)."""
    if spec.dataset == CSV_KEY:
        return None
    return store().cached(*_store_args(spec))


def prepared(spec, csv_dataset=None, progress=None):
    """Split and scaled views of the data for ``spec`` (:class:`data.PreparedData`)."""
    dataset = load(spec, csv_dataset, progress)
    return prepare(dataset, scaling=spec.scaling, val_fraction=spec.val_fraction,
                   test_fraction=spec.test_fraction, seed=spec.seed, dtype=np.dtype(spec.dtype))
