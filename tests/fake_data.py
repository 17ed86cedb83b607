"""Fake data for tests: IDX files, a small MNIST with its checksum table, a local HTTP server.

The fixtures in ``tests/conftest.py`` wrap these; the browser tests also hand the
same files to the Streamlit server they start (see :func:`mnist_files_json`).
"""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import http.server
import io
import json
import socket
import struct
import tarfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from data.mnist_files import IdxFile


def idx_images_bytes(images: np.ndarray) -> bytes:
    """IDX bytes for uint8 ``images`` of shape (n, rows, cols)."""
    n, rows, cols = images.shape
    return struct.pack(">IIII", 0x00000803, n, rows, cols) + images.astype(np.uint8).tobytes()


def idx_labels_bytes(labels: np.ndarray) -> bytes:
    """IDX bytes for uint8 ``labels`` of shape (n,)."""
    return struct.pack(">II", 0x00000801, len(labels)) + labels.astype(np.uint8).tobytes()


@dataclass
class MnistFixture:
    """Four small MNIST-format files: the arrays, their gz bytes and a checksum table."""

    x_train: np.ndarray  # (n_train, 784) uint8
    y_train: np.ndarray  # (n_train,)
    x_test: np.ndarray   # (n_test, 784) uint8
    y_test: np.ndarray   # (n_test,)
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

    def serve(self, server: "FileServer", prefix: str = "mnist") -> str:
        """Serve the gz files under ``/prefix/`` of ``server``; return that mirror's URL."""
        for name, body in self.gz.items():
            server.add(f"/{prefix}/{name}", body)
        return server.url(prefix)


def make_mnist_fixture(x_train, y_train, x_test, y_test) -> MnistFixture:
    """IDX files, gzipped, and the checksum table (``IdxFile``s) for the given arrays."""
    fx = MnistFixture(x_train, np.asarray(y_train), x_test, np.asarray(y_test))
    n_train, n_test = len(x_train), len(x_test)
    contents = {
        "train_images": ("train-images-idx3-ubyte.gz",
                         idx_images_bytes(x_train.reshape(n_train, 28, 28))),
        "train_labels": ("train-labels-idx1-ubyte.gz", idx_labels_bytes(fx.y_train)),
        "test_images": ("t10k-images-idx3-ubyte.gz", idx_images_bytes(x_test.reshape(n_test, 28, 28))),
        "test_labels": ("t10k-labels-idx1-ubyte.gz", idx_labels_bytes(fx.y_test)),
    }
    for role, (name, raw) in contents.items():
        packed = gzip.compress(raw, mtime=0)
        fx.gz[name], fx.raw[name[:-3]] = packed, raw
        fx.files[role] = IdxFile(name, role.split("_")[1], n_train if "train" in role else n_test,
                                 hashlib.md5(packed).hexdigest(), hashlib.sha256(packed).hexdigest(),
                                 hashlib.md5(raw).hexdigest())
    return fx


def tiny_mnist() -> MnistFixture:
    """Six training and four test images of random pixels (format tests)."""
    rng = np.random.default_rng(7)
    return make_mnist_fixture(rng.integers(0, 256, (6, 784), dtype=np.uint8),
                              np.array([0, 1, 2, 3, 4, 9]),
                              rng.integers(0, 256, (4, 784), dtype=np.uint8), np.array([5, 6, 7, 8]))


def learnable_mnist(n_train=600, n_test=200, seed=0) -> MnistFixture:
    """Digit-like images a small network learns quickly: each class a bright bar at its own place.

    Class ``k`` lights rows ``2k+4 .. 2k+6`` of the 28x28 image (plus noise), so
    the app can be built, trained and evaluated on it end to end.
    """
    rng = np.random.default_rng(seed)

    def images(labels):
        x = rng.integers(0, 40, (len(labels), 28, 28)).astype(np.uint8)
        for i, k in enumerate(labels):
            x[i, 2 * k + 4:2 * k + 7, 4:24] = 255
        return x.reshape(len(labels), 784)

    y_train, y_test = np.arange(n_train) % 10, np.arange(n_test) % 10
    return make_mnist_fixture(images(y_train), y_train, images(y_test), y_test)


def mnist_files_json(fixture: MnistFixture) -> str:
    """The fixture's checksum table as JSON, for a server process started by a test."""
    return json.dumps({role: dataclasses.asdict(f) for role, f in fixture.files.items()})


def california_raw(n=30, seed=0) -> np.ndarray:
    """A small table in the StatLib column order (households > 0), shape (n, 9)."""
    rng = np.random.default_rng(seed)
    raw = rng.uniform(1, 100, (n, 9)).round(3)
    raw[:, 8] = rng.uniform(0.5e5, 5e5, n).round(0)
    return raw


def california_text(raw: np.ndarray) -> bytes:
    """``raw`` written like ``cal_housing.data``: comma-separated, one row a line."""
    return "".join(",".join(f"{v:.6f}" for v in row) + "\n" for row in raw).encode()


def california_archive(text: bytes, member="CaliforniaHousing/cal_housing.data") -> bytes:
    """A ``cal_housing.tgz`` holding ``text`` as ``member``."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        info = tarfile.TarInfo(member)
        info.size = len(text)
        tar.addfile(info, io.BytesIO(text))
    return buffer.getvalue()


def array_sha256(raw: np.ndarray) -> str:
    """The checksum ``data.california`` computes: SHA-256 of ``np.save(raw)``."""
    buffer = io.BytesIO()
    np.save(buffer, np.asarray(raw, dtype=np.float64))
    return hashlib.sha256(buffer.getvalue()).hexdigest()


def small_california(n=300, seed=0):
    """``(raw, archive bytes, {"archive_sha256", "array_sha256"})`` of a small housing table."""
    raw = california_raw(n, seed)
    text = california_text(raw)
    body = california_archive(text)
    parsed = np.loadtxt(io.BytesIO(text), delimiter=",")
    return raw, body, {"archive_sha256": hashlib.sha256(body).hexdigest(),
                       "array_sha256": array_sha256(parsed)}


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


class serve_files:
    """Context manager: a ThreadingHTTPServer on 127.0.0.1 (random port) serving a FileServer."""

    def __enter__(self) -> FileServer:
        self.files = FileServer()
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(self.files))
        self.files.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever,
                                       kwargs={"poll_interval": 0.02}, daemon=True)
        self.thread.start()
        return self.files

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


def closed_port_url(path="mnist") -> str:
    """A loopback URL on which nothing listens (connection refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/{path}/"


def churn_csv(n=600, seed=0, with_target=True):
    """A small customer table with an id, free text, a date, numbers as text and gaps."""
    import numpy as np
    import pandas as pd
    rng = np.random.default_rng(seed)
    tenure = rng.uniform(0, 10, n)
    plan = rng.choice(["basic", "plus", "pro"], n)
    spend = rng.gamma(2.0, 500.0, n)
    churn = np.where(-0.5 * tenure + spend / 500 + (plan == "basic") * 1.5 > 0, "yes", "no")
    spend_text = np.array([f"{v:,.0f}" for v in spend], dtype=object)
    spend_text[rng.random(n) < 0.1] = ""
    df = pd.DataFrame({"id": np.arange(1, n + 1), "comment": [f"ticket {i * 7919 % 10007}"
                                                               for i in range(n)],
                       "since": pd.date_range("2021-01-01", periods=n, freq="D").strftime(
                           "%Y-%m-%d"),
                       "plan": plan, "tenure": tenure.round(2), "spend": spend_text,
                       "churn": churn})
    if not with_target:
        df = df.drop(columns=["churn"])
    return df.to_csv(index=False).encode()
