"""Running a sweep: results as runs finish, the same metrics every time, failures reported,
cancelling kills the workers, the time limit and the server's slots are kept."""

import os
import threading
import time

import numpy as np
from waiting import alive, wait_until

from data import load_dataset, prepare
from mlp.model_file import load_model
from studio.scheduler import JobScheduler
from studio.spec import ModelSpec
from studio.sweep import Axis, SweepJob, SweepSpec, SweepStatus
from studio.sweep.backends import LocalBackend
from studio.sweep.job import score_of


def digits_sweep(values=(0.001, 0.03), seeds=(0,), epochs=2, **base):
    spec = ModelSpec(**{"dataset": "digits", "hidden_layers": [16], "hidden_activations":
                        ["relu"], "epochs": epochs, "batch_size": 64, **base})
    sweep = SweepSpec(spec, [Axis("learning_rate", tuple(values))], list(seeds))
    sweep.validate()
    return sweep


def run_sweep(sweep, workers=2, backend=LocalBackend, **options):
    job = SweepJob(sweep, lambda: backend(workers), parallel=workers, task="classification",
                   **options)
    job.start()
    job.join(timeout=120)
    assert not job.status.active, "the sweep did not end within two minutes"
    return job


def test_every_run_reports_its_curves_and_a_loadable_model():
    sweep = digits_sweep(seeds=(0, 1))
    job = run_sweep(sweep)
    snap = job.snapshot()
    assert snap.status is SweepStatus.FINISHED and snap.message == "4 runs finished."
    assert sorted(r["index"] for r in snap.results) == [0, 1, 2, 3]
    for result in snap.results:
        assert result["status"] == "completed"
        assert len(result["loss"]) == len(result["val_metric"]) == 2
        assert 0.0 <= result["val_metric"][-1] <= 1.0
        assert result["samples"] > 0 and "model" not in result
        model = load_model(job.model_bytes(result["index"]))
        assert model.metadata["spec"]["learning_rate"] == result["values"]["learning_rate"]
        assert model.metadata["spec"]["seed"] == result["seed"]


def test_a_run_gives_the_metrics_of_the_same_spec_trained_in_this_process():
    sweep = digits_sweep(values=(0.01,), epochs=3)
    result = run_sweep(sweep, workers=1).snapshot().results[0]
    spec = sweep.points()[0].spec
    p = prepare(load_dataset("digits"), val_fraction=spec.val_fraction,
                test_fraction=spec.test_fraction, seed=spec.seed)
    from threadpoolctl import threadpool_limits
    with threadpool_limits(1, user_api="blas"):
        net = spec.build(64, 10)
        net.fit(p.x_train, p.y_train, spec.batch_size, spec.epochs, categorical=True,
                validation_data=(p.x_val, p.y_val))
    assert result["val_metric"] == net.history["val_metric"]
    np.testing.assert_allclose(result["val_loss"], net.history["val_loss"], rtol=1e-6)


def test_the_same_sweep_twice_gives_the_same_metrics_with_one_or_two_workers():
    sweep = digits_sweep(values=(0.003, 0.03), seeds=(0, 5))
    first = {r["index"]: r["val_loss"] for r in run_sweep(sweep, workers=1).snapshot().results}
    second = {r["index"]: r["val_loss"] for r in run_sweep(sweep, workers=2).snapshot().results}
    assert first == second


class DyingBackend(LocalBackend):
    """A pool whose worker dies on run 1 (as a segmentation fault would end it)."""

    def submit(self, message):
        if message["index"] == 1:
            return self._executor.submit(os._exit, 3)
        return super().submit(message)


def test_a_worker_that_dies_fails_its_run_and_the_sweep_goes_on():
    sweep = digits_sweep(values=(0.001, 0.003, 0.01, 0.03))
    snap = run_sweep(sweep, workers=1, backend=DyingBackend).snapshot()
    by_index = {r["index"]: r for r in snap.results}
    assert by_index[1]["status"] == "failed"
    assert by_index[1]["error"].startswith("TerminatedWorkerError: A worker process")
    assert [by_index[i]["status"] for i in (0, 2, 3)] == ["completed"] * 3
    assert snap.status is SweepStatus.FINISHED
    assert snap.message == "4 runs finished, 1 of them failed."


def test_a_run_that_raises_is_reported_with_its_error():
    sweep = digits_sweep(values=(0.01, 0.1))
    sweep.points = lambda: [p if p.index == 0 else
                            type(p)(p.index, p.values, p.seed, p.spec.__class__(
                                **{**p.spec.to_dict(), "dataset": "no-such-set"}))
                            for p in SweepSpec.points(sweep)]
    snap = run_sweep(sweep).snapshot()
    by_index = {r["index"]: r for r in snap.results}
    assert by_index[0]["status"] == "completed"
    assert by_index[1]["status"] == "failed" and "no-such-set" in by_index[1]["error"]


def long_sweep():
    return digits_sweep(values=(0.001, 0.002, 0.003, 0.004), epochs=500, batch_size=8)


def test_cancel_stops_every_run_and_leaves_no_worker_process():
    job = SweepJob(long_sweep(), lambda: LocalBackend(2), parallel=2, task="classification")
    job.start()
    assert wait_until(lambda: job.snapshot().running == 2, timeout=60), job.snapshot()
    assert wait_until(lambda: len(job.backend.worker_pids()) == 2 and all(
        alive(p) for p in job.backend.worker_pids()), timeout=30), job.backend.worker_pids()
    pids = job.backend.worker_pids()
    began = time.monotonic()
    job.cancel()
    job.join(timeout=30)
    snap = job.snapshot()
    assert job.status is SweepStatus.CANCELLED, snap
    assert snap.message == "Cancelled: 0 of 4 runs finished.", snap
    assert wait_until(lambda: not any(alive(p) for p in pids), timeout=20), \
        [p for p in pids if alive(p)]
    assert time.monotonic() - began < 20


def test_a_visitor_who_leaves_cancels_the_sweep():
    present = threading.Event()
    present.set()
    job = SweepJob(long_sweep(), lambda: LocalBackend(1), parallel=1, task="classification",
                   owner_alive=present.is_set)
    job.start()
    assert wait_until(lambda: job.snapshot().running == 1, timeout=60)
    present.clear()
    job.join(timeout=30)
    assert job.status is SweepStatus.CANCELLED


def test_the_time_limit_stops_the_sweep_and_says_so():
    job = run_sweep(long_sweep(), workers=1, time_limit=1.0)
    snap = job.snapshot()
    assert snap.status is SweepStatus.TIMED_OUT
    assert snap.message == ("Stopped at this server's limit of 1 s for a sweep: 0 of 4 runs "
                            "finished.")


def test_a_sweep_queues_for_the_servers_slots_and_each_run_holds_one():
    scheduler = JobScheduler(1)
    other = object()
    assert scheduler.acquire(other, lambda: False)   # another visitor's job trains
    job = SweepJob(digits_sweep(values=(0.01, 0.03)), lambda: LocalBackend(2), parallel=2,
                   task="classification", scheduler=scheduler)
    job.start()
    assert wait_until(lambda: job.snapshot().queue_position == 1, timeout=10)
    assert job.status is SweepStatus.QUEUED and job.snapshot().results == []
    scheduler.release(other)
    job.join(timeout=120)
    assert job.status is SweepStatus.FINISHED
    assert job.snapshot().running == 0 and scheduler.n_running == 0   # every slot handed back


def test_only_the_best_runs_keep_their_models_beyond_the_budget():
    sweep = digits_sweep(values=(0.0001, 0.03, 0.01))
    job = run_sweep(sweep, workers=1, model_budget=1)   # room for no more than one
    results = job.snapshot().results
    kept = [r["index"] for r in results if job.model_bytes(r["index"]) is not None]
    best = max(results, key=lambda r: score_of(r, "classification"))
    assert kept == [best["index"]]


class RecordingBackend:
    """Runs nothing: answers each run at once and remembers the order they came in."""

    parallelism = 1

    def __init__(self):
        import concurrent.futures
        self.order, self._pool = [], concurrent.futures.ThreadPoolExecutor(1)

    def submit(self, message):
        self.order.append(message["index"])
        return self._pool.submit(lambda: {"index": message["index"], "seed": message["seed"],
                                          "values": message["values"], "status": "completed",
                                          "error": "", "loss": [1.0], "val_loss": [1.0],
                                          "val_metric": [0.5], "seconds": 0.0, "samples": 1})

    wait = staticmethod(LocalBackend.wait)

    def cancel(self):
        pass

    def close(self):
        self._pool.shutdown()


def test_the_longest_runs_start_first_when_their_times_are_estimated():
    sweep = digits_sweep(values=(0.001, 0.003, 0.01, 0.03))
    backend = RecordingBackend()
    job = SweepJob(sweep, lambda: backend, parallel=1, task="classification",
                   run_seconds=[1.0, 4.0, 2.0, 4.0])
    job.start()
    job.join(timeout=30)
    assert backend.order == [1, 3, 2, 0]     # longest first; equal ones in run order
    assert [r["index"] for r in job.snapshot().results] == [1, 3, 2, 0]


def test_score_is_validation_accuracy_or_minus_validation_loss():
    result = {"val_metric": [0.5, 0.75], "val_loss": [1.0, 0.4]}
    assert score_of(result, "classification") == 0.75
    assert score_of(result, "regression") == -0.4
    assert score_of({"val_metric": [], "val_loss": []}, "regression") is None


class SlowClosingBackend(RecordingBackend):
    """Closes only once ``release`` is set, as a pool shutting its processes down."""

    def __init__(self):
        super().__init__()
        self.release, self.closed = threading.Event(), threading.Event()

    def close(self):
        self.release.wait(30)
        super().close()
        self.closed.set()


def test_the_sweep_reports_its_end_before_its_pool_has_shut_down():
    backend = SlowClosingBackend()
    job = SweepJob(digits_sweep(), lambda: backend, parallel=1, task="classification")
    job.start()
    try:
        assert job.wait(timeout=30), job.snapshot()
        assert job.status is SweepStatus.FINISHED and job.snapshot().n_done == 2
        assert not backend.closed.is_set()        # the results did not wait for the close
    finally:
        backend.release.set()
    job.join(timeout=30)
    assert backend.closed.is_set()


class BreakingBackend(RecordingBackend):
    """Its second submit raises, as a pool whose processes could not be started."""

    def __init__(self):
        super().__init__()
        self.cancelled = self.closed = False

    def submit(self, message):
        if self.order:
            raise RuntimeError("cannot start a new worker\nsecond line")
        return super().submit(message)

    def cancel(self):
        self.cancelled = True

    def close(self):
        super().close()
        self.closed = True


def test_a_backend_that_raises_fails_the_sweep_with_its_error_and_is_closed():
    backend = BreakingBackend()
    job = SweepJob(digits_sweep(values=(0.001, 0.01, 0.03)), lambda: backend, parallel=1,
                   task="classification")
    job.start()
    assert job.wait(timeout=30), job.snapshot()
    job.join(timeout=30)
    snap = job.snapshot()
    assert snap.status is SweepStatus.FAILED
    assert snap.message == "The sweep stopped: RuntimeError: cannot start a new worker"
    assert snap.n_done == 1 and backend.closed
