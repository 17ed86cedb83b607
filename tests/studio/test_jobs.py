"""The background training job and the server-wide scheduler, without Streamlit."""

import threading
import time

import numpy as np
import pytest
from waiting import wait_until

from mlp import NeuralNetwork
from studio.jobs import JobScheduler, Status, TrainingData, TrainingJob


def make_data(n=400, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4))
    y = (x[:, 0] + x[:, 1] > 0).astype(int)
    return TrainingData(x[:300], y[:300], x[300:], y[300:], categorical=True)


def make_job(scheduler=None, epochs=5, batch_size=16, lr=0.05, **kwargs):
    net = NeuralNetwork([4, 8, 2], "relu", "softmax", "categorical_crossentropy",
                        {"name": "sgd", "learning_rate": lr, "momentum": 0.9}, seed=0)
    return TrainingJob(net, make_data(), batch_size, epochs, scheduler or JobScheduler(2), **kwargs)


def test_job_trains_to_the_end_and_records_history():
    job = make_job(epochs=4)
    job.start()
    assert job.join(timeout=30)
    snap = job.snapshot()
    assert snap.status is Status.FINISHED
    assert len(snap.history["loss"]) == 4
    assert len(snap.history["val_loss"]) == 4 and None not in snap.history["val_metric"]
    assert snap.samples_seen == 4 * 300
    assert snap.fraction_done == 1.0
    assert snap.history["loss"][-1] < snap.history["loss"][0]


def test_pause_then_resume_with_a_changed_learning_rate_continues_from_current_weights():
    job = make_job(epochs=500, batch_size=1)
    job.start()
    assert wait_until(lambda: job.snapshot().samples_seen > 50)
    job.pause()
    assert job.join(timeout=5)
    assert job.status is Status.PAUSED
    params_at_pause = job.network.params.copy()
    seen = job.snapshot().samples_seen
    velocity = job.network.optimizer.velocity.copy()
    job.set_optimizer(learning_rate=0.001)
    assert job.network.optimizer.learning_rate == 0.001
    # Nothing moved while paused; the optimizer state survived the pause.
    np.testing.assert_array_equal(job.network.params, params_at_pause)
    np.testing.assert_array_equal(job.network.optimizer.velocity, velocity)
    job.resume()
    assert wait_until(lambda: job.snapshot().samples_seen > seen + 20)
    job.stop()
    assert job.join(timeout=5)
    assert job.status is Status.STOPPED
    assert not np.array_equal(job.network.params, params_at_pause)


def test_optimizer_cannot_change_while_running():
    job = make_job(epochs=500, batch_size=1)
    job.start()
    assert wait_until(lambda: job.status is Status.RUNNING)
    with pytest.raises(RuntimeError, match="Pause training"):
        job.set_optimizer(learning_rate=0.5)
    job.stop()
    assert job.join(timeout=5)


def test_stop_ends_the_training_long_before_its_epochs():
    job = make_job(epochs=500, batch_size=1)
    job.start()
    assert wait_until(lambda: job.snapshot().samples_seen > 10)
    job.stop()
    # A generous wait (the machine may be busy); what matters is that it stopped early.
    assert job.join(timeout=30), "the worker kept training 30 s after stop()"
    assert job.status is Status.STOPPED
    assert len(job.network.history["loss"]) < 500
    assert np.isfinite(job.network.params).all()


def test_divergence_is_reported_and_keeps_finite_weights():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, 4)) * 100
    net = NeuralNetwork([4, 8, 1], "relu", "identity", "mean_squared_error",
                        {"name": "sgd", "learning_rate": 1.0, "momentum": 0.9}, seed=0)
    job = TrainingJob(net, TrainingData(x, x[:, :1] * 1000), 16, 50, JobScheduler(1))
    job.start()
    assert job.join(timeout=30)
    snap = job.snapshot()
    assert snap.status is Status.DIVERGED
    assert "learning rate" in snap.message and "epoch" in snap.message
    assert np.isfinite(job.network.params).all()


def start_two_with_one_slot():
    """A long job holding the only training slot and a short one queued behind it."""
    scheduler = JobScheduler(max_jobs=1)
    first = make_job(scheduler, epochs=500, batch_size=1)
    second = make_job(scheduler, epochs=2)
    first.start()
    assert wait_until(lambda: first.status is Status.RUNNING)
    second.start()
    assert wait_until(lambda: second.snapshot().queue_position == 1)
    return scheduler, first, second


def test_cap_queues_the_second_job_until_the_first_leaves():
    scheduler, first, second = start_two_with_one_slot()
    assert second.status is Status.QUEUED
    assert scheduler.n_running == 1
    first.pause()
    assert first.join(timeout=5)
    assert second.join(timeout=30)
    assert second.status is Status.FINISHED
    assert scheduler.n_running == 0


def test_a_queued_job_can_be_stopped_before_it_starts():
    _, first, second = start_two_with_one_slot()
    second.stop()
    assert second.join(timeout=5)
    assert second.status is Status.STOPPED
    assert second.snapshot().samples_seen == 0
    first.stop()
    assert first.join(timeout=5)


def test_jobs_of_different_owners_do_not_touch_each_other():
    alone = make_job(JobScheduler(max_jobs=1), epochs=3)
    alone.start()
    assert alone.join(timeout=60)
    scheduler = JobScheduler(max_jobs=2)
    a = make_job(scheduler, epochs=3)
    b = make_job(scheduler, epochs=500, batch_size=1, lr=0.2)
    b.start()                                   # another visitor's job trains meanwhile
    a.start()
    assert a.join(timeout=60)
    b.stop()
    assert b.join(timeout=60)
    assert b.network.history["samples_seen"] > 0
    # a's weights are what a alone makes: b's training did not leak into them ...
    np.testing.assert_array_equal(a.network.params, alone.network.params)
    # ... and b's are its own.
    assert not np.array_equal(b.network.params, a.network.params)


def test_time_limit_stops_the_job():
    job = make_job(epochs=500, batch_size=1, time_limit=0.3)
    job.start()
    assert job.join(timeout=10)
    snap = job.snapshot()
    assert snap.status is Status.STOPPED
    assert "limit" in snap.message
    with pytest.raises(ValueError, match="time limit"):
        job.start()


def test_job_stops_when_its_owner_is_gone():
    alive = threading.Event()
    alive.set()
    job = make_job(epochs=500, batch_size=1, owner_alive=alive.is_set)
    job.start()
    assert wait_until(lambda: job.status is Status.RUNNING)
    alive.clear()
    assert job.join(timeout=5)
    assert job.status is Status.STOPPED
    assert "session has ended" in job.snapshot().message


def test_training_further_after_finishing():
    job = make_job(epochs=2)
    job.start()
    assert job.join(timeout=30)
    with pytest.raises(ValueError, match="epoch count"):
        job.start()
    job.set_epochs(4)
    assert job.status is Status.PAUSED
    job.start()
    assert job.join(timeout=30)
    assert len(job.snapshot().history["loss"]) == 4


def test_network_copy_is_independent_and_recent():
    job = make_job(epochs=2)
    job.start()
    assert job.join(timeout=30)
    copy = job.network_copy()
    np.testing.assert_array_equal(copy.params, job.network.params)
    copy.params[:] = 0
    assert np.any(job.network.params != 0)


def test_scheduler_rejects_a_zero_cap():
    with pytest.raises(ValueError, match="at least 1"):
        JobScheduler(0)


def test_snapshot_cuts_a_half_appended_epoch():
    from studio.jobs import consistent_copy
    history = {"loss": [1.0, 0.9, 0.8], "metric": [0.5, 0.6, 0.7], "val_loss": [1.1, 1.0],
               "val_metric": [0.4, 0.5], "epoch_seconds": [0.1, 0.1], "batch_loss": [1, 2, 3],
               "samples_seen": 30}
    copy = consistent_copy(history)
    assert copy["loss"] == [1.0, 0.9] and copy["val_loss"] == [1.1, 1.0]
    assert copy["batch_loss"] == [1, 2, 3] and copy["samples_seen"] == 30
    assert len(history["loss"]) == 3, "the original is untouched"


def test_snapshots_taken_during_training_are_always_consistent():
    job = make_job(epochs=200, batch_size=300)     # one batch per epoch: epoch ends are frequent
    job.start()
    problems = []
    while job.status.active or job.status is Status.IDLE:
        snap = job.snapshot()
        lengths = {len(snap.history[k]) for k in ("loss", "metric", "val_loss", "val_metric")}
        if len(lengths) != 1:
            problems.append(lengths)
        if snap.epoch > snap.epochs:
            problems.append(("epoch", snap.epoch, snap.epochs))
        if job.join(timeout=0.0005):
            break
    assert job.join(timeout=30)
    assert not problems, problems[:5]


class Owner:
    """A visitor whose connection the test switches on and off."""

    def __init__(self, present=True, alive=True):
        self.is_present, self.is_alive = present, alive

    def __call__(self):
        return self.is_alive

    def present(self):
        return self.is_present


def test_a_queued_job_of_a_disconnected_visitor_is_passed_over_and_dropped():
    scheduler, first, _ = start_two_with_one_slot()
    away = Owner(present=False)
    departed = make_job(scheduler, epochs=2, owner_alive=away)
    waiting = make_job(scheduler, epochs=2)
    departed.start()
    assert wait_until(lambda: departed.snapshot().queue_position == 2)
    waiting.start()
    assert wait_until(lambda: waiting.snapshot().queue_position == 3)
    first.stop()
    assert first.join(timeout=10)
    # the second job and then `waiting` get the slot; the departed one is never promoted
    assert waiting.join(timeout=30) and waiting.status is Status.FINISHED
    assert departed.status is Status.QUEUED and departed.snapshot().samples_seen == 0
    away.is_alive = False  # the grace period ran out: the job leaves the queue
    assert departed.join(timeout=10)
    assert departed.status is Status.STOPPED and departed.snapshot().samples_seen == 0
    assert "session has ended" in departed.snapshot().message
    assert scheduler.queue_position(departed) is None and scheduler.n_running == 0


def test_a_queued_visitor_who_reconnects_gets_the_slot():
    scheduler, first, second = start_two_with_one_slot()
    second.stop()
    assert second.join(timeout=10)
    blip = Owner(present=False)
    job = make_job(scheduler, epochs=2, owner_alive=blip)
    job.start()
    first.stop()
    assert first.join(timeout=10)
    time.sleep(0.3)
    assert job.status is Status.QUEUED and scheduler.n_running == 0
    blip.is_present = True
    assert job.join(timeout=30) and job.status is Status.FINISHED
