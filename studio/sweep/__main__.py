"""Run a sweep without the dashboard and write its results file.

Usage::

    python -m studio.sweep sweep.json --out results.csv
    python -m studio.sweep sweep.json --backend dask --scheduler tcp://10.0.0.5:8786 \\
        --out results.csv

``sweep.json`` is a sweep's JSON form (see :mod:`studio.sweep.spec`; the Sweep
page's "Download the sweep" gives one). The results file opens on the Sweep page.
The dataset is loaded once here and sent to each local worker; Dask workers load
it themselves (``MLP_STUDIO_DATA`` says where downloaded ones live, on every machine).
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

from studio import limits
from studio.sweep.backends import BACKENDS, make_backend
from studio.sweep.job import SweepJob, SweepStatus
from studio.sweep.results import last_value, results_csv
from studio.sweep.run import dataset_key
from studio.sweep.spec import SETTINGS, SweepError, SweepSpec


def parse(argv=None):
    parser = argparse.ArgumentParser(prog="python -m studio.sweep",
                                     description="Train every run of a sweep and write a "
                                                 "results CSV (it opens on the Sweep page).")
    parser.add_argument("sweep", type=Path, help="the sweep's JSON file")
    parser.add_argument("--out", type=Path, required=True, help="the results CSV to write")
    parser.add_argument("--backend", choices=BACKENDS,
                        default=os.environ.get("MLP_STUDIO_SWEEP_BACKEND", "loky"),
                        help="local processes (loky, default) or a Dask cluster")
    parser.add_argument("--scheduler", default=os.environ.get("MLP_STUDIO_DASK_SCHEDULER"),
                        help="the Dask scheduler's address (default $MLP_STUDIO_DASK_SCHEDULER)")
    parser.add_argument("--workers", type=int, default=limits.available_cpus(),
                        help="local worker processes (default: the CPUs available)")
    parser.add_argument("--time-limit", type=float, default=None, metavar="SECONDS",
                        help="stop after this many seconds (default: none)")
    return parser.parse_args(argv)


def load_sweep(path):
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise SweepError(f"Cannot read {path}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise SweepError(f"{path} is not JSON: {exc}") from None
    sweep = SweepSpec.from_dict(data)
    if sweep.base.dataset == "csv":
        raise SweepError("A sweep of an uploaded table runs on the Sweep page; the command "
                         "line sweeps the built-in datasets.")
    return sweep


def describe(result):
    values = ", ".join(f"{SETTINGS[k].label.lower()} {v}" for k, v in result["values"].items())
    if result["status"] == "failed":
        return f"({values}, seed {result['seed']}): failed: {result['error']}"
    metric, loss = last_value(result["val_metric"]), last_value(result["val_loss"])
    shown = (f"validation accuracy {metric:.2%}" if metric is not None else
             f"validation loss {loss:.4g}" if loss is not None else "no validation split")
    return f"({values}, seed {result['seed']}): {shown} in {result['seconds']:.1f} s"


def main(argv=None):
    args = parse(argv)
    try:
        sweep = load_sweep(args.sweep)
    except SweepError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    from data import DATASETS, load_dataset
    from data.toy import TOY_GENERATORS
    task = DATASETS[sweep.base.dataset].task
    shipped = {}
    if args.backend == "loky" and sweep.base.dataset not in TOY_GENERATORS:
        # Loaded once here and sent to each local worker as it starts (a Dask worker loads
        # its own).
        try:
            shipped = {dataset_key(sweep.base): load_dataset(sweep.base.dataset)}
        except (OSError, ValueError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    rows = (len(next(iter(shipped.values())).x) if shipped else
            sweep.base.n_samples if sweep.base.dataset in TOY_GENERATORS else None)
    job = SweepJob(sweep, lambda: make_backend(args.backend, workers=args.workers,
                                               address=args.scheduler, datasets=shipped),
                   run_seconds=sweep.run_seconds(DATASETS[sweep.base.dataset], rows) if rows
                   else None,
                   parallel=args.workers if args.backend == "loky" else sweep.n_runs,
                   task=task, time_limit=args.time_limit)
    print(f"{sweep.n_runs} runs on {args.backend} ...", flush=True)
    job.start()
    seen = 0
    try:
        while job.status.active or seen < job.snapshot().n_done:
            snap = job.snapshot()
            for result in snap.results[seen:]:
                seen += 1
                print(f"run {seen}/{sweep.n_runs} {describe(result)}", flush=True)
            time.sleep(0.2)
    except KeyboardInterrupt:
        job.cancel()
        job.join()
    snap = job.snapshot()
    if snap.status is SweepStatus.FAILED:   # it never started: nothing to write
        print(f"error: {snap.message}", file=sys.stderr)
        return 1
    args.out.write_text(results_csv(sweep, snap.results, task), encoding="utf-8")
    print(f"{snap.message} Results: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
