"""studio.export_code: the exported script compiles, runs, and rebuilds the configuration."""

import ast
import contextlib
import io
import re

import numpy as np
import pytest

from data import load_csv, load_dataset, prepare
from mlp import optimizers
from studio.export_code import export_script
from studio.spec import OPTIMIZER_SETTINGS, ModelSpec, SpecError

OPTIMIZER_CLASSES = {"sgd": optimizers.SGD, "adam": optimizers.Adam,
                     "rmsprop": optimizers.RMSprop, "adagrad": optimizers.Adagrad}


def run_script(source):
    """Execute ``source`` in a fresh namespace; return the namespace and what it printed."""
    namespace = {"__name__": "__main__"}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(source, "exported_script.py", "exec"), namespace)
    return namespace, out.getvalue()


def imported_names(tree):
    return [alias.asname or alias.name for node in ast.walk(tree)
            if isinstance(node, (ast.Import, ast.ImportFrom)) for alias in node.names]


def used_names(tree):
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}


def check_style(source):
    """Valid Python, PEP 8 line lengths and layout, no unused or duplicate imports."""
    tree = ast.parse(source)
    names = imported_names(tree)
    assert len(names) == len(set(names)), names
    unused = set(names) - used_names(tree)
    assert not unused, f"unused imports: {unused}"
    lines = source.split("\n")
    assert source.endswith("\n") and not source.endswith("\n\n")
    for line in lines:
        assert len(line) <= 79, line
        assert line == line.rstrip(), f"trailing whitespace: {line!r}"
        assert "\t" not in line
    assert ast.get_docstring(tree)
    assert isinstance(tree.body[0], ast.Expr)  # the docstring comes first, then imports
    first_code = next(i for i, node in enumerate(tree.body[1:], 1)
                      if not isinstance(node, (ast.Import, ast.ImportFrom)))
    assert all(not isinstance(node, (ast.Import, ast.ImportFrom))
               for node in tree.body[first_code:]), "imports must all be at the top"
    lowered = source.lower()
    for word in ("streamlit", "studio", "session", "dashboard", "st."):
        assert word not in lowered, f"the script mentions {word!r}"


def hidden_names(network):
    return [pair.name for pair in network.hidden]


# ------------------------------------------------------------- structure
def test_digits_script_reads_like_the_tutorial():
    source = export_script(ModelSpec(dataset="digits", hidden_layers=[32, 16],
                                     hidden_activations=["relu", "relu"], epochs=3))
    check_style(source)
    assert "from mlp import NeuralNetwork" in source
    assert "from mlp.activations import relu, d_relu, softmax, d_softmax" in source
    assert ("from mlp.losses import categorical_crossentropy, d_categorical_crossentropy"
            in source)
    assert "from mlp.optimizers import Adam" in source
    assert "from data import load_dataset, prepare" in source
    assert "[64, 32, 16, 10]" in source
    assert "(relu, d_relu)," in source and "hidden_activations" not in source
    assert "categorical=True" in source and "epochs=3" in source
    assert 'load_dataset("digits")' in source


def test_export_is_deterministic():
    spec = ModelSpec(dataset="spirals", hidden_layers=[8, 8], hidden_activations=["tanh", "relu"])
    assert export_script(spec) == export_script(ModelSpec(**spec.to_dict()))


def test_differing_hidden_activations_become_a_list_of_pairs():
    spec = ModelSpec(dataset="moons", hidden_layers=[8, 8, 4, 4, 4, 4],
                     hidden_activations=["tanh", "relu", "sigmoid", "leaky_relu", "identity",
                                         "relu"])
    source = export_script(spec)
    check_style(source)
    assert re.search(r"hidden_activations = \[\s*\(tanh, d_tanh\), \(relu, d_relu\), "
                     r"\(sigmoid, d_sigmoid\),\s*\(leaky_relu, d_leaky_relu\), "
                     r"\(identity, d_identity\), \(relu, d_relu\),\s*\]", source)
    assert "from mlp.activations import (" in source   # too long for one line: wrapped


@pytest.mark.parametrize("name", sorted(OPTIMIZER_SETTINGS))
def test_every_optimizer_appears_with_its_settings(name):
    spec = ModelSpec(optimizer=name, learning_rate=0.02, momentum=0.5, nesterov=True,
                     beta_1=0.8, beta_2=0.99, rho=0.95, epochs=1)
    source = export_script(spec)
    check_style(source)
    cls = OPTIMIZER_CLASSES[name].__name__
    settings = ", ".join(f"{key}={getattr(spec, key)!r}" for key in OPTIMIZER_SETTINGS[name])
    assert f"from mlp.optimizers import {cls}\n" in source
    assert f"{cls}({settings})" in source
    namespace, printed = run_script(source)
    network = namespace["network"]
    assert type(network.optimizer) is OPTIMIZER_CLASSES[name]
    config = network.optimizer.get_config()
    assert {key: config[key] for key in spec.optimizer_config()} == spec.optimizer_config()
    assert "Test accuracy:" in printed


def test_invalid_specs_and_unknown_datasets_are_refused():
    with pytest.raises(SpecError):
        export_script(ModelSpec(epochs=0))
    with pytest.raises(SpecError, match="does not fit a regression task"):
        export_script(ModelSpec(dataset="diabetes"))   # softmax output for regression
    with pytest.raises(ValueError, match="Unknown dataset 'nope'"):
        export_script(ModelSpec(dataset="nope"))
    with pytest.raises(ValueError, match="csv_dataset"):
        export_script(ModelSpec(dataset="csv"))


# ------------------------------------------------------------------- runs
def test_digits_script_runs_and_builds_the_spec():
    spec = ModelSpec(dataset="digits", hidden_layers=[32], hidden_activations=["tanh"],
                     epochs=2, seed=3)
    namespace, printed = run_script(export_script(spec))
    network = namespace["network"]
    assert network.layers == spec.layer_sizes(64, 10)
    assert hidden_names(network) == spec.hidden_activations
    assert (network.output.name, network.loss.name) == ("softmax", "categorical_crossentropy")
    assert network.seed == 3 and np.dtype(network.dtype).name == "float32"
    assert len(namespace["losses"]) == 2
    accuracy = float(re.search(r"Test accuracy: ([0-9.]+)", printed).group(1))
    assert accuracy > 0.5


def test_script_trains_exactly_like_spec_build_and_fit():
    """The same data calls, network and fit arguments as building the spec directly."""
    spec = ModelSpec(dataset="digits", hidden_layers=[16, 8], hidden_activations=["relu", "tanh"],
                     optimizer="sgd", learning_rate=0.05, momentum=0.9, nesterov=True, l2=1e-4,
                     epochs=2, early_stopping=1, seed=7, dtype="float64")
    namespace, _ = run_script(export_script(spec))
    data = prepare(load_dataset("digits"), scaling=spec.scaling, val_fraction=spec.val_fraction,
                   test_fraction=spec.test_fraction, seed=spec.seed, dtype=np.dtype(spec.dtype))
    network = spec.build(64, 10)
    network.fit(data.x_train, data.y_train, spec.batch_size, spec.epochs, categorical=True,
                validation_data=(data.x_val, data.y_val), early_stopping=spec.early_stopping)
    np.testing.assert_array_equal(namespace["network"].params, network.params)
    np.testing.assert_array_equal(namespace["data"].x_test, data.x_test)
    assert namespace["network"].l2 == 1e-4


def test_a_linear_schedule_trains_exactly_like_spec_build_and_fit():
    spec = ModelSpec(dataset="digits", hidden_layers=[16], optimizer="sgd", learning_rate=0.2,
                     lr_schedule="linear", batch_size=50, epochs=3, seed=2)
    source = export_script(spec)
    check_style(source)
    namespace, _ = run_script(source)
    data = prepare(load_dataset("digits"), scaling=spec.scaling, val_fraction=spec.val_fraction,
                   test_fraction=spec.test_fraction, seed=spec.seed, dtype=np.dtype(spec.dtype))
    network = spec.build(64, 10, len(data.x_train))
    network.fit(data.x_train, data.y_train, spec.batch_size, spec.epochs, categorical=True,
                validation_data=(data.x_val, data.y_val))
    exported = namespace["network"].optimizer
    assert exported.decay_steps == network.optimizer.decay_steps == 3 * -(-len(data.x_train) // 50)
    assert exported.rate() == 0.0   # every planned update made: the rate has reached zero
    np.testing.assert_array_equal(namespace["network"].params, network.params)


@pytest.mark.parametrize("dataset, n_inputs", [("diabetes", 10), ("regression_curve", 1)])
def test_regression_script_runs(dataset, n_inputs):
    spec = ModelSpec(dataset=dataset, hidden_layers=[16], hidden_activations=["relu"],
                     output_activation="identity", loss="mean_squared_error", epochs=2,
                     n_samples=200, val_fraction=0.0, scaling="standard")
    source = export_script(spec)
    check_style(source)
    assert "categorical=False" in source and "validation_data" not in source
    assert "(identity, d_identity)" in source
    namespace, printed = run_script(source)
    network = namespace["network"]
    assert network.layers == spec.layer_sizes(n_inputs, 1)
    assert (network.output.name, network.loss.name) == ("identity", "mean_squared_error")
    assert "Test mean squared error:" in printed
    if dataset == "regression_curve":
        assert "n_samples=200" in source and "noise=0.2" in source
    else:
        assert "n_samples" not in source and "noise" not in source


@pytest.mark.parametrize("output", ["sigmoid", "tanh"])
def test_named_output_activations_run(output):
    """sigmoid / tanh outputs have no importable Jacobian pair: they are passed by name."""
    task = "classification" if output == "sigmoid" else "regression"
    dataset = "moons" if task == "classification" else "regression_curve"
    spec = ModelSpec(dataset=dataset, hidden_layers=[8], hidden_activations=["tanh"],
                     output_activation=output, loss="mean_squared_error", epochs=2, n_samples=100)
    source = export_script(spec)
    check_style(source)
    assert f'"{output}",  # by name' in source
    namespace, _ = run_script(source)
    assert namespace["network"].output.name == output


def test_toy_2d_script_runs_with_early_stopping():
    spec = ModelSpec(dataset="xor", hidden_layers=[8, 8], hidden_activations=["tanh", "tanh"],
                     optimizer="rmsprop", learning_rate=0.01, epochs=3, early_stopping=2,
                     noise=0.1, n_samples=120, seed=5)
    source = export_script(spec)
    check_style(source)
    assert 'load_dataset("xor", seed=5, noise=0.1, n_samples=120)' in source
    assert "early_stopping=2" in source
    namespace, printed = run_script(source)
    network = namespace["network"]
    assert network.layers == spec.layer_sizes(2, 2)
    assert hidden_names(network) == ["tanh", "tanh"]
    assert namespace["dataset"].n_samples == 120
    assert "Test accuracy:" in printed


def test_csv_dataset_script_runs(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(120, 3))
    label = np.where(x[:, 0] + x[:, 2] > 0, "yes", "no")
    path = tmp_path / "my data.csv"
    path.write_text("a,b,c,label\n" + "".join(f"{r[0]},{r[1]},{r[2]},{lab}\n"
                                              for r, lab in zip(x, label)))
    uploaded = load_csv(str(path), target="label")
    spec = ModelSpec(dataset="csv", hidden_layers=[8], hidden_activations=["relu"], epochs=2)
    source = export_script(spec, csv_dataset=uploaded, csv_file=str(path))
    check_style(source.replace(str(path), "data.csv"))
    assert "from data import load_csv, prepare, read_csv_table" in source
    namespace, printed = run_script(source)
    assert namespace["network"].layers == [3, 8, 2]
    assert "Test accuracy:" in printed
    # The script predicts raw rows of a CSV file as the app does.
    expected = namespace["network"].predict(uploaded_x_scaled(namespace))
    np.testing.assert_allclose(namespace["new_predictions"], expected, rtol=1e-6)


def uploaded_x_scaled(namespace):
    return namespace["data"].preprocessing.transform(namespace["dataset"].x)


def test_csv_script_keeps_the_roles_set_on_the_build_page(tmp_path):
    path = tmp_path / "people.csv"
    path.write_text("zip,age,name,y\n" + "".join(f"{75001 + i % 3},{20 + i % 40},p{i},{i % 2}\n"
                                                  for i in range(90)))
    uploaded = load_csv(str(path), target="y", roles={"zip": "categorical"}, max_levels=2,
                        missing="drop")
    spec = ModelSpec(dataset="csv", hidden_layers=[4], hidden_activations=["relu"], epochs=1)
    source = export_script(spec, csv_dataset=uploaded, csv_file=str(path))
    check_style(source.replace(str(path), "data.csv"))
    assert 'roles = {"zip": "categorical", "age": "numeric", "name": "ignore"}' in source
    assert "max_levels=2" in source and 'missing="drop"' in source
    namespace, _ = run_script(source)
    assert namespace["dataset"].feature_names == uploaded.feature_names
    assert namespace["new_predictions"].shape == (90, 2)


def test_hostile_names_stay_inside_string_literals():
    uploaded = load_csv(b"x,y\n" + b"".join(b"%d,%d\n" % (i, i % 2) for i in range(40)),
                        target="y", task="classification", name='evil"""\nimport os')
    spec = ModelSpec(dataset="csv", hidden_layers=[4], hidden_activations=["relu"], epochs=1)
    source = export_script(spec, csv_dataset=uploaded, csv_file="a'b\"c\\\n.csv")
    tree = ast.parse(source)
    assert imported_names(tree) == ["load_csv", "prepare", "read_csv_table", "TableEncoder",
                                    "NeuralNetwork", "relu", "d_relu", "softmax", "d_softmax",
                                    "categorical_crossentropy", "d_categorical_crossentropy",
                                    "Adam"]
    call = next(node for node in ast.walk(tree)
                if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "load_csv")
    assert call.args[0].value == "a'b\"c\\\n.csv"


def test_a_table_regression_script_learns_the_target_standardised(tmp_path):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(200, 2))
    price = 250_000 + 40_000 * x[:, 0] - 15_000 * x[:, 1]
    path = tmp_path / "prices.csv"
    path.write_text("a,b,price\n" + "".join(f"{r[0]},{r[1]},{p:.0f}\n" for r, p in zip(x, price)))
    uploaded = load_csv(str(path), target="price")
    spec = ModelSpec(dataset="csv", hidden_layers=[16], hidden_activations=["relu"],
                     output_activation="identity", loss="mean_squared_error", epochs=40)
    source = export_script(spec, csv_dataset=uploaded, csv_file=str(path))
    check_style(source.replace(str(path), "data.csv"))
    assert "target = data.preprocessing.scale_target" in source
    namespace, printed = run_script(source)
    mse = float(printed.split("Test mean squared error: ")[1].split()[0])
    assert mse < 0.1 * np.var(price)          # in dollars squared, far below the spread
    new = namespace["new_predictions"][:, 0]
    assert abs(np.mean(new) - np.mean(price)) < 20_000   # predictions in dollars
