"""The server's data reaches local sweep workers as files they map, once, read-only."""

import os

import numpy as np
import pytest
from waiting import alive, wait_until

from data import Dataset, DatasetInfo, load_dataset
from studio.sweep import run as worker
from studio.sweep.backends import LocalBackend
from studio.sweep.shipping import ShippedDataset, ship, unpack


def table():
    """A small table with every array field, one of them of object dtype."""
    info = DatasetInfo(key="csv", name="table.csv", task="regression", n_features=2,
                       n_classes=None, class_names=(), image_shape=None, pixel_max=None,
                       description="an upload")
    rng = np.random.default_rng(0)
    return Dataset(info, rng.normal(size=(30, 2)), rng.normal(size=30),
                   feature_names=("a", "b"), target_name="t", notes=["2 rows dropped"],
                   encoder={"columns": ["a", "b"]}, source_rows=np.arange(2, 32))


def test_ship_writes_each_array_once_and_unpack_maps_it_read_only(tmp_path):
    digits, upload = load_dataset("digits"), table()
    shipped = ship({("digits",): digits, ("csv",): upload}, tmp_path)
    assert all(isinstance(s, ShippedDataset) for s in shipped.values())
    # What travels to a worker holds no array: a few hundred bytes, not the data.
    assert shipped[("digits",)].dataset.x is None and shipped[("csv",)].dataset.source_rows is None
    assert sorted(os.listdir(tmp_path)) == ["0-x.npy", "0-y.npy", "1-source_rows.npy",
                                            "1-x.npy", "1-y.npy"]

    back = unpack(shipped)
    for key, original in ((("digits",), digits), (("csv",), upload)):
        copy = back[key]
        for name in ("x", "y", "x_test", "y_test", "source_rows"):
            a, b = getattr(original, name), getattr(copy, name)
            if a is None:
                assert b is None
                continue
            assert isinstance(b, np.memmap) and not b.flags.writeable
            assert b.dtype == a.dtype and np.array_equal(a, b)
        assert copy.info == original.info and copy.notes == original.notes
        assert copy.feature_names == original.feature_names
        assert copy.encoder == original.encoder and copy.target_name == original.target_name
    with pytest.raises(ValueError, match="read-only"):
        back[("digits",)].x[0, 0] = 1


def test_an_array_numpy_cannot_map_travels_as_it_is(tmp_path):
    upload = table()
    upload.source_rows = np.array([f"line {i}" for i in range(30)], dtype=object)
    shipped = ship({("csv",): upload}, tmp_path)
    assert shipped[("csv",)].dataset.source_rows is upload.source_rows
    assert list(unpack(shipped)[("csv",)].source_rows) == list(upload.source_rows)


def test_unpack_passes_datasets_that_were_not_shipped():
    digits = load_dataset("digits")
    assert unpack({("digits",): digits})[("digits",)] is digits


def _worker_data(key):
    """In a worker: what it holds for ``key``."""
    data = worker._datasets[key]
    return type(data.x).__name__, data.x.flags.writeable, float(data.x.sum()), os.getpid()


def test_a_pool_maps_one_copy_in_every_worker_and_its_folder_goes_with_it():
    digits = load_dataset("digits")
    backend = LocalBackend(2, {("digits",): digits})
    folder = backend.folder
    try:
        assert os.path.isdir(folder)
        seen = {}
        for future in [backend._executor.submit(_worker_data, ("digits",)) for _ in range(8)]:
            kind, writeable, total, pid = future.result(timeout=60)
            seen[pid] = (kind, writeable, total)
        assert set(seen.values()) == {("memmap", False, float(digits.x.sum()))}
        pids = backend.worker_pids()
    finally:
        backend.shutdown()
    assert not os.path.exists(folder)
    assert wait_until(lambda: not any(alive(p) for p in pids), timeout=20)


def test_a_cancelled_pool_leaves_no_folder_behind():
    backend = LocalBackend(1, {("digits",): load_dataset("digits")})
    folder = backend.folder
    backend.submit({"index": 0}).exception(timeout=60)    # the pool has started
    backend.cancel()
    backend.close()
    assert not os.path.exists(folder)


def test_a_pool_without_data_writes_nothing():
    backend = LocalBackend(1)
    try:
        assert backend.folder is None
    finally:
        backend.shutdown()
