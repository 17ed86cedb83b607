"""The sweep specification: its points, and a specific message for every bad one."""

import pytest

from studio import limits
from studio.spec import ModelSpec
from studio.sweep import Axis, SweepError, SweepSpec, log_grid, parse_values


def sweep(*axes, seeds=(0,), **base):
    return SweepSpec(ModelSpec(**{"epochs": 2, **base}), [Axis(s, tuple(v)) for s, v in axes],
                     list(seeds))


def test_points_cover_every_combination_with_seeds_innermost():
    s = sweep(("learning_rate", [0.001, 0.01]), ("batch_size", [16, 32, 64]), seeds=(0, 7))
    points = s.validate()
    assert s.n_points == 6 and s.n_runs == 12 and len(points) == 12
    assert [p.index for p in points] == list(range(12))
    assert [(p.values["learning_rate"], p.values["batch_size"], p.seed) for p in points[:4]] == [
        (0.001, 16, 0), (0.001, 16, 7), (0.001, 32, 0), (0.001, 32, 7)]
    last = points[-1]
    assert (last.spec.learning_rate, last.spec.batch_size, last.spec.seed) == (0.01, 64, 7)
    assert s.base.learning_rate == 0.003 and s.base.seed == 0   # the base is untouched


def test_depth_and_width_together_build_every_layer_wide():
    s = sweep(("hidden_width", [8, 32]), ("depth", [1, 3]),
              hidden_layers=[64, 16], hidden_activations=["tanh", "relu"])
    specs = {(p.values["hidden_width"], p.values["depth"]): p.spec for p in s.validate()}
    assert specs[(32, 3)].hidden_layers == [32, 32, 32]
    assert specs[(32, 3)].hidden_activations == ["tanh", "tanh", "tanh"]
    assert specs[(8, 1)].hidden_layers == [8]


def test_depth_zero_is_a_network_without_hidden_layers():
    point = sweep(("depth", [0])).validate()[0]
    assert point.spec.hidden_layers == [] and point.spec.hidden_activations == []


def test_activation_and_optimizer_apply_to_the_whole_network():
    s = sweep(("activation", ["tanh"]), ("optimizer", ["sgd"]), hidden_layers=[16, 16],
              hidden_activations=["relu", "relu"])
    spec = s.validate()[0].spec
    assert spec.hidden_activations == ["tanh", "tanh"] and spec.optimizer == "sgd"


@pytest.mark.parametrize("axes, seeds, message", [
    ([], (0,), "Vary one or two settings. Received: 0"),
    ([("learning_rate", [0.1])] * 3, (0,), "Vary one or two settings. Received: 3"),
    ([("momentum", [0.5])], (0,), "Unknown setting 'momentum'; a sweep can vary learning_rate"),
    ([("l2", [0.1]), ("l2", [0.2])], (0,), "L2 is chosen twice"),
    ([("learning_rate", [])], (0,), "Learning rate: give at least one value."),
    ([("learning_rate", [0.1, 0.1])], (0,), "Learning rate: 0.1 given twice."),
    ([("hidden_width", [1.5])], (0,), "Hidden width takes whole numbers. Received: 1.5"),
    ([("optimizer", ["lbfgs"])], (0,), "Optimizer: 'lbfgs' is not one of sgd, adam"),
    ([("learning_rate", [float("nan")])], (0,), "Learning rate: nan is not a finite number."),
    ([("learning_rate", [-1])], (0,), "At Learning rate -1.0: learning_rate must be in (0, 10.0]"),
    ([("batch_size", [0])], (0,), "At Batch size 0: batch_size must be between 1"),
    ([("depth", [7])], (0,), "At Hidden layers 7: At most 6 hidden layers are allowed"),
    ([("learning_rate", [0.1])], (), "Use 1 to 3 seeds. Received: 0"),
    ([("learning_rate", [0.1])], (0, 1, 2, 3), "Use 1 to 3 seeds. Received: 4"),
    ([("learning_rate", [0.1])], (1, 1), "Each seed may be given once."),
])
def test_bad_sweeps_say_what_is_wrong(axes, seeds, message):
    with pytest.raises(SweepError) as info:
        sweep(*axes, seeds=seeds).validate()
    assert message in str(info.value)


def test_a_sweep_over_the_run_limit_gives_its_count_and_the_limit():
    values = [0.001 * (i + 1) for i in range(limits.MAX_SWEEP_VALUES)]
    s = sweep(("learning_rate", values), ("batch_size", [8, 16, 32]), seeds=(0, 1))
    with pytest.raises(SweepError) as info:
        s.validate()
    assert str(info.value).startswith(f"This sweep has {s.n_runs} runs (36 points x 2 seeds); "
                                      f"the limit is {limits.MAX_SWEEP_RUNS}.")


def test_a_sweep_needs_a_validation_split():
    with pytest.raises(SweepError, match="compares its runs on the validation split"):
        sweep(("learning_rate", [0.1]), val_fraction=0.0).validate()


def test_too_many_values_of_one_setting():
    with pytest.raises(SweepError, match="Batch size: at most 12 values. Received: 13"):
        sweep(("batch_size", list(range(1, 14)))).validate()


def test_widening_a_network_without_hidden_layers_says_so():
    with pytest.raises(SweepError, match="no hidden layer to widen"):
        sweep(("hidden_width", [8]), hidden_layers=[], hidden_activations=[]).validate()


def test_a_point_that_does_not_fit_the_data_is_named():
    s = sweep(("hidden_width", [8, 1024]), ("depth", [6]))
    with pytest.raises(SweepError, match=r"At Hidden width 1024, Hidden layers 6: This network "
                                         r"has [\d,]+ parameters; the limit is 2,000,000"):
        s.validate(784, 10)


def test_parse_values_reads_commas_and_spaces_and_names_a_bad_entry():
    assert parse_values("learning_rate", "0.001, 0.01 0.1") == [0.001, 0.01, 0.1]
    assert parse_values("hidden_width", "16,32") == [16, 32]
    assert parse_values("activation", "relu tanh") == ["relu", "tanh"]
    with pytest.raises(SweepError, match="Hidden width: 'wide' is not a whole number."):
        parse_values("hidden_width", "16 wide")
    with pytest.raises(SweepError, match="Learning rate: give at least one value."):
        parse_values("learning_rate", " , ")


def test_a_log_scaled_setting_takes_a_grid_written_out():
    assert parse_values("learning_rate", "0.0001 to 0.1, 4 values") == [0.0001, 0.001, 0.01, 0.1]
    assert parse_values("learning_rate", "1e-3 TO 1e-1 3 values") == [0.001, 0.01, 0.1]
    assert parse_values("l2", "0.00001 to 0.01; 4 values") == [1e-05, 0.0001, 0.001, 0.01]
    assert parse_values("learning_rate", "0.03 to 0.03, 1 value") == [0.03]


# Half a grid names the word that is not a number, with the grid's form; widths are not
# spread on a log scale: no grid, and no hint about one.
@pytest.mark.parametrize("setting, text, message", [
    ("learning_rate", "0 to 0.1, 4 values",
     r"^Learning rate: A log grid needs positive, finite ends. Received: 0.0 to 0.1$"),
    ("learning_rate", "0.001 to 0.1, 40 values",
     r"^Learning rate: A grid has 1 to 12 values. Received: 40$"),
    ("learning_rate", "0.001 to 0.1, 2.5 values",
     r'^Learning rate: a grid reads like "0.0001 to 0.1, 7 values\". '
     r"Received: '0.001 to 0.1, 2.5 values'$"),
    ("learning_rate", "0.001 to 0.1",
     r'^Learning rate: \'to\' is not a number. For a grid, write "0.0001 to 0.1, 7 values".$'),
    ("hidden_width", "16 to 128, 4 values", r"^Hidden width: 'to' is not a whole number.$"),
])
def test_a_bad_grid_gets_its_own_message(setting, text, message):
    with pytest.raises(SweepError, match=message):
        parse_values(setting, text)


def test_log_grid_spaces_values_evenly_on_a_log_scale():
    assert log_grid(1e-4, 1e-1, 4) == [0.0001, 0.001, 0.01, 0.1]
    assert log_grid(0.001, 0.1, 3) == [0.001, 0.01, 0.1]
    assert log_grid(0.003, 0.003, 1) == [0.003]
    with pytest.raises(SweepError, match="positive, finite ends"):
        log_grid(0, 1, 3)
    with pytest.raises(SweepError, match="positive, finite ends"):
        log_grid(1e-3, float("inf"), 3)
    with pytest.raises(SweepError, match="1 to 12 values. Received: 20"):
        log_grid(0.1, 1, 20)


def test_json_form_round_trips_and_bad_files_are_named():
    s = sweep(("learning_rate", [0.001, 0.01]), seeds=(0, 1), dataset="moons")
    again = SweepSpec.from_dict(s.to_dict())
    assert again.to_dict() == s.to_dict()
    assert [p.spec for p in again.points()] == [p.spec for p in s.points()]
    with pytest.raises(SweepError, match=r"Unknown keys in the sweep: \['grid'\]"):
        SweepSpec.from_dict({**s.to_dict(), "grid": 1})
    with pytest.raises(SweepError, match='"vary" must be a list of'):
        SweepSpec.from_dict({**s.to_dict(), "vary": {"learning_rate": [0.1]}})
    with pytest.raises(SweepError, match='"seeds" must be a list of whole numbers'):
        SweepSpec.from_dict({**s.to_dict(), "seeds": [0.5]})
    with pytest.raises(SweepError, match="The base configuration: Unknown settings"):
        SweepSpec.from_dict({**s.to_dict(), "base": {"colour": "red"}})
    with pytest.raises(SweepError, match="A sweep file holds a JSON object"):
        SweepSpec.from_dict([1, 2])


def test_run_seconds_estimates_each_run_and_grows_with_width_and_rows():
    from data import DATASETS
    s = sweep(("hidden_width", [16, 256]))
    small, large = s.run_seconds(DATASETS["digits"], 1797)
    assert 0 < small < large
    assert s.run_seconds(DATASETS["digits"], 3594)[1] > 1.9 * large
