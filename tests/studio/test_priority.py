"""Workers that train yield the CPU: niceness +10 and, on Linux, the SCHED_BATCH policy."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from studio.priority import NICENESS, lower_priority

LINUX = sys.platform.startswith("linux")


def nice_and_policy(pid):
    """(niceness, scheduling policy) of a process, from /proc/PID/stat (fields 19 and 41)."""
    with open(f"/proc/{pid}/stat") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return int(fields[16]), int(fields[38])


@pytest.mark.skipif(not LINUX, reason="SCHED_BATCH is Linux's")
def test_lower_priority_adds_ten_to_the_niceness_and_sets_sched_batch():
    code = ("import json, os; from studio.priority import lower_priority; "
            "before = os.nice(0); applied = lower_priority(); "
            "print(json.dumps([sorted(applied), os.nice(0) - before, os.sched_getscheduler(0)]))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    applied, delta, policy = json.loads(out)
    assert applied == ["batch", "nice"]
    assert delta == min(NICENESS, 19 - os.nice(0)) and policy == os.SCHED_BATCH


def test_lower_priority_applies_nothing_where_the_calls_are_missing(monkeypatch):
    monkeypatch.delattr(os, "nice", raising=False)
    monkeypatch.delattr(os, "sched_setscheduler", raising=False)
    assert lower_priority() == set()


def test_lower_priority_goes_on_when_the_system_refuses(monkeypatch):
    def refuse(*args):
        raise PermissionError("not allowed")

    monkeypatch.setattr(os, "nice", refuse)
    monkeypatch.setattr(os, "sched_setscheduler", refuse, raising=False)
    assert lower_priority() == set()


@pytest.mark.skipif(not LINUX, reason="reads /proc/PID/stat")
def test_a_training_worker_and_a_sweep_worker_run_lowered():
    from data.views import ScaledRows
    from mlp import NeuralNetwork
    from studio.jobs import JobScheduler, TrainingData, TrainingJob
    from studio.sweep.backends import LocalBackend
    from studio.workers import WorkerPool
    server_nice = nice_and_policy(os.getpid())[0]
    rng = np.random.default_rng(0)
    base = rng.integers(0, 256, (200, 4), dtype=np.uint8)
    data = TrainingData(ScaledRows(base), (base[:, 0] > 128).astype(int), None, None,
                        categorical=True)
    pool = WorkerPool(max_idle=1)
    try:
        job = TrainingJob(NeuralNetwork([4, 8, 2], seed=0), data, 50, 1, JobScheduler(1),
                          pool=pool)
        job.start()
        assert job.join(timeout=60)
        (pid,) = pool.pids()
        assert nice_and_policy(pid) == (min(19, server_nice + NICENESS), os.SCHED_BATCH)
    finally:
        pool.shutdown()
    from studio.spec import ModelSpec
    from studio.sweep import Axis, SweepSpec
    from studio.sweep.run import point_message
    sweep = SweepSpec(ModelSpec(dataset="digits", hidden_layers=[8], epochs=1),
                      [Axis("learning_rate", (0.01,))], [0])
    backend = LocalBackend(1)
    try:
        result = backend.submit(point_message(sweep.points()[0])).result(timeout=60)
        assert result["status"] == "completed"
        (pid,) = backend.worker_pids()
        assert nice_and_policy(pid) == (min(19, server_nice + NICENESS), os.SCHED_BATCH)
    finally:
        backend.shutdown()
