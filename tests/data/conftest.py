"""Fixtures for the data package tests: no network and an isolated cache.

Every test gets ``MLP_STUDIO_DATA`` pointing into its own tmp_path, no proxy
settings, and a socket guard that refuses connections to anything but the
loopback address, so no test can reach the network even by mistake. (The
fake files and the local HTTP server come from ``tests/conftest.py``.)
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

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
