"""ModelSpec validation, presets and share links (query strings), including hostile ones."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from data import DATASETS
from studio import limits
from studio.presets import PRESETS, preset
from studio.share import (
    ARRIVALS,
    arrivals_for,
    parse_link,
    query_to_spec,
    spec_to_query,
    spec_to_query_string,
)
from studio.spec import ModelSpec, SpecError


def test_default_spec_builds_the_network_it_describes():
    spec = ModelSpec(hidden_layers=[16, 8], hidden_activations=["tanh", "relu"])
    net = spec.build(64, 10)
    assert net.layers == [64, 16, 8, 10]
    assert [p.name for p in net.hidden] == ["tanh", "relu"]
    assert net.optimizer.get_config()["name"] == "adam"
    assert net.n_params == spec.n_params(64, 10) == 64 * 16 + 16 + 16 * 8 + 8 + 8 * 10 + 10


@pytest.mark.parametrize("changes, message", [
    ({"hidden_layers": [8] * 7, "hidden_activations": ["relu"] * 7}, "At most 6 hidden layers"),
    ({"hidden_layers": [0]}, "between 1 and 1,024"),
    ({"hidden_layers": [5000]}, "between 1 and 1,024"),
    ({"hidden_layers": [8, 8]}, "2 hidden layers but 1 activations"),
    ({"hidden_activations": ["swish"]}, "unknown activation 'swish'"),
    ({"learning_rate": 0.0}, "learning_rate must be in"),
    ({"learning_rate": 100.0}, "learning_rate must be in"),
    ({"momentum": 1.0}, "momentum must be in"),
    ({"batch_size": 0}, "batch_size must be between"),
    ({"epochs": 10_000}, "epochs must be between"),
    ({"epochs": 2.5}, "epochs must be a whole number"),
    ({"optimizer": "lbfgs"}, "Unknown optimizer"),
    ({"output_activation": "identity", "loss": "categorical_crossentropy"}, "does not fit"),
    ({"early_stopping": 5, "val_fraction": 0.0}, "validation share"),
    ({"scaling": "log"}, "scaling must be one of"),
    ({"lr_schedule": "cosine"}, "lr_schedule must be one of constant, linear"),
])
def test_out_of_bounds_settings_are_refused_with_the_field_named(changes, message):
    spec = ModelSpec(**{**ModelSpec().to_dict(), **changes})
    with pytest.raises(SpecError, match=message):
        spec.validate()


def test_a_linear_schedule_reaches_zero_after_the_planned_epochs_of_updates():
    spec = ModelSpec(optimizer="sgd", learning_rate=0.1, batch_size=32, epochs=3,
                     lr_schedule="linear")
    net = spec.build(64, 10, n_train=1000)   # 32 updates an epoch (the last batch of 8)
    assert net.optimizer.decay_steps == 3 * 32
    assert net.optimizer.get_config()["decay_steps"] == 96
    assert "decay_steps" not in ModelSpec(optimizer="sgd").build(64, 10, 1000).optimizer.get_config()
    # Without the number of samples the schedule waits for whoever attaches the data.
    assert spec.build(64, 10).optimizer.decay_steps == 0


def test_parameter_limit_counts_the_real_network():
    spec = ModelSpec(dataset="mnist", hidden_layers=[1024, 1024, 1024],
                     hidden_activations=["relu"] * 3)
    spec.validate()  # fine without a data shape
    with pytest.raises(SpecError, match="parameters; the limit is 2,000,000"):
        spec.validate(784, 10)


def test_output_pair_must_fit_the_task():
    spec = ModelSpec()
    spec.validate(task="classification")
    with pytest.raises(SpecError, match="regression task"):
        spec.validate(task="regression")


@pytest.mark.parametrize("name", list(PRESETS))
def test_every_preset_is_valid_for_its_dataset(name):
    spec = preset(name)
    info = DATASETS[spec.dataset]
    spec.validate(info.n_features, info.n_classes or 1, info.task)
    assert spec is not PRESETS[name]


def test_tutorial_presets_are_the_tutorials_configurations():
    mnist = preset("The tutorial's MNIST")
    assert (mnist.hidden_layers, mnist.optimizer, mnist.learning_rate, mnist.momentum,
            mnist.batch_size, mnist.epochs, mnist.scaling) == ([100], "sgd", 0.01, 0.0, 512, 100,
                                                               "none")
    housing = preset("The tutorial's housing")
    assert (housing.hidden_layers, housing.output_activation, housing.loss, housing.batch_size,
            housing.epochs, housing.test_fraction) == ([100, 20], "identity",
                                                       "mean_squared_error", 512, 100, 0.33)


def test_unknown_preset_lists_the_valid_ones():
    with pytest.raises(ValueError, match="Valid presets: Digits"):
        preset("nope")


def test_share_link_round_trip_restores_every_field():
    spec = ModelSpec(dataset="moons", hidden_layers=[12, 6], hidden_activations=["tanh", "sigmoid"],
                     optimizer="sgd", learning_rate=0.05, momentum=0.8, nesterov=True,
                     batch_size=16, epochs=77, l2=0.001, val_fraction=0.2, test_fraction=0.25,
                     early_stopping=4, seed=1234, scaling="minmax", noise=0.35, n_samples=700,
                     dtype="float64", lr_schedule="linear")
    restored, warnings = query_to_spec(spec_to_query(spec))
    assert warnings == []
    assert restored == spec


def test_share_link_is_a_plain_query_string():
    text = spec_to_query_string(ModelSpec(hidden_layers=[8, 4], hidden_activations=["relu"] * 2))
    assert "h=8,4" in text and "ds=digits" in text and " " not in text


@pytest.mark.parametrize("query, warning", [
    ({"lr": "abc"}, "learning rate: 'abc' is not a number"),
    ({"lr": "nan"}, "not a finite number"),
    ({"lr": "1e308"}, "learning_rate must be in"),
    ({"ep": "9" * 40}, "longer than|not a whole number"),
    ({"h": "1,2,3,4,5,6,7,8,9"}, "more than 6 layers"),
    ({"h": "100000"}, "between 1 and 1,024"),
    ({"act": "relu;drop table"}, "not a valid name"),
    ({"ds": "../../etc/passwd"}, "not a valid name"),
    ({"ds": "csv"}, "cannot travel in a link"),
    ({"opt": "evil"}, "Unknown optimizer"),
    ({"out": "identity"}, "does not fit"),
    ({"zzz": "1"}, "unknown setting 'zzz'"),
    ({"nest": "maybe"}, "not 0 or 1"),
    ({"sched": "exponential"}, "lr_schedule must be one of"),
    ({"bs": "x" * 5000}, "longer than 200"),
])
def test_hostile_or_garbled_values_are_ignored_with_a_warning(query, warning):
    spec, warnings = query_to_spec(query)
    spec.validate()
    assert any(__import__("re").search(warning, w) for w in warnings), warnings
    assert spec.to_dict() == {**ModelSpec().to_dict(),
                              **({"dataset": spec.dataset} if spec.dataset != "digits" else {})}


def test_good_values_survive_next_to_bad_ones():
    spec, warnings = query_to_spec({"ds": "mnist", "h": "128", "act": "tanh", "bs": "-5",
                                    "lr": "0.02"})
    assert (spec.dataset, spec.hidden_layers, spec.hidden_activations, spec.learning_rate) == \
        ("mnist", [128], ["tanh"], 0.02)
    assert spec.batch_size == ModelSpec().batch_size
    assert len(warnings) == 1 and "batch size" in warnings[0]


def test_regression_dataset_link_gets_a_regression_output():
    spec, warnings = query_to_spec({"ds": "diabetes"})
    assert warnings == []
    assert (spec.output_activation, spec.loss) == ("identity", "mean_squared_error")


def test_repeated_keys_use_the_last_value():
    spec, _ = query_to_spec({"bs": ["8", "16"]})
    assert spec.batch_size == 16


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.sampled_from(["ds", "h", "act", "out", "loss", "opt", "lr", "mom",
                                        "bs", "ep", "seed", "n", "noise", "val", "x"]),
                       st.text(max_size=300)))
def test_any_query_string_gives_a_valid_spec_and_never_raises(query):
    spec, warnings = query_to_spec(query)
    info = DATASETS[spec.dataset]
    spec.validate(task=info.task)
    assert len(spec.hidden_layers) <= limits.MAX_HIDDEN_LAYERS
    assert all(isinstance(w, str) and len(w) < 400 for w in warnings)


# ---- what a link opens on arrival ------------------------------------------------------


@pytest.mark.parametrize("open_page", list(ARRIVALS))
def test_a_link_carries_what_it_opens(open_page):
    spec = ModelSpec(hidden_layers=[8], hidden_activations=["tanh"], epochs=9)
    link = parse_link(spec_to_query(spec, open_page))
    assert (link.spec, link.open, link.warnings) == (spec, open_page, [])
    assert link.trains == (open_page != "settings")
    assert ("open=" in spec_to_query_string(spec, open_page)) == (open_page != "settings")


def test_a_link_without_open_shows_the_settings_only():
    assert parse_link({"ds": "moons"}).open == "settings"


@pytest.mark.parametrize("raw", ["drawx", "", "<b>x</b>", "a" * 500])
def test_an_unknown_arrival_is_ignored_with_a_warning(raw):
    link = parse_link({"ds": "digits", "open": raw})
    assert link.open == "settings"
    assert link.warnings and link.warnings[0].startswith("Ignored what to open on arrival")
    assert len(link.warnings[0]) < 200


def test_draw_is_offered_only_for_digit_images():
    assert "draw" in arrivals_for("mnist") and "draw" in arrivals_for("digits")
    assert "draw" not in arrivals_for("moons") and "draw" not in arrivals_for("csv")
    link = parse_link({"ds": "california_housing", "open": "draw"})
    assert link.open == "evaluate" and "opens Evaluate instead" in link.warnings[0]


def test_an_unknown_arrival_cannot_be_encoded():
    with pytest.raises(ValueError, match="Choose one of: settings, draw, evaluate, train"):
        spec_to_query(ModelSpec(), "inside")
