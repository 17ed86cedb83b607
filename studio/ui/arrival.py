"""What happens when a link that trains is opened (or the landing page's one click).

The link's configuration is built and its training started at once, the visitor
watches it on Train under a banner saying what is being reproduced, and when the
training finishes the page the sender chose opens. The plan lives in session
state, so it survives Streamlit clearing the query string on the first page
change. The entry script calls :func:`proceed` on every run, before the page.
"""

from dataclasses import dataclass

import streamlit as st

from studio import limits
from studio.estimate import describe_seconds, training_seconds
from studio.jobs import Status
from studio.ui import evaluate_panel, state, widgets
from studio.ui.build_form import DATASET_LABELS, load_spec
from studio.ui.plain import plain

TRAIN_PAGE = "app_pages/train.py"
PAGES = {"draw": "app_pages/draw.py", "evaluate": "app_pages/evaluate.py", "train": TRAIN_PAGE}
PAGE_NAMES = {"draw": "Draw", "evaluate": "Evaluate", "train": "Train"}


@dataclass
class Arrival:
    """A pending arrival: the page to open, and the model reproduced once it is built."""

    open: str                   # a key of PAGES
    run_id: int | None = None   # the record being trained for it
    note: str = ""              # said in the banner, e.g. that the time limit cuts it short

    def __post_init__(self):
        if self.open not in PAGES:
            raise ValueError(f"Unknown arrival page {self.open!r}. Choose one of: "
                             f"{', '.join(PAGES)}.")


def begin(open_page, spec=None):
    """Plan an arrival: train ``spec`` (default: the Build form's) and then open ``open_page``.

    The build itself happens on the next run, in :func:`proceed`, where its
    download progress can be shown.
    """
    if spec is not None:
        load_spec(spec)
    state.put("arrival", Arrival(open_page))


def from_link(link):
    """Plan the arrival a decoded share link asks for (:class:`studio.share.SharedLink`)."""
    if link.trains:
        begin(link.open)


def proceed(page):
    """Advance the pending arrival, if any; ``page`` is the page about to run.

    First run: build the model (with download progress), start it and open Train.
    Later runs on Train: show the banner; when training has finished, open the
    chosen page. Leaving Train, or replacing the model, abandons the arrival (the
    training itself goes on).
    """
    arrival = state.get("arrival")
    if arrival is None:
        return
    if arrival.run_id is None:
        if _build_and_start(arrival):
            st.switch_page(TRAIN_PAGE)
        state.put("arrival", None)
        return
    record = state.get("model")
    if record is None or record.run_id != arrival.run_id or page.url_path != "train":
        state.put("arrival", None)
        return
    status = record.job.status
    if status is Status.FINISHED:
        state.put("arrival", None)
        state.notify("success", f"Reproduced from the link: {_result(record)}.")
        if arrival.open != "train":
            st.switch_page(PAGES[arrival.open])
        return
    if not status.active:  # stopped, diverged or failed: Train says why
        state.put("arrival", None)
        return
    _banner(arrival, record)


def _build_and_start(arrival):
    """Build the Build form's spec and start training it; False (error shown) if it fails."""
    spec = state.get("spec")
    st.info(f"Opening the shared model: {plain(describe(spec))}.")
    record = widgets.run_build(spec)
    if record is None:
        return False
    data = record.job.data
    n_val = 0 if data.x_val is None else len(data.x_val)
    seconds = training_seconds(record.network.layers, len(data.x_train), spec.batch_size,
                               spec.epochs, n_val)
    limit = limits.max_job_seconds()
    arrival.run_id = record.run_id
    if seconds > limit:
        arrival.note = (f"Training these settings takes {describe_seconds(seconds)} here, longer "
                        f"than this server's limit of {_duration(limit)} per job: it "
                        "trains as far as the limit allows, and stays on Train.")
        arrival.open = "train"
    try:
        record.job.start()
    except ValueError as exc:  # e.g. too many jobs of this visitor
        state.notify("warning", str(exc))
        return False
    return True


def describe(spec):
    """The settings a banner names: dataset, layers, optimizer, batch, epochs, seed."""
    hidden = ", ".join(f"{u} {a}" for u, a in zip(spec.hidden_layers, spec.hidden_activations))
    return (f"{DATASET_LABELS.get(spec.dataset, spec.dataset)}, hidden layers "
            f"{hidden or 'none'}, {spec.optimizer} at learning rate {spec.learning_rate:g}, "
            f"batch {spec.batch_size}, {spec.epochs} epochs, seed {spec.seed}")


def _banner(arrival, record):
    then = ("stays here" if arrival.open == "train"
            else f"opens {PAGE_NAMES[arrival.open]} when training ends")
    st.info(f"**Reproducing a shared model.** {plain(describe(record.spec))}. The same settings "
            f"and seed give the same model; this page {then}.", icon=":material/share:")
    if arrival.note:
        st.warning(arrival.note)


def _result(record):
    """The reproduced model's test metric, e.g. "test accuracy 97.9%"."""
    results, _ = evaluate_panel.evaluate(record)
    test = results.get("test")
    if test is None:
        return "training finished"
    if test["task"] == "classification":
        return f"test accuracy {test['accuracy']:.1%}"
    return f"test MSE {test['metrics']['mse']:.4f}"


def _duration(seconds):
    return f"{seconds / 60:g} min" if seconds >= 60 else f"{seconds:g} s"
