"""Reading IDX files (the MNIST format) with clear errors.

The header is checked here — magic number, dimensions, payload length,
item count — so a wrong or damaged file says what is wrong with it; the
payload is then decoded by the ``mnist`` package's :func:`mnist.parse_idx`.

Format: a big-endian ``uint32`` magic number ``0x0000TTNN`` (``TT`` the data
type, ``0x08`` for unsigned bytes; ``NN`` the number of dimensions), ``NN``
big-endian ``uint32`` dimension sizes, then the items in row-major order.
"""

from __future__ import annotations

import gzip
import io
import math
import struct
import zlib
from pathlib import Path

import mnist
import numpy as np

IMAGES_MAGIC = 0x00000803  # unsigned bytes, 3 dimensions (count, rows, columns)
LABELS_MAGIC = 0x00000801  # unsigned bytes, 1 dimension (count)
_ITEM_SIZE = {0x08: 1, 0x09: 1, 0x0B: 2, 0x0C: 4, 0x0D: 4, 0x0E: 8}
_KIND = {IMAGES_MAGIC: "images", LABELS_MAGIC: "labels"}


class IdxError(mnist.IdxDecodeError):
    """An IDX file is malformed, truncated or not the file that was expected."""


def read_idx_bytes(path: str | Path) -> bytes:
    """Return the IDX bytes of ``path``, gunzipping it when it is gzip-compressed."""
    path = Path(path)
    with open(path, "rb") as f:
        gzipped = f.read(2) == b"\x1f\x8b"
    if not gzipped:
        return path.read_bytes()
    try:
        with gzip.open(path, "rb") as f:
            return f.read()
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        raise IdxError(f"{path.name}: damaged or truncated gzip stream ({exc})") from exc


def parse_idx_bytes(raw: bytes, *, expected_magic: int, expected_count: int | None = None,
                    expected_dims: tuple[int, ...] | None = None,
                    name: str = "IDX data") -> np.ndarray:
    """Validate an IDX header, then decode the payload with :func:`mnist.parse_idx`.

    Parameters
    ----------
    raw : bytes
        A whole uncompressed IDX file.
    expected_magic : int
        :data:`IMAGES_MAGIC` or :data:`LABELS_MAGIC` (or another IDX magic).
    expected_count : int, optional
        Required size of the first dimension (e.g. 60000).
    expected_dims : tuple of int, optional
        Required sizes of the other dimensions (e.g. ``(28, 28)``).
    name : str
        File name used in error messages.

    Returns
    -------
    ndarray of shape (count, *dims)
        For the MNIST magics, dtype uint8.

    Raises
    ------
    IdxError
        On a wrong magic number, a truncated file, extra trailing bytes, or an
        item count or dimensions other than expected.
    """
    if len(raw) < 4:
        raise IdxError(f"{name}: {len(raw)} bytes is too short for an IDX header (4+ bytes)")
    magic = int.from_bytes(raw[:4], "big")
    if magic != expected_magic:
        raise IdxError(f"{name}: wrong magic number: expected 0x{expected_magic:08X}"
                       f"{_describe(expected_magic)}, found 0x{magic:08X}{_hint(magic, raw)}")
    ndim = magic & 0xFF
    if (magic >> 8) & 0xFF not in _ITEM_SIZE or magic >> 16:
        raise IdxError(f"{name}: 0x{magic:08X} is not a valid IDX magic number")
    header_len = 4 + 4 * ndim
    if len(raw) < header_len:
        raise IdxError(f"{name}: truncated header: {ndim} dimensions need {header_len} bytes, "
                       f"file has {len(raw)}")
    dims = struct.unpack(f">{ndim}I", raw[4:header_len])
    expected_len = math.prod(dims) * _ITEM_SIZE[(magic >> 8) & 0xFF]
    found_len = len(raw) - header_len
    if found_len < expected_len:
        raise IdxError(f"{name}: truncated file: the header declares shape {dims} = "
                       f"{expected_len} data bytes but only {found_len} follow")
    if found_len > expected_len:
        raise IdxError(f"{name}: {found_len - expected_len} unexpected bytes after the "
                       f"{expected_len} data bytes that the header (shape {dims}) declares")
    if expected_count is not None and dims[0] != expected_count:
        raise IdxError(f"{name}: wrong item count: expected {expected_count}, "
                       f"the header says {dims[0]}")
    if expected_dims is not None and tuple(dims[1:]) != tuple(expected_dims):
        raise IdxError(f"{name}: wrong item shape: expected {tuple(expected_dims)}, "
                       f"found {tuple(dims[1:])}")
    return mnist.parse_idx(io.BytesIO(raw))


def read_idx(path: str | Path, *, expected_magic: int, expected_count: int | None = None,
             expected_dims: tuple[int, ...] | None = None) -> np.ndarray:
    """Read an IDX file (``.gz`` or raw) from disk; see :func:`parse_idx_bytes`."""
    return parse_idx_bytes(read_idx_bytes(path), expected_magic=expected_magic,
                           expected_count=expected_count, expected_dims=expected_dims,
                           name=Path(path).name)


def _describe(magic):
    return f" ({_KIND[magic]})" if magic in _KIND else ""


def _hint(magic, raw):
    if magic in _KIND:
        return f" — this is an IDX {_KIND[magic]} file"
    if raw[:2] == b"\x1f\x8b":
        return " — the data is still gzip-compressed"
    if raw[:2] != b"\x00\x00":
        return " — this is not an IDX file"
    return ""
