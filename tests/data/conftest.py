"""Fixtures for the data package tests: no network, an isolated cache, IDX files, a local server.

Every test gets ``MLP_STUDIO_DATA`` pointing into its own tmp_path, no proxy
settings, and a socket guard that refuses connections to anything but the
loopback address, so no test can reach the network even by mistake.
"""

from __future__ import annotations

import gzip
import hashlib
import http.server
import socket
import struct
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

from data.mnist_files import IdxFile

_LOOPBACK = {"127.0.0.1", "::1", "localhost"}
_PROXY_VARS = ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Refuse name lookups and socket connections for anything but loopback."""
    real_connect = socket.socket.connect

    def guarded_connect(self, address):
        host = address[0] if isinstance(address, tuple) else address
        if host not in _LOOPBACK:
            raise OSError(f"network access blocked in tests: {address!r}")
        return real_connect(self, address)

    real_getaddrinfo = socket.getaddrinfo

    def guarded_getaddrinfo(host, *args, **kwargs):
        if host not in _LOOPBACK:
            raise socket.gaierror(f"name lookup blocked in tests: {host!r}")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket, "getaddrinfo", guarded_getaddrinfo)
    for var in _PROXY_VARS:
        monkeypatch.delenv(var, raising=False)


@pytest.fixture(autouse=True)
def cache_dir(tmp_path, monkeypatch) -> Path:
    """The cache directory (``MLP_STUDIO_DATA``) of this test; not created."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("MLP_STUDIO_DATA", str(cache))
    monkeypatch.delenv("MLP_STUDIO_MNIST_MIRRORS", raising=False)
    return cache


def idx_images_bytes(images: np.ndarray) -> bytes:
    """IDX bytes for uint8 ``images`` of shape (n, rows, cols)."""
    n, rows, cols = images.shape
    return struct.pack(">IIII", 0x00000803, n, rows, cols) + images.astype(np.uint8).tobytes()


def idx_labels_bytes(labels: np.ndarray) -> bytes:
    """IDX bytes for uint8 ``labels`` of shape (n,)."""
    return struct.pack(">II", 0x00000801, len(labels)) + labels.astype(np.uint8).tobytes()


@pytest.fixture
def idx_bytes():
    """``(idx_images_bytes, idx_labels_bytes)`` builders."""
    return idx_images_bytes, idx_labels_bytes


@dataclass
class MnistFixture:
    """Four tiny MNIST-format files: the arrays, their gz bytes and a checksum table."""

    x_train: np.ndarray  # (6, 784) uint8
    y_train: np.ndarray  # (6,)
    x_test: np.ndarray   # (4, 784) uint8
    y_test: np.ndarray   # (4,)
    gz: dict[str, bytes] = field(default_factory=dict)   # gz file name -> bytes
    raw: dict[str, bytes] = field(default_factory=dict)  # raw file name -> bytes
    files: dict[str, IdxFile] = field(default_factory=dict)

    def write(self, directory: Path, decompressed: bool = False, roles=None) -> Path:
        """Write the files (all, or ``roles``) into ``directory``; return it."""
        directory.mkdir(parents=True, exist_ok=True)
        for role, f in self.files.items():
            if roles is None or role in roles:
                name = f.raw_name if decompressed else f.name
                (directory / name).write_bytes((self.raw if decompressed else self.gz)[name])
        return directory


@pytest.fixture
def mnist_fixture() -> MnistFixture:
    rng = np.random.default_rng(7)
    fx = MnistFixture(rng.integers(0, 256, (6, 784), dtype=np.uint8), np.array([0, 1, 2, 3, 4, 9]),
                      rng.integers(0, 256, (4, 784), dtype=np.uint8), np.array([5, 6, 7, 8]))
    contents = {
        "train_images": ("train-images-idx3-ubyte.gz", idx_images_bytes(fx.x_train.reshape(6, 28, 28))),
        "train_labels": ("train-labels-idx1-ubyte.gz", idx_labels_bytes(fx.y_train)),
        "test_images": ("t10k-images-idx3-ubyte.gz", idx_images_bytes(fx.x_test.reshape(4, 28, 28))),
        "test_labels": ("t10k-labels-idx1-ubyte.gz", idx_labels_bytes(fx.y_test)),
    }
    for role, (name, raw) in contents.items():
        packed = gzip.compress(raw, mtime=0)
        fx.gz[name], fx.raw[name[:-3]] = packed, raw
        fx.files[role] = IdxFile(name, role.split("_")[1], 6 if "train" in role else 4,
                                 hashlib.md5(packed).hexdigest(), hashlib.sha256(packed).hexdigest(),
                                 hashlib.md5(raw).hexdigest())
    return fx


class FileServer:
    """What the local HTTP server serves, and the request paths it saw."""

    def __init__(self):
        self.routes: dict[str, tuple[int, bytes, int | None]] = {}
        self.requests: list[str] = []
        self.port = 0

    def add(self, path: str, body: bytes, *, status: int = 200, cut_at: int | None = None):
        """Serve ``body`` at ``path``; ``cut_at`` closes the connection after that many bytes
        while the Content-Length header still announces the whole body."""
        self.routes[path] = (status, body, cut_at)

    def url(self, prefix: str) -> str:
        """Base URL ``http://127.0.0.1:PORT/prefix/`` for use as a mirror."""
        return f"http://127.0.0.1:{self.port}/{prefix}/"


def _handler(files: FileServer):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's naming)
            files.requests.append(self.path)
            if self.path not in files.routes:
                self.send_error(404, "Not Found")
                return
            status, body, cut_at = files.routes[self.path]
            self.send_response(status)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body if cut_at is None else body[:cut_at])
            self.wfile.flush()
            self.close_connection = True

        def log_message(self, *args):  # keep test output clean
            return

    return Handler


@pytest.fixture
def file_server():
    """A ThreadingHTTPServer on 127.0.0.1 (random port) serving :class:`FileServer` routes."""
    files = FileServer()
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(files))
    files.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.02},
                              daemon=True)
    thread.start()
    yield files
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=5)


@pytest.fixture
def closed_port_url() -> str:
    """A loopback URL on which nothing listens (connection refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/mnist/"
