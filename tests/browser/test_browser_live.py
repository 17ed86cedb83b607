"""The live views in a real browser: the sidebar follows the Train page while a job trains."""

import re
import time

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]
EPOCHS = 300
PAGE_EPOCH = re.compile(r"Epoch (\d+)/(\d+)")
SIDEBAR_EPOCH = re.compile(r"running · epoch (\d+)/(\d+)")


def epochs_shown(s):
    """(the page's epoch, the sidebar's epoch) at one moment, or None while either is missing."""
    page = PAGE_EPOCH.search(s.progress_text())
    side = SIDEBAR_EPOCH.search(s.sidebar_text())
    return (int(page.group(1)), int(side.group(1))) if page and side else None


def test_the_sidebar_epoch_follows_the_page_while_training(open_studio):
    s = open_studio("/")
    s.set_number("Batch size", 1)          # about a quarter of a second per Digits epoch
    s.set_number("Epochs", EPOCHS)
    s.click("Build network", timeout=60_000)
    s.go("Train")
    s.click("Start")
    samples = []
    deadline = time.monotonic() + 60
    while len(samples) < 6 and time.monotonic() < deadline:
        pair = epochs_shown(s)
        if pair and pair[0] >= 3:
            samples.append(pair)
        time.sleep(1.5)
    assert len(samples) >= 4, f"too few readings of a running job: {samples}"
    sidebar = [side for _, side in samples]
    assert sidebar[-1] > sidebar[0], f"the sidebar's epoch does not move: {samples}"
    # Both refresh on their own timers (the sidebar at half the page's rate): a few epochs
    # apart at most, never the "epoch 0" of a sidebar drawn once when training started.
    assert all(abs(page - side) <= 12 for page, side in samples), samples

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
