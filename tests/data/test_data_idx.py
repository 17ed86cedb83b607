"""IDX parsing: real IDX bytes written by the tests, and each kind of damage."""

import gzip
import hashlib
from dataclasses import replace

import mnist
import numpy as np
import pytest

from data.idx import IMAGES_MAGIC, LABELS_MAGIC, IdxError, parse_idx_bytes, read_idx
from data.mnist_files import load_mnist


@pytest.fixture
def images():
    return np.random.default_rng(0).integers(0, 256, (5, 28, 28), dtype=np.uint8)


@pytest.mark.parametrize("compress", [False, True])
def test_images_round_trip(tmp_path, idx_bytes, images, compress):
    raw = idx_bytes[0](images)
    path = tmp_path / ("imgs.gz" if compress else "imgs")
    path.write_bytes(gzip.compress(raw) if compress else raw)
    out = read_idx(path, expected_magic=IMAGES_MAGIC, expected_count=5, expected_dims=(28, 28))
    assert out.dtype == np.uint8
    np.testing.assert_array_equal(out, images)


def test_labels_round_trip(tmp_path, idx_bytes):
    labels = np.array([3, 1, 4, 1, 5, 9], dtype=np.uint8)
    path = tmp_path / "labels.gz"
    path.write_bytes(gzip.compress(idx_bytes[1](labels)))
    out = read_idx(path, expected_magic=LABELS_MAGIC, expected_count=6)
    assert out.dtype == np.uint8
    np.testing.assert_array_equal(out, labels)


def test_wrong_magic_names_expected_and_found(idx_bytes):
    raw = idx_bytes[1](np.arange(3))
    with pytest.raises(IdxError, match=r"wrong magic number: expected 0x00000803 \(images\), "
                                       r"found 0x00000801 — this is an IDX labels file"):
        parse_idx_bytes(raw, expected_magic=IMAGES_MAGIC, name="train-images-idx3-ubyte")


def test_gzip_bytes_read_as_raw_are_named(idx_bytes, images):
    with pytest.raises(IdxError, match="still gzip-compressed"):
        parse_idx_bytes(gzip.compress(idx_bytes[0](images)), expected_magic=IMAGES_MAGIC)


def test_not_an_idx_file():
    with pytest.raises(IdxError, match="not an IDX file"):
        parse_idx_bytes(b"hello world", expected_magic=LABELS_MAGIC)


def test_too_short_for_a_header():
    with pytest.raises(IdxError, match="too short for an IDX header"):
        parse_idx_bytes(b"\x00\x00", expected_magic=LABELS_MAGIC)


def test_truncated_header(idx_bytes, images):
    with pytest.raises(IdxError, match="truncated header"):
        parse_idx_bytes(idx_bytes[0](images)[:10], expected_magic=IMAGES_MAGIC)


def test_truncated_file_says_declared_and_found_sizes(idx_bytes, images):
    raw = idx_bytes[0](images)[:-100]
    with pytest.raises(IdxError, match=r"truncated file: the header declares shape \(5, 28, 28\) "
                                       r"= 3920 data bytes but only 3820 follow"):
        parse_idx_bytes(raw, expected_magic=IMAGES_MAGIC)


def test_truncated_gzip_stream(tmp_path, idx_bytes, images):
    path = tmp_path / "cut.gz"
    path.write_bytes(gzip.compress(idx_bytes[0](images))[:-30])
    with pytest.raises(IdxError, match="damaged or truncated gzip stream"):
        read_idx(path, expected_magic=IMAGES_MAGIC)


def test_trailing_bytes(idx_bytes):
    with pytest.raises(IdxError, match="2 unexpected bytes after the 3 data bytes"):
        parse_idx_bytes(idx_bytes[1](np.arange(3)) + b"xx", expected_magic=LABELS_MAGIC)


def test_wrong_item_count(idx_bytes, images):
    with pytest.raises(IdxError, match="wrong item count: expected 60000, the header says 5"):
        parse_idx_bytes(idx_bytes[0](images), expected_magic=IMAGES_MAGIC, expected_count=60000)


def test_wrong_item_shape(idx_bytes):
    small = np.zeros((2, 8, 8), dtype=np.uint8)
    with pytest.raises(IdxError, match=r"wrong item shape: expected \(28, 28\), found \(8, 8\)"):
        parse_idx_bytes(idx_bytes[0](small), expected_magic=IMAGES_MAGIC, expected_dims=(28, 28))


def test_idx_error_is_the_mnist_packages_error_and_a_value_error():
    assert issubclass(IdxError, mnist.IdxDecodeError)
    assert issubclass(IdxError, ValueError)


def _replace_file(fixture, directory, role, raw):
    """Overwrite one fixture file with gzipped ``raw``; return a table that accepts it."""
    f = fixture.files[role]
    packed = gzip.compress(raw)
    (directory / f.name).write_bytes(packed)
    files = {r: replace(g, count=None) for r, g in fixture.files.items()}
    files[role] = replace(f, count=None, md5=hashlib.md5(packed).hexdigest())
    return files


def test_images_and_labels_count_mismatch(tmp_path, mnist_fixture, idx_bytes):
    mnist_fixture.write(tmp_path)
    files = _replace_file(mnist_fixture, tmp_path, "train_labels", idx_bytes[1](np.arange(5)))
    with pytest.raises(IdxError, match="wrong item count: train-images-idx3-ubyte.gz holds 6 "
                                       "images but train-labels-idx1-ubyte.gz holds 5 labels"):
        load_mnist(tmp_path, files=files, allow_download=False)


def test_labels_outside_0_to_9_rejected(tmp_path, mnist_fixture, idx_bytes):
    mnist_fixture.write(tmp_path)
    files = _replace_file(mnist_fixture, tmp_path, "test_labels",
                          idx_bytes[1](np.array([1, 2, 3, 42])))
    with pytest.raises(IdxError, match="labels must be digits 0..9, found 42"):
        load_mnist(tmp_path, files=files, allow_download=False)
