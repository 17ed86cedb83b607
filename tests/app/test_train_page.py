"""The Train page in AppTest: controls, live view, divergence, settings, model files."""

import dataclasses
import re

import pytest
from app_support import give, make_record, no_exceptions, texts, vega_charts
from waiting import wait_until

from mlp.model_file import model_to_bytes
from studio.jobs import Status
from studio.spec import ModelSpec


def open_train(app, record):
    give(app, record)
    app.run()
    app.switch_page("app_pages/train.py").run()
    no_exceptions(app)


def wait_for(record, predicate, timeout=60):
    """Wait until ``predicate`` holds for the job's snapshot."""
    return wait_until(lambda: predicate(record.job.snapshot()), timeout, interval=0.05)


def test_without_a_model_the_page_points_to_build(app):
    app.run()
    app.switch_page("app_pages/train.py").run()
    no_exceptions(app)
    assert any("Build a network first" in i for i in texts(app.info))


def test_start_trains_in_the_background_and_the_page_shows_it(app):
    record = make_record(ModelSpec(hidden_layers=[16], epochs=3, batch_size=64))
    open_train(app, record)
    assert app.button(key="train_pause").disabled
    app.button(key="train_start").click().run()
    no_exceptions(app)
    assert wait_for(record, lambda s: s.status.value == "finished")
    app.run()
    no_exceptions(app)
    (loss_spec, loss), (metric_spec, metric) = vega_charts(app)
    assert loss_spec["title"]["text"] == "Loss during training"
    assert set(loss["series"]) == {"batch loss", "smoothed", "train (epoch mean)", "validation"}
    assert loss[loss["series"] == "train (epoch mean)"]["epoch"].tolist() == [1, 2, 3]
    assert metric_spec["title"]["text"] == "Accuracy (%) per epoch"
    val = metric[metric["series"] == "validation"]["value"].tolist()
    assert val == pytest.approx([100 * v for v in record.network.history["val_metric"]])
    assert any("Finished" in c for c in texts(app.caption))
    assert app.button(key="train_start").disabled, "no epochs left to train"


def training_for_a_while(app):
    """A long job started on the Train page and seen training; returns its record."""
    record = make_record(ModelSpec(hidden_layers=[16], epochs=400, batch_size=1))
    open_train(app, record)
    app.button(key="train_start").click().run()
    assert wait_for(record, lambda s: s.samples_seen > 20)
    return record


def press_and_settle(app, record, key):
    """Press Pause or Stop (``key``) and rerun once the job has let go of its worker."""
    app.button(key=key).click().run()
    assert record.job.join(timeout=30)
    app.run()


def test_pause_change_learning_rate_and_resume(app):
    record = training_for_a_while(app)
    press_and_settle(app, record, "train_pause")
    assert record.job.status.value == "paused"
    assert app.button(key="train_start").label == "Resume"
    app.number_input(key="train.learning_rate").set_value(0.0005).run()
    app.button(key="train_apply").click().run()
    no_exceptions(app)
    assert record.network.optimizer.learning_rate == 0.0005
    seen = record.job.snapshot().samples_seen
    app.button(key="train_start").click().run()
    assert wait_for(record, lambda s: s.samples_seen > seen + 20)
    app.button(key="train_stop").click().run()
    assert record.job.join(timeout=5)
    assert record.job.status.value == "stopped"


def test_divergence_shows_advice_and_keeps_the_model(app):
    spec = ModelSpec(dataset="diabetes", hidden_layers=[16], output_activation="identity",
                     loss="mean_squared_error", optimizer="sgd", learning_rate=10.0,
                     momentum=0.9, epochs=50, batch_size=8)
    record = make_record(spec)
    open_train(app, record)
    app.button(key="train_start").click().run()
    assert wait_for(record, lambda s: not s.status.active and s.status.value != "idle")
    app.run()
    no_exceptions(app)
    errors = " ".join(texts(app.error))
    assert "diverged" in errors and "learning rate" in errors and "last finite weights" in errors


def test_reset_asks_then_reinitialises(app):
    record = make_record(epochs=1)
    open_train(app, record)
    app.button(key="train_reset").click().run()
    assert app.session_state["workspace"].model is record
    [b for b in app.button if b.label == "Reset the weights"][0].click().run()
    no_exceptions(app)
    fresh = app.session_state["workspace"].model
    assert fresh is not record and not fresh.is_trained
    assert fresh.network.layers == record.network.layers


def test_uploading_a_model_file_replaces_the_model_and_predicts_the_same(app):
    trained = make_record(epochs=2)
    data = model_to_bytes(trained.network)
    current = make_record()
    open_train(app, current)
    app.file_uploader(key="model_file").upload("model.npz", data, "application/octet-stream").run()
    no_exceptions(app)
    loaded = app.session_state["workspace"].model
    assert loaded is not current
    x = trained.prepared.x_test
    assert (loaded.network.predict(x) == trained.network.predict(x)).all()
    assert loaded.network.history["loss"] == trained.network.history["loss"]


def test_a_bad_model_upload_shows_the_error_and_keeps_the_current_model(app):
    current = make_record(epochs=1)
    open_train(app, current)
    app.file_uploader(key="model_file").upload("notes.npz", b"this is not a model",
                                               "application/octet-stream").run()
    no_exceptions(app)
    assert app.session_state["workspace"].model is current
    assert any("not a model file" in e for e in texts(app.error))


def test_a_model_for_other_data_is_refused(app):
    other = make_record(ModelSpec(dataset="moons", hidden_layers=[4], epochs=1))
    spec = other.network.metadata["spec"]
    assert spec["dataset"] == "moons"
    current = make_record(epochs=1)
    open_train(app, current)
    # Tamper: claim the moons network was trained on digits.
    other.network.metadata["spec"] = {**spec, "dataset": "digits"}
    app.file_uploader(key="model_file").upload("moons.npz", model_to_bytes(other.network),
                                               "application/octet-stream").run()
    no_exceptions(app)
    assert app.session_state["workspace"].model is current
    assert any("do not fit the dataset" in e for e in texts(app.error))


def test_change_settings_stays_open_after_apply(app):
    record = make_record(epochs=1)
    give(app, record)
    app.run()
    app.switch_page("app_pages/train.py").run()
    app.session_state["train_settings_open"] = True
    app.run()
    app.number_input(key="train.learning_rate").set_value(0.01).run()
    app.button(key="train_apply").click().run()
    assert app.session_state["train_settings_open"] is True
    assert record.network.optimizer.learning_rate == pytest.approx(0.01)


def test_a_linear_schedule_ends_at_rate_zero_and_follows_a_new_epoch_target(app):
    record = make_record(ModelSpec(hidden_layers=[16], optimizer="sgd", learning_rate=0.1,
                                   lr_schedule="linear", epochs=2, batch_size=64))
    per_epoch = -(-len(record.prepared.x_train) // 64)
    assert record.network.optimizer.decay_steps == 2 * per_epoch
    open_train(app, record)
    app.button(key="train_start").click().run()
    assert wait_for(record, lambda s: s.status.value == "finished")
    app.session_state["train_settings_open"] = True
    app.run()
    no_exceptions(app)
    optimizer = record.network.optimizer
    assert optimizer.iterations == 2 * per_epoch and optimizer.rate() == 0.0
    assert any(f"over {2 * per_epoch:,} updates (2 epochs); all {2 * per_epoch:,} made, so the "
               "rate is zero: raise the target epochs" in c for c in texts(app.caption))
    # Four epochs planned now: the same updates made, the rate halfway down again.
    app.number_input(key="train.epochs").set_value(4).run()
    app.button(key="train_set_epochs").click().run()
    no_exceptions(app)
    assert optimizer.decay_steps == 4 * per_epoch
    assert optimizer.rate() == pytest.approx(0.05)
    assert any(f"{2 * per_epoch:,} made, the next at 0.05." in c for c in texts(app.caption))


def test_stop_ends_the_run_and_says_what_can_follow(app):
    record = training_for_a_while(app)
    press_and_settle(app, record, "train_stop")
    assert record.job.status.value == "stopped"
    assert app.button(key="train_start").label == "Train further"
    assert any("Stopped. The weights are kept: train them further, or Reset." in c
               for c in texts(app.caption))


def test_a_flat_loss_gets_a_hint_that_names_the_likely_cause():
    from studio.ui.train_panel import flat_loss_hint
    unscaled = ModelSpec(dataset="mnist", scaling="none")
    hint = flat_loss_hint([2.3026, 2.3026, 2.3025], unscaled)
    assert hint.startswith("The training loss has stayed at 2.303 for 3 epochs: the inputs are "
                           "not scaled")
    assert "learning rate" in flat_loss_hint([0.7, 0.7, 0.7], ModelSpec())
    assert flat_loss_hint([2.3, 1.2, 0.6], unscaled) is None
    assert flat_loss_hint([0.7, 0.7], ModelSpec()) is None


def test_the_train_page_shows_the_flat_loss_hint(app):
    record = make_record(ModelSpec(hidden_layers=[16], epochs=5, batch_size=64))
    history = record.network.history   # three epochs whose training loss did not move
    for key, values in {"loss": [0.7] * 3, "metric": [0.5] * 3, "val_loss": [0.7] * 3,
                        "val_metric": [0.5] * 3, "epoch_seconds": [0.1] * 3}.items():
        history[key] = values
    open_train(app, record)
    assert any(w.startswith("The training loss has stayed at 0.7 for 3 epochs")
               for w in texts(app.warning)), texts(app.warning)


def test_unscaled_pixels_are_warned_about_on_build(app):
    app.run()
    app.selectbox(key="build.scaling").select("none").run()
    assert any("Unscaled inputs: pixels up to 16" in w for w in texts(app.warning))


def test_early_stopping_set_on_build_ends_training_early_and_says_so(app):
    app.run()
    app.number_input(key="build.epochs").set_value(300).run()
    app.number_input(key="build.early_stopping").set_value(2).run()
    app.button(key="build_button").click().run()
    no_exceptions(app)
    record = app.session_state["workspace"].model
    assert record.spec.early_stopping == 2 and record.job.early_stopping == 2
    app.switch_page("app_pages/train.py").run()
    app.button(key="train_start").click().run()
    assert record.job.join(timeout=120)
    app.run()
    epochs = len(record.network.history["loss"])
    assert record.job.status.value == "finished" and epochs < 300, epochs
    assert any("Early stopping: the validation loss stopped improving." in c
               for c in texts(app.caption))


def sidebar_status(app):
    return [t for t in texts(app.sidebar.caption) if t.startswith("Training:")]


def test_the_sidebar_leaves_a_running_jobs_progress_to_the_train_page(app):
    record = training_for_a_while(app)
    app.run()
    no_exceptions(app)
    (line,) = sidebar_status(app)
    assert "running" in line and line.endswith("· progress on this page")
    assert "epoch" not in line            # the page's own progress line has it, live
    app.switch_page("app_pages/build.py").run()
    no_exceptions(app)
    (line,) = sidebar_status(app)
    assert "running" in line and re.search(r"· epoch \d+/400\*\*$", line), line
    app.switch_page("app_pages/train.py").run()
    press_and_settle(app, record, "train_stop")
    (line,) = sidebar_status(app)
    # Not active: the line reads as on any other page (the epoch once one has ended).
    assert "stopped" in line and "progress on this page" not in line, line


def test_a_status_that_changes_between_sidebar_and_page_reruns_the_app(app):
    # The sidebar is drawn first and does not poll on this page: if the job moved on
    # between its reading and the page's (queued -> running as the worker starts), the
    # page reruns the app rather than leave the sidebar on the old status.
    record = training_for_a_while(app)
    job, real_snapshot = record.job, record.job.snapshot
    stale = []

    def snapshot(history=True):
        snap = real_snapshot(history=history)
        if not stale:               # the first reading of the next run: the sidebar's
            stale.append(snap.status)
            return dataclasses.replace(snap, status=Status.QUEUED)
        return snap

    job.snapshot = snapshot
    app.session_state["notices"] = [("warning", "A message for this run.")]
    app.run()
    no_exceptions(app)
    assert stale == [Status.RUNNING]
    (line,) = sidebar_status(app)
    assert line.endswith("running** · progress on this page"), line
    # A message queued for the next page outlives the run the rerun superseded ...
    assert texts(app.warning) == ["A message for this run."]
    app.run()
    assert texts(app.warning) == []         # ... and is shown once
    del job.snapshot
    press_and_settle(app, record, "train_stop")


def test_a_queued_view_looks_less_often_the_further_back_it_waits():
    from studio.ui.train_panel import queued_poll_seconds
    # Next in line: seen starting within 2 s; further back, a look per 2 s of place, at
    # most every 10 s (a job far back cannot start before the ones ahead of it end).
    assert [queued_poll_seconds(p) for p in (1, 2, 3, 5, 6, 40)] == [
        2.0, 4.0, 6.0, 10.0, 10.0, 10.0]
    assert queued_poll_seconds(0) == 2.0
