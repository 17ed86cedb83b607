"""Loading and preparing the data a spec asks for, cached for the whole server.

Datasets are read-only, so one copy serves every visitor (``st.cache_resource``).
An uploaded CSV belongs to its session and is passed in, never cached globally.
"""

import numpy as np
import streamlit as st

from data import DATASETS, Dataset, load_dataset, prepare
from data.toy import TOY_GENERATORS

CSV_KEY = "csv"


def dataset_info(spec, csv_dataset=None):
    """The :class:`data.DatasetInfo` for ``spec.dataset`` (the upload for ``"csv"``)."""
    if spec.dataset == CSV_KEY:
        if csv_dataset is None:
            raise ValueError("Upload a CSV file first.")
        return csv_dataset.info
    return DATASETS[spec.dataset]


@st.cache_resource(max_entries=6, show_spinner=False)
def _load(key, seed, noise, n_samples, _progress=None):
    if key in TOY_GENERATORS:
        return load_dataset(key, seed=seed, noise=noise, n_samples=n_samples)
    return load_dataset(key, progress=_progress)


def load(spec, csv_dataset=None, progress=None):
    """The raw :class:`data.Dataset` for ``spec`` (toy sets use its seed, noise and size)."""
    if spec.dataset == CSV_KEY:
        if csv_dataset is None:
            raise ValueError("Upload a CSV file first.")
        return csv_dataset
    return _load(spec.dataset, *_toy_key(spec), _progress=progress)


def _toy_key(spec):
    """Seed, noise and size matter for generated sets only; real ones share one cache entry."""
    if spec.dataset in TOY_GENERATORS:
        return spec.seed, spec.noise, spec.n_samples
    return 0, None, None


@st.cache_resource(max_entries=4, show_spinner=False)
def _prepare_cached(key, seed, noise, n_samples, scaling, val_fraction, test_fraction, dtype,
                    _dataset: Dataset):
    return prepare(_dataset, scaling=scaling, val_fraction=val_fraction,
                   test_fraction=test_fraction, seed=seed, dtype=np.dtype(dtype))


def prepared(spec, csv_dataset=None, progress=None):
    """Split and scaled data for ``spec`` (:class:`data.PreparedData`)."""
    dataset = load(spec, csv_dataset, progress)
    if spec.dataset == CSV_KEY:
        return prepare(dataset, scaling=spec.scaling, val_fraction=spec.val_fraction,
                       test_fraction=spec.test_fraction, seed=spec.seed, dtype=np.dtype(spec.dtype))
    _, noise, n_samples = _toy_key(spec)
    return _prepare_cached(spec.dataset, spec.seed, noise, n_samples, spec.scaling,
                           spec.val_fraction, spec.test_fraction, spec.dtype, _dataset=dataset)
