"""Training throughput of mlp against scikit-learn's MLPClassifier and PyTorch (CPU).

Three workloads, all SGD with learning rate 0.01 and momentum 0.9 in float32:
  A: layers [784, 100, 10], batch 512      B: layers [784, 128, 10], batch 64
  C: layers [784, 256, 10], batch 128 (the Recommended MNIST preset's network)
All frameworks train in this one process on the same data (MNIST training images
scaled /255 to float32) with the same thread count. One epoch is one
``fit(epochs=1)`` for mlp, one ``partial_fit`` for scikit-learn and one pass over a
random permutation for PyTorch. After one warm-up epoch each, the frameworks run
``--repeats`` epochs each, interleaved; the best epoch is compared (the machine may
be shared), the median is shown too. PyTorch is skipped with a note when it is not
importable (it is not a requirement of the project). A hand-fused NumPy step
(``benchmarks/fused_step.py``) runs alongside as the reference for what any NumPy
implementation can reach here.

The second table puts mlp's training FLOP rate next to a float32 matrix multiply
of the same shape and a large one, both measured here with NumPy.

Example (from the repository root):
  python benchmarks/throughput.py --data-dir ../shared/datasets
  python benchmarks/throughput.py --quick
"""

import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from benchmarks import common  # noqa: E402
from benchmarks.fused_step import FusedNumpyRunner  # noqa: E402

WORKLOADS = (("A", 100, 512), ("B", 128, 64), ("C", 256, 128))
LEARNING_RATE = 0.01
MOMENTUM = 0.9
CLASSES = np.arange(10)
FUSED = "NumPy, hand-fused step (reference)"
# mlp at least 0.95x the hand-fused NumPy step (the limit of any NumPy implementation) and at
# least as fast as PyTorch on the same cores; workload C is measured, not judged.
TARGETS = {("A", FUSED): 0.95, ("A", "PyTorch"): 1.0,
           ("B", FUSED): 0.95, ("B", "PyTorch"): 1.0}
QUICK_LIMIT = 4096


def parse(argv=None):
    parser = common.make_parser(
        __doc__, quick_help=f"smoke test: the first {QUICK_LIMIT} samples, one timed epoch, "
                            "small matrix multiplies (targets are not judged)")
    parser.add_argument("--repeats", type=common.positive_int, default=7, metavar="R",
                        help="timed epochs per framework and workload (default: 7)")
    parser.add_argument("--no-torch", action="store_true", help="leave PyTorch out")
    args = common.parse_args(parser, argv)
    if args.quick:
        args.repeats, args.limit = 1, args.limit or QUICK_LIMIT
    return args


# ---------------------------------------------------------------- runners
class MlpRunner:
    name, dtype = "mlp", "float32"

    def __init__(self, hidden, batch_size, x, y):
        from mlp import NeuralNetwork
        from mlp.optimizers import SGD
        self.x, self.y, self.batch_size = x, y, batch_size
        self.net = NeuralNetwork([784, hidden, 10], "relu", "softmax", "categorical_crossentropy",
                                 SGD(LEARNING_RATE, momentum=MOMENTUM), seed=0, dtype="float32")

    def epoch(self):
        self.net.fit(self.x, self.y, batch_size=self.batch_size, epochs=1, categorical=True)

    def accuracy(self, x, y):
        return self.net.score(x, y, accuracy=True)


class SklearnRunner:
    name = "scikit-learn"

    def __init__(self, hidden, batch_size, x, y, dtype=np.float32):
        from sklearn.neural_network import MLPClassifier
        self.x, self.y = x.astype(dtype, copy=False), y
        self.clf = MLPClassifier(
            hidden_layer_sizes=(hidden,), solver="sgd", learning_rate="constant",
            learning_rate_init=LEARNING_RATE, momentum=MOMENTUM, nesterovs_momentum=False,
            alpha=0.0, batch_size=batch_size, shuffle=True, random_state=0)
        self.requested = np.dtype(dtype).name

    @property
    def dtype(self):
        """The dtype scikit-learn actually trains in (its weights' dtype once fitted)."""
        coefs = getattr(self.clf, "coefs_", None)
        return coefs[0].dtype.name if coefs else self.requested

    def epoch(self):
        self.clf.partial_fit(self.x, self.y, classes=CLASSES)

    def accuracy(self, x, y):
        return float(np.mean(self.clf.predict(x.astype(self.x.dtype, copy=False)) == y))


class TorchRunner:
    name, dtype = "PyTorch", "float32"

    def __init__(self, torch, hidden, batch_size, x, y):
        self.torch, self.batch_size = torch, batch_size
        self.x, self.y = torch.from_numpy(x), torch.from_numpy(y.astype(np.int64))
        torch.manual_seed(0)
        nn = torch.nn
        self.model = nn.Sequential(nn.Linear(784, hidden), nn.ReLU(), nn.Linear(hidden, 10))
        self.optimizer = torch.optim.SGD(self.model.parameters(), lr=LEARNING_RATE,
                                         momentum=MOMENTUM)
        self.loss = nn.CrossEntropyLoss()
        self.generator = torch.Generator().manual_seed(0)

    def epoch(self):
        order = self.torch.randperm(len(self.x), generator=self.generator)
        for start in range(0, len(order), self.batch_size):
            idx = order[start:start + self.batch_size]
            self.optimizer.zero_grad(set_to_none=True)
            self.loss(self.model(self.x[idx]), self.y[idx]).backward()
            self.optimizer.step()

    def accuracy(self, x, y):
        with self.torch.no_grad():
            predicted = self.model(self.torch.from_numpy(x)).argmax(dim=1).numpy()
        return float(np.mean(predicted == y))


def import_torch(args):
    """``(torch, note)``: the module (threads set to the BLAS count) or None and why."""
    if args.no_torch:
        return None, "PyTorch left out (--no-torch)."
    try:
        import torch
    except ImportError:
        return None, ("PyTorch is not importable here, so it is skipped; it is not a "
                      "requirement of the project (pip install torch to include it).")
    torch.set_num_threads(common.blas_threads())
    return torch, (f"PyTorch {torch.__version__}: torch.get_num_threads() = "
                   f"{torch.get_num_threads()}, set to the BLAS thread count.")


# ------------------------------------------------------------------- FLOPs
def training_flops_per_sample(layers) -> int:
    """Multiply-adds x 2 of one forward and backward pass for one sample.

    Forward ``2 * sum(fan_in * fan_out)``; backward the same again for the weight
    gradients plus the gradient with respect to every layer's input except the first
    (the input gradient of the data is not needed). Element-wise work is left out.
    """
    sizes = list(zip(layers[:-1], layers[1:]))
    forward = sum(2 * a * b for a, b in sizes)
    return 2 * forward + sum(2 * a * b for a, b in sizes[1:])


class Matmul:
    """A float32 ``(m, k) @ (k, n)`` in NumPy, repeated to span about ``seconds`` per call.

    It is timed in the same round robin as the frameworks, so that it meets the same
    load from other processes; ``gflops(seconds)`` converts one timing.
    """

    def __init__(self, m, k, n, seconds=0.05):
        rng = np.random.default_rng(0)
        self.a = rng.random((m, k), dtype=np.float32)
        self.b = rng.random((k, n), dtype=np.float32)
        self.flops = 2 * m * k * n
        self.a @ self.b
        one = min(common.time_call(lambda: self.a @ self.b) for _ in range(3))
        self.calls = max(1, int(seconds / max(one, 1e-6)))

    def run(self):
        for _ in range(self.calls):
            self.a @ self.b

    def gflops(self, seconds):
        return self.flops * self.calls / seconds / 1e9


# ------------------------------------------------------------------- tables
def run_workload(key, hidden, batch_size, data, args, torch):
    """Time all frameworks and two matmuls on one workload.

    Returns
    -------
    rows : table rows, one per framework
    efficiency : the workload's row of the FLOP-rate table
    """
    x, y, x_test, y_test = data
    # The targets compare mlp with the fused step and with PyTorch round by round: they run
    # next to mlp (round_robin alternates the order), the machine's drift between them least.
    runners = [FusedNumpyRunner(hidden, batch_size, x, y, LEARNING_RATE, MOMENTUM),
               MlpRunner(hidden, batch_size, x, y)]
    if torch is not None:
        runners.append(TorchRunner(torch, hidden, batch_size, x, y))
    runners.append(SklearnRunner(hidden, batch_size, x, y))
    reference = SklearnRunner(hidden, batch_size, x, y, dtype=np.float64)
    reference.name = "scikit-learn (float64 input, reference)"
    runners.append(reference)
    big = 1024 if args.quick else 2048
    matmuls = {"same": Matmul(batch_size, 784, hidden), "big": Matmul(big, big, big)}
    common.progress(f"workload {key}: [784, {hidden}, 10], batch {batch_size}: "
                    + ", ".join(r.name for r in runners) + " ...")
    timed = {r.name: r.epoch for r in runners} | {k: m.run for k, m in matmuls.items()}
    times = common.round_robin(timed, args.repeats, warmup=1, settle=0.05 if args.quick else 0.3)
    best = {name: min(t) for name, t in times.items()}
    rows = []
    shown = ["mlp", SklearnRunner.name, reference.name, TorchRunner.name, FusedNumpyRunner.name]
    for r in sorted(runners, key=lambda runner: shown.index(runner.name)):
        # Paired within each round (the epochs ran seconds apart), then the median: steady
        # on a machine whose speed drifts by tens of percent within minutes.
        speedup = statistics.median(peer / mine for peer, mine in zip(times[r.name],
                                                                       times["mlp"]))
        target = TARGETS.get((key, r.name))
        rows.append([r.name, r.dtype, f"{best[r.name]:.3f}",
                     f"{statistics.median(times[r.name]):.3f}",
                     common.fmt_int(len(x) / best[r.name]),
                     "1.00x" if r.name == "mlp" else f"{speedup:.2f}x",
                     f">= {target:.2f}x" if target else "",
                     common.verdict(speedup >= target, not args.reduced) if target else "",
                     common.fmt_pct(r.accuracy(x_test, y_test), 1)])
    if torch is None:
        rows.append(["PyTorch", "-", "skipped", "", "", "", ">= 1.0x", "n/a", ""])
    flops = training_flops_per_sample([784, hidden, 10])
    achieved = flops * len(x) / best["mlp"] / 1e9
    same, peak = (matmuls[k].gflops(best[k]) for k in ("same", "big"))
    efficiency = [key, f"{batch_size}x784 @ 784x{hidden}", common.fmt_int(flops),
                  f"{achieved:.1f}", f"{same:.1f}", common.fmt_pct(achieved / same, 0),
                  f"{flops * len(x) / same / 1e9:.3f}",
                  f"{big}^3: {peak:.1f}", common.fmt_pct(achieved / peak, 0)]
    return rows, efficiency


def main(argv=None) -> int:
    args = parse(argv)
    common.require_data(args, ("mnist",))
    from data import prepare
    torch, torch_note = import_torch(args)
    prepared = prepare(common.load_mnist(args), scaling="scale", val_fraction=0.0, seed=0,
                       dtype=np.float32)
    # Materialised: every framework gets the same float32 arrays.
    data = (np.asarray(prepared.x_train), prepared.y_train, np.asarray(prepared.x_test),
            prepared.y_test)
    epochs_seen = 1 + args.repeats
    tables, efficiency = [], []
    for key, hidden, batch_size in WORKLOADS:
        rows, efficiency_row = run_workload(key, hidden, batch_size, data, args, torch)
        tables.append(common.Table(
            f"Training throughput, workload {key}: [784, {hidden}, 10], batch {batch_size}, "
            f"SGD lr {LEARNING_RATE} momentum {MOMENTUM}, {len(data[0]):,} samples",
            ["framework", "dtype", f"s/epoch (best of {args.repeats})", "s/epoch (median)",
             "samples/s", "mlp speed-up", "target", "met", f"test acc. after {epochs_seen} ep."],
            rows))
        efficiency.append(efficiency_row)
    notes = [
        "Same data for every framework: MNIST training images /255 as float32, shuffled once "
        "by data.prepare (seed 0); each framework reshuffles every epoch.",
        f"1 warm-up epoch each, then {args.repeats} timed epoch(s) each, interleaved across "
        "frameworks; the machine is shared with other processes, so compare the best epochs.",
        "mlp speed-up = the median over the rounds of the peer's epoch time / mlp's epoch time "
        "in the same round (above 1: mlp is faster).",
        "scikit-learn trains in the dtype of its input: float32 here, like the others. The "
        "float64 row is the same estimator given float64 data (its usual default), for "
        "reference; targets are judged against the float32 row.",
        torch_note,
        "The hand-fused NumPy step (benchmarks/fused_step.py) runs the same matrix products "
        "with preallocated buffers and no checks, history or callbacks: it shows how fast any "
        "NumPy implementation of this workload can go here (an mlp speed-up below 1x is the "
        "price of mlp's checks and bookkeeping).",
    ]
    if args.reduced:
        notes.append("REDUCED RUN (--quick / --limit): targets not judged.")
    tables[-1].notes = notes
    tables.append(common.Table(
        "mlp's training FLOP rate vs NumPy float32 matrix multiply",
        ["workload", "matmul shape", "training FLOP/sample", "mlp GFLOP/s",
         "same-shape matmul GFLOP/s", "fraction", "s/epoch at that rate",
         "large matmul GFLOP/s", "fraction"],
        efficiency,
        ["Training FLOP/sample = forward 2*(784h + 10h) + weight gradients (the same) + the "
         "gradient into the hidden layer 2*10h; element-wise work is not counted.",
         "mlp GFLOP/s = FLOP/sample x mlp's best samples/s. Matmuls: NumPy float32, timed "
         "in the same round robin as the frameworks (best of the same number of rounds).",
         "s/epoch at that rate: the epoch's counted FLOPs at the same-shape matmul rate, the "
         "time the matrix products alone take in any framework using this BLAS."]))
    common.print_tables(tables, args.markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
