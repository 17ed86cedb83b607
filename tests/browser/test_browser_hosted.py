"""The hosted case in a real browser: a cold server, hostile links, nothing fetched from outside.

* A fresh server (empty data folder, MNIST from a mirror on 127.0.0.1): the first
  visitor's download, then a rerun, then a second visitor -- no exception anywhere,
  one download, and both train.
* A share link carrying Markdown shows it as text and makes the browser fetch
  nothing; no page of the app loads anything from another host.
"""

import re
import textwrap
import urllib.parse

import pytest
from conftest import ROOT, new_studio_page, serve_studio
from fake_data import learnable_mnist, mnist_files_json, serve_files

pytestmark = [pytest.mark.timeout(300)]

SITECUSTOMIZE = textwrap.dedent('''
    """Test-only: the checksums of the small MNIST that the cold-start test serves."""
    import json
    import os

    _table = os.environ.get("MLP_STUDIO_TEST_MNIST_FILES")
    if _table:
        from data import mnist_files
        mnist_files.MNIST_FILES.clear()
        mnist_files.MNIST_FILES.update({role: mnist_files.IdxFile(**fields)
                                        for role, fields in json.loads(_table).items()})
''')
LINK = "[click](http://ev.il)"
IMAGE = "![x](https://ev.il/a.png)"
LOCAL_SCHEMES = ("data:", "blob:", "about:")


@pytest.fixture(scope="module")
def cold_server(browser_requirements, request, tmp_path_factory):
    """A server with an empty data folder whose MNIST mirror is a local HTTP server."""
    mnist = learnable_mnist()
    site = tmp_path_factory.mktemp("site")
    (site / "sitecustomize.py").write_text(SITECUSTOMIZE)
    data_dir = tmp_path_factory.mktemp("cold") / "data"
    with serve_files() as files:
        env = {"MLP_STUDIO_DATA": str(data_dir),
               "MLP_STUDIO_MNIST_MIRRORS": mnist.serve(files),
               "MLP_STUDIO_TEST_MNIST_FILES": mnist_files_json(mnist),
               "PYTHONPATH": f"{site}:{ROOT}"}
        with serve_studio(request, env, name="cold") as server:
            yield server, files, data_dir, mnist


def no_trouble(s, where):
    s.assert_no_errors(where)
    log = s.server.log_path.read_text(errors="replace")
    assert "Traceback" not in log and "CacheReplayClosureError" not in log, \
        f"{where}: the server logged an error:\n{s.server.describe()}"


def build_mnist(s, epochs=2):
    s.choose("Dataset", "MNIST (28x28)")
    s.set_number("Epochs", epochs)
    s.click("Build network", timeout=120_000)
    s.expect_alert("Success", "Network built.", timeout=120_000)


def train_to_the_end(s, epochs):
    s.go("Train")
    s.click("Start")
    s.wait_until(lambda: f"finished · epoch {epochs}/{epochs}" in s.sidebar_text(),
                 f"the job finished its {epochs} epochs", timeout=120_000, interval=0.5)
    return s.metric("Training accuracy")


@pytest.mark.browser
def test_two_visitors_on_a_cold_server_download_once_and_both_train(cold_server, browser,
                                                                     shots_dir):
    server, files, data_dir, mnist = cold_server
    first = new_studio_page(browser, server, shots_dir, "/")
    try:
        first.choose("Dataset", "MNIST (28x28)")
        first.expect_alert("Info", "MNIST is not on this server yet")
        build_mnist(first)
        no_trouble(first, "after the download")
        assert sorted(p.name for p in data_dir.iterdir()) == sorted(mnist.gz)
        first.set_number("Epochs", 3)           # the rerun that used to fail
        no_trouble(first, "after a rerun")

        second = new_studio_page(browser, server, shots_dir, "/")
        try:
            second.choose("Dataset", "MNIST (28x28)")
            assert not second.alerts("Info").filter(has_text="not on this server").count()
            assert any(re.search(r">24 of [\d,]+ images<", svg) for svg in second.svg_texts()), \
                "the MNIST preview is drawn"
            build_mnist(second)
            no_trouble(second, "the second visitor")
            assert len([r for r in files.requests if r.startswith("/mnist/")]) == 4, \
                f"one download for both visitors: {files.requests}"
            for visitor in (second, first):
                accuracy = train_to_the_end(visitor, 2)
                assert float(accuracy.rstrip("%")) > 90, accuracy
                no_trouble(visitor, "after training")
        finally:
            second.close()
    finally:
        first.close()


def foreign(urls, base_url):
    """The URLs that are neither the app's own nor local (data:, blob:, about:)."""
    return [u for u in urls if not u.startswith(base_url) and not u.startswith(LOCAL_SCHEMES)]


@pytest.mark.browser
def test_a_hostile_link_is_shown_as_text_and_nothing_is_fetched_from_elsewhere(
        browser, studio_server, shots_dir):
    query = urllib.parse.urlencode({"act": LINK, "ds": IMAGE, "[k](http://ev.il)": "1"})
    s = new_studio_page(browser, studio_server, shots_dir, "/")
    requests = []
    s.page.on("request", lambda r: requests.append(r.url))
    try:
        s.open(f"/?{query}")
        # What a reader sees: the invisible word joiners that keep addresses unlinked aside.
        warnings = " ".join(s.alert_texts("Warning")).replace("\u2060", "")
        assert f"'{LINK}' is not a valid name" in warnings, warnings
        assert f"'{IMAGE}' is not a valid name" in warnings, warnings
        # Every link and image points at the app itself or is inline (the Build page's
        # pictures are data: URLs, drawn once they have loaded).
        targets = s.page.evaluate("""() => [...document.querySelectorAll('a[href], img[src]')]
            .map(el => new URL(el.href || el.src, location.href).href)""")
        assert targets and not foreign(targets, studio_server.url), \
            f"a link or image to elsewhere: {foreign(targets, studio_server.url)}"
        s.click("Build network", timeout=60_000)
        for page in ("Train", "Evaluate", "Draw", "Inside the network", "Build"):
            s.go(page)
        s.shot("hostile-link-build")
        assert requests, "the pages were loaded"
        assert not foreign(requests, studio_server.url), foreign(requests, studio_server.url)
    finally:
        s.close()


def test_the_foreign_check_would_see_a_foreign_request():
    base = "http://127.0.0.1:8501"
    assert foreign(["https://fonts.example/x.woff", f"{base}/static/a.js",
                    "data:image/png;base64,AAAA"], base) == ["https://fonts.example/x.woff"]
