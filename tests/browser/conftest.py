"""Real-browser fixtures: a Streamlit server, headless Chromium, and a page object for MLP Studio.

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

Streamlit reruns the script after every interaction, so nothing here sleeps
for a fixed time: each helper waits for the content it expects, or for the
script to finish a rerun it has seen start, and fails with a message naming
what it waited for plus the tail of the server log.
"""

import base64
import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import numpy as np
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
try:  # to count the script runs the server reports over the websocket
    from google.protobuf.message import DecodeError
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
except ImportError:
    ForwardMsg = None

ROOT = Path(__file__).resolve().parents[2]
SHOTS_DIR = ROOT / "test-output" / "browser"
DEFAULT_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--no-first-run"]
VIEWPORT = {"width": 1400, "height": 1000}
READY = ('[data-testid="stApp"][data-test-connection-state="CONNECTED"]'
         '[data-test-script-state="notRunning"]')
PAGE_TITLES = {"Build": "Build a network", "Train": "Train", "Evaluate": "Evaluate",
               "Draw": "Draw a digit", "Inside the network": "Inside the network"}
STARTUP_SECONDS = 60
ACTION_MS = 30_000          # a click, a rerun, a page switch

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
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True, **context_options)
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


# --------------------------------------------------------------------------------------
# The page object
# --------------------------------------------------------------------------------------

# Counts changes of the app's script state from now on, so that a helper can wait for
# "a rerun started and finished" instead of sleeping (the state may still read
# notRunning for a moment after a click).
_ARM_RERUN_JS = """() => {
  if (!window.__studioObserver) {
    window.__studioObserver = new MutationObserver(records => {
      window.__studioChanges += records.length;
    });
    // the whole document: a re-mounted stApp element is watched too
    window.__studioObserver.observe(document.documentElement, {
      attributes: true, subtree: true, attributeFilter: ['data-test-script-state']});
  }
  window.__studioChanges = 0;
}"""
_RERUN_DONE_JS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  return window.__studioChanges > 0 && app !== null
    && app.getAttribute('data-test-script-state') === 'notRunning'
    && app.getAttribute('data-test-connection-state') === 'CONNECTED';
}"""
_CONTENT_HEIGHT_JS = """() => {
  const main = document.querySelector('[data-testid="stMain"]');
  let height = document.documentElement.scrollHeight;
  for (let el = main; el; el = el.parentElement) {
    height = Math.max(height, el.scrollHeight + (window.innerHeight - el.clientHeight));
  }
  return Math.ceil(height);
}"""
_TWO_FRAMES_JS = """() => new Promise(done =>
  requestAnimationFrame(() => requestAnimationFrame(() => done(true))))"""
# The traces of a Plotly chart: names, types and x / y values. Plotly 7 sends arrays as
# {bdata, dtype}; plotly.js keeps the decoded typed array in ``_inputArray``.
_TRACES_JS = """(el) => {
  if (!el.data) return null;
  const pick = v => {
    if (v === undefined || v === null) return null;
    if (Array.isArray(v)) return v;
    if (ArrayBuffer.isView(v)) return Array.from(v);
    if (v._inputArray && ArrayBuffer.isView(v._inputArray)) return Array.from(v._inputArray);
    if (v.bdata) return {bdata: v.bdata, dtype: v.dtype, shape: v.shape || null};
    return null;
  };
  return el.data.map(t => ({name: t.name ?? null, type: t.type ?? null,
                            x: pick(t.x), y: pick(t.y)}));
}"""
_TABLE_JS = """(el) => Array.from(el.querySelectorAll('table tr'))
  .map(tr => Array.from(tr.querySelectorAll('th, td')).map(c => c.innerText.trim()))"""


JOINER = "\u2060"  # the app puts this invisible word joiner after ':' and '@' in outside text


def shown(text):
    """``text`` as a reader sees it: without the invisible word joiners."""
    return text.replace(JOINER, "")


def as_shown(text):
    """A pattern matching ``text`` on the page, with or without joiners after ':' and '@'."""
    pattern = re.escape(text)
    for mark in (":", "@"):
        pattern = pattern.replace(re.escape(mark), re.escape(mark) + f"{JOINER}?")
    return re.compile(pattern)


def _decode_array(value):
    if isinstance(value, dict) and "bdata" in value:
        array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
        return array.reshape([int(n) for n in str(value["shape"]).split(",")]) \
            if value.get("shape") else array
    return None if value is None else np.array(value, dtype=float)


class StudioPage:
    """One visitor's tab of MLP Studio, with waits that report what they waited for."""

    def __init__(self, page, server, shots):
        self.page = page
        self.server = server
        self.shots = shots
        self.closed = False
        self.finished_runs = 0              # script (or fragment) runs the server finished
        page.on("websocket", lambda ws: ws.on("framereceived", self._on_frame))

    def _on_frame(self, payload):
        # A ForwardMsg "script_finished" is a few bytes; deltas (charts) can be megabytes.
        if ForwardMsg is None or not isinstance(payload, bytes) or len(payload) > 512:
            return
        try:
            message = ForwardMsg.FromString(payload)
        except DecodeError:
            return
        if message.WhichOneof("type") == "script_finished":
            self.finished_runs += 1

    # ---- basics ---------------------------------------------------------------------
    def fail(self, what):
        raise AssertionError(f"{what}\n(page URL: {self.page.url})\n{self.server.describe()}")

    def wait_for(self, locator, what, timeout=ACTION_MS, state="visible"):
        """Wait until ``locator`` is visible (or ``state``); fail naming ``what``."""
        try:
            locator.first.wait_for(state=state, timeout=timeout)
        except PlaywrightTimeout:
            self.fail(f"Timed out after {timeout / 1000:.0f} s waiting for {what}.")
        return locator.first

    def wait_until(self, predicate, what, timeout=ACTION_MS, interval=0.25):
        """Poll ``predicate()`` until it returns a truthy value and return that value."""
        deadline = time.monotonic() + timeout / 1000
        last = None
        while True:
            try:
                last = predicate()
            except PlaywrightError as exc:   # an element replaced by a rerun: try again
                last = None
                error = exc
            else:
                error = None
            if last:
                return last
            if time.monotonic() > deadline:
                extra = f" Last error: {error}" if error else ""
                self.fail(f"Timed out after {timeout / 1000:.0f} s waiting until {what}.{extra}")
            time.sleep(interval)

    def ready(self, timeout=ACTION_MS):
        """The app is connected and its script is not running."""
        try:
            self.page.wait_for_selector(READY, timeout=timeout)
        except PlaywrightTimeout:
            self.fail(f"The app was not idle after {timeout / 1000:.0f} s.")

    def rerun(self, action, timeout=ACTION_MS, what="an action", required=True):
        """Do ``action`` and wait until the rerun it causes has finished.

        A run counts as finished when the server says so over the websocket, or when the
        page's script state was seen changing and is back to notRunning (a busy browser
        can render a quick run's start and end in one frame, so neither is enough alone).
        Returns False when no rerun finished in time and ``required`` is False.
        """
        self.page.evaluate(_ARM_RERUN_JS)
        before = self.finished_runs
        action()
        deadline = time.monotonic() + timeout / 1000
        while self.finished_runs == before:
            try:
                if self.page.evaluate(_RERUN_DONE_JS):
                    break
            except PlaywrightError:         # the page is navigating: look again
                pass
            if time.monotonic() > deadline:
                if required:
                    self.fail(f"No rerun finished within {timeout / 1000:.0f} s after {what}.")
                return False
            self.page.wait_for_timeout(50)  # lets Playwright deliver the websocket frames
        self.ready(timeout=timeout)
        return True

    def open(self, path="/"):
        self.page.goto(self.server.url + path)
        self.ready(timeout=60_000)
        self.wait_for(self.page.locator('[data-testid="stSidebar"]').get_by_text("MLP Studio"),
                      "the sidebar of MLP Studio", timeout=60_000)

    def close(self):
        if not self.closed:
            self.closed = True
            self.page.context.close()

    def shot(self, name, full=True):
        """Screenshot ``test-output/browser/<name>.png``: the whole page, or the viewport.

        Streamlit scrolls inside its main container, not the document, so Playwright's
        ``full_page`` stops at the viewport: the viewport is stretched to the content instead.
        """
        path = self.shots / f"{name}.png"
        size = self.page.viewport_size
        height = self.page.evaluate(_CONTENT_HEIGHT_JS) if full else size["height"]
        if height > size["height"]:
            self.page.set_viewport_size({"width": size["width"], "height": min(height, 10_000)})
            self.page.evaluate(_TWO_FRAMES_JS)
        try:
            self.page.screenshot(path=str(path), full_page=True)
        finally:
            if height > size["height"]:
                self.page.set_viewport_size(size)
        return path

    # ---- where things are -----------------------------------------------------------
    @property
    def main(self):
        return self.page.locator('[data-testid="stMain"]')

    @property
    def sidebar(self):
        return self.page.locator('[data-testid="stSidebar"]')

    def sidebar_text(self):
        return shown(self.sidebar.inner_text())

    def keyed(self, key):
        """The element container of the element with ``key`` (Streamlit adds ``st-key-<key>``)."""
        return self.page.locator(f".st-key-{key.replace('.', '-')}")

    def widget(self, testid, label):
        """The widget of type ``testid`` (e.g. stNumberInput) whose label is exactly ``label``."""
        label_el = self.page.locator('[data-testid="stWidgetLabel"]').get_by_text(label,
                                                                                   exact=True)
        return self.main.locator(f'[data-testid="{testid}"]').filter(has=label_el)

    def button(self, name):
        return self.main.get_by_role("button", name=name, exact=True)

    def alerts(self, kind):
        """st.error / warning / info / success boxes: kind = Error, Warning, Info, Success."""
        return self.page.locator(f'[data-testid="stAlertContent{kind}"]')

    def alert_texts(self, kind):
        return [shown(t).strip() for t in self.alerts(kind).all_inner_texts()]

    def expect_alert(self, kind, text, timeout=ACTION_MS):
        """Wait for an alert of ``kind`` containing ``text``; return its full text."""
        box = self.alerts(kind).filter(has_text=as_shown(text))
        self.wait_for(box, f"an st.{kind.lower()} containing {text!r} "
                           f"(alerts now: {self._all_alerts()})", timeout=timeout)
        return shown(box.first.inner_text()).strip()

    def _all_alerts(self):
        try:
            return self.page.locator('[data-testid="stAlert"]').all_inner_texts()
        except PlaywrightError:
            return "?"

    def assert_no_errors(self, where):
        errors = self.alert_texts("Error")
        exceptions = self.page.locator('[data-testid="stException"]').all_inner_texts()
        if errors or exceptions:
            self.fail(f"{where}: unexpected errors {errors} / exceptions {exceptions}")

    # ---- navigation -----------------------------------------------------------------
    def go(self, name):
        """Switch page with the sidebar navigation and wait for the page's title."""
        # The link's text also holds its icon (a material icon's name is text), so match the
        # label's own element exactly.
        link = self.page.locator('[data-testid="stSidebarNav"] a').get_by_text(name, exact=True)
        self.wait_for(link, f"the sidebar link to {name}").click()
        self.wait_for_title(name)

    def wait_for_title(self, name, timeout=ACTION_MS):
        title = self.main.locator("h1").filter(
            has_text=re.compile(rf"^\s*{re.escape(PAGE_TITLES[name])}\s*$"))
        self.wait_for(title, f"the {name} page (title {PAGE_TITLES[name]!r})", timeout=timeout)
        self.ready(timeout=timeout)

    # ---- widgets --------------------------------------------------------------------
    def click(self, name, timeout=ACTION_MS):
        """Click the main-area button called ``name`` and wait for the rerun."""
        button = self.wait_for(self.button(name), f"the button {name!r}", timeout=timeout)
        self.rerun(button.click, timeout=timeout, what=f"clicking {name!r}")

    def set_number(self, label, value):
        """Type ``value`` into the number input labelled ``label`` and wait for the rerun."""
        box = self.wait_for(self.widget("stNumberInput", label), f"the number input {label!r}")
        field = box.locator("input")
        if field.input_value() == str(value):
            return
        field.fill(str(value))
        self.rerun(lambda: field.press("Enter"), what=f"typing {value} into {label!r}")
        shown = self.widget("stNumberInput", label).locator("input")
        self.wait_until(lambda: shown.input_value() == str(value),
                        f"the number input {label!r} shows {value}")

    def number(self, label):
        box = self.wait_for(self.widget("stNumberInput", label), f"the number input {label!r}")
        return box.locator("input").input_value()

    def choose(self, label, option):
        """Pick ``option`` in the select box labelled ``label`` and wait for the rerun."""
        box = self.widget("stSelectbox", label)
        for _ in range(3):                  # a rerun may close the list under the mouse
            if self.selected(label) == option:
                return
            box.get_by_role("button", name="Open").click()
            choice = self.wait_for(self.page.get_by_role("option", name=option, exact=True),
                                   f"the option {option!r} of {label!r}")
            self.rerun(choice.click, timeout=10_000, required=False)
            self.ready()
        self.wait_until(lambda: self.selected(label) == option,
                        f"the select box {label!r} shows {option!r}")

    def selected(self, label):
        """The option shown by the select box labelled ``label``."""
        box = self.wait_for(self.widget("stSelectbox", label), f"the select box {label!r}")
        return box.get_by_role("combobox").input_value()

    def uploader_input(self, label):
        box = self.wait_for(self.widget("stFileUploader", label), f"the uploader {label!r}")
        return box.locator('input[type="file"]')

    def upload(self, label, file):
        """Upload ``file`` (a path, or a dict name/mimeType/buffer) with the uploader ``label``."""
        field = self.uploader_input(label)
        self.rerun(lambda: field.set_input_files(file), what=f"uploading to {label!r}")

    # ---- reading the page -----------------------------------------------------------
    def metric(self, label, timeout=ACTION_MS):
        """The value shown by the st.metric labelled ``label``."""
        box = self.main.locator('[data-testid="stMetric"]').filter(
            has=self.page.locator('[data-testid="stMetricLabel"]').get_by_text(label, exact=True))
        value = self.wait_for(box, f"the metric {label!r}", timeout=timeout)
        return value.locator('[data-testid="stMetricValue"]').inner_text().strip()

    def chart(self, key):
        """The plotly element of the chart with ``key``."""
        return self.keyed(key).locator(".js-plotly-plot")

    def chart_traces(self, key):
        """[{name, type, x, y}] of the chart with ``key`` (arrays as ndarrays), or None."""
        chart = self.chart(key)
        if chart.count() == 0:
            return None
        traces = chart.first.evaluate(_TRACES_JS)
        if traces is None:
            return None
        return [{**t, "x": _decode_array(t["x"]), "y": _decode_array(t["y"])} for t in traces]

    def chart_title(self, key):
        return self.chart(key).first.evaluate(
            "el => { const t = el.layout && el.layout.title; "
            "return (t && (t.text ?? t)) || ''; }")

    def table_rows(self, locator):
        """Header and rows of an st.dataframe as lists of cell texts."""
        return locator.evaluate(_TABLE_JS)

    def progress_text(self):
        """The text of the Train page's progress bar ("Epoch 3/30 · batch ...")."""
        bars = self.main.locator('[data-testid="stProgress"]')
        return bars.first.inner_text().strip() if bars.count() else ""

    # ---- the canvas -----------------------------------------------------------------
    def draw(self, strokes):
        """Draw ``strokes`` on the drawing canvas: lists of (x, y) fractions of its size.

        Each stroke is one press, drag and release, which sends the drawing to the app.
        """
        canvas = self.wait_for(self.page.locator("canvas.upper-canvas"), "the drawing canvas")
        canvas.scroll_into_view_if_needed()
        box = canvas.bounding_box()
        mouse = self.page.mouse
        for stroke in strokes:
            points = [(box["x"] + fx * box["width"], box["y"] + fy * box["height"])
                      for fx, fy in stroke]

            def one_stroke(points=points):
                mouse.move(*points[0])
                mouse.down()
                for x, y in points[1:]:
                    mouse.move(x, y, steps=12)
                mouse.up()

            self.rerun(one_stroke, what="a stroke on the canvas")
