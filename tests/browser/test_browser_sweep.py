"""The Sweep page in a real browser: a two-setting sweep to its heatmap and table, its
results downloaded and opened again, a run kept as a model; closing the tab cancels a sweep."""

import os
import time

import pytest
from waiting import alive, wait_until

from studio.sweep.results import read_results

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]


def sweep_workers(server_pid):
    """The server's loky worker processes (the sweep's runs)."""
    from benchmarks.common import descendants
    found = []
    for pid in descendants(server_pid):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as fh:
                command = fh.read()
        except OSError:
            continue
        if b"loky" in command and b"resource_tracker" not in command and alive(pid):
            found.append(pid)
    return found


def start_small_sweep(s):
    s.go("Build")
    s.set_number("Epochs", 3)
    s.go("Sweep")
    s.set_text("Learning rate values", "0.0003 0.03")
    s.choose("and", "Hidden width")
    s.set_text("Hidden width values", "8 32")
    s.wait_for(s.main.get_by_text("4 runs (4 points x 1 seed)"), "the run count and estimate")
    s.click("Start the sweep")


def test_a_sweep_runs_to_its_heatmap_and_its_results_and_best_model_can_be_kept(open_studio,
                                                                                tmp_path):
    s = open_studio("/")
    start_small_sweep(s)
    s.expect_alert("Success", "4 runs finished.", timeout=120_000)
    s.shot("12a-sweep-finished")
    heat = s.live_chart("validation accuracy (%)")
    assert heat is not None, "the heatmap is drawn"
    table = s.wait_until(lambda: s.table_rows(s.main.locator('[data-testid="stDataFrame"]')
                                              .first), "the results table has rows")
    header, rows = table[0], table[1:]
    assert len(rows) == 4, rows
    score = header.index("validation accuracy (%)")
    shown = {(float(r[header.index("Learning rate")]), int(r[header.index("Hidden width")])):
             float(r[score]) for r in rows}
    assert shown[(0.03, 32)] > shown[(0.0003, 8)], shown   # a usable rate and width learn more
    with s.page.expect_download() as download:
        s.button("Download the results (CSV)").click()
    path = tmp_path / "sweep-results.csv"
    download.value.save_as(path)
    sweep, results, task = read_results(path.read_bytes())
    assert task == "classification" and len(results) == 4
    for r in results:   # the file holds what the table showed
        key = (r["values"]["learning_rate"], r["values"]["hidden_width"])
        assert abs(100 * r["val_metric"][-1] - shown[key]) < 0.01
    best = max(results, key=lambda r: r["val_metric"][-1])
    s.click("Keep its model as a run")
    s.wait_for_title("Evaluate")
    s.expect_alert("Success", f"Sweep run {best['index'] + 1} is now the current model")
    s.go("Sweep")
    s.upload("Open a results file", {"name": "sweep-results.csv", "mimeType": "text/csv",
                                     "buffer": path.read_bytes()})
    s.expect_alert("Success", "4 runs read from sweep-results.csv.")
    s.assert_no_errors("the Sweep page with a results file")


def test_closing_the_tab_cancels_the_sweep_and_its_workers_end(open_studio, studio_server):
    s = open_studio("/")
    s.go("Build")
    s.set_number("Epochs", 500)
    s.set_number("Batch size", 8)
    s.go("Sweep")
    s.set_text("Learning rate values", "0.001 0.002 0.003")
    s.click("Start the sweep")
    assert wait_until(lambda: sweep_workers(studio_server.process.pid), timeout=60), \
        "the sweep's workers started"
    s.wait_for(s.button("Cancel the sweep"), "the Cancel button")
    s.page.context.close()
    began = time.monotonic()
    assert wait_until(lambda: not sweep_workers(studio_server.process.pid), timeout=90), \
        f"the sweep's workers still run: {sweep_workers(studio_server.process.pid)}"
    assert time.monotonic() - began < 90
    assert os.path.exists(f"/proc/{studio_server.process.pid}")   # the server itself lives on
