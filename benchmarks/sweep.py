"""Sweeps: how fast the runs of a sweep go through local workers and a Dask cluster.

Two 16-run sweeps (learning rate x hidden width, one seed): Digits (20 epochs of
batch 32 on [64, w, 10]) and MNIST (2 epochs of batch 128 on [784, w, 10], the
Recommended preset's recipe). Each runs through :class:`studio.sweep.SweepJob`
with one and two local workers -- a pool the sweep starts, a pool started ahead
while the visitor sets the sweep up (as the Sweep page does: a visitor's first
sweep), and a warm pool kept from a previous sweep as the app keeps it -- and a
Dask ``LocalCluster`` of two
worker processes already running, which ran the sweep once before (when
``distributed`` is installed); and each run
is trained once more in this process, alone, for the overhead. Each backend
exists only while it is measured (an idle Dask cluster takes a fifth of a core
from the others). A sweep of a few seconds is timed five times per backend, the
backends taking turns (the median). Wall time runs from the sweep's start to its last
result, as the page shows it; the pool's shutdown after that is not counted.
Printed per sweep and backend: wall time, runs per minute, the speed-up over one
local worker (target: two local workers at least 1.7x), the overhead per run
against training it alone, and the largest difference of any run's validation
loss from the one-worker sweep's (reproducibility: every backend trains the same
seeds with one BLAS thread).

Example (from the repository root):
  python benchmarks/sweep.py --data-dir ../shared/datasets
  python benchmarks/sweep.py --quick
"""

import importlib.util
import os
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import common  # noqa: E402

SPEEDUP_TARGET = 1.7
#: Seconds between the Sweep page starting a pool and its visitor pressing Start (they
#: choose what to vary meanwhile): time for the pool's processes to come up.
SET_UP_SECONDS = 2.0
#: A sweep whose runs take less than this alone is timed REPEATS times (the median), the
#: backends taking turns: a few seconds of wall time move by a fifth from one try to the
#: next on a shared machine, and a slow spell should not fall on one backend only.
REPEAT_BELOW_SECONDS, REPEATS = 10.0, 5
RATES, WIDTHS = (0.0003, 0.001, 0.003, 0.01), (16, 32, 64, 128)
MNIST_WIDTHS = (32, 64, 128, 256)


def parse(argv=None):
    parser = common.make_parser(__doc__, quick_help="smoke test: a 4-run Digits sweep of one "
                                                    "epoch (MNIST left out; targets not judged)")
    return common.parse_args(parser, argv)


def sweeps(args):
    """[(name, SweepSpec)]: Digits always, MNIST when its files are there (not in --quick)."""
    from studio.spec import ModelSpec
    from studio.sweep import Axis, SweepSpec
    rates, widths, epochs = (RATES[::3], WIDTHS[::3], 1) if args.quick else (RATES, WIDTHS, 20)
    digits = SweepSpec(ModelSpec(dataset="digits", hidden_layers=[64], epochs=epochs,
                                 batch_size=32),
                       [Axis("learning_rate", rates), Axis("hidden_width", widths)], [0])
    out = [("Digits", digits)]
    if not args.quick and not common.missing_files(args.data_dir, ["mnist"]):
        mnist = SweepSpec(ModelSpec(dataset="mnist", hidden_layers=[256], epochs=2,
                                    batch_size=128),
                          [Axis("learning_rate", RATES), Axis("hidden_width", MNIST_WIDTHS)],
                          [0])
        out.append(("MNIST", mnist))
    for _, sweep in out:
        sweep.validate()
    return out


def run_sweep(sweep, factory, parallel, run_seconds):
    """(wall seconds, {run index: result}) of one sweep through ``factory``'s backend, the
    longest runs first (as the app starts them)."""
    from studio.sweep import SweepJob
    job = SweepJob(sweep, factory, parallel=parallel, task="classification",
                   run_seconds=run_seconds)
    began = time.perf_counter()
    job.start()
    job.wait()                  # the results are all in (as the page shows them)
    wall = time.perf_counter() - began
    job.join()                  # the pool shut down or handed back, before the next sweep
    snap = job.snapshot()
    failed = [r for r in snap.results if r["status"] != "completed"]
    if failed or len(snap.results) != sweep.n_runs:
        raise SystemExit(f"the sweep did not complete: {snap.message} {failed[:1]}")
    return wall, {r["index"]: r for r in snap.results}


def alone_seconds(sweep):
    """Seconds to train every run of ``sweep`` in this process, one after another."""
    from threadpoolctl import threadpool_limits

    from studio.sweep.run import point_message, run_point
    total = 0.0
    with threadpool_limits(1, user_api="blas"):
        for point in sweep.points():
            total += run_point(point_message(point))["seconds"]
    return total


@dataclass
class Contender:
    """One way to run a sweep, measured on its own: nothing of the others runs meanwhile
    (an idle Dask cluster alone takes a fifth of a core)."""

    label: str
    make: object            # make(data) -> a backend; ``data``: the server's datasets
    parallel: int
    warm_up: bool = False   # run the sweep once untimed first (the app's second sweep)
    mode: str = "cold"      # the pool's state, for the speed-up against one worker in it
    start: object = None    # start(data) before the timed sweep (a cluster "already running",
    #                         a pool started ahead)
    stop: object = None     # stop() after it: idle pools and clusters go

    def begin(self, data):
        if self.start is not None:
            self.start(data)

    def end(self):
        if self.stop is not None:
            self.stop()


class _Cluster:
    """A two-worker Dask ``LocalCluster``, started for its own row and closed after it."""

    def __init__(self):
        self.cluster = None

    def start(self, data=None):
        """Start the cluster, its workers having imported what a run needs (as a cluster
        that has run sweeps before)."""
        import importlib

        import distributed
        self.cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1,
                                                processes=True, dashboard_address=None,
                                                host="127.0.0.1")
        with distributed.Client(self.cluster) as client:
            client.run(importlib.import_module, "studio.sweep.run")

    def backend(self, data):
        from studio.sweep.backends import DaskBackend
        return DaskBackend(self.cluster.scheduler_address)

    def stop(self):
        cluster, self.cluster = self.cluster, None
        if cluster is not None:
            cluster.close()


def prepare(keeper, workers, data):
    """Start a pool ahead, as the Sweep page does when its visitor opens it, and give it
    the time the visitor takes to set the sweep up."""
    keeper.prepare(workers, data)
    time.sleep(SET_UP_SECONDS)
    if keeper.idle is None or len(keeper.idle.worker_pids()) != workers:
        raise SystemExit(f"the pool started ahead was not up after {SET_UP_SECONDS} s")


def contenders():
    """The backends to compare, local workers (a pool the sweep starts, a pool started
    ahead, a warm pool kept by a keeper) and a Dask cluster when ``distributed`` is
    installed."""
    from studio.sweep.backends import LocalBackend
    from studio.sweep.pool import PoolKeeper
    def local(workers, how):
        return f"local, {workers} worker{'s' if workers > 1 else ''} ({how})"

    out = []
    for workers in (1, 2):
        out.append(Contender(local(workers, "pool started by the sweep"),
                             lambda data, n=workers: LocalBackend(n, data), workers))
    for workers in (1, 2):
        keeper = PoolKeeper()
        out.append(Contender(local(workers, "pool started as the page opened"),
                             lambda data, n=workers, k=keeper: k.backend(n, data), workers,
                             mode="ahead",
                             start=lambda data, n=workers, k=keeper: prepare(k, n, data),
                             stop=keeper.clear))
    for workers in (1, 2):
        keeper = PoolKeeper()
        out.append(Contender(local(workers, "warm pool: the next sweep"),
                             lambda data, n=workers, k=keeper: k.backend(n, data), workers,
                             warm_up=True, mode="warm", stop=keeper.clear))
    if importlib.util.find_spec("distributed") is None:
        common.progress("sweep: distributed is not installed; the Dask rows are left out")
        return out
    cluster = _Cluster()
    # A cluster "already running" has run a sweep on this data before: its workers loaded
    # the dataset (a built-in one through scikit-learn, a second or so) in that sweep.
    out.append(Contender("Dask LocalCluster, 2 workers (already running)", cluster.backend, 2,
                         warm_up=True, mode="warm", start=cluster.start, stop=cluster.stop))
    return out


def main(argv=None) -> int:
    args = parse(argv)
    if args.data_dir:
        os.environ["MLP_STUDIO_DATA"] = str(Path(args.data_dir).expanduser())  # for the workers
    from data import load_dataset
    from studio.sweep.run import dataset_key
    judged = not args.reduced
    rows, notes = [], []
    chosen = sweeps(args)
    compared = contenders()
    try:
        for name, sweep in chosen:
            common.progress(f"sweep: {name}, {sweep.n_runs} runs alone in this process ...")
            alone = alone_seconds(sweep)
            dataset = load_dataset(sweep.base.dataset)
            data = {dataset_key(sweep.base): dataset}
            estimated = sweep.run_seconds(dataset.info, len(dataset.x))
            repeats = 1 if args.reduced or alone > REPEAT_BELOW_SECONDS else REPEATS
            walls = {c.label: [] for c in compared}
            outcome = {}
            for _ in range(repeats):       # in turns, so that a slow spell hits every row
                for contender in compared:
                    common.progress(f"sweep: {name} on {contender.label} ...")
                    contender.begin(data)
                    try:
                        if contender.warm_up:
                            run_sweep(sweep, lambda: contender.make(data), contender.parallel,
                                      estimated)
                        wall, outcome[contender.label] = run_sweep(
                            sweep, lambda: contender.make(data), contender.parallel, estimated)
                        walls[contender.label].append(wall)
                    finally:
                        contender.end()
            reference, one_worker = outcome[compared[0].label], {}
            for contender in compared:
                label, parallel = contender.label, contender.parallel
                results = outcome[label]
                wall = statistics.median(walls[label])
                if parallel == 1:
                    one_worker[contender.mode] = wall
                drift = max(max(abs(a - b) for a, b in zip(results[i]["val_loss"],
                                                           reference[i]["val_loss"]))
                            for i in results)
                speedup = one_worker.get(contender.mode, one_worker["cold"]) / wall
                overhead = (wall * parallel - alone) / sweep.n_runs
                two_local = label.startswith("local, 2 workers")
                rows.append([name, label, common.fmt_seconds(wall),
                             f"{60 * sweep.n_runs / wall:.1f}", f"{speedup:.2f}x",
                             f">= {SPEEDUP_TARGET}x" if two_local else "",
                             common.verdict(speedup >= SPEEDUP_TARGET, judged and two_local)
                             if two_local else "",
                             f"{overhead:+.2f} s", f"{drift:.1e}"])
            varied = " x ".join(a.label.lower() for a in sweep.axes)
            notes.append(f"{name}: {sweep.n_runs} runs ({varied}, "
                         f"{sweep.base.epochs} epoch(s) of batch {sweep.base.batch_size}); "
                         f"trained alone one after another in this process: {alone:.1f} s; "
                         + (f"wall time: the median of {repeats} sweeps per backend, the "
                            "backends taking turns (a new pool or cluster for each)."
                            if repeats > 1 else "one sweep each."))
    finally:
        for contender in compared:
            contender.end()
    notes.append("Speed-up: against one local worker in the same state (a pool started by "
                 f"the sweep, one started {SET_UP_SECONDS:g} s ahead of it, or a warm one); "
                 "the Dask cluster, which ran the sweep once before, "
                 "against the warm pool. Overhead per run: (wall time x runs in parallel - the runs' training time "
                 "alone) / runs: starting worker processes, loading the data in each, sending "
                 "results back. Validation-loss difference: the largest over every run and "
                 "epoch against the one-worker sweep (0 means bit-identical).")
    if args.reduced:
        notes.append("REDUCED RUN (--quick / --limit): targets not judged.")
    common.print_tables([common.Table(
        "Sweeps through local workers and a Dask cluster",
        ["sweep", "backend", "wall time", "runs/min", "speed-up vs 1 worker", "target", "met",
         "overhead per run", "val. loss difference"], rows, notes)], args.markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
