"""The page object the browser tests drive MLP Studio with: :class:`StudioPage`.

Streamlit reruns the script after every interaction, so nothing here sleeps for
a fixed time: each helper waits for the content it expects, or for the script to
finish a rerun it has seen start, and fails with a message naming what it waited
for plus the tail of the server log. (The fixtures that make a server, a browser
and a page are in ``conftest.py``.)
"""

import base64
import re
import time

import numpy as np

try:
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
except ImportError:  # conftest reports the missing Playwright and skips
    PlaywrightError = PlaywrightTimeout = Exception
try:  # to count the script runs the server reports over the websocket
    from google.protobuf.message import DecodeError
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
except ImportError:
    ForwardMsg = None

READY = ('[data-testid="stApp"][data-test-connection-state="CONNECTED"]'
         '[data-test-script-state="notRunning"]')
PAGE_TITLES = {"Build": "Build a network", "Train": "Train", "Evaluate": "Evaluate",
               "Draw": "Draw a digit", "Inside the network": "Inside the network",
               "Sweep": "Sweep"}
ACTION_MS = 30_000          # a click, a rerun, a page switch

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

    def set_text(self, label, value):
        """Type ``value`` into the text input labelled ``label`` and wait for the rerun."""
        box = self.wait_for(self.widget("stTextInput", label), f"the text input {label!r}")
        field = box.locator("input")
        if field.input_value() == value:
            return
        field.fill(value)
        self.rerun(lambda: field.press("Enter"), what=f"typing {value!r} into {label!r}")

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

    def svg_texts(self):
        """The text of every SVG picture on the page (the Build page's diagram and samples)."""
        return self.main.locator('[data-testid="stImage"] img').evaluate_all(
            "imgs => imgs.map(i => i.src).filter(s => s.startsWith('data:image/svg+xml;base64,'))"
            ".map(s => new TextDecoder().decode(Uint8Array.from(atob(s.split(',')[1]), "
            "c => c.charCodeAt(0))))")

    def share_link(self):
        """The Build page's share link, its popover opened as a visitor would."""
        code = self.page.locator('[data-testid="stPopoverBody"] [data-testid="stCode"]')
        if not code.count():
            self.main.get_by_role("button", name="Share these settings").click()
        return self.wait_for(code, "the share link").first.inner_text().strip()

    def live_chart(self, title):
        """{"legend": [labels], "lines": [path data]} of the Vega-Lite chart titled ``title``
        (the Train page's live charts, drawn as SVG), or None while there is none."""
        return self.main.locator(".vega-embed svg.marks").evaluate_all(
            """(svgs, title) => { for (const svg of svgs) {
                 const heading = svg.querySelector('.role-title-text text');
                 if (!heading || heading.textContent !== title) continue;
                 return {legend: [...svg.querySelectorAll('.role-legend-label text')]
                                   .map(t => t.textContent),
                         lines: [...svg.querySelectorAll('.mark-line path')]
                                  .map(p => p.getAttribute('d') || '')}; }
               return null; }""", title)

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
