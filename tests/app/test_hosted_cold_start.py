"""A fresh server: no data on disk, MNIST from a mirror on 127.0.0.1, two visitors in turn.

AppTest runs every visitor's script in this process, so the server-wide caches
(the dataset store) are shared between them exactly as on one Streamlit server.
"""

import re

import pytest
from app_support import ENTRY, TIMEOUT, no_exceptions, svg_images, texts
from fake_data import learnable_mnist, small_california
from streamlit.testing.v1 import AppTest

import data.mnist_files
from studio.ui import datasets


@pytest.fixture
def fresh_server(tmp_path, monkeypatch):
    """An empty data folder, the store emptied, and a small MNIST whose checksums the app knows."""
    mnist = learnable_mnist()
    folder = tmp_path / "data"
    monkeypatch.setenv("MLP_STUDIO_DATA", str(folder))
    monkeypatch.setattr(data.mnist_files, "MNIST_FILES", mnist.files)
    datasets.store.clear()
    yield mnist, folder
    datasets.store.clear()


def visitor():
    at = AppTest.from_file(ENTRY, default_timeout=TIMEOUT)
    at.context["url"] = "http://studio.test:8501"
    at.run()
    no_exceptions(at)
    return at


def choose_mnist(at):
    at.selectbox(key="build.dataset").set_value("mnist").run()
    no_exceptions(at)


def build(at):
    at.button(key="build_button").click().run()
    no_exceptions(at)
    return at.session_state["workspace"].model


def train(at, epochs=3):
    record = at.session_state["workspace"].model
    record.job.set_epochs(epochs)
    at.switch_page("app_pages/train.py").run()
    at.button(key="train_start").click().run()
    no_exceptions(at)
    assert record.job.join(timeout=120)
    at.run()
    no_exceptions(at)
    snap = record.job.snapshot()
    assert snap.status.value == "finished", snap.message
    return snap


def test_two_visitors_on_a_cold_server_both_get_mnist_and_train(fresh_server, file_server,
                                                                 monkeypatch):
    mnist, folder = fresh_server
    monkeypatch.setenv("MLP_STUDIO_MNIST_MIRRORS", mnist.serve(file_server))

    first = visitor()
    choose_mnist(first)
    assert any("MNIST is not on this server yet" in i for i in texts(first.info))
    record = build(first)
    assert record.prepared.info.key == "mnist" and record.network.layers[0] == 784
    assert sorted(p.name for p in folder.iterdir()) == sorted(mnist.gz)  # nothing half-written
    downloads = len(file_server.requests)
    assert downloads == 4
    first.run()                      # the rerun after a download that used to fail
    no_exceptions(first)
    first.run()
    no_exceptions(first)

    second = visitor()
    choose_mnist(second)
    assert not any("not on this server yet" in i for i in texts(second.info))
    assert any(re.search(r">24 of [\d,]+ images<", svg) for svg in svg_images(second)), \
        "the MNIST preview is drawn from the shared copy"
    assert build(second).prepared.x_train.base is record.prepared.x_train.base, \
        "both visitors' splits view the one copy the server holds"
    assert len(file_server.requests) == downloads, "the second visitor downloads nothing"

    first_snap, second_snap = train(first), train(second)
    for snap in (first_snap, second_snap):
        assert snap.history["metric"][-1] > 0.9, "the bars are easy: both models learn them"


def test_a_share_link_to_mnist_on_a_cold_server_shows_the_download_note(fresh_server,
                                                                        file_server, monkeypatch):
    mnist, _ = fresh_server
    monkeypatch.setenv("MLP_STUDIO_MNIST_MIRRORS", mnist.serve(file_server))
    at = AppTest.from_file(ENTRY, default_timeout=TIMEOUT)
    at.query_params["ds"] = "mnist"
    at.run()
    no_exceptions(at)
    assert at.selectbox(key="build.dataset").value == "mnist"
    assert build(at).prepared.info.key == "mnist"
    at.run()
    no_exceptions(at)


def test_mirror_down_is_a_clear_message_and_the_app_stays_usable(fresh_server, closed_port_url,
                                                                  monkeypatch):
    _, folder = fresh_server
    monkeypatch.setenv("MLP_STUDIO_MNIST_MIRRORS", closed_port_url)
    at = visitor()
    choose_mnist(at)
    assert build(at) is None
    errors = " ".join(texts(at.error))
    assert "Could not download train-images-idx3-ubyte.gz; every mirror failed" in errors
    assert f"{closed_port_url}train-images-idx3-ubyte.gz: cannot connect" in errors
    assert "To work offline, place these four files" in errors
    assert not folder.exists() or list(folder.iterdir()) == []
    at.selectbox(key="build.dataset").set_value("digits").run()
    record = build(at)
    assert record is not None and record.prepared.info.key == "digits"


def test_a_read_only_data_folder_names_the_folder_and_the_setting(fresh_server, file_server,
                                                                  monkeypatch):
    mnist, folder = fresh_server
    monkeypatch.setenv("MLP_STUDIO_MNIST_MIRRORS", mnist.serve(file_server))

    def read_only(*args, **kwargs):
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr("data.download.tempfile.TemporaryFile", read_only)
    at = visitor()
    choose_mnist(at)
    assert build(at) is None
    errors = " ".join(texts(at.error))
    assert f"The data folder {folder} cannot be written to (Read-only file system)" in errors
    assert "Set MLP_STUDIO_DATA to a writable folder" in errors
    assert "every mirror failed" not in errors and file_server.requests == []


def test_california_housing_downloads_on_a_cold_server_and_trains(fresh_server, file_server,
                                                                  monkeypatch):
    _, folder = fresh_server
    _, body, checksums = small_california(400)
    file_server.add("/cal/cal_housing.tgz", body)
    monkeypatch.setenv("MLP_STUDIO_CALIFORNIA_URLS", file_server.url("cal") + "cal_housing.tgz")
    monkeypatch.setattr("data.california.ARCHIVE_SHA256", checksums["archive_sha256"])
    monkeypatch.setattr("data.california.ARRAY_SHA256", checksums["array_sha256"])
    at = visitor()
    at.selectbox(key="build.dataset").set_value("california_housing").run()
    assert any("California housing is not on this server yet" in i for i in texts(at.info))
    record = build(at)
    assert record.prepared.info.key == "california_housing"
    assert [p.name for p in folder.iterdir()] == ["cal_housing.npy"]
    at.run()
    no_exceptions(at)
    history = train(at, epochs=3).history
    assert history["loss"][-1] < history["loss"][0]
