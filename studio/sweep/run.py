"""One run of a sweep, as a worker process executes it: load the data, train, report.

Only the run's description travels to the worker (:func:`point_message`). The
data comes once per worker: a local worker gets the server's copy when it starts
(:func:`start_local_worker`: no second download, no scikit-learn import), a Dask
worker loads built-in datasets itself through :func:`data.load_dataset` (the same
verified downloads and cache) and gets an uploaded table scattered to it once.
Nothing here imports Streamlit, pandas or scikit-learn.
"""

import time

import numpy as np

from data import load_dataset, prepare
from data.toy import TOY_GENERATORS
from mlp import TrainingDiverged
from mlp.model_file import model_to_bytes
from studio.priority import lower_priority
from studio.spec import ModelSpec
from studio.sweep.shipping import unpack

#: How often a run looks whether it was asked to stop (Dask runs; local ones are killed).
STOP_CHECK_SECONDS = 0.5
_datasets = {}      # this process's datasets: dataset_key -> data.Dataset
_blas_limited = []



def dataset_key(spec):
    """Which data ``spec`` reads: ("digits",), ("moons", seed, noise, n_samples), ("csv",)."""
    if spec.dataset in TOY_GENERATORS:
        return (spec.dataset, spec.seed, spec.noise, spec.n_samples)
    return (spec.dataset,)


def start_local_worker(datasets=None):
    """A local worker's initializer: lower its priority and keep the datasets the server
    sent (``{dataset_key: data.Dataset}``, or their files from
    :func:`studio.sweep.shipping.ship`, mapped here), so that no run loads them again."""
    lower_priority()    # yield to the server's page scripts, as training workers do
    _datasets.update(unpack(datasets or {}))
    _one_blas_thread()


def _one_blas_thread():
    """Runs share the CPUs by processes: one BLAS thread each (set once per process)."""
    if _blas_limited:
        return
    try:
        from threadpoolctl import threadpool_limits
        threadpool_limits(1, user_api="blas")
    except ImportError:  # pragma: no cover - installed with scikit-learn
        pass
    _blas_limited.append(True)


def point_message(point):
    """What travels for one run: plain data, a few hundred bytes."""
    return {"index": point.index, "values": dict(point.values), "seed": point.seed,
            "spec": point.spec.to_dict()}


def _dataset_for(spec, dataset):
    if dataset is not None:            # sent with the run (a table scattered on a cluster)
        return dataset
    key = dataset_key(spec)
    if key not in _datasets:
        if spec.dataset == "csv":
            raise ValueError("The uploaded table was not sent to this worker.")
        options = ({"seed": spec.seed, "noise": spec.noise, "n_samples": spec.n_samples}
                   if spec.dataset in TOY_GENERATORS else {})
        _datasets[key] = load_dataset(spec.dataset, **options)
    return _datasets[key]


def run_point(message, dataset=None, stop_event=None):
    """Train one point of a sweep and report it.

    Parameters
    ----------
    message : dict
        From :func:`point_message`.
    dataset : data.Dataset, optional
        The data, when it travels with the run (an uploaded table on a Dask
        cluster); otherwise the worker's own copy, sent when it started or loaded
        here once.
    stop_event : str, optional
        The name of a ``distributed.Event`` that, once set, stops the run (Dask).

    Returns
    -------
    dict
        ``index``, ``seed``, ``values``; ``status`` ("completed", "stopped",
        "diverged" or "failed") and ``error``; ``loss`` / ``val_loss`` /
        ``val_metric``: per-epoch lists; ``seconds`` of training; ``samples``;
        ``model``: the trained model file's bytes (None when it failed).
    """
    _one_blas_thread()
    spec = ModelSpec.from_dict(message["spec"])
    result = {"index": message["index"], "seed": message["seed"], "values": message["values"],
              "status": "completed", "error": "", "loss": [], "val_loss": [],
              "val_metric": [], "seconds": 0.0, "samples": 0, "model": None}
    try:
        data = _dataset_for(spec, dataset)
        prepared = prepare(data, scaling=spec.scaling, val_fraction=spec.val_fraction,
                           test_fraction=spec.test_fraction, seed=spec.seed,
                           dtype=np.dtype(spec.dtype))
        info = prepared.info
        classify = info.task == "classification"
        network = spec.build(info.n_features, info.n_classes if classify else 1,
                             len(prepared.x_train))
        network.metadata = {"spec": spec.to_dict(),
                            "preprocessing": prepared.preprocessing.to_dict()}
        target = prepared.preprocessing.scale_target
        validation = ((prepared.x_val, target(prepared.y_val))
                      if len(prepared.x_val) else None)
        callbacks = [_stopper(stop_event, result)] if stop_event else None
        began = time.perf_counter()
        try:
            network.fit(prepared.x_train, target(prepared.y_train), spec.batch_size,
                        spec.epochs, categorical=classify, validation_data=validation,
                        callbacks=callbacks, batch_events_every=STOP_CHECK_SECONDS,
                        early_stopping=(spec.early_stopping or None) if validation else None)
        except TrainingDiverged as exc:
            result.update(status="diverged", error=str(exc))
        result["seconds"] = time.perf_counter() - began
        history = network.history
        result.update(loss=list(history["loss"]), val_loss=list(history["val_loss"]),
                      val_metric=list(history["val_metric"]),
                      samples=int(history["samples_seen"]), model=model_to_bytes(network))
    except Exception as exc:  # noqa: BLE001 - reported as this run's failure; the sweep goes on
        result.update(status="failed", error=f"{type(exc).__name__}: {exc}")
    return result


def _stopper(event_name, result):
    """A training callback that stops the run once the named Dask event is set (asked of
    the scheduler at most every ``STOP_CHECK_SECONDS``: small epochs take milliseconds)."""
    from distributed import Event
    event, last = Event(event_name), [0.0]

    def check(info):
        now = time.monotonic()
        if now - last[0] < STOP_CHECK_SECONDS:
            return False
        last[0] = now
        if event.is_set():
            result["status"] = "stopped"
            return True
        return False

    return check
