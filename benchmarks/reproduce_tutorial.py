"""Reproduce the tutorial's two experiments with mlp, then run the recommended presets.

Tutorial (its exact configurations, 100 epochs, batch 512, SGD() = learning rate
0.01 without momentum, float64):
  * MNIST, layers [784, 100, 10], relu / softmax / cross-entropy, raw 0-255 pixels;
  * California housing, layers [8, 100, 20, 1], relu / identity / MSE, 33% test split,
    features standardised with the training statistics, target in $100,000.
Each runs once per seed; the table shows mean ± std and min..max next to the
tutorial's numbers.

Recommended presets (from studio.presets.PRESETS, as the dashboard offers them):
MNIST must reach 98.0% test accuracy within 60 s of training (stretch: within 3 s),
housing a test MSE of at most 0.30.

Example (from the repository root):
  python benchmarks/reproduce_tutorial.py --data-dir ../shared/datasets
  python benchmarks/reproduce_tutorial.py --quick          # smoke test, seconds
"""

import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import common  # noqa: E402

QUICK_LIMIT, QUICK_EPOCHS = 2000, 2


def parse(argv=None):
    parser = common.make_parser(
        __doc__, quick_help=f"smoke test: one seed, {QUICK_EPOCHS} epochs, the first "
                            f"{QUICK_LIMIT} samples (targets are not judged)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2], metavar="SEED",
                        help="seeds for the tutorial runs (default: 0 1 2)")
    parser.add_argument("--epochs", type=common.positive_int, metavar="E",
                        help="train every experiment for E epochs instead of its own count")
    parser.add_argument("--part", choices=("all", "tutorial", "presets"), default="all",
                        help="run only the tutorial experiments or only the presets")
    parser.add_argument("--mnist-gradient", choices=("default", "jacobian", "both"),
                        default="default",
                        help="tutorial MNIST output gradient: the network's softmax + "
                             "cross-entropy shortcut (default), the tutorial's Jacobian product "
                             "(use_fast_path = False), or both, to check that they agree")
    args = common.parse_args(parser, argv)
    if args.quick:
        args.seeds = args.seeds[:1]
        args.epochs = args.epochs or QUICK_EPOCHS
        args.limit = args.limit or QUICK_LIMIT
    return args


def tutorial_experiments(args, mnist, housing):
    """(label, run function, dataset, reported numbers, format) for each tutorial experiment."""
    from benchmarks import experiments as ex
    mnist_runs = []
    if args.mnist_gradient in ("default", "both"):
        mnist_runs.append(("MNIST [784, 100, 10], default gradient", ex.run_tutorial_mnist))
    if args.mnist_gradient in ("jacobian", "both"):
        mnist_runs.append(("MNIST [784, 100, 10], tutorial's Jacobian gradient",
                           lambda d, seed, e: ex.run_tutorial_mnist(d, seed, e, jacobian=True)))
    return ([(label, run, mnist, ex.TUTORIAL_MNIST, common.fmt_pct)
             for label, run in mnist_runs]
            + [("housing [8, 100, 20, 1]", ex.run_tutorial_housing, housing,
                ex.TUTORIAL_HOUSING, common.fmt_float)])


def run_seeds(label, run, dataset, seeds, epochs):
    """One run per seed, with progress lines."""
    runs = []
    for seed in seeds:
        common.progress(f"tutorial {label}: seed {seed}, {epochs} epochs ...")
        runs.append(run(dataset, seed, epochs))
        common.progress(f"  train {runs[-1].train_metric:.4f}, test {runs[-1].test_metric:.4f}"
                        f", {runs[-1].seconds:.1f} s")
    return runs


def metric_rows(label, runs, reported, fmt, epochs):
    """Rows comparing ``runs`` with the tutorial's ``reported`` train and test numbers."""
    seconds = sum(r.seconds for r in runs) / len(runs)
    wall = f"{common.fmt_seconds(seconds)} ({seconds / epochs:.3f} s/epoch)"
    rows = []
    for metric, attr in zip(reported, ("train_metric", "test_metric")):
        values = [getattr(r, attr) for r in runs]
        diff = sum(values) / len(values) - reported[metric]
        diff_text = f"{100 * diff:+.2f} pts" if fmt is common.fmt_pct else f"{diff:+.3f}"
        rows.append([label, metric, fmt(reported[metric]), common.mean_std(values, fmt),
                     common.min_max(values, fmt), diff_text, wall])
    return rows


def speed_row(label, runs):
    """Seconds per MNIST epoch against the tutorial's implementation.

    Per-epoch times are robust to a busy machine where a run's total is not: the
    best epoch is compared, the median is shown too.
    """
    from benchmarks import experiments as ex
    epochs = [t for r in runs for t in r.epoch_seconds]
    best, median = min(epochs), statistics.median(epochs)
    ratio = ex.TUTORIAL_MNIST_SECONDS_PER_EPOCH / best
    return [label, "seconds per epoch (best / median epoch)",
            f"{ex.TUTORIAL_MNIST_SECONDS_PER_EPOCH} (its code)", f"{best:.3f} / {median:.3f}",
            "", f"{ratio:.1f}x faster" if ratio >= 1 else f"{1 / ratio:.1f}x slower", ""]


def tutorial_table(args, mnist, housing):
    """Tutorial vs ours over ``args.seeds``: accuracy, MSE and wall time."""
    from benchmarks import experiments as ex
    epochs = args.epochs or ex.TUTORIAL_EPOCHS
    rows, speed = [], []
    for label, run, dataset, reported, fmt in tutorial_experiments(args, mnist, housing):
        runs = run_seeds(label, run, dataset, args.seeds, epochs)
        rows += metric_rows(label, runs, reported, fmt, epochs)
        if dataset is mnist:
            speed.append(speed_row(label, runs))
    notes = [
        f"{len(args.seeds)} seed(s) {args.seeds}: a seed sets the initial weights and the "
        "shuffling (and, for housing, the train/test split); ± is the sample std over seeds.",
        f"{epochs} epochs, batch 512, SGD() = learning rate 0.01 without momentum, float64. "
        "MNIST: raw 0-255 pixels fed as uint8 (cast per batch), official 60,000 / 10,000 split. "
        "Housing: 33% test split, standardised with training statistics, MSE in ($100,000)^2.",
        "MNIST gradient: 'default' is what NeuralNetwork does with the tutorial's pairs (the "
        "softmax + cross-entropy shortcut); 'tutorial's Jacobian' computes "
        "d_categorical_crossentropy(p, y) @ d_softmax(z) as the tutorial does "
        "(use_fast_path = False; --mnist-gradient both runs the two). With raw 0-255 pixels "
        "true-class probabilities often fall below the clipping floor eps, where the two "
        "agree only because the shortcut reproduces the clipping.",
        f"Wall time: fit() only, mean per run. Seconds per epoch: best and median of all "
        f"{len(args.seeds)} x {epochs} epochs (the machine is shared with other processes; "
        "the best epoch is the one to compare).",
    ]
    if args.reduced:
        notes.append("REDUCED RUN (--quick / --limit / --epochs): not comparable with the "
                     "tutorial's numbers.")
    return common.Table(
        "Tutorial experiments: the tutorial's numbers vs mlp",
        ["experiment", "metric", "tutorial", "ours (mean ± std)", "ours min..max",
         "ours - tutorial", "training wall time"], rows + speed, notes)


def presets_table(args, mnist, housing):
    """The recommended presets: test metric, training time and whether the targets are met."""
    from benchmarks import experiments as ex
    judged = not args.reduced
    rows, stretch = [], []
    for name, dataset in ((ex.RECOMMENDED_MNIST, mnist), (ex.RECOMMENDED_HOUSING, housing)):
        spec = ex.preset_spec(name)
        common.progress(f"preset {name!r} ...")
        run = ex.train_spec(spec, ex.prepare_for_spec(spec, dataset), epochs=args.epochs)
        common.progress(f"  train {run.train_metric:.4f}, test {run.test_metric:.4f}, "
                        f"{run.seconds:.1f} s, {run.epochs} epochs")
        if name == ex.RECOMMENDED_MNIST:
            metric, fmt = "test accuracy", common.fmt_pct
            target = (f">= {common.fmt_pct(ex.MNIST_TARGET_ACCURACY, 1)} within "
                      f"{ex.MNIST_TARGET_SECONDS:.0f} s")
            ok = (run.test_metric >= ex.MNIST_TARGET_ACCURACY
                  and run.seconds <= ex.MNIST_TARGET_SECONDS)
            fast = ok and run.seconds <= ex.MNIST_STRETCH_SECONDS
            stretch.append(f"Stretch target: {name} at "
                           f">= {common.fmt_pct(ex.MNIST_TARGET_ACCURACY, 1)} within "
                           f"{ex.MNIST_STRETCH_SECONDS:.0f} s of training: "
                           f"{common.verdict(fast, judged)} ({common.fmt_seconds(run.seconds)}).")
        else:
            metric, fmt = "test MSE", common.fmt_float
            target = f"<= {ex.HOUSING_TARGET_MSE:.2f}"
            ok = run.test_metric <= ex.HOUSING_TARGET_MSE
        rows.append([name, ex.describe_spec(spec), metric, target, fmt(run.test_metric),
                     fmt(run.train_metric), common.fmt_seconds(run.seconds),
                     f"{run.epochs} of {args.epochs or spec.epochs}", common.verdict(ok, judged)])
    notes = [f"Presets from studio.presets.PRESETS, built with spec.build and trained like the "
             f"dashboard (prepare with the spec's scaling, fractions and seed; early stopping on "
             f"the validation split when the spec has one). {common.blas_threads()} BLAS "
             "threads; wall time is fit() only.", *stretch]
    if not judged:
        notes.append("REDUCED RUN (--quick / --limit / --epochs): targets not judged.")
    return common.Table(
        "Recommended presets",
        ["preset", "configuration", "metric", "target", "test", "train", "training wall time",
         "epochs run", "met"], rows, notes)


def main(argv=None) -> int:
    args = parse(argv)
    common.require_data(args, ("mnist", "california_housing"))
    mnist, housing = common.load_mnist(args), common.load_california(args)
    if args.part in ("all", "tutorial"):
        common.print_tables([tutorial_table(args, mnist, housing)], args.markdown)
    if args.part == "all":
        print(flush=True)
    if args.part in ("all", "presets"):
        common.print_tables([presets_table(args, mnist, housing)], args.markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
