"""Every dataset once per server, loaded by the first visitor who needs it.

A :class:`DatasetStore` is shared by all sessions. It holds the raw
:class:`data.Dataset` objects (MNIST as loaded: uint8, 55 MB) and never a copy
per visitor: a model's splits are index arrays into them (see
:func:`data.prepare`). Loading happens in the caller's own thread, so a
progress callback can draw into the caller's page; a second visitor asking for
data that is being downloaded waits for that download instead of starting
another. A failed load is not remembered: the next caller tries again.
"""

import threading
from collections import OrderedDict

from data import load_dataset
from data.toy import TOY_GENERATORS


class DatasetStore:
    """Datasets by key, loaded once; generated sets by (key, seed, noise, size), LRU-bounded.

    Parameters
    ----------
    loader : callable
        ``loader(key, seed=, noise=, n_samples=, progress=)`` returning a
        :class:`data.Dataset`; :func:`data.load_dataset` by default.
    max_generated : int
        How many generated (toy) datasets to keep; real ones are kept for good.
    """

    def __init__(self, loader=load_dataset, max_generated=16):
        self._loader = loader
        self._max_generated = max_generated
        self._lock = threading.Lock()
        self._key_locks = {}
        self._datasets = OrderedDict()

    @staticmethod
    def key_for(key, seed=0, noise=None, n_samples=None):
        """The cache key: generated sets depend on their settings, real ones do not."""
        if key in TOY_GENERATORS:
            return (key, int(seed), None if noise is None else float(noise),
                    None if n_samples is None else int(n_samples))
        return (key,)

    def cached(self, key, seed=0, noise=None, n_samples=None):
        """The dataset if it is already loaded, else None (never loads)."""
        with self._lock:
            return self._datasets.get(self.key_for(key, seed, noise, n_samples))

    def is_loading(self, key, seed=0, noise=None, n_samples=None):
        """True while another caller is loading this dataset."""
        with self._lock:
            lock = self._key_locks.get(self.key_for(key, seed, noise, n_samples))
        return lock is not None and lock.locked()

    def get(self, key, seed=0, noise=None, n_samples=None, progress=None):
        """The dataset, loading it (with ``progress``) if no one has yet.

        Raises whatever the loader raises (``DownloadError`` for a failed download);
        nothing is stored then.
        """
        cache_key = self.key_for(key, seed, noise, n_samples)
        with self._lock:
            if cache_key in self._datasets:
                self._datasets.move_to_end(cache_key)
                return self._datasets[cache_key]
            key_lock = self._key_locks.setdefault(cache_key, threading.Lock())
        with key_lock:  # one load per dataset at a time; the others wait for it
            with self._lock:
                if cache_key in self._datasets:
                    return self._datasets[cache_key]
            options = {"seed": seed, "noise": noise, "n_samples": n_samples} \
                if key in TOY_GENERATORS else {}
            dataset = self._loader(key, progress=progress, **options)
            with self._lock:
                self._datasets[cache_key] = dataset
                self._evict_generated()
        return dataset

    def _evict_generated(self):
        generated = [k for k in self._datasets if k[0] in TOY_GENERATORS]
        for k in generated[:max(0, len(generated) - self._max_generated)]:
            del self._datasets[k]
            self._key_locks.pop(k, None)

    def __len__(self):
        with self._lock:
            return len(self._datasets)
