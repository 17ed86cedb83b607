"""How exactly a share link reproduces the sender's model: the same preset trained again and again.

A share link carries the settings and the seed, not the weights: the receiver's
model is trained anew. This script trains each workload with the same settings,
seed and epochs

* **in-process**: ``NeuralNetwork.fit`` as :func:`studio.trained.train_one` calls it
  (the way the committed trained presets were made), and
* **worker**: :func:`studio.model_record.build_record` then ``record.job.start()`` /
  ``record.job.join()``, the worker-process path the app trains a link's model on
  (its spec decoded from the link's query string first),

each with NumPy's BLAS forced to 1 and to 2 threads, ``--repeats`` times (default 3),
and prints per run the test metric and the largest absolute difference of any
weight from the workload's first run (in-process, 1 thread, run 1).

BLAS threads: in-process through ``threadpoolctl.threadpool_limits``. A worker
process sets its own count from the task the server sends
(``studio.training_worker.set_blas_threads(task["threads"])``), which
``studio.job_segment`` computes with ``blas_threads(batch size, parameters, jobs
running)`` -- 1 below ``studio.scheduler.MIN_WORK_FOR_THREADS`` whatever the
machine. So this script replaces ``studio.job_segment.blas_threads`` (in this
process only; no production code changes) with the count under test, and checks
that every task and thread-count message sent to the worker carried it.

Workloads: the "Digits: quick start" and "Two spirals: see the boundary bend"
presets, and the "Recommended MNIST (98% in under a minute)" preset with its epochs
lowered to 3 when the data folder has MNIST (else skipped, with a note).

Example (from the repository root):
  python benchmarks/reproducibility.py --data-dir ../shared/datasets --markdown
  python benchmarks/reproducibility.py --quick
"""

import contextlib
import sys
from dataclasses import dataclass
from pathlib import Path
from unittest import mock
from urllib.parse import parse_qs

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import common  # noqa: E402

DIGITS = "Digits: quick start"
SPIRALS = "Two spirals: see the boundary bend"
MNIST = "Recommended MNIST (98% in under a minute)"
MNIST_EPOCHS = 3
THREAD_COUNTS = (1, 2)
PATHS = ("in-process", "worker")
# --quick: epochs per workload, MNIST samples, repeats
QUICK_EPOCHS = {DIGITS: 2, SPIRALS: 5, MNIST: 1}
QUICK_LIMIT, QUICK_REPEATS = 2000, 2


def parse(argv=None):
    parser = common.make_parser(__doc__, quick_help=f"smoke test: {QUICK_REPEATS} repeats, "
                                                    "1-5 epochs, 2,000 MNIST samples")
    parser.add_argument("--repeats", type=common.positive_int, default=3, metavar="R",
                        help="runs per path and thread count (default 3)")
    args = common.parse_args(parser, argv)
    if args.quick:
        args.repeats, args.limit = min(args.repeats, QUICK_REPEATS), args.limit or QUICK_LIMIT
    return args


# ------------------------------------------------------------------ workloads
@dataclass
class Workload:
    label: str          # as the table shows it
    spec: object        # studio.spec.ModelSpec: what the sender built
    prepared: object    # data.PreparedData: the splits both sides train and test on


def with_epochs(spec, epochs):
    from studio.spec import ModelSpec
    return ModelSpec(**{**spec.to_dict(), "epochs": epochs})


def workloads(args):
    """The workloads this run can do, and notes on what it left out or changed."""
    from benchmarks import experiments as ex
    from studio.presets import preset
    from studio.trained import prepare_for
    found, notes = [], []
    for name in (DIGITS, SPIRALS):
        spec = preset(name)
        if args.quick:
            spec = with_epochs(spec, QUICK_EPOCHS[name])
        found.append(Workload(name if not args.quick else f"{name} ({spec.epochs} epochs)",
                              spec, prepare_for(spec)))
    if common.missing_files(args.data_dir, ("mnist",)):
        notes.append(f"{MNIST}: skipped, no MNIST in {args.data_dir or 'the data cache'} "
                     "(pass --data-dir or set $MLP_STUDIO_DATA).")
        return found, notes
    epochs = QUICK_EPOCHS[MNIST] if args.quick else MNIST_EPOCHS
    spec = with_epochs(preset(MNIST), epochs)
    prepared = ex.prepare_for_spec(spec, common.load_mnist(args))
    label = f"{MNIST}, epochs lowered to {epochs} (preset: {preset(MNIST).epochs})"
    found.append(Workload(label, spec, prepared))
    return found, notes


# ------------------------------------------------------------------ the two paths
def train_in_process(spec, prepared, threads):
    """``network.fit`` as :func:`studio.trained.train_one` calls it, BLAS limited to ``threads``."""
    from threadpoolctl import threadpool_limits
    info = prepared.info
    with threadpool_limits(limits=threads, user_api="blas"):
        network = spec.build(info.n_features, info.n_classes if info.task == "classification"
                             else 1, len(prepared.x_train))
        validation = (prepared.x_val, prepared.y_val) if len(prepared.x_val) else None
        network.fit(prepared.x_train, prepared.y_train, spec.batch_size, spec.epochs,
                    categorical=info.task == "classification", validation_data=validation,
                    early_stopping=(spec.early_stopping or None) if validation else None)
    return network


def received_spec(spec):
    """``spec`` after a trip through a share link's query string, as the receiver decodes it."""
    from studio.share import parse_link, spec_to_query_string
    link = parse_link(parse_qs(spec_to_query_string(spec, open="train")))
    if link.warnings or link.spec.to_dict() != spec.to_dict():
        raise SystemExit(f"The share link does not carry the spec unchanged: {link.warnings}")
    return link.spec


@contextlib.contextmanager
def worker_threads(threads):
    """Make every training task's worker run with ``threads`` BLAS threads; yield what was sent.

    ``studio.job_segment`` asks ``blas_threads(...)`` for the count it puts in the task
    and re-sends whenever the answer changes; here it answers ``threads``. The list
    yielded collects every count actually sent to a worker.
    """
    from studio import job_segment
    from studio.workers import Worker
    sent = []
    real_send = Worker.send

    def recording_send(worker, message):
        if message[0] == "train":
            sent.append(message[1]["threads"])
        elif message[0] == "threads":
            sent.append(message[1])
        return real_send(worker, message)

    with mock.patch.object(job_segment, "blas_threads", lambda *_, **__: threads), \
            mock.patch.object(Worker, "send", recording_send):
        yield sent


def train_in_worker(spec, prepared, threads, scheduler):
    """The app's path: a record built from ``spec``, trained by its job in a worker process."""
    from studio.model_record import build_record
    record = build_record(spec, prepared, scheduler)
    with worker_threads(threads) as sent:
        record.job.start()
        record.job.join()
    snapshot = record.job.snapshot(history=False)
    if snapshot.status.value != "finished":
        raise SystemExit(f"A job ended {snapshot.status.value}: {snapshot.message}")
    if not sent or set(sent) != {threads}:
        raise SystemExit(f"The worker was sent BLAS threads {sent}, not [{threads}].")
    return record.network


# ------------------------------------------------------------------ measuring
def fmt_metric(name, value):
    return common.fmt_pct(value) if name == "accuracy" else f"{value:.6f}"


def fmt_spread(name, spread):
    if name == "accuracy":
        return f"{100 * spread:.2f} percentage points"
    return f"{spread:.3g}"


def fmt_difference(value):
    return "0 (identical)" if value == 0 else f"{value:.2e}"


def measure(workload, repeats, scheduler):
    """Train ``workload`` on every path and thread count ``repeats`` times.

    Returns (rows, metric name, metric values, max weight difference, groups): ``groups``
    lists, per distinct set of final weights, the path / thread-count cells that gave it.
    """
    from studio.trained import score
    spec, prepared = workload.spec, workload.prepared
    link_spec = received_spec(spec)
    runs = []  # (path, threads, run, metric value, params)
    for run in range(1, repeats + 1):  # interleaved: a drift over time shows in every cell
        for path in PATHS:
            for threads in THREAD_COUNTS:
                common.progress(f"reproducibility: {workload.label}, {path}, {threads} "
                                f"thread(s), run {run} ...")
                network = (train_in_process(spec, prepared, threads) if path == "in-process"
                           else train_in_worker(link_spec, prepared, threads, scheduler))
                metric_name, value = score(network, prepared)
                runs.append((path, threads, run, value, network.params.copy()))
    runs.sort(key=lambda r: (PATHS.index(r[0]), r[1], r[2]))
    reference = runs[0][4]
    rows, differences = [], []
    for path, threads, run, value, params in runs:
        difference = float(np.max(np.abs(params.astype(np.float64) - reference)))
        differences.append(difference)
        rows.append([workload.label, path, str(threads), str(run),
                     fmt_metric(metric_name, value), fmt_difference(difference)])
    groups = {}  # the runs whose weights are bit-identical, in order of first appearance
    for path, threads, _, _, params in runs:
        cell = f"{path} {threads} thread{'s' if threads > 1 else ''}"
        members = groups.setdefault(params.tobytes(), [])
        if cell not in members:
            members.append(cell)
    return rows, metric_name, [r[3] for r in runs], max(differences), list(groups.values())


def summary(workload, metric_name, values, max_difference, groups):
    spread = max(values) - min(values)
    if max_difference == 0:
        weights = "every run's weights bit-identical to the first"
    else:
        weights = (f"weights differ by up to {max_difference:.2e}; {len(groups)} distinct sets "
                   "of weights, each bit-identical within: "
                   + " | ".join(", ".join(cells) for cells in groups))
    return (f"{workload.label}: test {metric_name} spread (max - min) over {len(values)} runs: "
            f"{fmt_spread(metric_name, spread)} ({fmt_metric(metric_name, min(values))} .. "
            f"{fmt_metric(metric_name, max(values))}); {weights}.")


def main(argv=None) -> int:
    from studio.jobs import JobScheduler
    from studio.workers import shared_pool
    args = parse(argv)
    found, notes = workloads(args)
    shared_pool().warm(1)
    scheduler = JobScheduler(1)
    rows, summaries = [], []
    for workload in found:
        workload_rows, *result = measure(workload, args.repeats, scheduler)
        rows += workload_rows
        summaries.append(summary(workload, *result))
    notes = summaries + notes + [
        "Max abs weight difference: the largest absolute difference of any parameter from the "
        "workload's first run (in-process, 1 BLAS thread, run 1).",
        "in-process: NeuralNetwork.fit as studio.trained.train_one calls it, BLAS limited by "
        "threadpoolctl. worker: build_record + job.start() / job.join(), the spec decoded from "
        "the link's query string first; the worker's BLAS threads forced through "
        "studio.job_segment.blas_threads and checked in every message sent to the worker.",
        f"Runs interleaved: {args.repeats} round{'s' if args.repeats > 1 else ''} of every "
        "path and thread count."]
    if args.reduced:
        notes.append("REDUCED RUN (--quick / --limit): fewer epochs, samples and repeats.")
    table = common.Table("Reproducibility: the same settings and seed trained again",
                         ["workload", "path", "BLAS threads", "run", "test metric",
                          "max abs weight difference vs first run"], rows, notes, timed=False)
    common.print_tables([table], args.markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
