"""The live views' refresh interval grows with the number of views and stays bounded."""

from studio.live_rate import LiveRate


def test_the_defaults_keep_every_view_moving_at_least_every_two_seconds():
    rate = LiveRate()
    for view in range(100):
        rate.tick(view, now=0.0)
    assert rate.interval(now=0.0) < 2.0 and LiveRate().interval(now=0.0) >= 0.5


def test_few_views_refresh_fast_many_are_stretched_up_to_the_cap():
    rate = LiveRate(fastest=0.5, slowest=1.5, per_view=0.25, window=5.0)
    assert rate.interval(now=0.0) == 0.5
    for view in range(4):
        rate.tick(view, now=0.0)
    assert rate.active(now=1.0) == 4 and rate.interval(now=1.0) == 1.0
    for view in range(4, 20):
        rate.tick(view, now=1.0)
    assert rate.interval(now=1.0) == 1.5


def test_views_that_stopped_ticking_are_forgotten():
    rate = LiveRate(window=5.0)
    rate.tick("a", now=0.0)
    rate.tick("b", now=4.0)
    assert rate.active(now=6.0) == 1
    assert rate.active(now=10.0) == 0
