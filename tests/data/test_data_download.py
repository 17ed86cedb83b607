"""download_verified against a local HTTP server on 127.0.0.1: mirrors, checksums, failures."""

import hashlib
import os

import numpy as np
import pytest

from data.download import (DownloadError, default_data_dir, download_verified, mirror_url,
                           verify_file, ChecksumError)

NAME = "blob.bin"


@pytest.fixture
def blob():
    """200 kB of random bytes: several 64 kB chunks, so progress is reported more than once."""
    body = np.random.default_rng(1).integers(0, 256, 200_000, dtype=np.uint8).tobytes()
    return body, hashlib.md5(body).hexdigest(), hashlib.sha256(body).hexdigest()


def _download(server, dest, blob, mirrors, **kw):
    body, md5, sha = blob
    return download_verified(NAME, [server.url(m) for m in mirrors], dest, md5=md5, sha256=sha,
                             timeout=5, **kw)


def test_404_on_first_mirror_falls_through_to_the_next(file_server, tmp_path, blob):
    file_server.add(f"/second/{NAME}", blob[0])
    path = _download(file_server, tmp_path, blob, ["first", "second"])
    assert path == tmp_path / NAME and path.read_bytes() == blob[0]
    assert file_server.requests == [f"/first/{NAME}", f"/second/{NAME}"]
    assert os.listdir(tmp_path) == [NAME]


def test_corrupted_file_is_rejected_and_leaves_nothing(file_server, tmp_path, blob):
    file_server.add(f"/only/{NAME}", b"X" + blob[0][1:])
    with pytest.raises(DownloadError, match=r"corrupted download \(md5 mismatch for blob.bin"):
        _download(file_server, tmp_path, blob, ["only"])
    assert os.listdir(tmp_path) == []


def test_corrupted_first_mirror_then_good_second(file_server, tmp_path, blob):
    file_server.add(f"/bad/{NAME}", blob[0][::-1])
    file_server.add(f"/good/{NAME}", blob[0])
    path = _download(file_server, tmp_path, blob, ["bad", "good"])
    assert path.read_bytes() == blob[0]
    assert os.listdir(tmp_path) == [NAME]


def test_sha256_alone_is_checked(file_server, tmp_path, blob):
    file_server.add(f"/m/{NAME}", blob[0][:-1] + b"\x00")
    with pytest.raises(DownloadError, match="sha256 mismatch"):
        download_verified(NAME, [file_server.url("m")], tmp_path, sha256=blob[2], timeout=5)
    assert os.listdir(tmp_path) == []


def test_interrupted_download_leaves_nothing_behind(file_server, tmp_path, blob):
    file_server.add(f"/cut/{NAME}", blob[0], cut_at=100_000)
    with pytest.raises(DownloadError, match="connection closed"):
        _download(file_server, tmp_path, blob, ["cut"])
    assert os.listdir(tmp_path) == []


def test_interrupted_first_mirror_then_good_second(file_server, tmp_path, blob):
    file_server.add(f"/cut/{NAME}", blob[0], cut_at=1000)
    file_server.add(f"/good/{NAME}", blob[0])
    assert _download(file_server, tmp_path, blob, ["cut", "good"]).read_bytes() == blob[0]


def test_progress_reports_increasing_byte_counts(file_server, tmp_path, blob):
    file_server.add(f"/m/{NAME}", blob[0])
    calls = []
    _download(file_server, tmp_path, blob, ["m"], progress=lambda *a: calls.append(a))
    done = [c[1] for c in calls]
    assert {c[0] for c in calls} == {NAME}
    assert {c[2] for c in calls} == {len(blob[0])}
    assert done[0] == 0 and done[-1] == len(blob[0]) and len(done) >= 4
    assert all(a < b for a, b in zip(done, done[1:]))


def test_interrupt_from_the_user_removes_the_temp_file(file_server, tmp_path, blob):
    file_server.add(f"/m/{NAME}", blob[0])

    def stop(name, done, total):
        if done > 0:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        _download(file_server, tmp_path, blob, ["m"], progress=stop)
    assert os.listdir(tmp_path) == []


def test_all_mirrors_failing_names_each_mirror_and_where_to_put_the_file(
        file_server, tmp_path, blob, closed_port_url):
    file_server.add(f"/bad/{NAME}", b"garbage")
    dest = tmp_path / "cache"
    mirrors = [closed_port_url, file_server.url("missing"), file_server.url("bad")]
    with pytest.raises(DownloadError) as info:
        download_verified(NAME, mirrors, dest, md5=blob[1], timeout=5)
    message = str(info.value)
    assert f"{closed_port_url}{NAME}: cannot connect" in message
    assert f"{file_server.url('missing')}{NAME}: HTTP 404" in message
    assert f"{file_server.url('bad')}{NAME}: corrupted download" in message
    assert f"To work offline, place {NAME} in {dest}" in message
    assert [url for url, _ in info.value.failures] == [m + NAME for m in mirrors]
    assert os.listdir(dest) == []


def test_a_checksum_is_required(tmp_path):
    with pytest.raises(ValueError, match="needs md5 or sha256"):
        download_verified(NAME, ["http://127.0.0.1:1/"], tmp_path)


def test_mirror_url_with_or_without_trailing_slash():
    assert mirror_url("http://h/a", "f.gz") == mirror_url("http://h/a/", "f.gz") == "http://h/a/f.gz"


def test_verify_file(tmp_path):
    path = tmp_path / "f"
    path.write_bytes(b"abc")
    verify_file(path, md5=hashlib.md5(b"abc").hexdigest())
    with pytest.raises(ChecksumError, match="md5 mismatch for f: expected 0+, found"):
        verify_file(path, md5="0" * 32)


def test_default_data_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("MLP_STUDIO_DATA", str(tmp_path / "mine"))
    assert default_data_dir() == tmp_path / "mine"
    monkeypatch.delenv("MLP_STUDIO_DATA")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_data_dir() == tmp_path / "xdg" / "mlp-studio"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_data_dir() == tmp_path / "home" / ".cache" / "mlp-studio"
