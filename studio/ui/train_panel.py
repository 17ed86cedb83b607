"""The Train page's controls and live view, kept out of the page file.

Buttons act through ``on_click`` callbacks; the live view is a fragment that
refreshes while the job trains, at a rate the server shares among its visitors,
and rebuilds the charts only when the history has grown.
"""

import streamlit as st

from studio.figures.live import loss_chart, metric_chart
from studio.jobs import Status
from studio.live_rate import LiveRate
from studio.model_record import fit_schedule
from studio.spec import OPTIMIZER_SETTINGS
from studio.ui import actions, state, widgets
from studio.ui.plain import say

#: A queued job's view only checks its place in line: every this many seconds per place
#: ahead of it (the next in line every 2 s), at most every QUEUED_POLL_MAX seconds.
QUEUED_POLL_SECONDS, QUEUED_POLL_MAX = 2.0, 10.0
LIVE_MAX_POINTS = 600       # per-batch points drawn at most (a chart is ~600 px wide)
BUTTON_WIDTH = 80           # px: the four controls fit in one row on a phone (390 px)
CHART_EVERY = 3             # the charts refresh once every this many progress refreshes
SETTING_LABELS = {"learning_rate": "Learning rate", "momentum": "Momentum", "nesterov": "Nesterov",
                  "beta_1": "beta_1", "beta_2": "beta_2", "rho": "rho"}


def _start(job):
    try:
        job.start()
    except ValueError as exc:
        state.notify("warning", str(exc))


def _request_reset(record):
    if record.is_trained:
        state.put("confirm_reset", True)
    else:
        actions.reset()


def _answer_reset(confirmed):
    state.put("confirm_reset", False)
    if confirmed:
        actions.reset()
        state.notify("info", "The network was re-initialised with fresh weights.")


def controls(record):
    """Start / resume, pause, stop and reset buttons for ``record``'s job."""
    job = record.job
    status = job.status
    has_data = widgets.require_data(record, "train it", key="train_load_data")
    # Pause keeps the run going later ("Resume"); Stop ends it, and training the same weights
    # again is a new decision ("Train further"), as is starting over ("Reset").
    start_label = {Status.PAUSED: "Resume", Status.STOPPED: "Train further"}.get(status, "Start")
    # One row that wraps on a phone, instead of four full-width buttons stacked.
    row = st.container(horizontal=True, wrap=True, gap="xsmall")
    row.button(start_label, on_click=_start, args=(job,), type="primary", width=BUTTON_WIDTH,
               disabled=status.active or job.epochs_remaining() <= 0 or not has_data,
               key="train_start")
    row.button("Pause", on_click=job.pause, disabled=not status.active, width=BUTTON_WIDTH,
               key="train_pause")
    row.button("Stop", on_click=job.stop, disabled=not status.active, width=BUTTON_WIDTH,
               key="train_stop")
    row.button("Reset", on_click=_request_reset, args=(record,), width=BUTTON_WIDTH,
               key="train_reset")
    if state.get("confirm_reset"):
        widgets.confirm("Reset throws away the trained weights of the current model and starts "
                        "from fresh random ones.", "Reset the weights", "Keep them", _answer_reset)


def _apply_settings(job, names):
    try:
        job.set_optimizer(**{name: st.session_state[f"train.{name}"] for name in names})
    except (ValueError, RuntimeError) as exc:
        state.notify("error", str(exc))
        return
    state.notify("success", "Optimizer settings changed; training resumes from the current "
                            "weights and optimizer state.")


def _set_epochs(record):
    try:
        record.job.set_epochs(int(st.session_state["train.epochs"]))
    except ValueError as exc:
        state.notify("error", str(exc))
        return
    fit_schedule(record)


def adjustments(record):
    """Optimizer settings and the epoch target, editable while training is not running."""
    job, spec = record.job, record.spec
    optimizer = job.network.optimizer
    names = [n for n in OPTIMIZER_SETTINGS.get(spec.optimizer, ()) if hasattr(optimizer, n)]
    running = job.status.active
    # Keyed: it stays open across Apply and every edit until the visitor closes it.
    with st.expander("Change settings" + (" (pause first)" if running else ""),
                     key="train_settings_open"):
        if getattr(optimizer, "decay_steps", 0) and not running:
            st.caption(schedule_caption(optimizer, job.target_epochs))
        for name in names:
            key = f"train.{name}"
            st.session_state[key] = st.session_state.get(key, getattr(optimizer, name))
            if name == "nesterov":
                st.checkbox(SETTING_LABELS[name], key=key, disabled=running)
            else:
                st.number_input(SETTING_LABELS[name], min_value=0.0, max_value=10.0,
                                format="%.6g", key=key, disabled=running)
        st.button("Apply optimizer settings", on_click=_apply_settings, args=(job, names),
                  disabled=running, key="train_apply")
        st.session_state.setdefault("train.epochs", job.target_epochs)
        st.number_input("Target epochs", 1, 500, key="train.epochs", disabled=running)
        st.button("Set epochs", on_click=_set_epochs, args=(record,), disabled=running,
                  key="train_set_epochs")


def schedule_caption(optimizer, epochs):
    """Where a linear learning-rate schedule stands (the optimizer's state between runs)."""
    head = (f"Linear schedule: the learning rate falls from {optimizer.learning_rate:.4g} to "
            f"zero over {optimizer.decay_steps:,} updates ({epochs} epochs); ")
    rate = optimizer.rate()
    if rate == 0:
        return head + (f"all {optimizer.iterations:,} made, so the rate is zero: raise the "
                       "target epochs to train further.")
    return head + f"{optimizer.iterations:,} made, the next at {rate:.4g}."


@st.cache_resource(show_spinner=False)
def live_rate():
    """The server-wide refresh rate of live views (it slows as more visitors watch)."""
    return LiveRate()


def live_view(record):
    """Progress, status and live charts.

    While the job runs, the progress line refreshes at the server's live rate and
    the charts (the costly part, on the server and in the browser) at a third of
    it; a queued job's view only checks its place in line, less often the further
    back it is (:func:`queued_poll_seconds`);
    any other view draws once. Whatever the status, the progress and the charts
    sit in the same two keyed containers, so a rerun that changes the status
    (start, pause, the end of training) updates the charts in place instead of
    removing and redrawing them.
    """
    status = record.job.status
    _agree_with_sidebar(status)
    status_box = st.container(key="train_status")
    charts_box = st.container(key="train_charts")
    running = status is Status.RUNNING
    if running:
        rate = live_rate()
        interval = rate.interval()

        @st.fragment(run_every=interval)
        def progress():
            snap = record.job.snapshot(history=False)
            rate.tick(id(record))
            if snap.status is not Status.RUNNING:
                st.rerun()  # the controls change with the status
            _agree_with_sidebar(snap.status)
            _status_line(snap, record)

        with status_box:
            progress()
    elif status is Status.QUEUED:
        place = record.job.snapshot(history=False).queue_position or 1

        @st.fragment(run_every=queued_poll_seconds(place))
        def waiting():
            snap = record.job.snapshot(history=False)
            if snap.status is not Status.QUEUED or (place > 1 and snap.queue_position == 1):
                st.rerun()   # it started, or is next: the view follows it more closely
            _agree_with_sidebar(snap.status)
            _status_line(snap, record)

        with status_box:
            waiting()
    else:
        with status_box:   # with the history: the flat-loss hint reads the epoch losses
            _status_line(record.job.snapshot(), record)

    # The same fragment for every status (refreshing only while running): charts drawn by
    # the page itself and by a fragment count as different elements, and the browser would
    # remove them and draw them anew, blank for a moment, at each change of status.
    @st.fragment(run_every=CHART_EVERY * interval if running else None)
    def charts():
        _charts(record.job.snapshot(), record)

    with charts_box:
        charts()


def queued_poll_seconds(place):
    """Seconds between two looks of a queued job's view at its ``place`` in line (1: next).

    A job far back cannot start before those ahead of it end, so its view looks less
    often: the server and the visitors' browsers draw the queued pages of a crowd
    of visitors rarely, and a job that is next is seen starting within 2 s."""
    return min(QUEUED_POLL_MAX, QUEUED_POLL_SECONDS * max(1, place))


def _agree_with_sidebar(status):
    """Rerun the app if the sidebar, drawn a moment before this page in the same run,
    read another status (the job moved on in between): the sidebar does not poll on
    this page, so nothing else would bring it up to date."""
    drawn = state.get("sidebar_status")
    if drawn is not None and drawn is not status:
        st.rerun()


def _status_line(snap, record):
    text = f"Epoch {snap.epoch}/{snap.epochs}"
    if snap.batches and snap.batch:
        text += f" · batch {snap.batch}/{snap.batches}"
    if snap.status is Status.RUNNING:
        text += f" · {snap.samples_per_second:,.0f} samples/s"
        if snap.seconds_left is not None:
            text += f" · about {snap.seconds_left:,.0f} s left"
    st.progress(snap.fraction_done, text=text)
    if snap.status is Status.QUEUED and snap.queue_position is not None:
        st.info(f"Queued: position {snap.queue_position} in line. This server trains "
                f"{record.job.scheduler.max_jobs} job(s) at a time; yours starts when one ends.")
    elif snap.status is Status.QUEUED:
        st.caption("Starting…")
    elif snap.status is Status.DIVERGED:
        say("error", snap.message + " The last finite weights are kept: you can still evaluate "
            "the model, or lower the learning rate under Change settings and resume.")
    elif snap.status is Status.FAILED:
        say("error", snap.message)
    elif snap.message:
        say("caption", snap.message)
    hint = flat_loss_hint(snap.history.get("loss") or [], record.spec)
    if hint:
        st.warning(hint)


FLAT_EPOCHS = 3              # epochs without movement before the flat-loss hint shows


def flat_loss_hint(losses, spec):
    """A hint when the training loss has not moved for a few epochs, else None."""
    recent = [v for v in losses[-FLAT_EPOCHS:] if v is not None]
    if len(recent) < FLAT_EPOCHS or max(recent) <= 0:
        return None
    if (max(recent) - min(recent)) / max(recent) > 0.01:
        return None
    cause = ("the inputs are not scaled (Input scaling: none), so the output saturates; choose "
             "'auto'" if spec.scaling == "none" else
             "the learning rate may be too small or too large; try another")
    return (f"The training loss has stayed at {recent[-1]:.4g} for {FLAT_EPOCHS} epochs: "
            f"{cause}, or Reset for fresh weights.")


def _figures(snap, record):
    """The loss and metric charts as ``(data, spec)`` pairs, rebuilt only when the history
    has grown."""
    history = snap.history
    log_y = bool(st.session_state.get("train_log_loss"))
    version = (record.run_id, len(history["batch_loss"]), len(history["loss"]), log_y)
    kept = state.get("live_figures")
    if kept is not None and kept[0] == version:
        return kept[1]
    n_train = len(record.job.data.x_train) if record.job.data is not None else 0
    batches = snap.batches or max(1, -(-n_train // record.job.batch_size))
    classify = record.task == "classification"
    figures = (loss_chart(history["batch_loss"], history["loss"], history["val_loss"], batches,
                          max_points=LIVE_MAX_POINTS, log_y=log_y),
               metric_chart(history["metric"] if classify else _mse(history["loss"], record),
                            history["val_metric"] if classify
                            else _mse(history["val_metric"], record),
                            "accuracy" if classify else "mse"))
    state.put("live_figures", (version, figures))
    return figures


def _mse(values, record):
    """Per-epoch MSE of a standardised target, in the target's own units (squared)."""
    pre = record.preprocessing
    if not pre.scales_target:
        return values
    return [None if v is None else v * pre.target_scale ** 2 for v in values]


def _charts(snap, record):
    history = snap.history
    st.toggle("Loss on a log scale", key="train_log_loss",
              help="A linear axis keeps to the bulk of the batch losses (one spike does not "
                   "squash the curve); a log scale shows every loss, and small ones apart.")
    loss, metric = _figures(snap, record)
    cols = st.columns(2)
    # Vega-Lite: new data reaches the drawn chart in place (see studio.figures.live).
    cols[0].vega_lite_chart(*loss, width="stretch", key="live_loss")
    cols[1].vega_lite_chart(*metric, width="stretch", key="live_metric")
    classify = record.task == "classification"
    last = {k: next((v for v in reversed(history[k]) if v is not None), None)
            for k in ("loss", "val_loss", "metric", "val_metric")}
    cols = st.columns(4)
    cols[0].metric("Training loss", _fmt(last["loss"]))
    cols[1].metric("Validation loss", _fmt(last["val_loss"]))
    if classify:
        cols[2].metric("Training accuracy", _pct(last["metric"]))
        cols[3].metric("Validation accuracy", _pct(last["val_metric"]))
    else:
        cols[2].metric("Samples seen", f"{snap.samples_seen:,}")


def _fmt(value):
    return "–" if value is None else f"{value:.4g}"


def _pct(value):
    return "–" if value is None else f"{value:.1%}"
