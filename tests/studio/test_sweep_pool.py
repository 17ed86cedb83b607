"""A warm pool between sweeps: reused when it fits, never when cancelled, gone when idle."""

import logging

from waiting import alive, wait_until

from data import load_dataset
from studio.spec import ModelSpec
from studio.sweep import Axis, SweepJob, SweepSpec, SweepStatus
from studio.sweep.backends import make_backend
from studio.sweep.pool import PoolKeeper


def sweep(epochs=2, batch_size=64):
    spec = ModelSpec(dataset="digits", hidden_layers=[16], hidden_activations=["relu"],
                     epochs=epochs, batch_size=batch_size)
    s = SweepSpec(spec, [Axis("learning_rate", (0.003, 0.03))], [0])
    s.validate()
    return s


DIGITS = {("digits",): load_dataset("digits")}


def run(keeper, s=None, data=DIGITS, cancel=False):
    job = SweepJob(s or sweep(), lambda: make_backend("loky", workers=2, datasets=data,
                                                      keeper=keeper),
                   parallel=2, task="classification")
    job.start()
    if cancel:
        assert wait_until(lambda: job.snapshot().running == 2, timeout=60)
        job.cancel()
    job.join(timeout=120)
    assert not job.status.active
    return job


def test_the_next_sweep_with_the_same_data_gets_the_warm_pool_and_the_same_results():
    keeper = PoolKeeper()
    try:
        first = run(keeper)
        pool = keeper.idle
        assert pool is first.backend and len(pool.worker_pids()) == 2
        pids = pool.worker_pids()
        second = run(keeper)
        assert second.backend is pool and second.backend.worker_pids() == pids
        assert ({r["index"]: r["val_loss"] for r in first.snapshot().results}
                == {r["index"]: r["val_loss"] for r in second.snapshot().results})
    finally:
        keeper.clear()
    assert wait_until(lambda: not any(alive(p) for p in pids), timeout=20)


def test_other_data_gets_a_new_pool_and_the_old_one_is_shut_down():
    keeper = PoolKeeper()
    try:
        run(keeper)
        old = keeper.idle.worker_pids()
        other = {("digits",): load_dataset("digits")}    # another copy: another upload
        job = run(keeper, data=other)
        assert not set(job.backend.worker_pids()) & set(old)
        assert wait_until(lambda: not any(alive(p) for p in old), timeout=20)
    finally:
        keeper.clear()


def test_a_cancelled_pool_is_not_kept():
    keeper = PoolKeeper()
    job = run(keeper, sweep(epochs=500, batch_size=8), cancel=True)
    assert job.status is SweepStatus.CANCELLED and keeper.idle is None


def test_an_idle_pool_is_shut_down_after_its_time():
    keeper = PoolKeeper(idle_seconds=0.5)
    run(keeper)
    pids = keeper.idle.worker_pids()
    assert wait_until(lambda: keeper.idle is None, timeout=20)
    assert wait_until(lambda: not any(alive(p) for p in pids), timeout=20)


def test_a_pool_started_ahead_is_the_one_the_first_sweep_runs_on(monkeypatch):
    from studio.sweep import pool as pool_module
    started = []

    class Counted(pool_module.LocalBackend):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            started.append(self)

    monkeypatch.setattr(pool_module, "LocalBackend", Counted)
    keeper = PoolKeeper()
    try:
        assert keeper.prepare(2, DIGITS)
        # Asked for at once, before the pool is put together: the sweep waits for it rather
        # than start a second one.
        job = run(keeper)
        pool = job.backend
        assert started == [pool] and keeper.idle is pool and len(pool.worker_pids()) == 2
        assert not keeper.prepare(2, DIGITS)            # it fits: nothing more starts
        pids = pool.worker_pids()
        assert run(keeper).backend.worker_pids() == pids and started == [pool]
    finally:
        keeper.clear()
    assert wait_until(lambda: not any(alive(p) for p in pids), timeout=20)


def test_a_pool_started_ahead_has_its_processes_up_before_any_run():
    keeper = PoolKeeper()
    try:
        keeper.prepare(2, DIGITS)
        assert wait_until(lambda: keeper.idle is not None and
                          len(keeper.idle.worker_pids()) == 2, timeout=30)
        pool, pids = keeper.idle, keeper.idle.worker_pids()
        assert all(alive(p) for p in pids)
        # Another size (another visitor's sweep): the idle pool is not replaced ahead of
        # time, or two visitors' pages would swap pools at every rerun ...
        other = {("digits",): load_dataset("digits")}
        assert not keeper.prepare(1, DIGITS) and not keeper.prepare(2, other)
        assert keeper.idle is pool and all(alive(p) for p in pids)
        # ... the sweep that needs another pool gets one when it starts.
        job = run(keeper, data=other)
        assert not set(job.backend.worker_pids()) & set(pids)
        assert wait_until(lambda: not any(alive(p) for p in pids), timeout=20)  # one kept
    finally:
        keeper.clear()


def test_a_pool_started_ahead_that_no_sweep_takes_goes_after_the_idle_time():
    keeper = PoolKeeper(idle_seconds=0.5)
    keeper.prepare(2, DIGITS)
    assert wait_until(lambda: keeper.idle is not None, timeout=30)
    pids = keeper.idle.worker_pids()
    assert wait_until(lambda: keeper.idle is None, timeout=20)
    assert wait_until(lambda: not any(alive(p) for p in pids), timeout=20)


def test_a_pool_that_cannot_be_started_ahead_leaves_the_sweep_to_start_its_own(monkeypatch):
    from studio.sweep import backends
    records = []
    handler = logging.Handler()
    handler.emit = records.append
    logger = logging.getLogger("mlp_studio.sweep")
    logger.addHandler(handler)
    keeper = PoolKeeper()

    def no_room(*args, **kwargs):
        raise OSError(28, "No space left on device")

    try:
        with monkeypatch.context() as patched:
            patched.setattr(backends, "ship", no_room)
            assert keeper.prepare(2, DIGITS)
            assert wait_until(lambda: records, timeout=30)
        assert "could not be started ahead" in records[0].getMessage()
        assert "No space left on device" in str(records[0].exc_info[1])
        assert keeper.idle is None
        job = run(keeper)
        assert job.status is SweepStatus.FINISHED and len(job.snapshot().results) == 2
    finally:
        logger.removeHandler(handler)
        keeper.clear()
