"""Ready-made configurations offered on the Build page.

The tutorial's two experiments exactly as it ran them, and the configurations
we recommend, whose results the benchmarks in ``benchmarks/`` measure.
"""

from studio.spec import ModelSpec

PRESETS = {
    "Digits: quick start": ModelSpec(
        dataset="digits", hidden_layers=[64], hidden_activations=["relu"], optimizer="adam",
        learning_rate=0.003, batch_size=32, epochs=30, val_fraction=0.1, seed=0),
    "Two spirals: see the boundary bend": ModelSpec(
        dataset="spirals", hidden_layers=[16, 16], hidden_activations=["tanh", "tanh"],
        optimizer="adam", learning_rate=0.01, batch_size=32, epochs=200, noise=0.1,
        n_samples=1000, seed=0),
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
        learning_rate=0.1, momentum=0.9, nesterov=True, batch_size=128, epochs=15,
        val_fraction=0.0, seed=0),
    "Recommended housing": ModelSpec(
        dataset="california_housing", hidden_layers=[128, 64], hidden_activations=["relu", "relu"],
        output_activation="identity", loss="mean_squared_error", optimizer="adam",
        learning_rate=0.001, batch_size=64, epochs=150, val_fraction=0.1, test_fraction=0.33,
        early_stopping=15, seed=0),
}


def preset(name):
    """A fresh copy of the preset called ``name``; ValueError lists the valid names."""
    if name not in PRESETS:
        raise ValueError(f"Unknown preset {name!r}. Valid presets: {', '.join(PRESETS)}.")
    return ModelSpec(**PRESETS[name].to_dict())
