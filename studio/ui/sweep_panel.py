"""The Sweep page's parts: what to vary, the running sweep's results, and picking a run.

A sweep starts from the Build configuration, runs on this server's worker
processes (or a Dask cluster, ``MLP_STUDIO_SWEEP_BACKEND=dask``) and lives in the
session's workspace (:class:`studio.sweep.record.SweepRecord`), so closing the tab
cancels it like a training job.
"""

import json

import streamlit as st

from data import CsvError, DownloadError
from data.toy import TOY_GENERATORS
from studio import estimate, limits
from studio.figures import sweep as figures
from studio.sweep import SETTINGS, Axis, SweepError, SweepJob, SweepSpec
from studio.sweep import parse_values, score_of
from studio.sweep.backends import backend_from_environment, make_backend
from studio.sweep.pool import PoolKeeper
from studio.sweep.record import SweepRecord
from studio.sweep.run import dataset_key
from studio.sweep.results import read_results, results_csv
from studio.sweep.spec import GRID, GRID_EXAMPLE
from studio.ui import actions, datasets, state, widgets
from studio.ui.build_form import load_spec
from studio.ui.plain import say

NOTHING = "(nothing)"
REFRESH_SECONDS = 1.0
#: Seconds a local run costs beyond its training: a worker process starting, the data loading.
RUN_OVERHEAD_SECONDS = 1.0
DOWNLOAD_ROWS = {"mnist": 70_000, "california_housing": 20_640}  # before the download
DEFAULT_VALUES = {"hidden_width": "16 32 64 128", "depth": "1 2 3", "batch_size": "16 32 64 128",
                  "optimizer": "sgd adam rmsprop", "l2": "0 0.0001 0.001 0.01",
                  "activation": "relu tanh sigmoid"}


def default_values(name, base):
    """The values a setting starts with; for the learning rate, the steps of 1 and 3 within
    a factor of ten of the Build value, and that value: 0.0003 0.001 0.003 0.01 0.03."""
    if name == "learning_rate":
        rate = base.learning_rate
        ladder = {float(f"{m}e{k}") for k in range(-7, 2) for m in (1, 3)}
        values = sorted({v for v in ladder if rate / 10 <= v * (1 + 1e-9) and
                         v <= rate * 10 * (1 + 1e-9) and v <= limits.MAX_LEARNING_RATE}
                        | {rate})
        return " ".join(f"{v:g}" for v in values)
    return DEFAULT_VALUES[name]


def describe_base(base, info):
    hidden = ", ".join(f"{u} {a}" for u, a in zip(base.hidden_layers, base.hidden_activations))
    return (f"{info.name}; hidden layers: {hidden or 'none'}; {base.optimizer}, learning rate "
            f"{base.learning_rate:g}, batch {base.batch_size}, {base.epochs} epochs, "
            f"validation share {base.val_fraction:.0%}, seed {base.seed}")


def _kept(key, default, allowed=None):
    """Give widget ``key`` its remembered value (or ``default``) before it is drawn.

    Streamlit forgets a widget's value when a page without it runs (the visitor went
    to another page), and a widget drawn disabled is a new widget to it: the form's
    values are remembered apart from the widgets, in the session's "sweep_form".
    """
    remembered = state.get("sweep_form")
    if key not in st.session_state:
        st.session_state[key] = remembered.get(key, default)
    if allowed is not None and st.session_state[key] not in allowed:
        st.session_state[key] = default


def _remember(key):
    state.get("sweep_form")[key] = st.session_state[key]


def _axis(column, slot, exclude, base, disabled):
    """A setting and its values chosen in ``column``; None for "nothing" (second slot)."""
    names = [n for n in SETTINGS if n != exclude]
    options = names if slot == "first" else [NOTHING, *names]
    _kept(f"sweep.{slot}", options[0], options)
    name = column.selectbox("Vary" if slot == "first" else "and", options,
                            format_func=lambda n: n if n == NOTHING else SETTINGS[n].label,
                            key=f"sweep.{slot}", disabled=disabled)
    _remember(f"sweep.{slot}")
    if name == NOTHING:
        return None
    key = f"sweep.values.{slot}.{name}"
    _kept(key, default_values(name, base))
    setting = SETTINGS[name]
    hint = (f"one or more of {', '.join(setting.choices)}" if setting.choices
            else "numbers, separated by spaces or commas")
    if setting.log:
        hint += f', or a grid even on a log scale: "{GRID_EXAMPLE}"'
    text = column.text_input(f"{setting.label} values", key=key, help=hint, disabled=disabled)
    _remember(key)
    values = parse_values(name, text)
    if GRID.match(text) and setting.log:      # a grid written out: show what it means
        column.caption(f"{len(values)} values: " + ", ".join(f"{v:g}" for v in values))
    return Axis(name, tuple(values))


def sweep_form(disabled=False):
    """The settings to vary: ``(validated SweepSpec or None, DatasetInfo or None)``; a
    reason is shown for None. Drawn but ``disabled`` while a sweep runs (so that it
    keeps its values)."""
    base = state.get("spec")
    csv = state.get("csv_dataset")
    try:
        info = datasets.dataset_info(base, csv)
    except ValueError as exc:
        say("info", f"{exc} The sweep starts from the Build configuration.")
        return None, None
    say("caption", "Starting from the Build configuration: " + describe_base(base, info) + ".")
    first_col, second_col = st.columns(2)
    try:
        first = _axis(first_col, "first", None, base, disabled)
        second = _axis(second_col, "second", first.setting, base, disabled)
    except SweepError as exc:
        say("error", exc)
        return None, info
    _kept("sweep.seeds", 1)
    seeds = first_col.number_input(
        "Seeds per point", 1, limits.MAX_SWEEP_SEEDS, key="sweep.seeds", disabled=disabled,
        help="Each point trains once per seed (the split and the first weights); the chart "
             "shows the spread.")
    _remember("sweep.seeds")
    sweep = SweepSpec(base, [a for a in (first, second) if a is not None],
                      [min(base.seed + i, limits.MAX_SEED) for i in range(int(seeds))])
    n_outputs = info.n_classes if info.task == "classification" else 1
    try:
        sweep.validate(info.n_features, n_outputs, info.task)
    except SweepError as exc:
        say("error", exc)
        return None, info
    return sweep, info


def row_count(spec, csv):
    """Rows of the data ``spec`` reads (from the data itself when it is here)."""
    if datasets.available_locally(spec, csv):
        return len(datasets.load(spec, csv).x)
    return DOWNLOAD_ROWS[spec.dataset]


def estimate_text(sweep, info, parallel, n):
    """"12 runs (6 points x 2 seeds), about 40 s with 2 at a time", and the seconds.

    ``n`` rows in all; ``parallel`` runs at a time (0: on a Dask cluster, as many as it has).
    """
    seconds = [s + RUN_OVERHEAD_SECONDS for s in sweep.run_seconds(info, n)]
    total = max(max(seconds), sum(seconds) / max(parallel, 1))
    where = f"with {parallel} at a time" if parallel else "on the Dask cluster"
    text = (f"{sweep.n_runs} runs ({sweep.n_points} points x {len(sweep.seeds)} "
            f"seed{'s' if len(sweep.seeds) > 1 else ''}), "
            f"{estimate.describe_seconds(total)} {where}.")
    return text, total


@st.cache_resource(show_spinner=False)
def warm_pools():
    """The server-wide keeper of a warm local pool between sweeps."""
    return PoolKeeper()


def _parallel(backend):
    return state.scheduler().max_jobs if backend == "loky" else 0


def _shipped(sweep, data):
    """What the workers get from the server: its copy of the data, once per worker
    (generated sets depend on the seed: each worker makes its own)."""
    return {} if sweep.base.dataset in TOY_GENERATORS else {dataset_key(sweep.base): data}


def _prepare_pool(sweep):
    """Start the local workers while the visitor sets the sweep up, so that Start finds
    them there (a pool takes 0.4-0.9 s to start). Only when the data is at hand without
    a download and a training slot is free for each worker; a pool nobody takes is shut
    down after the keeper's idle time."""
    scheduler = state.scheduler()
    if scheduler.n_running:
        return   # slots are busy: the sweep would queue, and the pool wait for nothing
    csv = state.get("csv_dataset")
    data = datasets.cached(sweep.base)
    if data is None and sweep.base.dataset not in TOY_GENERATORS:
        if not datasets.available_locally(sweep.base, csv):
            return
        data = datasets.load(sweep.base, csv)
    warm_pools().prepare(scheduler.max_jobs, _shipped(sweep, data))


def start(sweep, info):
    """Start ``sweep`` for this session (the data is fetched first if it must be)."""
    csv = state.get("csv_dataset")
    backend = backend_from_environment()
    bar, progress = widgets.download_progress()
    try:
        with st.spinner("Fetching the data…"):
            data = datasets.load(sweep.base, csv, progress)
    except (DownloadError, CsvError, ValueError) as exc:
        bar.empty()
        say("error", exc)
        return
    bar.empty()
    shipped = _shipped(sweep, data)
    parallel = _parallel(backend) or sweep.n_runs
    job = SweepJob(sweep, lambda: make_backend(backend, workers=parallel, datasets=shipped,
                                               keeper=warm_pools()),
                   parallel=parallel, task=info.task,
                   run_seconds=sweep.run_seconds(info, len(data.x)),
                   scheduler=state.scheduler() if backend == "loky" else None,
                   owner_alive=state.owner_alive_check(), time_limit=limits.max_sweep_seconds())
    previous = state.get("sweep")
    if previous is not None:
        previous.cancel()
    state.put("sweep", SweepRecord(sweep, info.task, job=job))
    job.start()


def controls(record):
    """The form and Start; while a sweep runs, the form disabled and Cancel."""
    active = record is not None and record.job is not None and record.job.status.active
    sweep, info = sweep_form(disabled=active)
    if active:
        st.button("Cancel the sweep", on_click=record.cancel, key="sweep_cancel",
                  help="Stops every run; finished runs keep their results.")
        return
    if sweep is None:
        return
    backend = backend_from_environment()
    text, seconds = estimate_text(sweep, info, _parallel(backend),
                                  row_count(sweep.base, state.get("csv_dataset")))
    say("info", text)
    if backend == "loky":
        _prepare_pool(sweep)
    if seconds > limits.max_sweep_seconds():
        say("warning", f"That is more than this server's limit of "
                       f"{limits.max_sweep_seconds():,} s for a sweep: it would stop there, "
                       "keeping the runs that finished. Fewer values, seeds or epochs fit.")
    if st.button("Start the sweep", type="primary", key="sweep_start"):
        start(sweep, info)
        st.rerun()


def results(record):
    """Status, charts and the table of ``record``, refreshed while it runs."""
    if record is None:
        return
    active = record.job is not None and record.job.status.active

    @st.fragment(run_every=REFRESH_SECONDS if active else None)
    def live():
        snap = record.snapshot()
        if active and not snap.status.active:
            st.rerun()   # it ended: the controls change
        _status(snap)
        table = figures.run_table(snap.results, record.sweep, record.task)
        summary = figures.point_summary(table, record.sweep)
        chart = (figures.score_line_chart if len(record.sweep.axes) == 1
                 else figures.score_heatmap)
        st.vega_lite_chart(*chart(summary, record.sweep, record.task), width="stretch",
                           key="sweep_score")
        st.vega_lite_chart(*figures.loss_curves_chart(snap.results, record.sweep),
                           width="stretch", key="sweep_losses")
        shown = table.rename(columns={"score": figures.score_title(record.task)})
        st.dataframe(shown.drop(columns=["point"]), hide_index=True, width="stretch",
                     key="sweep_table")

    live()


def _status(snap):
    if snap.status.value == "queued":
        where = (f"position {snap.queue_position} in line" if snap.queue_position else
                 "starting")
        st.info(f"Queued: {where}. Each run of a sweep takes one of this server's training "
                "slots; it starts when one is free.")
        return
    done = snap.n_done / max(1, snap.n_runs)
    text = f"{snap.n_done} of {snap.n_runs} runs finished"
    if snap.status.active:
        text += f" · {snap.running} running · {snap.elapsed:,.0f} s"
    st.progress(min(done, 1.0), text=text)
    if not snap.status.active and snap.message:
        kind = {"finished": "success", "cancelled": "info", "timed out": "warning",
                "failed": "error"}[snap.status.value]
        say(kind, snap.message)


def _pick_label(result, record):
    task = record.task
    score = score_of(result, task)
    shown = ("no score" if score is None else f"{100 * score:.2f}%" if task == "classification"
             else f"validation loss {-score:.4g}")
    point = figures.point_label(result["values"], record.sweep)
    return f"run {result['index'] + 1}: {point}, seed {result['seed']} ({shown})"


def pick(record):
    """Choose a finished run: load its settings into Build, or keep its model as a run."""
    if record is None:
        return
    snap = record.snapshot()
    finished = [r for r in snap.results if r["status"] != "failed"]
    if not finished:
        return
    st.subheader("Pick a run")
    ranked = sorted(finished, key=lambda r: score_of(r, record.task) or float("-inf"),
                    reverse=True)
    # A selection kept from fewer results would outlive the ranking it was made in: when
    # more runs have finished, the best is offered first again.
    shown_for = (id(record), len(finished))
    if st.session_state.get("sweep_pick_for") != shown_for:
        st.session_state.pop("sweep_pick", None)
        st.session_state["sweep_pick_for"] = shown_for
    choice = st.selectbox("Run (best first)", ranked,   # option labels are plain text
                          format_func=lambda r: _pick_label(r, record), key="sweep_pick")
    point = record.sweep.points()[choice["index"]]
    left, right = st.columns(2)
    if left.button("Load into Build", key="sweep_load", width="stretch"):
        load_spec(point.spec)
        point_text = figures.point_label(choice["values"], record.sweep)
        state.notify("success", f"Loaded the settings of sweep run {choice['index'] + 1} "
                                f"({point_text}, seed {choice['seed']}) into Build: press Build "
                                "network, then train it.")
        st.switch_page("app_pages/build.py")
    model = record.model_bytes(choice["index"])
    if right.button("Keep its model as a run", key="sweep_keep", width="stretch",
                    disabled=model is None):
        try:
            actions.upload(model)
        except (DownloadError, CsvError, ValueError) as exc:
            say("error", exc)
        else:
            state.notify("success", f"Sweep run {choice['index'] + 1} is now the current "
                                    "model and one of your runs.")
            st.switch_page("app_pages/evaluate.py")
    if model is None:
        say("caption", "This run's trained weights are not kept (results read from a file, or "
                       "beyond this server's memory budget for a sweep): load its settings into "
                       "Build and train it again.")


def files(record):
    """Download the results and the sweep; open a results file."""
    st.subheader("Files")
    left, right = st.columns(2)
    if record is not None and not (record.job is not None and record.job.status.active):
        snap = record.snapshot()
        # Deferred: the files are built when a button is clicked, not on every rerun.
        left.download_button("Download the results (CSV)",
                             lambda: results_csv(record.sweep, snap.results, record.task),
                             file_name="sweep-results.csv", mime="text/csv",
                             key="sweep_download_results")
        left.download_button("Download the sweep (JSON)",
                             lambda: json.dumps(record.sweep.to_dict(), indent=2),
                             file_name="sweep.json", mime="application/json",
                             key="sweep_download_spec",
                             help="Runs without the dashboard: python -m studio.sweep "
                                  "sweep.json --out results.csv")
    right.file_uploader("Open a results file", type=["csv"], key="sweep_results_file",
                        on_change=_on_results_file,
                        help="Written by python -m studio.sweep or downloaded here.")
    error = state.get("sweep_results_error")
    if error:
        say("error", error, where=right)


def _on_results_file():
    upload = st.session_state.get("sweep_results_file")
    state.put("sweep_results_error", None)
    if upload is None:
        return
    try:
        sweep, loaded, task = read_results(upload.getvalue())
    except SweepError as exc:
        state.put("sweep_results_error", f"{upload.name}: {exc}")
        return
    current = state.get("sweep")
    if current is not None:
        current.cancel()
    state.put("sweep", SweepRecord(sweep, task, results=loaded, source=upload.name))


