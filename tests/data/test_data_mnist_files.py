"""MNIST files: cache hits download nothing, misses download only what is missing."""

import os

import numpy as np
import pytest

from data.download import ChecksumError, DownloadError
from data.mnist_files import (MIRRORS, MNIST_FILES, ensure_mnist_files, find_mnist_dir,
                              load_mnist, mnist_mirrors)


def _serve(server, fixture, prefix="mnist"):
    for name, body in fixture.gz.items():
        server.add(f"/{prefix}/{name}", body)


def _check_arrays(ds, fx):
    assert ds.x.dtype == np.uint8 and ds.x.shape == (6, 784)
    np.testing.assert_array_equal(ds.x, fx.x_train)
    np.testing.assert_array_equal(ds.y, fx.y_train)
    np.testing.assert_array_equal(ds.x_test, fx.x_test)
    np.testing.assert_array_equal(ds.y_test, fx.y_test)
    assert ds.y.dtype == np.int64


def test_mirrors_in_order():
    assert MIRRORS == ("http://yann.lecun.com/exdb/mnist/",
                       "https://ossci-datasets.s3.amazonaws.com/mnist/",
                       "https://storage.googleapis.com/cvdf-datasets/mnist/")
    assert mnist_mirrors() == list(MIRRORS)


def test_mirrors_from_environment(monkeypatch):
    monkeypatch.setenv("MLP_STUDIO_MNIST_MIRRORS", "http://a/ , http://b/")
    assert mnist_mirrors() == ["http://a/", "http://b/"]


def test_published_checksums():
    assert {f.name: f.md5 for f in MNIST_FILES.values()} == {
        "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
        "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
        "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
        "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
    }
    assert [f.count for f in MNIST_FILES.values()] == [60000, 60000, 10000, 10000]


def test_download_then_cache_hit_makes_zero_requests(file_server, mnist_fixture, cache_dir):
    _serve(file_server, mnist_fixture)
    mirrors = [file_server.url("mnist")]
    _check_arrays(load_mnist(mirrors=mirrors, files=mnist_fixture.files, timeout=5), mnist_fixture)
    assert len(file_server.requests) == 4
    assert sorted(os.listdir(cache_dir)) == sorted(mnist_fixture.gz)
    file_server.requests.clear()
    _check_arrays(load_mnist(mirrors=mirrors, files=mnist_fixture.files), mnist_fixture)
    assert file_server.requests == []


@pytest.mark.parametrize("decompressed", [False, True])
@pytest.mark.parametrize("subfolder", ["", "mnist"])
def test_files_in_a_user_directory_download_nothing(file_server, mnist_fixture, tmp_path,
                                                     decompressed, subfolder):
    mnist_fixture.write(tmp_path / "mine" / subfolder, decompressed=decompressed)
    ds = load_mnist(tmp_path / "mine", mirrors=[file_server.url("mnist")],
                    files=mnist_fixture.files)
    _check_arrays(ds, mnist_fixture)
    assert file_server.requests == []
    assert find_mnist_dir(tmp_path / "mine", files=mnist_fixture.files) == \
        tmp_path / "mine" / subfolder


def test_only_missing_files_are_downloaded(file_server, mnist_fixture, cache_dir):
    _serve(file_server, mnist_fixture)
    mnist_fixture.write(cache_dir, roles={"train_images", "test_images"})
    paths = ensure_mnist_files(mirrors=[file_server.url("mnist")], files=mnist_fixture.files)
    assert sorted(file_server.requests) == ["/mnist/t10k-labels-idx1-ubyte.gz",
                                            "/mnist/train-labels-idx1-ubyte.gz"]
    assert set(paths) == set(MNIST_FILES) and all(p.parent == cache_dir for p in paths.values())


def test_404_on_first_mirror_falls_through(file_server, mnist_fixture, closed_port_url):
    _serve(file_server, mnist_fixture, prefix="second")
    ds = load_mnist(mirrors=[closed_port_url, file_server.url("first"), file_server.url("second")],
                    files=mnist_fixture.files, timeout=5)
    _check_arrays(ds, mnist_fixture)


def test_offline_without_files_says_which_files_to_place_where(mnist_fixture, cache_dir):
    with pytest.raises(DownloadError) as info:
        load_mnist(allow_download=False, files=mnist_fixture.files)
    message = str(info.value)
    assert f"place these four files (or their decompressed versions without .gz) in {cache_dir}" \
        in message
    for name in mnist_fixture.gz:
        assert name in message
    assert not cache_dir.exists() or os.listdir(cache_dir) == []


def test_all_mirrors_failing_names_files_and_directory(file_server, mnist_fixture, tmp_path):
    target = tmp_path / "data"
    with pytest.raises(DownloadError) as info:
        load_mnist(target, mirrors=[file_server.url("a"), file_server.url("b")],
                   files=mnist_fixture.files, timeout=5)
    message = str(info.value)
    assert "every mirror failed" in message and "HTTP 404" in message
    assert f"in {target}:" in message
    assert all(name in message for name in mnist_fixture.gz)
    assert os.listdir(target) == []


def test_corrupted_download_is_not_kept(file_server, mnist_fixture, cache_dir):
    _serve(file_server, mnist_fixture)
    name = "train-images-idx3-ubyte.gz"
    file_server.add(f"/mnist/{name}", mnist_fixture.gz[name][:-8] + b"\x00" * 8)
    with pytest.raises(DownloadError, match="corrupted download"):
        load_mnist(mirrors=[file_server.url("mnist")], files=mnist_fixture.files, timeout=5)
    assert name not in os.listdir(cache_dir)
    assert not [f for f in os.listdir(cache_dir) if f.endswith(".part")]


def test_local_file_with_wrong_checksum_is_reported(mnist_fixture, cache_dir):
    mnist_fixture.write(cache_dir)
    (cache_dir / "t10k-labels-idx1-ubyte.gz").write_bytes(mnist_fixture.gz[
        "train-labels-idx1-ubyte.gz"])
    with pytest.raises(ChecksumError, match="t10k-labels-idx1-ubyte.gz does not match the "
                                            "published MNIST checksum"):
        load_mnist(allow_download=False, files=mnist_fixture.files)


def test_default_mirrors_are_tried_in_order_and_reported(cache_dir):
    # The socket guard in conftest.py blocks every non-loopback lookup, so this
    # exercises the real mirror list without touching the network.
    with pytest.raises(DownloadError) as info:
        load_mnist(timeout=1)
    message = str(info.value)
    positions = [message.index(m + "train-images-idx3-ubyte.gz") for m in MIRRORS]
    assert positions == sorted(positions)
    assert "cannot connect" in message and str(cache_dir) in message
