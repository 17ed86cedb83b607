"""Training in worker processes: same numbers as in-process, data sent once, crashes reported."""

import os
import sys

import numpy as np
import pytest
from waiting import wait_until

from data.views import ScaledRows
from mlp import NeuralNetwork
from studio.jobs import JobScheduler, Status, TrainingData, TrainingJob
from studio.scheduler import MIN_WORK_FOR_THREADS, blas_threads
from studio.workers import WorkerPool


def network(seed=0, optimizer=None):
    return NeuralNetwork([6, 16, 3], "relu", "softmax", "categorical_crossentropy",
                         optimizer or {"name": "sgd", "learning_rate": 0.05, "momentum": 0.9},
                         seed=seed, dtype="float32")


@pytest.fixture
def data():
    rng = np.random.default_rng(1)
    base = rng.integers(0, 256, (500, 6), dtype=np.uint8)
    y = (base[:, 0] > base[:, 1]).astype(int) + (base[:, 2] > 128)
    rows = rng.permutation(500)
    offset, scale = np.full(6, 128.0), np.full(6, 64.0)
    return TrainingData(ScaledRows(base, rows[:400], offset, scale), y[rows[:400]],
                        ScaledRows(base, rows[400:], offset, scale), y[rows[400:]],
                        categorical=True)


@pytest.fixture
def pool():
    pool = WorkerPool(max_idle=1)
    yield pool
    pool.shutdown()


def test_a_worker_trains_to_exactly_the_numbers_of_an_in_process_fit(data, pool):
    job = TrainingJob(network(), data, 32, 4, JobScheduler(1), early_stopping=2, pool=pool)
    job.start()
    assert job.join(timeout=60) and job.status is Status.FINISHED
    local = network()
    local.fit(data.x_train, data.y_train, 32, 4, categorical=True,
              validation_data=(data.x_val, data.y_val), early_stopping=2)
    np.testing.assert_array_equal(job.network.params, local.params)
    assert job.network.history["loss"] == local.history["loss"]
    assert job.network.history["batch_loss"] == local.history["batch_loss"]
    np.testing.assert_array_equal(job.network.optimizer.velocity, local.optimizer.velocity)
    assert job.network.rng.bit_generator.state == local.rng.bit_generator.state


class CountingConnection:
    """The worker's connection, counting the raw byte messages (dataset transfers)."""

    def __init__(self, conn):
        self.conn, self.byte_messages = conn, 0

    def send_bytes(self, data):
        self.byte_messages += 1
        return self.conn.send_bytes(data)

    def __getattr__(self, name):
        return getattr(self.conn, name)


def test_a_dataset_travels_to_a_worker_once(data, pool):
    worker = pool.lease()
    counting = worker.conn = CountingConnection(worker.conn)
    pool.give_back(worker)
    scheduler = JobScheduler(1)
    for seed in range(3):
        job = TrainingJob(network(seed), data, 50, 1, scheduler, pool=pool)
        job.start()
        assert job.join(timeout=60) and job.status is Status.FINISHED, job.snapshot().message
    assert counting.byte_messages == 1, "x_train and x_val share one base, sent once"
    assert pool.n_processes == 1


def test_current_weights_come_from_the_worker_while_it_trains(data, pool):
    job = TrainingJob(network(), data, 1, 400, JobScheduler(1), pool=pool)
    start = job.network.params.copy()
    job.start()
    assert wait_until(lambda: job.snapshot().samples_seen > 200)
    copy = job.network_copy()
    assert not np.array_equal(copy.params, start), "the copy has the worker's newer weights"
    np.testing.assert_array_equal(job.network.params, start)  # the job's own: untouched so far
    full = job.network_copy(full=True)
    assert full.optimizer.velocity is not None and full.history["samples_seen"] > 0
    job.pause()
    assert job.join(timeout=30) and job.status is Status.PAUSED
    assert job.network.history["samples_seen"] >= copy.history["samples_seen"]
    assert not np.array_equal(job.network.params, start), "paused: the weights came back"


def test_a_worker_that_dies_fails_the_job_and_is_replaced(data, pool):
    job = TrainingJob(network(), data, 1, 400, JobScheduler(1), pool=pool)
    job.start()
    assert wait_until(lambda: job.snapshot().samples_seen > 100)
    before = job.network.history["loss"][:0]
    (pid,) = pool.pids()
    os.kill(pid, 9)
    assert job.join(timeout=30)
    snap = job.snapshot()
    assert snap.status is Status.FAILED
    assert "ended unexpectedly" in snap.message
    assert snap.history["loss"] == before and snap.samples_seen == 0, \
        "the stretch whose weights were lost is not in the history"
    again = TrainingJob(network(), data, 50, 1, JobScheduler(1), pool=pool)
    again.start()
    assert again.join(timeout=60) and again.status is Status.FINISHED
    assert pid not in pool.pids()


def test_a_network_the_worker_cannot_receive_fails_with_the_reason(data, pool):
    leaky = (lambda z: np.maximum(z, 0.1 * z), lambda z: np.where(z > 0, 1.0, 0.1))
    custom = NeuralNetwork([6, 4, 3], leaky, "softmax", "categorical_crossentropy", seed=0)
    job = TrainingJob(custom, data, 50, 1, JobScheduler(1), pool=pool)
    job.start()
    assert job.join(timeout=30)
    assert job.status is Status.FAILED and "no registered name" in job.snapshot().message


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/PID/maps")
def test_a_worker_loads_neither_streamlit_nor_pandas_nor_scikit_learn(data, pool):
    job = TrainingJob(network(), data, 50, 1, JobScheduler(1), pool=pool)
    job.start()
    assert job.join(timeout=60)
    (pid,) = pool.pids()
    with open(f"/proc/{pid}/maps") as fh:
        maps = fh.read()
    assert "numpy" in maps
    for heavy in ("pandas", "streamlit", "sklearn", "scipy"):
        assert f"/{heavy}/" not in maps, f"the worker loaded {heavy}"


def test_blas_threads_share_the_cpus_and_keep_small_batches_on_one():
    big = MIN_WORK_FOR_THREADS
    assert blas_threads(1, big, n_running=1, cpus=4) == 4
    assert blas_threads(1, big, n_running=2, cpus=4) == 2
    assert blas_threads(1, big, n_running=3, cpus=4) == 1
    assert blas_threads(1, big, n_running=8, cpus=2) == 1
    assert blas_threads(32, 5000, n_running=1, cpus=4) == 1
