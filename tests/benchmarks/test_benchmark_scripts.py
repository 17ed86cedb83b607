"""The benchmark scripts keep working: each runs as a subprocess in ``--quick`` mode.

The data is tiny and written here (four MNIST-format IDX .gz files and a
scikit-learn California housing cache), so the tests need no network and no
shared folder; ``--skip-checksums`` lets the scripts accept files that are not
the published ones. Numbers are never checked (the machine is shared and
noisy): only exit codes, the table headers and the missing-data instructions.
"""

import gzip
import os
import struct
import subprocess
import sys
from pathlib import Path

import joblib
import numpy as np
import pytest
from real_data import real_datasets_dir

REPO = Path(__file__).resolve().parents[2]
BENCHMARKS = REPO / "benchmarks"
SHARED = real_datasets_dir()  # $MLP_STUDIO_DATA or ../shared/datasets
MNIST_NAMES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
               "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")

# script -> (datasets it needs, lines its output must contain)
SCRIPTS = {
    "reproduce_tutorial.py": (
        ("mnist", "california"),
        ["== Tutorial experiments: the tutorial's numbers vs mlp ==",
         "experiment", "ours (mean ± std)", "== Recommended presets ==", "preset"]),
    "throughput.py": (
        ("mnist",),
        ["== Training throughput, workload A: [784, 100, 10], batch 512",
         "== Training throughput, workload B: [784, 128, 10], batch 64",
         "== Training throughput, workload C: [784, 256, 10], batch 128",
         "framework", "samples/s", "mlp speed-up",
         "== mlp's training FLOP rate vs NumPy float32 matrix multiply =="]),
    "memory.py": (
        ("mnist",),
        ["== Peak resident memory while training MNIST ==", "peak (MB)", "tutorial MNIST",
         "Recommended MNIST preset"]),
    "serve_memory.py": (
        ("mnist",),
        ["== Server memory: visitors building MNIST, then leaving ==", "resident (MB)",
         "after visitor 3", "back within 100 MB of one visitor"]),
    "concurrency.py": (
        ("mnist",),
        ["== Training jobs at once through the job layer ==", "wall vs one alone",
         "== A job in the app against the bare engine ==", "one job through the job layer",
         "== BLAS threads: one or two for one job alone =="]),
    "inference.py": (
        ("mnist",),
        ["== Inference latency ==", "median ms", "one image: predict(x[:1])",
         "test set: predict(x_test)"]),
}


# ------------------------------------------------------------------- data
def write_idx_gz(path, array, magic):
    """``array`` (uint8) as a gzipped IDX file with ``magic`` and its dimensions."""
    header = struct.pack(f">I{array.ndim}I", magic, *array.shape)
    with gzip.open(path, "wb") as fh:
        fh.write(header + array.astype(np.uint8).tobytes())


def write_tiny_mnist(directory, n_train=600, n_test=200, seed=0):
    """Digits as a bright block whose position depends on the label, over dim noise."""
    rng = np.random.default_rng(seed)
    directory.mkdir(parents=True)
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        labels = rng.integers(0, 10, n)
        images = rng.integers(0, 40, size=(n, 28, 28))
        for digit in range(10):
            row, col = divmod(digit, 5)
            images[labels == digit, 2 + 12 * row:12 + 12 * row, 1 + 5 * col:5 + 5 * col] += 200
        write_idx_gz(directory / f"{prefix}-images-idx3-ubyte.gz", images, 0x00000803)
        write_idx_gz(directory / f"{prefix}-labels-idx1-ubyte.gz", labels, 0x00000801)


def write_tiny_california(directory, n=300, seed=0):
    """scikit-learn's cache format: target (dollars) first, then 8 raw census columns."""
    rng = np.random.default_rng(seed)
    directory.mkdir(parents=True)
    table = np.c_[rng.uniform(0.5e5, 5e5, n), rng.uniform(1, 10, (n, 8)) + 1]
    joblib.dump(table, directory / "cal_housing_py3.pkz", compress=3)


@pytest.fixture(scope="module")
def tiny_data(tmp_path_factory):
    root = tmp_path_factory.mktemp("bench_data")
    write_tiny_mnist(root / "mnist")
    write_tiny_california(root / "sklearn_data")
    return root


def run_script(script, *args, data_dir, timeout=120):
    """Run ``benchmarks/script`` from the repository root; the cache points at ``data_dir``."""
    env = {k: v for k, v in os.environ.items() if k != "MLP_STUDIO_MNIST_MIRRORS"}
    env["MLP_STUDIO_DATA"] = str(data_dir)
    return subprocess.run([sys.executable, str(BENCHMARKS / script), *args],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout,
                          check=False)


def explain(result):
    return f"exit {result.returncode}\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"


# ------------------------------------------------------------------ tests
@pytest.mark.parametrize("script", list(SCRIPTS))
def test_quick_run_prints_its_tables(script, tiny_data):
    result = run_script(script, "--quick", "--skip-checksums", "--data-dir", str(tiny_data),
                        data_dir=tiny_data, timeout=300)
    assert result.returncode == 0, explain(result)
    for line in SCRIPTS[script][1]:
        assert line in result.stdout, f"missing {line!r}\n{explain(result)}"
    assert "BLAS: " in result.stdout, "each table header names the BLAS library"
    assert "REDUCED RUN" in result.stdout, "a quick run must say that targets are not judged"


def test_markdown_tables(tiny_data):
    result = run_script("reproduce_tutorial.py", "--quick", "--markdown", "--part", "presets",
                        "--skip-checksums", "--data-dir", str(tiny_data), data_dir=tiny_data)
    assert result.returncode == 0, explain(result)
    assert "#### Recommended presets" in result.stdout
    assert "| preset | configuration | metric | target |" in result.stdout
    assert "| --- |" in result.stdout


@pytest.mark.parametrize("script", list(SCRIPTS))
def test_missing_data_exits_2_with_instructions(script, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run_script(script, "--quick", "--data-dir", str(empty), data_dir=empty)
    assert result.returncode == 2, explain(result)
    for name in MNIST_NAMES:
        assert f"{empty}/mnist/{name}" in result.stderr, explain(result)
    if "california" in SCRIPTS[script][0]:
        assert f"{empty}/sklearn_data/cal_housing_py3.pkz" in result.stderr
    assert "--data-dir" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("script", list(SCRIPTS))
def test_help(script, tmp_path):
    result = run_script(script, "--help", data_dir=tmp_path)
    assert result.returncode == 0, explain(result)
    for option in ("--data-dir", "--quick", "--markdown", "--limit"):
        assert option in result.stdout


@pytest.mark.skipif(not (SHARED / "mnist" / MNIST_NAMES[0]).is_file(),
                    reason=f"no real datasets in {SHARED}")
def test_quick_run_on_the_real_files():
    """The published files pass the loaders' checksum checks; a subset keeps it quick."""
    result = run_script("reproduce_tutorial.py", "--quick", "--limit", "1000",
                        "--data-dir", str(SHARED), data_dir=SHARED)
    assert result.returncode == 0, explain(result)
    assert "== Tutorial experiments" in result.stdout


# ------------------------------------------------------------ reproducibility.py
# Not in SCRIPTS: MNIST is optional there (the workload is skipped, not exit 2).
REPRODUCIBILITY_LINES = ["== Reproducibility: the same settings and seed trained again ==",
                         "workload", "BLAS threads", "max abs weight difference vs first run",
                         "in-process", "worker", "Digits: quick start",
                         "Two spirals: see the boundary bend", "spread (max - min)"]


def test_reproducibility_quick_run(tiny_data):
    result = run_script("reproducibility.py", "--quick", "--skip-checksums", "--data-dir",
                        str(tiny_data), data_dir=tiny_data, timeout=300)
    assert result.returncode == 0, explain(result)
    for line in REPRODUCIBILITY_LINES + ["Recommended MNIST (98% in under a minute), epochs "
                                         "lowered to 1", "BLAS: ", "REDUCED RUN"]:
        assert line in result.stdout, f"missing {line!r}\n{explain(result)}"


def test_reproducibility_without_mnist_skips_that_workload(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run_script("reproducibility.py", "--quick", "--markdown", "--repeats", "1",
                        "--data-dir", str(empty), data_dir=empty, timeout=300)
    assert result.returncode == 0, explain(result)
    for line in REPRODUCIBILITY_LINES[1:]:
        assert line in result.stdout, f"missing {line!r}\n{explain(result)}"
    assert "| workload | path | BLAS threads | run | test metric |" in result.stdout
    assert f"Recommended MNIST (98% in under a minute): skipped, no MNIST in {empty}" \
        in result.stdout


def test_reproducibility_help(tmp_path):
    result = run_script("reproducibility.py", "--help", data_dir=tmp_path)
    assert result.returncode == 0, explain(result)
    for option in ("--data-dir", "--quick", "--markdown", "--repeats"):
        assert option in result.stdout


# ------------------------------------------------------------------------ sweep.py
# Not in SCRIPTS: its MNIST sweep is left out without MNIST (and in --quick), not exit 2.
def test_sweep_quick_run_compares_local_workers_and_a_dask_cluster(tiny_data):
    result = run_script("sweep.py", "--quick", "--data-dir", str(tiny_data), data_dir=tiny_data,
                        timeout=300)
    assert result.returncode == 0, explain(result)
    for line in ["== Sweeps through local workers and a Dask cluster ==", "speed-up vs 1 worker",
                 "overhead per run", "val. loss difference",
                 "local, 1 worker (pool started by the sweep)",
                 "local, 2 workers (warm pool: the next sweep)",
                 "local, 2 workers (pool started as the page opened)",
                 "Dask LocalCluster, 2 workers (already running)", "REDUCED RUN"]:
        assert line in result.stdout, f"missing {line!r}\n{explain(result)}"
    rows = [line.split() for line in result.stdout.splitlines() if line.startswith("Digits ")]
    # Every backend gives the one-worker sweep's validation losses, bit for bit.
    assert len(rows) == 7 and all(row[-1] == "0.0e+00" for row in rows), result.stdout


def test_sweep_help(tmp_path):
    result = run_script("sweep.py", "--help", data_dir=tmp_path)
    assert result.returncode == 0, explain(result)
    for option in ("--data-dir", "--quick", "--markdown"):
        assert option in result.stdout


def test_round_robin_alternates_the_order_so_neighbours_run_side_by_side_both_ways():
    sys.path.insert(0, str(REPO))
    from benchmarks import common
    calls = []
    runners = {name: (lambda name=name: calls.append(name)) for name in ("fused", "mlp", "torch")}
    times = common.round_robin(runners, repeats=4, warmup=1, settle=0)
    assert calls[:3] == ["fused", "mlp", "torch"]  # the warm-up calls
    assert calls[3:] == ["fused", "mlp", "torch", "torch", "mlp", "fused",
                         "fused", "mlp", "torch", "torch", "mlp", "fused"]
    assert {name: len(t) for name, t in times.items()} == {"fused": 4, "mlp": 4, "torch": 4}
