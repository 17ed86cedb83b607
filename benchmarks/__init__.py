"""Benchmarks for MLP Studio: scripts that print tables, run from the repository root.

* ``reproduce_tutorial.py``: the tutorial's two experiments, then the recommended presets.
* ``throughput.py``: training samples per second of ``mlp`` against scikit-learn and PyTorch.
* ``memory.py``: peak resident memory while training MNIST, one fresh process per case.
* ``inference.py``: prediction latency for one image and for the 10,000-image test set.

Shared helpers (command line, data, timing, tables, machine description) live in
:mod:`benchmarks.common`; the experiments' configurations in :mod:`benchmarks.experiments`.
"""
