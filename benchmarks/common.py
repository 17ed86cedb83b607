"""Helpers shared by the benchmark scripts: command line, data, timing, tables, machine.

Every script starts the same way::

    parser = common.make_parser(__doc__, quick_help="...")
    args = common.parse_args(parser)            # --data-dir, --markdown, --quick, --limit, ...
    common.require_data(args, ("mnist",))       # prints what to put where; exits 2 if missing
    dataset = common.load_mnist(args)

and ends by printing :class:`Table` objects, as aligned plain text or, with
``--markdown``, as markdown for the README. Each table's header names the
machine and the BLAS library in use (through threadpoolctl), because every
number in it depends on both.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import os
import platform
import re
import statistics
import sys
import time
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATASETS = REPO_ROOT.parent / "shared" / "datasets"
ENV_DATA_DIR = "MLP_STUDIO_DATA"
MISSING_DATA_EXIT = 2
CALIFORNIA_CACHE = "cal_housing_py3.pkz"


# ------------------------------------------------------------ command line
def default_data_dir() -> str | None:
    """``$MLP_STUDIO_DATA``, else ``../shared/datasets`` beside the repository when it exists."""
    env = os.environ.get(ENV_DATA_DIR)
    if env:
        return env
    return str(SHARED_DATASETS) if SHARED_DATASETS.is_dir() else None


def positive_int(text: str) -> int:
    """argparse type: an integer >= 1."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1. Received: {value}")
    return value


def make_parser(description: str, *, quick_help: str) -> argparse.ArgumentParser:
    """A parser with the options every benchmark script shares."""
    parser = argparse.ArgumentParser(description=description,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--data-dir", default=default_data_dir(), metavar="DIR",
        help="folder with mnist/ (the four IDX .gz files) and sklearn_data/cal_housing_py3.pkz "
             f"(default: ${ENV_DATA_DIR}, else {SHARED_DATASETS} if it exists)")
    parser.add_argument("--markdown", action="store_true",
                        help="print markdown tables (for the README) instead of plain text")
    parser.add_argument("--quick", action="store_true", help=quick_help)
    parser.add_argument("--limit", type=positive_int, metavar="N",
                        help="use only the first N training and first N test samples")
    parser.add_argument("--skip-checksums", action="store_true",
                        help="accept MNIST files of any length without checking the published "
                             "checksums (for the smoke test's tiny synthetic files)")
    return parser


def parse_args(parser: argparse.ArgumentParser, argv=None) -> argparse.Namespace:
    """Parse ``argv``; ``reduced`` is True when a smoke-test option shrinks the run."""
    args = parser.parse_args(argv)
    args.reduced = bool(args.quick or args.limit or getattr(args, "epochs", None))
    return args


# -------------------------------------------------------------------- data
def missing_files(data_dir, needs) -> list[str]:
    """Paths, relative to ``data_dir``, of the files that ``needs`` lacks (empty: all found).

    ``needs`` holds dataset keys: ``"mnist"`` and/or ``"california_housing"``. The
    loaders also look in the user cache, so a file found there counts as present.
    """
    from data import MNIST_FILES, find_california_dir, find_mnist_dir
    missing = []
    if "mnist" in needs and find_mnist_dir(data_dir) is None:
        missing += [f"mnist/{f.name}" for f in MNIST_FILES.values()]
    if "california_housing" in needs and find_california_dir(data_dir) is None:
        missing.append(f"sklearn_data/{CALIFORNIA_CACHE}")
    return missing


def missing_data_message(data_dir, missing: list[str]) -> str:
    """What to put where, and how to fetch it, for the files in ``missing``."""
    if data_dir is None:
        where = "DIR"
        intro = (f"No data folder: --data-dir was not given, ${ENV_DATA_DIR} is not set and "
                 f"{SHARED_DATASETS} does not exist.")
    else:
        where = str(Path(data_dir).expanduser())
        intro = f"The benchmark data is missing from {where}."
    lines = [intro, "Put these files there (the layout of the project's shared datasets "
             "folder; the MNIST files may also sit directly in the folder, gzipped or not):"]
    lines += [f"  {where}/{name}" for name in missing]
    fetch = []
    if any(name.startswith("mnist/") for name in missing):
        fetch.append(f"data.load_mnist('{where}/mnist')")
    if any(name.endswith(CALIFORNIA_CACHE) for name in missing):
        fetch.append(f"data.load_california_housing('{where}/sklearn_data')")
    lines += ["To download them once (about 12 MB), run from the repository root:",
              f"  python -c \"import data; {'; '.join(fetch)}\"",
              f"then pass --data-dir {where} (or set {ENV_DATA_DIR})."]
    return "\n".join(lines)


def require_data(args: argparse.Namespace, needs) -> None:
    """Exit with status 2 and instructions when a dataset in ``needs`` is missing."""
    missing = missing_files(args.data_dir, needs)
    if missing:
        print(missing_data_message(args.data_dir, missing), file=sys.stderr)
        sys.exit(MISSING_DATA_EXIT)


def _load(loader, *a, **kw):
    """Call a ``data`` loader, turning its errors into a message and an exit status."""
    from data import ChecksumError, DownloadError, IdxError
    try:
        return loader(*a, **kw)
    except DownloadError as exc:
        print(exc, file=sys.stderr)
        sys.exit(MISSING_DATA_EXIT)
    except (ChecksumError, IdxError) as exc:
        print(f"The data files are damaged or not the expected ones: {exc}", file=sys.stderr)
        sys.exit(1)


def load_mnist(args: argparse.Namespace):
    """MNIST through :func:`data.load_mnist` (uint8 pixels), cut to ``--limit`` samples."""
    import data
    files = None
    if args.skip_checksums:
        files = {role: dataclasses.replace(f, count=None, md5=None, raw_md5=None)
                 for role, f in data.MNIST_FILES.items()}
    dataset = _load(data.load_mnist, args.data_dir, allow_download=False, files=files)
    return limit_dataset(dataset, args.limit)


def load_california(args: argparse.Namespace):
    """California housing through :func:`data.load_california_housing`, cut to ``--limit``."""
    import data
    dataset = _load(data.load_california_housing, args.data_dir, allow_download=False)
    return limit_dataset(dataset, args.limit)


def limit_dataset(dataset, limit: int | None):
    """The first ``limit`` samples of ``dataset`` (and of its official test split)."""
    if limit is None or (limit >= dataset.n_samples and
                         (dataset.x_test is None or limit >= len(dataset.x_test))):
        return dataset
    test = {}
    if dataset.x_test is not None:
        test = {"x_test": dataset.x_test[:limit], "y_test": dataset.y_test[:limit]}
    return dataclasses.replace(dataset, x=dataset.x[:limit], y=dataset.y[:limit], **test)


# ------------------------------------------------------------------ timing
def time_call(fn) -> float:
    """Wall-clock seconds of one call of ``fn()``."""
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def round_robin(runners: dict, repeats: int, warmup: int = 1,
                settle: float = 0.3) -> dict[str, list[float]]:
    """Time each runner ``repeats`` times, interleaved, after ``warmup`` untimed calls each.

    Interleaving spreads the load of other processes on a shared machine over all
    runners instead of penalising whichever ran during a busy spell. Every other
    round runs in reverse order, so neighbours in ``runners`` run next to each other
    in every round and each goes first as often as the other: put the runners whose
    times will be compared round by round next to each other. Before each timed call
    the process sleeps ``settle`` seconds, so that the worker threads the previous
    runner left spinning (OpenBLAS, OpenMP) have gone idle: on a 2-core machine they
    otherwise steal a core from the next runner.

    Returns
    -------
    dict name -> list of ``repeats`` durations in seconds
    """
    for fn in runners.values():
        for _ in range(warmup):
            fn()
    times = {name: [] for name in runners}
    order = list(runners.items())
    for round_ in range(repeats):
        for name, fn in (order if round_ % 2 == 0 else order[::-1]):
            time.sleep(settle)
            times[name].append(time_call(fn))
    return times


def repeated_ms(fn, repeats: int, warmup: int = 3) -> list[float]:
    """Durations of ``repeats`` calls of ``fn()`` in milliseconds, after ``warmup`` calls."""
    for _ in range(warmup):
        fn()
    return [1e3 * time_call(fn) for _ in range(repeats)]


# ------------------------------------------------------------------ machine
@functools.cache
def blas_info() -> dict:
    """threadpoolctl's record of NumPy's BLAS (the first BLAS found if it cannot tell)."""
    from threadpoolctl import threadpool_info
    blas = [lib for lib in threadpool_info() if lib.get("user_api") == "blas"]
    numpy_blas = [lib for lib in blas if "numpy" in lib.get("filepath", "")]
    return (numpy_blas or blas or [{}])[0]


def blas_threads() -> int:
    """Threads NumPy's BLAS uses (1 when threadpoolctl finds no BLAS)."""
    return int(blas_info().get("num_threads") or 1)


def blas_summary() -> str:
    """E.g. ``openblas 0.3.31, Haswell kernel, 2 threads (OPENBLAS_CORETYPE=Haswell)``."""
    info = blas_info()
    if not info:
        return "BLAS: not detected by threadpoolctl"
    text = (f"BLAS: {info.get('internal_api', '?')} {info.get('version') or ''}".rstrip()
            + f", {info.get('architecture') or 'unknown'} kernel, "
            f"{info.get('num_threads')} threads")
    coretype = os.environ.get("OPENBLAS_CORETYPE")
    return text + (f" (OPENBLAS_CORETYPE={coretype})" if coretype else "")


@functools.cache
def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo (or the platform's processor string)."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def usable_cores() -> int:
    """Cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def rss_mb(pid="self") -> float:
    """Resident set size of one process in MB (0 when it is gone or /proc is missing)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 2**10
    except OSError:
        pass
    return 0.0


def children_by_parent() -> dict[int, list[int]]:
    """Every process's children, from one pass over ``/proc``: {parent pid: [child pids]}."""
    children = {}
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else []:
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as fh:
                    parent = int(fh.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(parent, []).append(int(entry))
    return children


def descendants(pid=None, children=None) -> list[int]:
    """Process ids of every child, grandchild, ... of ``pid`` (default: this process).

    ``children`` is a :func:`children_by_parent` map to reuse (one pass over ``/proc``
    for many roots); by default it is read afresh.
    """
    pid = os.getpid() if pid is None else pid
    children = children_by_parent() if children is None else children
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def tree_rss_mb() -> float:
    """Resident memory of this process and all its descendants, in MB."""
    return rss_mb() + sum(rss_mb(child) for child in descendants())


START_LOAD = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0


def machine_summary() -> str:
    """One line: CPU, cores, OS, Python and NumPy versions, load average at start."""
    load = f", load average {START_LOAD:.1f} at start" if hasattr(os, "getloadavg") else ""
    return (f"Machine: {cpu_model()}, {usable_cores()} cores, {platform.system()}, "
            f"Python {platform.python_version()}, NumPy {np.__version__}{load}")


@functools.cache
def context_lines() -> tuple[str, ...]:
    """The header lines every table carries (computed once per run)."""
    return machine_summary(), blas_summary()


# ------------------------------------------------------------------ tables
_NUMERIC = re.compile(r"^[~<>=≤≥+\-−]*\s*[\d.,]+")


@dataclasses.dataclass
class Table:
    """A titled table of preformatted cells, with header context lines and notes."""

    title: str
    columns: list[str]
    rows: list[list[str]]
    notes: list[str] = dataclasses.field(default_factory=list)
    context: tuple[str, ...] = dataclasses.field(default_factory=context_lines)
    timed: bool = True  # a table of timings warns when other processes were competing

    def render(self, markdown: bool = False) -> str:
        """The table as aligned plain text, or as markdown with ``markdown=True``."""
        rows = [[str(cell) for cell in row] for row in self.rows]
        right = [all(_NUMERIC.match(row[i]) or not row[i] for row in rows) and bool(rows)
                 for i in range(len(self.columns))]
        warning = busy_warning() if self.timed else []
        table = dataclasses.replace(self, context=(*self.context, *warning))
        return _markdown(table, rows, right) if markdown else _plain(table, rows, right)


def busy_warning() -> list[str]:
    """A warning line when the load average shows other processes competing for the cores.

    A benchmark keeps about as many threads busy as there are cores, so only a load
    above ``cores + 1`` (at the start or now) means that others were running too.
    """
    if not hasattr(os, "getloadavg"):
        return []
    now, limit = os.getloadavg()[0], usable_cores() + 1
    if max(now, START_LOAD) <= limit:
        return []
    return [f"WARNING: load average {START_LOAD:.1f} at start, {now:.1f} now, on "
            f"{usable_cores()} cores: other processes were competing; timings are unreliable, "
            "rerun on an idle machine."]


def _plain(table, rows, right):
    widths = [max([len(c)] + [len(row[i]) for row in rows]) for i, c in enumerate(table.columns)]

    def line(cells):
        return "  ".join(cell.rjust(w) if r else cell.ljust(w)
                         for cell, w, r in zip(cells, widths, right)).rstrip()

    out = [f"== {table.title} ==", *table.context, line(table.columns),
           "  ".join("-" * w for w in widths), *(line(row) for row in rows)]
    out += [f"note: {note}" for note in table.notes]
    return "\n".join(out)


def _markdown(table, rows, right):
    def line(cells):
        return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"

    out = [f"#### {table.title}", "", *(f"{c}  " for c in table.context), "",
           line(table.columns), "| " + " | ".join("---:" if r else "---" for r in right) + " |",
           *(line(row) for row in rows)]
    if table.notes:
        out += ["", *(f"- {note}" for note in table.notes)]
    return "\n".join(out)


def print_tables(tables, markdown: bool = False) -> None:
    """Print ``tables`` separated by blank lines, flushing so progress output stays in order."""
    print("\n\n".join(t.render(markdown) for t in tables), flush=True)


def progress(message: str) -> None:
    """A progress line on stderr, so that stdout holds only the tables."""
    print(message, file=sys.stderr, flush=True)


# -------------------------------------------------------------- formatting
def fmt_pct(value: float, digits: int = 2) -> str:
    """0.9587 -> '95.87%'."""
    return f"{100 * value:.{digits}f}%"


def fmt_float(value: float, digits: int = 3) -> str:
    return f"{value:.{digits}f}"


def fmt_int(value: float) -> str:
    """12345.6 -> '12,346'."""
    return f"{value:,.0f}"


def fmt_seconds(seconds: float) -> str:
    """Seconds with a precision that suits their size."""
    if seconds >= 100:
        return f"{seconds:.0f} s"
    if seconds >= 10:
        return f"{seconds:.1f} s"
    return f"{seconds:.2f} s" if seconds >= 1 else f"{seconds:.3f} s"


def mean_std(values, fmt) -> str:
    """'mean ± std' (sample std, n - 1; '± 0' for one value), each through ``fmt``."""
    values = list(values)
    std = statistics.stdev(values) if len(values) > 1 else 0.0
    return f"{fmt(statistics.fmean(values))} ± {fmt(std)}"


def min_max(values, fmt) -> str:
    values = list(values)
    return f"{fmt(min(values))}..{fmt(max(values))}"


def verdict(ok: bool, judged: bool = True) -> str:
    """'yes' / 'NO', or 'n/a' when the run was reduced and the target does not apply."""
    if not judged:
        return "n/a"
    return "yes" if ok else "NO"
