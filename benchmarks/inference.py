"""Prediction latency: one 28x28 image (target under 1 ms) and the 10,000-image test set
(target under 0.1 s), with the recommended MNIST model (float32).

The model is the "Recommended MNIST" preset from studio.presets, trained for one
epoch (the weights do not change the cost of a prediction). Each row is the median
of many calls after a few warm-up calls; the minimum is shown too. The tutorial's
float64 network on the raw uint8 test images is timed for reference.

Example (from the repository root):
  python benchmarks/inference.py --data-dir ../shared/datasets
  python benchmarks/inference.py --quick
"""

import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import common  # noqa: E402

ONE_IMAGE_TARGET_MS = 1.0
TEST_SET_TARGET_MS = 100.0


def parse(argv=None):
    parser = common.make_parser(
        __doc__, quick_help="smoke test: the first 2000 samples, few repeats "
                            "(targets are not judged)")
    parser.add_argument("--repeats", type=common.positive_int, default=1000, metavar="R",
                        help="calls timed for one image (default: 1000; the test set gets "
                             "R / 25, at least 3)")
    args = common.parse_args(parser, argv)
    if args.quick:
        args.repeats, args.limit = 50, args.limit or 2000
    return args


def row(what, model, n_images, times_ms, target_ms, judged):
    median = statistics.median(times_ms)
    target = f"< {target_ms:g} ms" if target_ms else ""
    met = common.verdict(median < target_ms, judged) if target_ms else ""
    return [what, model, f"{n_images:,}", f"{median:.3f}", f"{min(times_ms):.3f}",
            f"{1e3 * median / n_images:.2f}", str(len(times_ms)), target, met]


def main(argv=None) -> int:
    args = parse(argv)
    common.require_data(args, ("mnist",))
    from benchmarks import experiments as ex
    dataset = common.load_mnist(args)
    spec = ex.preset_spec(ex.RECOMMENDED_MNIST)
    prepared = ex.prepare_for_spec(spec, dataset)
    common.progress("training the recommended MNIST model for one epoch ...")
    run = ex.train_spec(spec, prepared, epochs=1)
    net, x_test = run.network, prepared.x_test
    raw_one = dataset.x_test[:1]
    many = max(3, args.repeats // 25)
    judged = not args.reduced
    model = f"recommended [784, {spec.hidden_layers[0]}, 10] {spec.dtype}"
    common.progress("timing predictions ...")
    rows = [
        row("one image: predict(x[:1])", model, 1,
            common.repeated_ms(lambda: net.predict(x_test[:1]), args.repeats),
            ONE_IMAGE_TARGET_MS, judged),
        row("one image: label, from raw uint8 pixels", model, 1,
            common.repeated_ms(lambda: net.predict(prepared.preprocessing.transform(raw_one),
                                                   labels=True), args.repeats),
            ONE_IMAGE_TARGET_MS, judged),
        row("test set: predict(x_test)", model, len(x_test),
            common.repeated_ms(lambda: net.predict(x_test), many), TEST_SET_TARGET_MS, judged),
        row("test set: predict(x_test, labels=True)", model, len(x_test),
            common.repeated_ms(lambda: net.predict(x_test, labels=True), many),
            TEST_SET_TARGET_MS, judged),
    ]
    tutorial = ex.tutorial_mnist_network(0)
    rows.append(row("test set, raw uint8 (reference)", "tutorial [784, 100, 10] float64",
                    len(dataset.x_test),
                    common.repeated_ms(lambda: tutorial.predict(dataset.x_test), many),
                    None, judged))
    notes = [f"Median of R calls after 3 warm-up calls; R = {args.repeats} for one image, "
             f"{many} for the test set. {common.blas_threads()} BLAS threads; the machine "
             "is shared with other processes.",
             "'from raw uint8 pixels' includes the preprocessing (/255 to float32) the Draw "
             "page applies before predicting.",
             f"Recommended model trained for one epoch only (test accuracy "
             f"{common.fmt_pct(run.test_metric, 1)}); the weights do not change the cost."]
    if not judged:
        notes.append("REDUCED RUN (--quick / --limit): targets not judged.")
    common.print_tables([common.Table(
        "Inference latency",
        ["what", "model", "images", "median ms", "min ms", "µs per image", "calls", "target",
         "met"], rows, notes)], args.markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
