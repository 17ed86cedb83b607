"""Fixtures every test folder can use: fake MNIST files and a local HTTP server on 127.0.0.1."""

import pytest
from fake_data import closed_port_url as _closed_port_url
from fake_data import idx_images_bytes, idx_labels_bytes, serve_files, tiny_mnist


@pytest.fixture
def idx_bytes():
    """``(idx_images_bytes, idx_labels_bytes)`` builders."""
    return idx_images_bytes, idx_labels_bytes


@pytest.fixture
def mnist_fixture():
    """Four tiny MNIST-format files (6 training, 4 test images) and their checksum table."""
    return tiny_mnist()


@pytest.fixture
def file_server():
    """A local HTTP server (:class:`fake_data.FileServer`): ``add`` routes, read ``requests``."""
    with serve_files() as files:
        yield files


@pytest.fixture
def closed_port_url():
    """A loopback URL on which nothing listens (connection refused)."""
    return _closed_port_url()
