"""The Sweep page in AppTest: the form and its messages, a sweep run to the end, picking a
run, cancelling, and results files (good, bad and hostile)."""

import time

from app_support import no_exceptions, texts, vega_charts
from waiting import alive, wait_until

from studio.spec import ModelSpec
from studio.sweep import Axis, SweepSpec
from studio.sweep.results import results_csv

SMALL = ModelSpec(hidden_layers=[16], hidden_activations=["relu"], epochs=3, batch_size=64)


def open_sweep(app, spec=SMALL):
    app.session_state["spec"] = spec
    app.run()
    app.switch_page("app_pages/sweep.py").run()
    no_exceptions(app)
    return app


def finish(app, timeout=120):
    """Wait for the session's sweep to end, then draw the page once more."""
    assert wait_until(lambda: not app.session_state["workspace"].sweep.job.status.active,
                      timeout=timeout)
    app.run()
    no_exceptions(app)


def sweep_table(app):
    """The results table the page shows (its only dataframe)."""
    (table,) = app.dataframe
    return table.value


def test_the_form_starts_from_the_build_configuration(app):
    open_sweep(app)
    assert app.selectbox(key="sweep.first").value == "learning_rate"
    assert app.text_input(key="sweep.values.first.learning_rate").value == (
        "0.0003 0.001 0.003 0.01 0.03")
    assert any(t.startswith("Starting from the Build configuration: Digits (8x8); hidden "
                            "layers: 16 relu; adam, learning rate 0.003, batch 64, 3 epochs")
               for t in texts(app.caption))
    assert texts(app.info)[0].startswith("5 runs (5 points x 1 seed), about ")
    assert texts(app.info)[0].endswith(" with 2 at a time.")


def test_the_learning_rate_takes_a_log_grid_and_the_run_count_follows(app):
    open_sweep(app)
    app.text_input(key="sweep.values.first.learning_rate").set_value(
        "0.0001 to 0.1, 7 values").run()
    assert not app.error
    assert ("7 values: 0.0001, 0.000316, 0.001, 0.00316, 0.01, 0.0316, 0.1"
            in texts(app.caption))
    assert texts(app.info)[0].startswith("7 runs (7 points x 1 seed), about ")
    app.text_input(key="sweep.values.first.learning_rate").set_value("0 to 0.1, 7 values").run()
    assert texts(app.error) == ["Learning rate: A log grid needs positive, finite ends. "
                                "Received: 0.0 to 0.1"]
    assert not [b for b in app.button if b.key == "sweep_start"]


def test_bad_values_and_too_many_runs_get_their_message_and_no_start_button(app):
    open_sweep(app)
    app.text_input(key="sweep.values.first.learning_rate").set_value("0.01 fast").run()
    assert texts(app.error) == ["Learning rate: 'fast' is not a number."]
    assert not [b for b in app.button if b.key == "sweep_start"]
    app.text_input(key="sweep.values.first.learning_rate").set_value(
        " ".join(f"0.00{i}" for i in range(1, 10))).run()
    app.selectbox(key="sweep.second").set_value("batch_size").run()
    app.text_input(key="sweep.values.second.batch_size").set_value("8 16 32 64 128 256").run()
    assert texts(app.error) == ["This sweep has 54 runs (54 points x 1 seed); the limit is 48. "
                                "Use fewer values or seeds."]
    app.text_input(key="sweep.values.second.batch_size").set_value("8 8").run()
    assert texts(app.error) == ["Batch size: 8 given twice."]


def test_a_two_setting_sweep_runs_to_a_heatmap_a_table_and_loss_curves(app):
    open_sweep(app)
    app.text_input(key="sweep.values.first.learning_rate").set_value("0.0003 0.03").run()
    app.selectbox(key="sweep.second").set_value("hidden_width").run()
    app.text_input(key="sweep.values.second.hidden_width").set_value("8 32").run()
    app.number_input(key="sweep.seeds").set_value(2).run()
    assert texts(app.info)[0].startswith("8 runs (4 points x 2 seeds)")
    app.button(key="sweep_start").click().run()
    no_exceptions(app)
    finish(app)
    assert "8 runs finished." in texts(app.success)
    table = sweep_table(app)
    assert len(table) == 8 and set(table["status"]) == {"completed"}
    assert sorted(set(zip(table["Learning rate"], table["Hidden width"]))) == [
        (0.0003, 8), (0.0003, 32), (0.03, 8), (0.03, 32)]
    (heat_spec, heat), (loss_spec, curves) = vega_charts(app)
    assert heat_spec["title"]["text"] == "validation accuracy (%)"
    assert heat_spec["title"]["subtitle"] == "by learning rate and hidden width, mean over seeds"
    accuracy = table["validation accuracy (%)"]
    means = table.assign(score=accuracy).groupby(["Learning rate", "Hidden width"])["score"].mean()
    for _, row in heat.iterrows():   # each cell is the mean over the two seeds
        assert abs(row["mean"] - means[(row["Learning rate"], row["Hidden width"])]) < 1e-9
    assert curves["run"].nunique() == 8 and curves["epoch"].max() == 3
    # The best run is offered first (runs that tie may come in either order), and its
    # weights are kept.
    offered = app.selectbox(key="sweep_pick").value["index"] + 1
    assert accuracy[table["run"] == offered].item() == accuracy.max()


def test_a_pick_made_among_fewer_results_gives_way_to_the_best_when_more_finish(app):
    open_sweep(app)
    app.text_input(key="sweep.values.first.learning_rate").set_value("0.0003 0.03").run()
    app.button(key="sweep_start").click().run()
    finish(app)
    # As if the visitor had looked while one run was in, and picked it: the worse one.
    app.selectbox(key="sweep_pick").select_index(1).run()
    assert app.selectbox(key="sweep_pick").index == 1
    sweep_record = app.session_state["workspace"].sweep
    app.session_state["sweep_pick_for"] = (id(sweep_record), 1)
    app.run()
    no_exceptions(app)
    assert app.selectbox(key="sweep_pick").index == 0, "the best run is offered again"


def test_a_picked_run_loads_into_build_or_becomes_the_current_model(app):
    open_sweep(app)
    app.text_input(key="sweep.values.first.learning_rate").set_value("0.001 0.03").run()
    app.button(key="sweep_start").click().run()
    finish(app)
    chosen = app.selectbox(key="sweep_pick").value
    app.button(key="sweep_keep").click().run()
    no_exceptions(app)
    model = app.session_state["workspace"].model
    assert model.spec.learning_rate == chosen["values"]["learning_rate"]
    assert model.network.history["val_metric"] == chosen["val_metric"]   # its trained weights
    assert any("is now the current model" in t for t in texts(app.success))
    app.switch_page("app_pages/sweep.py").run()
    assert len(app.selectbox(key="sweep_pick").options) == 2   # both runs are on offer
    picked = app.selectbox(key="sweep_pick").value
    app.button(key="sweep_load").click().run()
    no_exceptions(app)
    assert app.session_state["spec"].learning_rate == picked["values"]["learning_rate"]
    assert app.session_state["spec"].hidden_layers == [16]
    assert any(f"Loaded the settings of sweep run {picked['index'] + 1}" in t and
               "into Build: press Build network" in t for t in texts(app.success))


def test_cancel_stops_the_sweep_and_says_how_far_it_got(app):
    open_sweep(app, ModelSpec(hidden_layers=[16], hidden_activations=["relu"], epochs=500,
                              batch_size=8))
    app.text_input(key="sweep.values.first.learning_rate").set_value("0.001 0.002 0.003").run()
    app.button(key="sweep_start").click().run()
    job = app.session_state["workspace"].sweep.job
    assert wait_until(lambda: job.snapshot().running >= 1, timeout=60)
    pids = job.backend.worker_pids()
    app.run()
    assert app.text_input(key="sweep.values.first.learning_rate").disabled
    app.button(key="sweep_cancel").click().run()
    finish(app, timeout=30)
    assert "Cancelled: 0 of 3 runs finished." in texts(app.info)
    assert wait_until(lambda: not any(alive(p) for p in pids), timeout=10)
    assert [b for b in app.button if b.key == "sweep_start"]   # ready for another


def results_file():
    sweep = SweepSpec(SMALL, [Axis("batch_size", (16, 64))], [0])
    results = []
    for point, accuracy in zip(sweep.points(), (0.9, 0.95)):
        results.append({"index": point.index, "seed": 0, "values": dict(point.values),
                        "status": "completed", "error": "", "loss": [0.5, 0.3],
                        "val_loss": [0.6, 0.4], "val_metric": [0.8, accuracy],
                        "seconds": 1.5, "samples": 1000})
    return results_csv(sweep, results, "classification").encode()


def test_a_results_file_opens_with_its_chart_and_table(app):
    open_sweep(app)
    app.file_uploader(key="sweep_results_file").upload("results.csv", results_file(),
                                                       "text/csv").run()
    no_exceptions(app)
    assert "2 runs read from results.csv." in texts(app.success)
    table = sweep_table(app)
    assert list(table["validation accuracy (%)"]) == [90.0, 95.0]
    (spec, summary), _ = vega_charts(app)
    assert spec["title"]["text"] == "validation accuracy (%) by batch size"
    assert list(summary["mean"]) == [90.0, 95.0]
    assert app.button(key="sweep_keep").disabled   # no weights in a results file
    assert any("trained weights are not kept" in t for t in texts(app.caption))


def test_a_bad_results_file_says_why_and_keeps_what_was_shown(app):
    open_sweep(app)
    app.file_uploader(key="sweep_results_file").upload("results.csv", results_file(),
                                                       "text/csv").run()
    hostile = "[click](http://ev.il).csv"
    app.file_uploader(key="sweep_results_file").upload(hostile, b"a,b\n1,2\n", "text/csv").run()
    no_exceptions(app)
    errors = texts(app.error)
    assert errors == [f"{hostile}: This is not a sweep results file: its first line should "
                      "start with '# mlp-studio sweep' (files written by python -m studio.sweep "
                      "or the Sweep page's download)."]
    assert not any("<a " in e.value or "](" not in e.value.replace("\\", "") for e in app.error)
    assert len(sweep_table(app)) == 2   # the previous results stay


def test_leaving_the_page_and_coming_back_keeps_the_running_sweep(app):
    open_sweep(app)
    app.text_input(key="sweep.values.first.learning_rate").set_value("0.001 0.01").run()
    app.button(key="sweep_start").click().run()
    app.switch_page("app_pages/build.py").run()
    time.sleep(0.2)
    app.switch_page("app_pages/sweep.py").run()
    finish(app)
    assert "2 runs finished." in texts(app.success)
    assert app.text_input(key="sweep.values.first.learning_rate").value == "0.001 0.01"


def test_a_sweep_waits_visibly_for_the_servers_training_slots(app):
    from studio.ui import state
    scheduler = state.scheduler()   # the server-wide one the page uses
    others = [object() for _ in range(scheduler.max_jobs)]
    for other in others:            # other visitors' jobs hold every slot
        assert scheduler.acquire(other, lambda: False)
    try:
        open_sweep(app)
        app.text_input(key="sweep.values.first.learning_rate").set_value("0.001 0.01").run()
        app.button(key="sweep_start").click().run()
        job = app.session_state["workspace"].sweep.job
        assert wait_until(lambda: job.snapshot().queue_position == 1, timeout=10)
        app.run()
        assert texts(app.info)[-1] == ("Queued: position 1 in line. Each run of a sweep takes "
                                       "one of this server's training slots; it starts when "
                                       "one is free.")
    finally:
        for other in others:
            scheduler.release(other)
    finish(app)
    assert "2 runs finished." in texts(app.success)


def warm_pools():
    from studio.ui.sweep_panel import warm_pools
    return warm_pools()    # the server-wide keeper the page uses


def test_the_workers_start_while_the_sweep_is_set_up_and_the_sweep_runs_on_them(app):
    keeper = warm_pools()
    keeper.clear()
    try:
        open_sweep(app)
        assert wait_until(lambda: keeper.idle is not None and
                          len(keeper.idle.worker_pids()) == 2, timeout=30)
        prepared = keeper.idle
        pids = prepared.worker_pids()
        app.text_input(key="sweep.values.first.learning_rate").set_value("0.001 0.01").run()
        assert keeper.idle is prepared           # one pool however often the page reruns
        app.button(key="sweep_start").click().run()
        finish(app)
        assert "2 runs finished." in texts(app.success)
        job = app.session_state["workspace"].sweep.job
        assert job.backend is prepared and job.backend.worker_pids() == pids
    finally:
        keeper.clear()


def test_no_workers_start_ahead_while_other_visitors_hold_the_slots(app):
    from studio.ui import state
    keeper = warm_pools()
    keeper.clear()
    scheduler = state.scheduler()
    other = object()
    assert scheduler.acquire(other, lambda: False)
    try:
        open_sweep(app)
        time.sleep(1)
        assert keeper.idle is None
    finally:
        scheduler.release(other)
        keeper.clear()
