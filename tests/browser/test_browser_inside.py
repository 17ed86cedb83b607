"""The Inside page in a real browser, and a closed tab that stops its job.

* While a 2-D model trains, the decision boundary on Inside changes by itself.
* The demonstration toggle trains the tutorial's three small networks and shows that
  only the non-linear hidden layers separate the classes.
* Closing the tab of a visitor whose job trains stops that job within the grace period.
"""

import hashlib
import re
import time

import pytest
from conftest import new_studio_page

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]
BOUNDARY_VALUES = """(el) => {
  const z = el.data && el.data[0] && el.data[0].z;
  if (!z) return null;
  return JSON.stringify(z.bdata ? z.bdata : Array.from(z, row => Array.from(row)));
}"""
STOPPED = re.compile(r"mlp_studio\.jobs: training: \d+ samples in [\d.]+ s, stopped")


def start_long_spirals(s, epochs=400):
    s.choose("Start from a preset", "Two spirals: see the boundary bend")
    s.click("Load preset")
    s.set_number("Epochs", epochs)
    s.set_number("Batch size", 2)           # slow enough to watch for many seconds
    s.click("Build network", timeout=60_000)
    s.expect_alert("Success", "Network built.")
    s.go("Train")
    s.click("Start")
    s.wait_until(lambda: "samples/s" in s.progress_text(), "the job trains")


def boundary_fingerprint(s):
    chart = s.chart("inside_boundary")
    if not chart.count():
        return None
    values = chart.first.evaluate(BOUNDARY_VALUES)
    return hashlib.sha1(values.encode()).hexdigest() if values else None


def test_the_boundary_moves_while_training_and_the_demonstration_runs(open_studio):
    s = open_studio("/")
    start_long_spirals(s)
    # The live view keeps the page busy while the job trains: wait for content, not for idle.
    s.page.locator('[data-testid="stSidebarNav"] a').get_by_text("Inside the network",
                                                                  exact=True).click()
    first = s.wait_until(lambda: boundary_fingerprint(s), "the decision boundary is drawn")
    s.wait_until(lambda: boundary_fingerprint(s) not in (None, first),
                 "the decision boundary changes while the network trains", timeout=60_000)
    s.shot("inside-live", full=False)

    s.wait_for(s.main.get_by_text("Run the demonstration", exact=True),
               "the demonstration toggle").click()
    def results():   # they appear one after another, as each network is trained
        found = s.main.get_by_text(re.compile(r"hidden layer: test accuracy")).all_inner_texts()
        return found if len(found) >= 3 else None

    texts = s.wait_until(results, "the demonstration's three results", timeout=120_000)
    accuracy = {m.group(1): int(m.group(2)) for m in
                (re.search(r"(\w+) hidden layer: test accuracy (\d+)%", t) for t in texts) if m}
    assert set(accuracy) == {"identity", "relu", "tanh"}, texts
    assert accuracy["identity"] < 70 <= min(accuracy["relu"], accuracy["tanh"]), accuracy
    s.assert_no_errors("Inside page")


def test_closing_the_tab_stops_its_job(browser, studio_server, shots_dir):
    before = len(STOPPED.findall(studio_server.log_path.read_text(errors="replace")))
    s = new_studio_page(browser, studio_server, shots_dir, "/")
    start_long_spirals(s, epochs=500)
    s.close()                                # the visitor leaves mid-training
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        log = studio_server.log_path.read_text(errors="replace")
        if len(STOPPED.findall(log)) > before:
            break
        time.sleep(1)
    else:
        pytest.fail("no job stopped within 120 s of its tab closing:\n"
                    + studio_server.describe())
