"""Waiting on a condition in tests: generous limits, no fixed sleeps."""

import time


def wait_until(predicate, timeout=30.0, interval=0.01):
    """True as soon as ``predicate()`` holds; False if it still does not after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return bool(predicate())
