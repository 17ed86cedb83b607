"""The serve_load benchmark's harness still drives the app: a short run prints its table."""

import os
import subprocess
import sys

import pytest
from conftest import ROOT

pytestmark = [pytest.mark.browser, pytest.mark.timeout(600)]


def test_a_quick_serve_load_run_measures_every_row(browser_requirements):
    env = {**os.environ, "MLP_STUDIO_CHROMIUM": browser_requirements}
    run = subprocess.run([sys.executable, "benchmarks/serve_load.py", "--quick", "--epochs", "20"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=540)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    out = run.stdout
    for row in ("first page of a visitor arriving (median of 3)",
                "page switch, 9th visitor (median)",
                "longest wait for the epoch to move on a Train page",
                "training throughput, eight visitors training or queued"):
        line = next((line for line in out.splitlines() if line.startswith(row)), None)
        assert line is not None, f"no row {row!r} in:\n{out}"
        assert " s" in line or "samples/s" in line, line
    assert "3 visitors, Digits" in out and "REDUCED RUN" in out, out
