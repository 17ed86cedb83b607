"""Training jobs through the app's own job layer: alone, several at once, and what it costs.

Three tables, all on the "Recommended MNIST" preset ([784, 256, 10], batch 128,
float32) unless stated:

1. **Jobs at once.** 1, 2 and 4 :class:`studio.jobs.TrainingJob` started together
   on a server-like scheduler (one slot per CPU; more jobs queue), each in its
   worker process: wall time, total samples/s, the wall-time ratio against one
   job alone (target for two: at most 1.5x), and how long a page of the app
   takes to run meanwhile (an AppTest page switch, median) -- the server's
   responsiveness while they train.
2. **The app against the bare engine.** One job through the job layer (worker,
   progress stream, parameter mirror) against ``NeuralNetwork.fit`` on the same
   data in a fresh process with the same BLAS threads (target: at least 90%).
3. **BLAS threads.** Seconds per epoch with one and with two BLAS threads for
   networks and batches of several sizes, alone on the machine: where a second
   thread starts to pay, the crossover ``studio.scheduler.MIN_WORK_FOR_THREADS``
   is set from.

Example (from the repository root):
  python benchmarks/concurrency.py --data-dir ../shared/datasets
  python benchmarks/concurrency.py --quick
"""

import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import common  # noqa: E402

JOB_COUNTS = (1, 2, 4)
SWITCH_EVERY = 0.5  # seconds between the page switches timed while jobs train
PAIR_TARGET, APP_TARGET = 1.5, 0.9
CROSSOVER_CASES = ((64, 32), (128, 64), (128, 128), (256, 128), (256, 512), (512, 256),
                   (1024, 512))


def parse(argv=None):
    parser = common.make_parser(__doc__, quick_help="smoke test: 2,000 samples, 1 epoch")
    parser.add_argument("--epochs", type=common.positive_int, default=2, metavar="E",
                        help="epochs per job (default 2)")
    args = common.parse_args(parser, argv)
    args.reduced = bool(args.quick or args.limit)
    if args.quick:
        args.epochs, args.limit = 1, args.limit or 2000
    return args


def prepared_mnist(args):
    from benchmarks import experiments as ex
    spec = ex.preset_spec(ex.RECOMMENDED_MNIST)
    return spec, ex.prepare_for_spec(spec, common.load_mnist(args))


# ------------------------------------------------------------------ jobs at once
def run_jobs(spec, prepared, n, epochs, during=None):
    """Start ``n`` jobs together on a scheduler with a slot per CPU; wait for all.

    ``during()`` is called repeatedly while they train (its results are returned).
    Returns (wall seconds, samples trained, results of ``during``).
    """
    from studio import limits
    from studio.jobs import JobScheduler
    from studio.model_record import build_record
    scheduler = JobScheduler(limits.available_cpus())
    records = [build_record(spec, prepared, scheduler) for _ in range(n)]
    for record in records:
        record.job.set_epochs(epochs)
    began = time.perf_counter()
    for record in records:
        record.job.start()
    seen = []
    while any(r.job.status.active for r in records):
        if during is not None:
            seen.append(during())
        else:
            time.sleep(0.05)
    wall = time.perf_counter() - began
    for record in records:
        record.job.join()
        if record.job.status.value != "finished":
            raise SystemExit(f"a job ended {record.job.status.value}: "
                             f"{record.job.snapshot().message}")
    return wall, sum(r.network.history["samples_seen"] for r in records), seen


class PageTimer:
    """Runs one of the app's pages in AppTest and times it (the server's part of a switch)."""

    def __init__(self):
        from streamlit.testing.v1 import AppTest
        self.app = AppTest.from_file(str(common.REPO_ROOT / "streamlit_app.py"),
                                     default_timeout=120)
        self.app.context["url"] = "http://localhost:8501"
        self.app.run()
        self.pages = ("train", "evaluate", "build")
        self.turn = 0

    def __call__(self, pause=SWITCH_EVERY):
        """Switch page, then wait ``pause`` seconds (a visitor clicks now and then, not
        continuously); returns the seconds the page's run took."""
        page = self.pages[self.turn % len(self.pages)]
        self.turn += 1
        began = time.perf_counter()
        self.app.switch_page(f"app_pages/{page}.py").run()
        seconds = time.perf_counter() - began
        time.sleep(pause)
        return seconds


def jobs_table(spec, prepared, args):
    from studio import limits
    from studio.workers import shared_pool
    shared_pool().warm(limits.available_cpus())
    timer = PageTimer()
    idle = [timer(pause=0) for _ in range(6)]
    rows, alone = [], None
    for n in JOB_COUNTS:
        common.progress(f"concurrency: {n} job(s) at once ...")
        wall, samples, switches = run_jobs(spec, prepared, n, args.epochs, during=timer)
        alone = wall if n == 1 else alone
        ratio = wall / alone
        judged = n == 2 and not args.reduced
        rows.append([str(n), common.fmt_seconds(wall), common.fmt_int(samples / wall),
                     f"{ratio:.2f}x", f"<= {PAIR_TARGET}x" if n == 2 else "",
                     common.verdict(ratio <= PAIR_TARGET, judged) if n == 2 else "",
                     f"{statistics.median(switches):.3f} s" if switches else "?"])
    notes = [f"Each job: {args.epochs} epoch(s) of the Recommended MNIST preset on "
             f"{len(prepared.x_train):,} samples; one training slot per CPU "
             f"({limits.available_cpus()} here), further jobs queue; each job in a worker "
             "process whose BLAS threads are the CPUs divided among the jobs running.",
             f"Page run: an AppTest switch between Train, Evaluate and Build in this process "
             f"(the server), one every {SWITCH_EVERY} s, median while the jobs trained; idle: "
             f"{statistics.median(idle):.3f} s."]
    if args.reduced:
        notes.append("REDUCED RUN (--quick / --limit): targets not judged.")
    return common.Table("Training jobs at once through the job layer",
                        ["jobs", "wall time", "samples/s in all", "wall vs one alone",
                         "target", "met", "page run meanwhile (median)"], rows, notes)


# ------------------------------------------------------------------ app vs bare
BARE = """
import json, sys, time
import numpy
from threadpoolctl import threadpool_limits
threadpool_limits({threads}, user_api="blas")
sys.path.insert(0, {root!r})
from benchmarks import common, experiments as ex
args = common.parse_args(common.make_parser("", quick_help=""), {argv!r})
spec = ex.preset_spec(ex.RECOMMENDED_MNIST)
p = ex.prepare_for_spec(spec, common.load_mnist(args))
net = ex.build_for_spec(spec, p)
start = time.perf_counter()
net.fit(p.x_train, p.y_train, spec.batch_size, {epochs}, categorical=True)
print(json.dumps(net.history["samples_seen"] / (time.perf_counter() - start)))
"""


def bare_rate(args, threads):
    """The bare engine's samples/s in a fresh process (the job layer's reference)."""
    argv = ["--data-dir", str(args.data_dir)] + (["--limit", str(args.limit)] if args.limit
                                                 else [])
    argv += ["--skip-checksums"] if args.skip_checksums else []
    code = BARE.format(threads=threads, root=str(common.REPO_ROOT), argv=argv,
                       epochs=args.epochs)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    return float(out.strip().splitlines()[-1])


def app_table(spec, prepared, args):
    from studio.scheduler import blas_threads
    rates = {"app": [], "bare": []}
    threads = blas_threads(spec.batch_size, 784 * 256 + 256 * 10 + 266, 1)
    for _ in range(1 if args.reduced else 3):
        common.progress("concurrency: one job through the job layer, then the bare engine ...")
        wall, samples, _ = run_jobs(spec, prepared, 1, args.epochs)
        rates["app"].append(samples / wall)
        rates["bare"].append(bare_rate(args, threads))
    app, bare = max(rates["app"]), max(rates["bare"])
    rows = [["bare engine (NeuralNetwork.fit, fresh process)", common.fmt_int(bare), "", "", ""],
            ["one job through the job layer (worker process)", common.fmt_int(app),
             f"{app / bare:.0%}", f">= {APP_TARGET:.0%}",
             common.verdict(app >= APP_TARGET * bare, not args.reduced)]]
    notes = [f"Best of 3 alternating runs each; {threads} BLAS thread(s) for both (the job "
             "layer's choice for this workload). The job's time runs from start() to the "
             "trained weights being back: queueing, the worker's setup, the progress stream and "
             "the parameter mirror included."]
    return common.Table("A job in the app against the bare engine", ["how", "samples/s",
                                                                    "of bare", "target", "met"],
                        rows, notes)


# ------------------------------------------------------------------ BLAS threads
CROSSOVER = """
import json, sys, time
import numpy as np
from threadpoolctl import threadpool_limits
sys.path.insert(0, {root!r})
from mlp import NeuralNetwork
rng = np.random.default_rng(0)
x = rng.random(({n}, 784), dtype=np.float32); y = rng.integers(0, 10, {n})
out = {{}}
for threads in (1, 2):
    with threadpool_limits(threads, user_api="blas"):
        net = NeuralNetwork([784, {hidden}, 10], seed=0, dtype="float32", optimizer="sgd")
        net.fit(x[:{batch}], y[:{batch}], {batch}, 1, categorical=True)  # warm-up
        times = []
        for _ in range(3):
            start = time.perf_counter()
            net.fit(x, y, {batch}, 1, categorical=True)
            times.append(time.perf_counter() - start)
        out[threads] = min(times)
print(json.dumps(out))
"""


def crossover_table(args):
    import json
    rows = []
    n = 1000 if args.reduced else 12_000
    for hidden, batch in CROSSOVER_CASES[:2] if args.reduced else CROSSOVER_CASES:
        common.progress(f"concurrency: BLAS threads, [784, {hidden}, 10] batch {batch} ...")
        code = CROSSOVER.format(root=str(common.REPO_ROOT), n=n, hidden=hidden, batch=batch)
        out = json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True,
                                        text=True, check=True).stdout.strip().splitlines()[-1])
        one, two = out["1"], out["2"]
        work = batch * (784 * hidden + hidden * 10)
        rows.append([f"[784, {hidden}, 10]", str(batch), f"{work / 1e6:.1f} M",
                     f"{one * 1e3 * 1000 / n:.1f}", f"{two * 1e3 * 1000 / n:.1f}",
                     f"{one / two:.2f}x", "2" if two < 0.9 * one else "1"])
    from studio.scheduler import MIN_WORK_FOR_THREADS
    notes = [f"ms per 1,000 samples (best of 3 epochs of {n:,} random samples), one process alone "
             "with its BLAS limited to 1 or 2 threads. 'work' = batch x parameters.",
             "Better: 2 when two threads take less than 90% of one thread's time. "
             f"studio.scheduler.MIN_WORK_FOR_THREADS = {MIN_WORK_FOR_THREADS / 1e6:.0f} M."]
    return common.Table("BLAS threads: one or two for one job alone",
                        ["network", "batch", "work", "1 thread", "2 threads", "speed-up",
                         "better"], rows, notes)


def main(argv=None) -> int:
    args = parse(argv)
    common.require_data(args, ("mnist",))
    spec, prepared = prepared_mnist(args)
    tables = [jobs_table(spec, prepared, args), app_table(spec, prepared, args),
              crossover_table(args)]
    common.print_tables(tables, args.markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
