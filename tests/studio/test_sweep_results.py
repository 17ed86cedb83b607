"""The sweep results file (written by the command line, opened on the Sweep page) and
``python -m studio.sweep`` itself."""

import json

import pytest

from studio.spec import ModelSpec
from studio.sweep import Axis, SweepError, SweepSpec
from studio.sweep.__main__ import main
from studio.sweep.results import read_results, results_csv


def two_axis_sweep():
    return SweepSpec(ModelSpec(dataset="moons", epochs=3),
                     [Axis("learning_rate", (0.01, 0.1)), Axis("activation", ("relu", "tanh"))],
                     [0, 3])


def fake_result(point, status="completed"):
    return {"index": point.index, "seed": point.seed, "values": dict(point.values),
            "status": status, "error": "" if status == "completed" else "ValueError: boom",
            "loss": [0.9, 0.5, 0.25], "val_loss": [1.0, None, 0.3],
            "val_metric": [0.5, 0.7, 0.875], "seconds": 1.25, "samples": 2400}


def test_results_round_trip_through_the_file():
    sweep = two_axis_sweep()
    results = [fake_result(p) for p in sweep.points()]
    results[5] = fake_result(sweep.points()[5], "failed")
    text = results_csv(sweep, list(reversed(results)), "classification")
    lines = text.splitlines()
    assert lines[0].startswith("# mlp-studio sweep {")
    assert lines[1].startswith("run,seed,learning_rate,activation,status,error,val_metric")
    assert lines[2].startswith("0,0,0.01,relu,completed,,0.875,0.3,0.25,3,1.25,2400,")
    again, read, task = read_results(text.encode())
    assert task == "classification" and again.to_dict() == sweep.to_dict()
    assert read == results


@pytest.mark.parametrize("data, message", [
    (b"run,seed\n0,0\n", "This is not a sweep results file: its first line should start"),
    (b"\xff\xfe\x00", "it is not UTF-8 text"),
    (b"# mlp-studio sweep {not json\n", "Line 1: the sweep's description cannot be read"),
])
def test_a_file_that_is_not_a_results_file_is_refused(data, message):
    with pytest.raises(SweepError, match=message):
        read_results(data)


def test_a_results_file_with_a_missing_column_or_a_foreign_run_is_refused():
    sweep = two_axis_sweep()
    text = results_csv(sweep, [fake_result(sweep.points()[0])], "classification")
    header, columns, row = text.splitlines()
    with pytest.raises(SweepError, match="Line 2: columns missing: val_loss"):
        read_results("\n".join([header, columns.replace("val_loss,", "vl,"), row]))
    with pytest.raises(SweepError, match="Line 3: run '99' is not a run of this sweep"):
        read_results("\n".join([header, columns, "99" + row[1:]]))
    with pytest.raises(SweepError, match="Line 1: unknown task 'ranking'"):
        read_results(header.replace('"classification"', '"ranking"'))


def write_sweep(tmp_path, sweep):
    path = tmp_path / "sweep.json"
    path.write_text(json.dumps(sweep.to_dict()))
    return path


def test_the_command_line_trains_every_run_and_writes_a_file_the_page_opens(tmp_path, capsys):
    sweep = SweepSpec(ModelSpec(dataset="digits", hidden_layers=[16], hidden_activations=["relu"],
                                epochs=2, batch_size=64),
                      [Axis("learning_rate", (0.0001, 0.03))], [0])
    out = tmp_path / "results.csv"
    assert main([str(write_sweep(tmp_path, sweep)), "--workers", "2", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "2 runs on loky ..." in printed
    assert "(learning rate 0.03, seed 0): validation accuracy" in printed
    assert f"2 runs finished. Results: {out}" in printed
    again, results, task = read_results(out.read_bytes())
    assert task == "classification" and len(results) == 2
    by_rate = {r["values"]["learning_rate"]: r["val_metric"][-1] for r in results}
    assert by_rate[0.03] > by_rate[0.0001]   # a usable rate beats a far too small one


def test_the_command_line_names_a_bad_sweep_file(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text('{"base": {}, "vary": [{"setting": "colour", "values": [1]}]}')
    assert main([str(bad), "--out", str(tmp_path / "r.csv")]) == 2
    assert "error: Unknown setting 'colour'" in capsys.readouterr().err
    bad.write_text("{")
    assert main([str(bad), "--out", str(tmp_path / "r.csv")]) == 2
    assert f"error: {bad} is not JSON" in capsys.readouterr().err
    table = SweepSpec(ModelSpec(dataset="csv"), [Axis("l2", (0.0, 0.1))], [0])
    assert main([str(write_sweep(tmp_path, table)), "--out", str(tmp_path / "r.csv")]) == 2
    assert "runs on the Sweep page" in capsys.readouterr().err
    assert not (tmp_path / "r.csv").exists()


def test_the_dask_backend_without_a_scheduler_says_what_to_set(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("MLP_STUDIO_DASK_SCHEDULER", raising=False)
    sweep = SweepSpec(ModelSpec(dataset="moons", epochs=1), [Axis("l2", (0.0,))], [0])
    out = tmp_path / "r.csv"
    code = main([str(write_sweep(tmp_path, sweep)), "--backend", "dask", "--out", str(out)])
    printed = capsys.readouterr().err
    assert code == 1 and not out.exists()
    assert ("error: The sweep could not start: " in printed
            and ("MLP_STUDIO_DASK_SCHEDULER" in printed or "requirements-cluster.txt" in printed))
