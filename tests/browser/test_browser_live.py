"""The live views in a real browser: the Train page and the sidebar while a job trains."""

import re
import time

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]
EPOCHS = 300
PAGE_EPOCH = re.compile(r"Epoch (\d+)/(\d+)")
SIDEBAR_EPOCH = re.compile(r"running · epoch (\d+)/(\d+)")


def test_the_sidebar_follows_the_job_on_every_page_but_train(open_studio):
    s = open_studio("/")
    s.set_number("Batch size", 1)          # about a quarter of a second per Digits epoch
    s.set_number("Epochs", EPOCHS)
    s.click("Build network", timeout=60_000)
    s.go("Train")
    s.click("Start")
    s.wait_until(lambda: (m := PAGE_EPOCH.search(s.progress_text())) and int(m.group(1)) >= 3,
                 "a few epochs on the page")
    # The Train page's own progress line is the live view there: the sidebar names the
    # status and points to it instead of polling the same job a second time.
    assert "running · progress on this page" in s.sidebar_text(), s.sidebar_text()
    assert not SIDEBAR_EPOCH.search(s.sidebar_text()), s.sidebar_text()

    # Leaving Train mid-training leaves no live view behind that the server then complains
    # about ("fragment ... does not exist anymore"), while the sidebar stays live elsewhere.
    log_before = s.server.log_path.read_text(errors="replace").count("does not exist")
    s.go("Draw")
    first = SIDEBAR_EPOCH.search(s.sidebar_text())
    time.sleep(8)
    later = SIDEBAR_EPOCH.search(s.sidebar_text())
    assert first and later and int(later.group(1)) > int(first.group(1)), (first, later)
    log = s.server.log_path.read_text(errors="replace")
    assert log.count("does not exist") == log_before, s.server.describe()
    s.go("Train")
    s.click("Stop")


# Every animation frame: whether the Train page's two charts are drawn (lines in their SVG),
# whether a chart element was removed from the page (drawn anew rather than updated), and
# whether a metric is faded (Streamlit fades what it expects to replace while a rerun is slow).
WATCH_FRAMES = """() => {
  const f = window.__frames = {total: 0, undrawn: 0, faded: 0, removed: 0, seen: false};
  new MutationObserver(changes => { for (const change of changes)
    for (const node of change.removedNodes)
      if (node.nodeType === 1 && (node.matches('.vega-embed') || node.querySelector('.vega-embed')))
        f.removed++; }).observe(document.body, {childList: true, subtree: true});
  const tick = () => {
    const drawn = [...document.querySelectorAll('[data-testid="stMain"] .vega-embed svg.marks')]
      .filter(svg => svg.querySelector('.mark-line path') && svg.getBoundingClientRect().height > 50);
    if (drawn.length >= 2) f.seen = true;
    else if (f.seen) f.undrawn++;
    for (const m of document.querySelectorAll('[data-testid="stMain"] [data-testid="stMetric"]')) {
      let opacity = 1;
      for (let e = m; e; e = e.parentElement) opacity *= parseFloat(getComputedStyle(e).opacity);
      if (opacity < 0.9) { f.faded++; break; }
    }
    f.total++;
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}"""


def test_charts_update_in_place_through_training_and_every_status_change(open_studio):
    s = open_studio(f"/?ds=digits&ep={EPOCHS}&bs=8")
    s.click("Build network", timeout=60_000)
    s.go("Train")
    s.click("Start")
    s.wait_until(lambda: "samples/s" in s.progress_text(), "training to start")
    s.wait_until(lambda: s.live_chart("Loss during training"), "the live loss chart")
    s.page.evaluate(WATCH_FRAMES)
    time.sleep(3)                                           # live refreshes while running
    s.click("Pause")
    time.sleep(1)
    s.click("Resume")
    time.sleep(2)
    s.click("Stop")
    s.rerun(lambda: s.main.get_by_text("Loss on a log scale").click(), what="the log toggle")
    time.sleep(1)
    frames = s.page.evaluate("() => window.__frames")
    assert frames["seen"] and frames["total"] > 100, frames
    assert frames["undrawn"] == 0, f"a chart was missing in {frames['undrawn']} frames: {frames}"
    assert frames["removed"] == 0, f"a chart was removed and drawn anew: {frames}"
    assert frames["faded"] == 0, f"the metrics were faded in {frames['faded']} frames: {frames}"
    assert s.main.get_by_role("button", name="Train further").count() == 1
    assert "loss (log scale)" in s.main.locator(".vega-embed svg.marks").first.inner_html()
