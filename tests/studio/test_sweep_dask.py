"""Sweeps on a real Dask cluster (``distributed.LocalCluster``, two worker processes), and an
uploaded table travelling once per worker on either backend."""

import io
import pickle

import pytest
from fake_data import churn_csv
from waiting import wait_until

from data.csv_upload import dataset_from_table
from studio.spec import ModelSpec
from studio.sweep import Axis, SweepJob, SweepSpec, SweepStatus
from studio.sweep.backends import BackendError, DaskBackend, LocalBackend
from studio.sweep.run import point_message

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None, host="127.0.0.1") as local:
        yield local


def digits_sweep(epochs=2, batch_size=64, values=(0.001, 0.03), seeds=(0, 1)):
    spec = ModelSpec(dataset="digits", hidden_layers=[16], hidden_activations=["relu"],
                     epochs=epochs, batch_size=batch_size)
    sweep = SweepSpec(spec, [Axis("learning_rate", tuple(values))], list(seeds))
    sweep.validate()
    return sweep


def run(sweep, factory, parallel=2, task="classification"):
    job = SweepJob(sweep, factory, parallel=parallel, task=task)
    job.start()
    job.join(timeout=180)
    assert not job.status.active
    return job


def test_a_sweep_on_the_cluster_gives_the_metrics_of_local_workers(cluster):
    sweep = digits_sweep()
    on_dask = run(sweep, lambda: DaskBackend(cluster.scheduler_address))
    local = run(sweep, lambda: LocalBackend(2))
    assert on_dask.status is SweepStatus.FINISHED
    dask_results = {r["index"]: r for r in on_dask.snapshot().results}
    local_results = {r["index"]: r for r in local.snapshot().results}
    assert sorted(dask_results) == [0, 1, 2, 3]
    for index, result in dask_results.items():   # same seeds, one BLAS thread: bit for bit
        assert result["status"] == "completed"
        assert result["val_loss"] == local_results[index]["val_loss"]
        assert result["val_metric"] == local_results[index]["val_metric"]
    assert on_dask.model_bytes(0) is not None


def test_only_a_runs_description_travels(cluster):
    message = point_message(digits_sweep().points()[0])
    assert len(pickle.dumps(message)) < 2_000
    backend = DaskBackend(cluster.scheduler_address)
    try:
        assert backend.parallelism == 2
    finally:
        backend.close()


def churn_table():
    import pandas as pd
    frame = pd.read_csv(io.BytesIO(churn_csv(300)))
    return dataset_from_table(frame, "churn", name="churn.csv")


def table_sweep():
    spec = ModelSpec(dataset="csv", hidden_layers=[8], hidden_activations=["relu"], epochs=3,
                     batch_size=32)
    sweep = SweepSpec(spec, [Axis("l2", (0.0, 0.01)), Axis("activation", ("relu", "tanh"))],
                      [0])
    sweep.validate()
    return sweep


def test_an_uploaded_table_is_scattered_to_each_worker_once(cluster):
    table = churn_table()
    backend = DaskBackend(cluster.scheduler_address, dataset=table)
    (holders,) = backend.client.who_has([backend._dataset]).values()
    assert len(holders) == 2                     # on both workers before any run starts
    job = run(table_sweep(), lambda: backend)
    results = job.snapshot().results
    assert len(results) == 4 and {r["status"] for r in results} == {"completed"}
    assert all(0.5 < r["val_metric"][-1] <= 1.0 for r in results)


def test_an_uploaded_table_reaches_local_workers_through_their_initializer():
    table = churn_table()
    job = run(table_sweep(), lambda: LocalBackend(2, datasets={("csv",): table}))
    results = job.snapshot().results
    assert len(results) == 4 and {r["status"] for r in results} == {"completed"}


def test_cancel_on_the_cluster_stops_the_running_runs(cluster):
    sweep = digits_sweep(epochs=500, batch_size=8, values=(0.001, 0.002, 0.003), seeds=(0,))
    job = SweepJob(sweep, lambda: DaskBackend(cluster.scheduler_address), parallel=3,
                   task="classification")
    job.start()
    assert wait_until(lambda: job.backend is not None and any(
        job.backend.client.processing().values()), timeout=60)
    client = distributed.Client(cluster.scheduler_address, set_as_default=False)
    try:
        job.cancel()
        job.join(timeout=30)
        assert job.status is SweepStatus.CANCELLED
        # The runs look at the stop event twice a second: the workers are soon idle.
        assert wait_until(lambda: not any(client.processing().values()), timeout=15)
    finally:
        client.close()


def test_an_unreachable_scheduler_is_named():
    with pytest.raises(BackendError, match="Could not reach the Dask scheduler at "
                                           "tcp://127.0.0.1:9"):
        DaskBackend("tcp://127.0.0.1:9", timeout=2)
