"""The Sweep page's table and charts, from results dicts."""

import math

from studio.figures import sweep as figures
from studio.spec import ModelSpec
from studio.sweep import Axis, SweepSpec


def make_sweep(*axes, seeds=(0, 1)):
    return SweepSpec(ModelSpec(epochs=3), [Axis(s, tuple(v)) for s, v in axes], list(seeds))


def results_for(sweep, accuracy, status="completed", epochs=3):
    """One result per point, ``accuracy(values, seed)`` its last validation accuracy."""
    out = []
    for p in sweep.points():
        final = accuracy(p.values, p.seed)
        out.append({"index": p.index, "seed": p.seed, "values": dict(p.values), "status": status,
                    "error": "", "loss": [1.0] * epochs, "val_loss": [0.5 + i for i in range(
                        epochs)][::-1], "val_metric": [0.1] * (epochs - 1) + [final],
                    "seconds": 0.5, "samples": 100})
    return out


def test_run_table_has_a_row_per_run_with_its_settings_and_score_in_percent():
    sweep = make_sweep(("learning_rate", [0.01, 0.1]))
    results = results_for(sweep, lambda v, s: 0.5 + v["learning_rate"] + s / 100)
    table = figures.run_table(list(reversed(results)), sweep, "classification")
    assert list(table["run"]) == [1, 2, 3, 4]       # in run order, whatever arrived first
    assert list(table["Learning rate"]) == [0.01, 0.01, 0.1, 0.1]
    assert list(table["seed"]) == [0, 1, 0, 1]
    assert [round(v, 6) for v in table["score"]] == [51.0, 52.0, 60.0, 61.0]
    assert list(table.columns[:4]) == ["run", "Learning rate", "seed", "score"]


def test_regression_runs_are_scored_by_their_last_validation_loss():
    sweep = make_sweep(("l2", [0.0, 0.01]), seeds=(0,))
    results = results_for(sweep, lambda v, s: 0.0)
    table = figures.run_table(results, sweep, "regression")
    assert list(table["score"]) == [0.5, 0.5]
    assert figures.score_title("regression") == "validation loss"


def test_point_summary_gives_mean_and_range_over_seeds_and_skips_failed_runs():
    sweep = make_sweep(("hidden_width", [8, 32]))
    results = results_for(sweep, lambda v, s: 0.8 if s == 0 else 0.9)
    results[3]["status"], results[3]["val_metric"] = "failed", []
    summary = figures.point_summary(figures.run_table(results, sweep, "classification"), sweep)
    assert list(summary["Hidden width"]) == [8, 32]
    assert [round(v, 6) for v in summary["mean"]] == [85.0, 80.0]
    assert list(summary["low"]) == [80.0, 80.0] and list(summary["high"]) == [90.0, 80.0]
    assert list(summary["runs"]) == [2, 1]


def test_the_line_chart_draws_rates_on_a_log_axis_and_widths_as_even_steps():
    rate = make_sweep(("learning_rate", [0.001, 0.1]))
    summary = figures.point_summary(figures.run_table(results_for(rate, lambda v, s: 0.9), rate,
                                                      "classification"), rate)
    data, spec = figures.score_line_chart(summary, rate, "classification")
    x = spec["layer"][1]["encoding"]["x"]
    assert x["scale"] == {"type": "log"} and x["axis"]["values"] == [0.001, 0.1]
    assert spec["layer"][0]["encoding"]["y2"] == {"field": "high"}
    assert "highest is best" in spec["title"]["subtitle"]
    width = make_sweep(("hidden_width", [64, 8]))
    _, spec = figures.score_line_chart(figures.point_summary(figures.run_table(
        [], width, "classification"), width), width, "classification")
    x = spec["layer"][1]["encoding"]["x"]
    assert x["type"] == "ordinal" and x["sort"] == [64, 8]     # the order the visitor gave
    assert spec["layer"][-1]["data"]["values"] == [{"text": "Results appear here as runs finish"}]


def test_the_heatmap_colours_the_better_end_alike_for_accuracy_and_loss():
    sweep = make_sweep(("learning_rate", [0.01, 0.1]), ("batch_size", [16, 64]), seeds=(0,))
    results = results_for(sweep, lambda v, s: v["learning_rate"] * 5 + v["batch_size"] / 1000)
    summary = figures.point_summary(figures.run_table(results, sweep, "classification"), sweep)
    data, spec = figures.score_heatmap(summary, sweep, "classification")
    assert len(data) == 4 and math.isclose(data["mean"].max(), 56.4)
    rect = spec["layer"][0]["encoding"]
    assert rect["x"]["field"] == "Learning rate" and rect["y"]["field"] == "Batch size"
    assert rect["color"]["scale"]["reverse"] is False
    text = spec["layer"][1]["encoding"]["color"]   # dark text on the light, better cells
    test = text["condition"]["test"]
    assert test.startswith("datum.mean >= ") and math.isclose(float(test.split()[-1]), 31.5)
    _, loss_spec = figures.score_heatmap(summary, sweep, "regression")
    assert loss_spec["layer"][0]["encoding"]["color"]["scale"]["reverse"] is True


def test_loss_curves_have_a_line_per_run_coloured_by_point_and_long_runs_thinned():
    sweep = make_sweep(("activation", ["relu", "tanh"]))
    results = results_for(sweep, lambda v, s: 0.5, epochs=500)
    data, spec = figures.loss_curves_chart(results, sweep, max_epochs_drawn=100)
    assert data["run"].nunique() == 4
    assert (data["run"] == "run 1 (seed 0)").sum() == 100
    assert spec["layer"][0]["encoding"]["color"]["scale"]["domain"] == [
        "activation relu", "activation tanh"]
    many = make_sweep(("learning_rate", [0.001, 0.01, 0.1]), ("batch_size", [8, 16, 32]),
                      seeds=(0,))
    data, spec = figures.loss_curves_chart(results_for(many, lambda v, s: 0.5), many)
    colour = spec["layer"][0]["encoding"]["color"]   # nine points: coloured by the rate
    assert colour["scale"]["domain"] == ["0.001", "0.01", "0.1"]
    assert colour["legend"]["title"] == "Learning rate" and data["run"].nunique() == 9
    assert set(data["point"]) >= {"learning rate 0.01, batch size 16"}   # in the tooltip
    empty, spec = figures.loss_curves_chart([], sweep)
    assert len(empty) == 0 and spec["layer"][-1]["mark"]["type"] == "text"
