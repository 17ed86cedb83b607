"""California housing: verified download with progress, the cached array, local copies."""

import hashlib
import os

import numpy as np
import pytest
from fake_data import california_archive, california_text, small_california

from data import DownloadError, load_california_housing
from data.california import (ARCHIVE, CACHE_FILE, FEATURE_NAMES,
                             features_and_target, find_california_file)


@pytest.fixture
def served(file_server):
    """A small archive served on 127.0.0.1, with the checksums to pass for it."""
    raw, body, checksums = small_california(30)
    file_server.add("/files/5976036", body)
    return {"urls": [f"http://127.0.0.1:{file_server.port}/files/5976036"], **checksums,
            "raw": raw, "body": body}


def _load(directory, served, **kw):
    options = {k: served[k] for k in ("urls", "archive_sha256", "array_sha256")}
    return load_california_housing(directory, timeout=5, **{**options, **kw})


def test_download_reports_progress_caches_the_array_and_removes_the_archive(tmp_path, served):
    calls = []
    ds = _load(tmp_path, served, progress=lambda *a: calls.append(a))
    x, y = features_and_target(served["raw"])
    np.testing.assert_array_equal(ds.x, x)
    np.testing.assert_array_equal(ds.y, y)
    assert ds.feature_names == FEATURE_NAMES
    assert calls[0] == (ARCHIVE, 0, len(served["body"]))
    assert calls[-1] == (ARCHIVE, len(served["body"]), len(served["body"]))
    assert sorted(os.listdir(tmp_path)) == [CACHE_FILE]


def test_the_cached_array_is_used_without_the_network(tmp_path, served, file_server):
    _load(tmp_path, served)
    requests = len(file_server.requests)
    again = _load(tmp_path, served, allow_download=False)
    assert len(file_server.requests) == requests
    np.testing.assert_array_equal(again.y, features_and_target(served["raw"])[1])


def test_a_corrupted_archive_is_refused_and_leaves_nothing(tmp_path, served, file_server):
    file_server.add("/files/5976036", served["body"][:-10] + b"0123456789")
    with pytest.raises(DownloadError, match="sha256 mismatch for cal_housing.tgz"):
        _load(tmp_path, served)
    assert os.listdir(tmp_path) == []


def test_an_archive_without_the_data_file_is_a_clear_error(tmp_path, served, file_server):
    body = california_archive(california_text(served["raw"]), member="other/file.txt")
    file_server.add("/files/5976036", body)
    with pytest.raises(DownloadError, match="has no readable CaliforniaHousing/cal_housing.data"):
        _load(tmp_path, served, archive_sha256=hashlib.sha256(body).hexdigest())
    assert os.listdir(tmp_path) == []


def test_different_numbers_in_a_valid_archive_are_refused(tmp_path, served):
    with pytest.raises(DownloadError, match="does not match the published California housing"):
        _load(tmp_path, served, array_sha256="0" * 64)
    assert os.listdir(tmp_path) == []


def test_mirror_down_names_the_address_and_where_to_put_the_file(tmp_path, closed_port_url):
    with pytest.raises(DownloadError) as info:
        load_california_housing(tmp_path, urls=[closed_port_url], timeout=5)
    message = str(info.value)
    assert f"{closed_port_url}: cannot connect" in message
    assert "place the StatLib file cal_housing.data" in message and str(tmp_path) in message
    assert os.listdir(tmp_path) == []


def test_unwritable_folder_is_reported_before_any_mirror_is_tried(tmp_path, served, file_server,
                                                                  monkeypatch):
    def refuse(*args, **kwargs):
        raise PermissionError(13, "Read-only file system")

    monkeypatch.setattr("data.download.tempfile.TemporaryFile", refuse)
    with pytest.raises(DownloadError, match=r"cannot be written to \(Read-only file system\)"):
        _load(tmp_path, served)
    assert file_server.requests == []


def test_a_local_statlib_file_is_read_and_checked(tmp_path, served):
    sub = tmp_path / "california_housing"
    sub.mkdir()
    (sub / "cal_housing.data").write_bytes(california_text(served["raw"]).replace(b"\n", b"\r\n"))
    assert find_california_file(tmp_path) == sub / "cal_housing.data"
    ds = _load(tmp_path, served, allow_download=False)
    np.testing.assert_array_equal(ds.x, features_and_target(served["raw"])[0])
    with pytest.raises(DownloadError, match="cal_housing.data does not match the published"):
        _load(tmp_path, served, allow_download=False, array_sha256="f" * 64)


def test_a_damaged_cached_array_says_to_delete_it(tmp_path, served):
    (tmp_path / CACHE_FILE).write_bytes(b"not an array")
    with pytest.raises(DownloadError, match="cannot be read as California housing data.*Delete"):
        _load(tmp_path, served)


def test_load_dataset_passes_progress_to_the_housing_download(tmp_path, served, monkeypatch):
    from data import load_dataset
    monkeypatch.setenv("MLP_STUDIO_CALIFORNIA_URLS", served["urls"][0])
    monkeypatch.setattr("data.california.ARCHIVE_SHA256", served["archive_sha256"])
    monkeypatch.setattr("data.california.ARRAY_SHA256", served["array_sha256"])
    calls = []
    ds = load_dataset("california_housing", data_dir=tmp_path,
                      progress=lambda *a: calls.append(a))
    assert ds.x.shape == (30, 8)
    assert calls and calls[-1][1] == calls[-1][2] == len(served["body"])
