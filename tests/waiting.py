"""Waiting on a condition in tests (no fixed sleeps), and whether a process still runs."""

import time


def wait_until(predicate, timeout=30.0, interval=0.01):
    """True as soon as ``predicate()`` holds; False if it still does not after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return bool(predicate())


def alive(pid):
    """Whether process ``pid`` still runs (a zombie, ended but not yet reaped, does not)."""
    try:
        with open(f"/proc/{pid}/status") as fh:
            return "zombie" not in fh.read()
    except (FileNotFoundError, ProcessLookupError):  # gone (ESRCH: while being read)
        return False
