"""Workspaces and the registry that releases them when their visitor has left."""

import gc

from studio.sessions import SessionRegistry, Workspace


class FakeJob:
    def __init__(self):
        self.stopped = False

    def stop(self):
        self.stopped = True


class FakeRecord:
    def __init__(self, run_id):
        self.run_id, self.job = run_id, FakeJob()


def filled_workspace():
    workspace = Workspace()
    first, second = FakeRecord(1), FakeRecord(2)
    workspace.runs = {1: first, 2: second}
    workspace.model = second
    workspace.csv_dataset = object()
    return workspace, [first, second]


def test_release_stops_every_job_and_drops_every_model():
    workspace, records = filled_workspace()
    assert workspace.records() == records
    workspace.release()
    assert all(r.job.stopped for r in records)
    assert workspace.model is None and workspace.runs == {} and workspace.csv_dataset is None
    assert workspace.released


def test_release_cancels_the_sweep_and_drops_its_results():
    class FakeSweep:
        cancelled = False

        def cancel(self):
            self.cancelled = True

    workspace, _ = filled_workspace()
    workspace.sweep = sweep = FakeSweep()
    workspace.release()
    assert sweep.cancelled and workspace.sweep is None


def test_a_session_gone_longer_than_the_grace_is_released_once():
    connected = {"a": True, "b": True}
    registry = SessionRegistry(lambda sid: connected[sid], grace_seconds=30)
    a, records = filled_workspace()
    b, _ = filled_workspace()
    registry.register("a", a)
    registry.register("b", b)
    connected["a"] = False
    assert registry.sweep(now=100.0) == []          # first seen gone: the grace starts
    assert registry.sweep(now=129.0) == [] and not a.released
    assert registry.sweep(now=130.0) == ["a"]
    assert a.released and all(r.job.stopped for r in records)
    assert not b.released and len(registry) == 1
    assert registry.sweep(now=500.0) == []          # forgotten after release


def test_a_visitor_back_within_the_grace_keeps_everything():
    connected = {"a": False}
    registry = SessionRegistry(lambda sid: connected[sid], grace_seconds=30)
    a, _ = filled_workspace()
    registry.register("a", a)
    registry.sweep(now=0.0)
    connected["a"] = True
    registry.sweep(now=20.0)
    connected["a"] = False
    assert registry.sweep(now=40.0) == []           # the clock restarted at the reconnect
    assert registry.sweep(now=69.0) == [] and not a.released
    assert registry.sweep(now=70.0) == ["a"]


def test_sessions_the_server_cannot_judge_are_never_released():
    registry = SessionRegistry(lambda sid: None, grace_seconds=0)
    a, _ = filled_workspace()
    registry.register("a", a)
    assert registry.sweep(now=1e9) == [] and not a.released


def test_the_registry_does_not_keep_a_dropped_session_alive():
    registry = SessionRegistry(lambda sid: True)
    workspace, _ = filled_workspace()
    registry.register("a", workspace)
    assert len(registry) == 1
    del workspace
    gc.collect()
    assert len(registry) == 0
    assert registry.sweep() == []


def test_the_janitor_thread_releases_without_being_asked():
    registry = SessionRegistry(lambda sid: False, grace_seconds=0.0, check_seconds=0.02)
    workspace, _ = filled_workspace()
    registry.register("a", workspace)
    import time
    deadline = time.monotonic() + 10
    while not workspace.released and time.monotonic() < deadline:
        time.sleep(0.02)
    assert workspace.released
