"""Real-browser fixtures: a Streamlit server, headless Chromium, and a page for each visitor.

What AppTest cannot drive (navigation, the drawing canvas, uploads, downloads,
share links, two visitors at once) is driven here through the real UI.

* ``studio_server`` (session) runs ``streamlit run streamlit_app.py`` on a free
  port of 127.0.0.1, logs to a temp dir, waits for ``/_stcore/health`` and is
  always terminated.
* ``browser`` (session) is the system Chromium, launched by Playwright.
* ``open_studio`` (function) opens the app in a fresh browser context and
  returns a :class:`StudioPage`; its contexts close after the test.

Without Chromium or Playwright every browser test is skipped with the reason;
with ``MLP_STUDIO_REQUIRE_BROWSER=1`` (CI) the same situation fails instead.
``MLP_STUDIO_CHROMIUM`` overrides the Chromium path (``/nonexistent`` checks the skip).

The page object the tests drive the app with, :class:`StudioPage`, is in
``studio_page.py``; on a failure, the hooks here add the server log's tail and a
screenshot of every open page to the report.
"""

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

try:
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright
except ImportError as exc:  # reported by the browser_requirements fixture
    PLAYWRIGHT_IMPORT_ERROR = exc
    PlaywrightError = PlaywrightTimeout = Exception
else:
    PLAYWRIGHT_IMPORT_ERROR = None
from studio_page import ACTION_MS, StudioPage

ROOT = Path(__file__).resolve().parents[2]
SHOTS_DIR = ROOT / "test-output" / "browser"
DEFAULT_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--no-first-run"]
VIEWPORT = {"width": 1400, "height": 1000}
STARTUP_SECONDS = 60

_server = None              # the running StudioServer, for failure reports
_server_started = False     # this session ran browser tests (for the summary line)
_open_pages = []            # StudioPages of the current test, screenshotted on failure


# --------------------------------------------------------------------------------------
# Skips, server, browser
# --------------------------------------------------------------------------------------

def chromium_path():
    """The Chromium to use: ``MLP_STUDIO_CHROMIUM``, else /usr/bin/chromium or the PATH's."""
    override = os.environ.get("MLP_STUDIO_CHROMIUM")
    if override:
        return override
    if os.path.exists(DEFAULT_CHROMIUM):
        return DEFAULT_CHROMIUM
    return shutil.which("chromium") or DEFAULT_CHROMIUM


def browser_unavailable_reason():
    """Why the browser tests cannot run here, or None."""
    if PLAYWRIGHT_IMPORT_ERROR is not None:
        return (f"Playwright is not importable ({PLAYWRIGHT_IMPORT_ERROR}): "
                "pip install playwright")
    path = chromium_path()
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        return f"Chromium not found at {path}: apt-get install -y chromium"
    return None


@pytest.fixture(scope="session")
def browser_requirements():
    """Skip every browser test when Chromium or Playwright is missing (fail when required)."""
    reason = browser_unavailable_reason()
    if reason is not None:
        if os.environ.get("MLP_STUDIO_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{reason} (MLP_STUDIO_REQUIRE_BROWSER=1, so this is a failure)",
                        pytrace=False)
        pytest.skip(reason)
    return chromium_path()


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class StudioServer:
    """A ``streamlit run streamlit_app.py`` process and its log."""

    def __init__(self, port, log_path, process):
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.log_path = log_path
        self.process = process

    def log_tail(self, n_lines=40):
        try:
            lines = Path(self.log_path).read_text(errors="replace").splitlines()
        except OSError as exc:
            return f"(cannot read {self.log_path}: {exc})"
        return "\n".join(lines[-n_lines:]) or "(the log is empty)"

    def describe(self):
        return (f"--- Streamlit log {self.log_path} (last lines) ---\n{self.log_tail()}")


def _wait_healthy(server):
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(f"Streamlit exited with code {server.process.returncode} before it "
                        f"was healthy.\n{server.describe()}", pytrace=False)
        try:
            with urllib.request.urlopen(f"{server.url}/_stcore/health", timeout=2) as reply:
                if reply.read() == b"ok":
                    return
        except OSError:
            pass
        time.sleep(0.2)
    pytest.fail(f"Streamlit was not healthy after {STARTUP_SECONDS} s.\n{server.describe()}",
                pytrace=False)


@contextlib.contextmanager
def serve_studio(request, env=None, name="studio"):
    """``streamlit run streamlit_app.py`` on a free port with ``env`` added; always terminated.

    Yields the healthy :class:`StudioServer`.
    """
    global _server, _server_started
    log_dir = Path(tempfile.mkdtemp(prefix=f"mlp-{name}-browser-"))
    log_path = log_dir / "streamlit.log"
    port = _free_port()
    full_env = {**os.environ, "MLP_STUDIO_MAX_JOBS": "2", **(env or {})}
    command = [sys.executable, "-m", "streamlit", "run", "streamlit_app.py",
               "--server.address", "127.0.0.1", "--server.headless", "true",
               "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
               "--server.port", str(port)]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=full_env, stdout=log,
                                   stderr=subprocess.STDOUT)
    server = StudioServer(port, log_path, process)
    _say(request, f"MLP Studio browser tests: Streamlit ({name}) on {server.url}, log {log_path}")
    previous = _server
    try:
        _server_started = True
        _wait_healthy(server)
        _server = server
        yield server
    finally:
        _server = previous
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture(scope="session")
def studio_server(browser_requirements, request):
    """The app served on a free port of 127.0.0.1; always terminated at the end."""
    with serve_studio(request) as server:
        yield server


def _say(request, line):
    """Print ``line`` on the terminal even while pytest captures output."""
    print(line)
    plugins = request.config.pluginmanager
    reporter, capture = plugins.get_plugin("terminalreporter"), plugins.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line(line)


@pytest.fixture(scope="session")
def browser(browser_requirements):
    """Headless system Chromium."""
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=browser_requirements,
                                              headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def shots_dir():
    """``test-output/browser/`` at the repo root (gitignored), without old failure shots."""
    SHOTS_DIR.mkdir(parents=True, exist_ok=True)
    for old in SHOTS_DIR.glob("FAILED-*.png"):
        old.unlink()
    return SHOTS_DIR


def new_studio_page(browser, server, shots, path="/", **context_options):
    """A fresh browser context (a new visitor) with the app open at ``path``."""
    options = {"viewport": VIEWPORT, "accept_downloads": True, **context_options}
    context = browser.new_context(**options)
    context.set_default_timeout(ACTION_MS)
    studio = StudioPage(context.new_page(), server, shots)
    _open_pages.append(studio)
    studio.open(path)
    return studio


@pytest.fixture(scope="session")
def new_visitor(browser, studio_server, shots_dir):
    """``new_visitor(path="/")``: a new browser context with the app open; the caller closes it."""

    def open_(path="/"):
        return new_studio_page(browser, studio_server, shots_dir, path)

    return open_


@pytest.fixture
def open_studio(new_visitor):
    """``open_studio(path="/")``: the app in a new browser context, closed after the test."""
    opened = []

    def open_(path="/"):
        studio = new_visitor(path)
        opened.append(studio)
        return studio

    yield open_
    for studio in opened:
        studio.close()


# --------------------------------------------------------------------------------------
# Failure reports: the server log tail and a screenshot of every open page
# --------------------------------------------------------------------------------------

@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if not report.failed or "studio_server" not in item.fixturenames:
        return
    if _server is not None:
        report.sections.append((f"Streamlit log tail ({_server.log_path})", _server.log_tail()))
    names = []
    for i, studio in enumerate(list(_open_pages)):
        name = f"FAILED-{item.name}-{report.when}-{i}.png"
        try:
            studio.page.screenshot(path=str(SHOTS_DIR / name), full_page=True, timeout=10_000)
        except PlaywrightError as exc:  # the page may be the thing that broke
            names.append(f"{name}: not taken ({exc.__class__.__name__})")
        else:
            names.append(str(SHOTS_DIR / name))
    if names:
        report.sections.append(("Screenshots of the open pages", "\n".join(names)))


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item):
    if "studio_server" in item.fixturenames:
        _open_pages[:] = [s for s in _open_pages if not s.closed]


def pytest_terminal_summary(terminalreporter):
    if _server_started and SHOTS_DIR.is_dir():
        terminalreporter.write_line(f"Browser screenshots: {SHOTS_DIR}")


