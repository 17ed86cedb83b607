"""Peak resident memory while training MNIST (target: at most 400 MB).

Each case runs in a fresh Python process, so that nothing allocated earlier (by
this script or another case) counts; the process reports its peak resident set
size (``resource.getrusage``'s ``ru_maxrss``) after importing, after loading MNIST
through the data package, and after training and scoring on the test set:
  * tutorial: [784, 100, 10] float64, the uint8 pixels fed as they are (each batch is
    cast to float64; no float64 copy of the whole set is ever made);
  * recommended: the "Recommended MNIST" preset (float32), trained on the float32
    copy that data.prepare scales once, as the dashboard does.

Example (from the repository root):
  python benchmarks/memory.py --data-dir ../shared/datasets
  python benchmarks/memory.py --quick
"""

import argparse
import json
import resource
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import common  # noqa: E402

TARGET_MB = 400.0
DEFAULT_EPOCHS = 2
CASES = {
    "tutorial": ("tutorial MNIST", "[784, 100, 10] float64, SGD(), batch 512",
                 "uint8 pixels (60,000 x 784)"),
    "recommended": ("Recommended MNIST preset", "[784, 256, 10] float32, as in studio.presets",
                    "float32 copy scaled /255; uint8 released after"),
}


def parse(argv=None):
    parser = common.make_parser(
        __doc__, quick_help="smoke test: one epoch on the first 2000 samples "
                            "(the target is not judged)")
    parser.add_argument("--epochs", type=common.positive_int, metavar="E",
                        help=f"epochs to train in each case (default: {DEFAULT_EPOCHS})")
    parser.add_argument("--worker", choices=tuple(CASES), help=argparse.SUPPRESS)
    args = common.parse_args(parser, argv)
    args.reduced = bool(args.quick or args.limit)  # fewer epochs do not lower the peak
    if args.quick:
        args.epochs, args.limit = args.epochs or 1, args.limit or 2000
    return args


# ------------------------------------------------------------------ worker
def peak_rss_mb() -> float:
    """This process's peak resident set size so far, in MB (ru_maxrss: KB on Linux)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10


def current_rss_mb() -> float:
    """This process's resident set size now, in MB (the peak where /proc is missing)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 2**10
    except OSError:
        pass
    return peak_rss_mb()


def run_worker(args) -> dict:
    """Load, train and score one case in this (fresh) process; return the memory readings."""
    from benchmarks import experiments as ex
    readings = {"after_imports": current_rss_mb()}
    dataset = common.load_mnist(args)
    readings["peak_after_loading"] = peak_rss_mb()
    epochs = args.epochs or DEFAULT_EPOCHS
    if args.worker == "tutorial":
        network = ex.tutorial_mnist_network(0)
        network.fit(dataset.x, dataset.y, batch_size=ex.TUTORIAL_BATCH_SIZE, epochs=epochs,
                    categorical=True)
        accuracy = network.score(dataset.x_test, dataset.y_test, accuracy=True)
    else:
        spec = ex.preset_spec(ex.RECOMMENDED_MNIST)
        prepared = ex.prepare_for_spec(spec, dataset)
        del dataset  # the float32 splits are all training needs; let the uint8 copy go
        run = ex.train_spec(spec, prepared, epochs=epochs)
        accuracy = run.test_metric
    readings.update(peak=peak_rss_mb(), epochs=epochs, test_accuracy=accuracy)
    return readings


# ------------------------------------------------------------------ parent
def measure(case, args) -> dict:
    """Run ``case`` in a fresh interpreter and return its readings."""
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", case]
    if args.data_dir is not None:
        command += ["--data-dir", str(args.data_dir)]
    if args.epochs:
        command += ["--epochs", str(args.epochs)]
    if args.limit:
        command += ["--limit", str(args.limit)]
    if args.skip_checksums:
        command.append("--skip-checksums")
    common.progress(f"memory: {case} in a fresh process ...")
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        sys.stderr.write(result.stderr)
        raise SystemExit(f"the {case} worker failed with status {result.returncode}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    args = parse(argv)
    common.require_data(args, ("mnist",))
    if args.worker:
        print(json.dumps(run_worker(args)))
        return 0
    rows = []
    for case, (name, network, data) in CASES.items():
        r = measure(case, args)
        rows.append([name, network, data, f"{r['after_imports']:.0f}",
                     f"{r['peak_after_loading']:.0f}", f"{r['peak']:.0f}",
                     f"<= {TARGET_MB:.0f}", common.verdict(r["peak"] <= TARGET_MB,
                                                           not args.reduced),
                     f"{r['epochs']}", common.fmt_pct(r["test_accuracy"], 1)])
    notes = ["MB = 2^20 bytes. Each case runs in a fresh process: peak = ru_maxrss at the end "
             "(loading, training and scoring the test set); it includes Python, NumPy and the "
             "data package's imports (scikit-learn, pandas).",
             "Peak after loading = ru_maxrss right after data.load_mnist (includes the gzip "
             "decompression buffers)."]
    if args.reduced:
        notes.append("REDUCED RUN (--quick / --limit): target not judged.")
    common.print_tables([common.Table(
        "Peak resident memory while training MNIST",
        ["case", "network", "data in memory", "RSS after imports (MB)",
         "peak after loading (MB)", "peak (MB)", "target (MB)", "met", "epochs",
         "test acc."], rows, notes, timed=False)], args.markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
