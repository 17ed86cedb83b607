"""Verified downloads into a cache directory, with mirrors and progress.

A file is streamed into a temporary file inside the destination directory,
its checksum is checked, and only then is it renamed into place with
:func:`os.replace` (atomic on one file system). Whatever goes wrong — an HTTP
error, a reset connection, a short body, a checksum mismatch, Ctrl+C — the
temporary file is deleted, so a broken download is never reused.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import tempfile
import urllib.error
import urllib.request
from pathlib import Path
from typing import Callable, Sequence

#: ``progress(filename, bytes_done, bytes_total_or_None)``
ProgressCallback = Callable[[str, int, "int | None"], None]

ENV_DATA_DIR = "MLP_STUDIO_DATA"
_CHUNK = 64 * 1024
_USER_AGENT = "mlp-studio/1 (+python urllib)"


class DownloadError(OSError):
    """Data is missing and could not be downloaded.

    The message lists each mirror tried and why it failed, and says which
    files to place in which directory to work offline.

    Attributes
    ----------
    failures : list of (str, str)
        ``(url, reason)`` for each attempt.
    """

    def __init__(self, message: str, failures: Sequence[tuple[str, str]] = ()):
        super().__init__(message)
        self.failures = list(failures)


class ChecksumError(ValueError):
    """A downloaded file does not match its published checksum."""


def default_data_dir() -> Path:
    """The data/cache directory: ``$MLP_STUDIO_DATA``, else ``<user cache>/mlp-studio``.

    The user cache is ``$XDG_CACHE_HOME`` when set, else ``~/.cache``.
    """
    env = os.environ.get(ENV_DATA_DIR)
    if env:
        return Path(env).expanduser()
    cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache).expanduser() / "mlp-studio"


def file_digest(path: str | os.PathLike, algorithm: str) -> str:
    """Hex digest of a file, read in chunks (``algorithm`` is "md5" or "sha256")."""
    h = hashlib.new(algorithm)
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def verify_file(path, *, md5: str | None = None, sha256: str | None = None,
                name: str | None = None) -> None:
    """Raise :class:`ChecksumError` unless ``path`` matches every given checksum.

    ``name`` is the file name used in the message (default: ``path``'s name).
    """
    for algorithm, expected in (("md5", md5), ("sha256", sha256)):
        if expected is not None:
            found = file_digest(path, algorithm)
            if found != expected.lower():
                raise ChecksumError(
                    f"{algorithm} mismatch for {name or Path(path).name}: "
                    f"expected {expected}, found {found}"
                )


def mirror_url(mirror: str, filename: str) -> str:
    """``mirror`` joined with ``filename`` (a trailing slash on the mirror is optional)."""
    return mirror.rstrip("/") + "/" + filename


def download_verified(filename: str, mirrors: Sequence[str], dest_dir, *,
                      md5: str | None = None, sha256: str | None = None,
                      progress: ProgressCallback | None = None,
                      timeout: float = 30.0) -> Path:
    """Download ``filename`` from the first mirror that serves it intact.

    Parameters
    ----------
    filename : str
        File name appended to each mirror URL and used in ``dest_dir``.
    mirrors : sequence of str
        Base URLs, tried in order.
    dest_dir : path-like
        Directory the verified file is renamed into (created if missing).
    md5, sha256 : str, optional
        Published checksums; at least one is required.
    progress : callable, optional
        ``progress(filename, bytes_done, bytes_total_or_None)``, called with 0
        when a transfer starts and after every chunk.
    timeout : float
        Seconds to wait for a connection or a chunk.

    Returns
    -------
    Path
        ``dest_dir / filename``.

    Raises
    ------
    DownloadError
        When ``dest_dir`` cannot be written to (before any mirror is tried), or
        when every mirror failed; lists the failures and where to place the file.
    """
    if not mirrors:
        raise ValueError("mirrors is empty: give at least one base URL")
    return fetch_verified([mirror_url(m, filename) for m in mirrors], filename, dest_dir,
                          md5=md5, sha256=sha256, progress=progress, timeout=timeout)


def fetch_verified(urls: Sequence[str], filename: str, dest_dir, *, md5: str | None = None,
                   sha256: str | None = None, progress: ProgressCallback | None = None,
                   timeout: float = 30.0) -> Path:
    """Download ``dest_dir / filename`` from the first of ``urls`` that serves it intact.

    Like :func:`download_verified`, with whole URLs instead of base URLs (for
    sources whose address does not end in the file name).
    """
    if md5 is None and sha256 is None:
        raise ValueError(f"download_verified needs md5 or sha256 for {filename!r}")
    if not urls:
        raise ValueError("urls is empty: give at least one address")
    dest_dir = Path(dest_dir)
    target = dest_dir / filename
    ensure_writable(dest_dir)
    failures = []
    for url in urls:
        try:
            _fetch_to(url, target, filename, md5, sha256, progress, timeout)
            return target
        except (OSError, http.client.HTTPException, ChecksumError, ValueError) as exc:
            failures.append((url, _reason(exc)))
    lines = "\n".join(f"  - {url}: {why}" for url, why in failures)
    raise DownloadError(
        f"Could not download {filename}; every mirror failed:\n{lines}\n"
        f"To work offline, place {filename} in {dest_dir}", failures)


def ensure_writable(directory) -> None:
    """Create ``directory`` if needed and check that files can be written in it.

    Raises
    ------
    DownloadError
        Naming the folder and ``MLP_STUDIO_DATA``, when it cannot be created or
        written to (a read-only mount, a missing permission).
    """
    directory = Path(directory)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=directory, prefix=".write-test."):
            pass
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise DownloadError(
            f"The data folder {directory} cannot be written to ({reason}), so nothing can be "
            f"downloaded into it. Set {ENV_DATA_DIR} to a writable folder, or place the data "
            "files there yourself.") from exc


def _fetch_to(url, target, filename, md5, sha256, progress, timeout):
    """Stream ``url`` into a temp file next to ``target``, verify, rename into place."""
    tmp = tempfile.NamedTemporaryFile(delete=False, dir=target.parent,
                                      prefix=f".{filename}.", suffix=".part")
    try:
        with tmp:
            _stream(url, tmp, filename, progress, timeout)
        verify_file(tmp.name, md5=md5, sha256=sha256, name=filename)
        os.replace(tmp.name, target)
    finally:
        if os.path.exists(tmp.name):
            os.unlink(tmp.name)


def _stream(url, out, filename, progress, timeout):
    request = urllib.request.Request(url, headers={"User-Agent": _USER_AGENT})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        length = response.headers.get("Content-Length")
        total = int(length) if length and length.isdigit() else None
        done = 0
        if progress is not None:
            progress(filename, 0, total)
        while chunk := response.read(_CHUNK):
            out.write(chunk)
            done += len(chunk)
            if progress is not None:
                progress(filename, done, total)
    if total is not None and done != total:
        raise ConnectionError(f"connection closed after {done} of {total} bytes")


def _reason(exc: BaseException) -> str:
    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP {exc.code} {exc.reason}"
    if isinstance(exc, urllib.error.URLError):
        return f"cannot connect ({exc.reason})"
    if isinstance(exc, http.client.IncompleteRead):
        return "connection closed before the whole file arrived"
    if isinstance(exc, ChecksumError):
        return f"corrupted download ({exc})"
    return f"{type(exc).__name__}: {exc}"
