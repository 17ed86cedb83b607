"""How often live views refresh, shared fairly among the visitors watching one server.

Every running job's live view ticks; the server counts the views that ticked
recently and stretches everyone's interval as their number grows, so the cost
of live views stays bounded however many visitors watch at once.
"""

import threading
import time


class LiveRate:
    """Refresh interval for live views: ``per_view`` seconds per active view, within bounds.

    Parameters
    ----------
    fastest, slowest : float
        The interval with few views, and the cap (a view still moves every ``slowest`` s).
    per_view : float
        Seconds added per active view.
    window : float
        A view counts as active for this long after its last tick.
    """

    def __init__(self, fastest=1.0, slowest=1.75, per_view=0.25, window=5.0):
        self.fastest, self.slowest, self.per_view, self.window = fastest, slowest, per_view, window
        self._lock = threading.Lock()
        self._ticks = {}

    def tick(self, view, now=None):
        """``view`` (any hashable) refreshed now."""
        now = time.monotonic() if now is None else now
        with self._lock:
            self._ticks[view] = now

    def active(self, now=None):
        """Views that ticked within the window (older ones are forgotten)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            for view in [v for v, t in self._ticks.items() if now - t > self.window]:
                del self._ticks[view]
            return len(self._ticks)

    def interval(self, now=None):
        """Seconds between refreshes of one live view."""
        return min(self.slowest, max(self.fastest, self.per_view * self.active(now)))
