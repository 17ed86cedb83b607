"""Ready-made configurations offered on the Build page.

The tutorial's two experiments exactly as it ran them, and the configurations
we recommend, whose results the benchmarks in ``benchmarks/`` measure. Those in
:data:`TRAINED_PRESETS` also come trained (see :mod:`studio.trained`); make their
files with ``python -m studio.presets --train [--data-dir DIR]``.
"""

import argparse
import sys

from studio.spec import ModelSpec

PRESETS = {
    "Digits: quick start": ModelSpec(
        dataset="digits", hidden_layers=[64], hidden_activations=["relu"], optimizer="adam",
        learning_rate=0.003, batch_size=32, epochs=30, val_fraction=0.1, seed=0),
    "Two spirals: see the boundary bend": ModelSpec(
        dataset="spirals", hidden_layers=[16, 16], hidden_activations=["tanh", "tanh"],
        optimizer="adam", learning_rate=0.01, batch_size=32, epochs=200, noise=0.1,
        n_samples=1000, seed=0),
    "Moons: a first boundary": ModelSpec(
        dataset="moons", hidden_layers=[8], hidden_activations=["tanh"], optimizer="adam",
        learning_rate=0.02, batch_size=32, epochs=60, noise=0.2, n_samples=600, seed=0),
    "XOR: two layers where one line fails": ModelSpec(
        dataset="xor", hidden_layers=[8], hidden_activations=["relu"], optimizer="adam",
        learning_rate=0.02, batch_size=32, epochs=80, noise=0.05, n_samples=600, seed=0),
    "The tutorial's MNIST": ModelSpec(
        dataset="mnist", hidden_layers=[100], hidden_activations=["relu"], optimizer="sgd",
        learning_rate=0.01, momentum=0.0, batch_size=512, epochs=100, scaling="none",
        val_fraction=0.0, dtype="float64", seed=0),
    "The tutorial's housing": ModelSpec(
        dataset="california_housing", hidden_layers=[100, 20], hidden_activations=["relu", "relu"],
        output_activation="identity", loss="mean_squared_error", optimizer="sgd",
        learning_rate=0.01, momentum=0.0, batch_size=512, epochs=100, scaling="standard",
        val_fraction=0.0, test_fraction=0.33, dtype="float64", seed=0),
    "Recommended MNIST (98% in under a minute)": ModelSpec(
        dataset="mnist", hidden_layers=[256], hidden_activations=["relu"], optimizer="sgd",
        learning_rate=0.2, momentum=0.9, nesterov=True, lr_schedule="linear", batch_size=128,
        epochs=4, val_fraction=0.0, seed=0),
    "Recommended housing": ModelSpec(
        dataset="california_housing", hidden_layers=[128, 64], hidden_activations=["relu", "relu"],
        output_activation="identity", loss="mean_squared_error", optimizer="adam",
        learning_rate=0.001, batch_size=64, epochs=150, val_fraction=0.1, test_fraction=0.33,
        early_stopping=15, seed=0),
}


#: Presets that come trained: their model files are in ``studio/trained/``.
TRAINED_PRESETS = ("Digits: quick start", "Two spirals: see the boundary bend",
                   "Moons: a first boundary", "XOR: two layers where one line fails",
                   "Recommended MNIST (98% in under a minute)", "Recommended housing")


def preset(name):
    """A fresh copy of the preset called ``name``; ValueError lists the valid names."""
    if name not in PRESETS:
        raise ValueError(f"Unknown preset {name!r}. Valid presets: {', '.join(PRESETS)}.")
    return ModelSpec(**PRESETS[name].to_dict())


def main(argv=None):
    parser = argparse.ArgumentParser(description="Make the files of the presets that come "
                                                 "trained, from the presets' own settings.")
    parser.add_argument("--train", action="store_true", help="train and save them")
    parser.add_argument("--data-dir", help="where MNIST and California housing are "
                                           "(default: $MLP_STUDIO_DATA or the cache)")
    parser.add_argument("names", nargs="*", help="presets to make (default: all)")
    args = parser.parse_args(argv)
    if not args.train:
        parser.print_help()
        return 2
    from studio.trained import train_all
    train_all(args.data_dir, names=args.names or None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
