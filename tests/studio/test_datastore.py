"""The server-wide dataset store: one load per dataset, shared, waited for, not cached on error."""

import threading
import time

import numpy as np
import pytest

from data import DownloadError, load_dataset
from studio.datastore import DatasetStore


class CountingLoader:
    """load_dataset, counting calls; ``gate`` (an Event) holds a load until it is set."""

    def __init__(self, fail_first=False, gate=None):
        self.calls, self.fail_first, self.gate = [], fail_first, gate

    def __call__(self, key, progress=None, **options):
        self.calls.append((key, options))
        if progress is not None:
            progress(f"{key}.gz", 0, 10)
        if self.gate is not None:
            self.gate.wait(10)
        if self.fail_first and len(self.calls) == 1:
            raise DownloadError("mirror down")
        return load_dataset(key, **options)


def test_a_dataset_is_loaded_once_and_shared():
    loader = CountingLoader()
    store = DatasetStore(loader)
    first = store.get("digits")
    assert store.get("digits") is first and store.cached("digits") is first
    assert loader.calls == [("digits", {})]


def test_progress_goes_to_the_caller_that_loads():
    seen = []
    store = DatasetStore(CountingLoader())
    store.get("digits", progress=lambda *a: seen.append(a))
    store.get("digits", progress=lambda *a: seen.append(("second", *a)))
    assert seen == [("digits.gz", 0, 10)]


def test_a_second_visitor_waits_for_the_first_load_instead_of_starting_another():
    gate = threading.Event()
    loader = CountingLoader(gate=gate)
    store = DatasetStore(loader)
    results = []
    threads = [threading.Thread(target=lambda: results.append(store.get("digits")))
               for _ in range(3)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 10
    while not store.is_loading("digits") and time.monotonic() < deadline:
        time.sleep(0.01)
    assert store.is_loading("digits") and store.cached("digits") is None
    gate.set()
    for t in threads:
        t.join(10)
    assert len(loader.calls) == 1 and len(results) == 3
    assert all(r is results[0] for r in results)
    assert not store.is_loading("digits")


def test_a_failed_load_is_not_remembered():
    loader = CountingLoader(fail_first=True)
    store = DatasetStore(loader)
    with pytest.raises(DownloadError, match="mirror down"):
        store.get("digits")
    assert store.cached("digits") is None
    assert store.get("digits").x.shape == (1797, 64)
    assert len(loader.calls) == 2


def test_generated_sets_are_keyed_by_their_settings_and_bounded():
    loader = CountingLoader()
    store = DatasetStore(loader, max_generated=2)
    a = store.get("moons", seed=0, noise=0.1, n_samples=100)
    b = store.get("moons", seed=1, noise=0.1, n_samples=100)
    assert not np.array_equal(a.x, b.x)
    assert store.get("moons", seed=0, noise=0.1, n_samples=100) is a
    store.get("digits")
    store.get("xor", seed=0, noise=0.1, n_samples=100)      # evicts the oldest moons
    assert store.cached("moons", seed=1, noise=0.1, n_samples=100) is None
    assert store.cached("moons", seed=0, noise=0.1, n_samples=100) is a
    assert store.cached("digits") is not None               # real sets are kept
    assert len(store) == 3
