"""Build: choose a dataset, shape the network and decide how to train it."""

import streamlit as st

from data import DATASETS
from data.toy import TOY_GENERATORS
from studio.figures.svg import network_svg
from studio.presets import PRESETS, preset
from studio.spec import ModelSpec, SpecError
from studio.ui import build_form, csv_panel, datasets, landing, state, widgets
from studio.ui.plain import say

st.title("Build a network")
spec = state.get("spec")


def _load_preset():
    build_form.load_spec(preset(st.session_state["preset_choice"]))


def _request_build(where):
    """The Build button at ``where`` ("top" or "bottom") was pressed; answers appear there."""
    state.put("build_place", where)
    record = state.get("model")
    if record is not None and record.is_trained:
        state.put("confirm_build", True)
    else:
        state.put("build_requested", True)


def _answer_build(replace):
    state.put("confirm_build", False)
    state.put("build_requested", replace)


def _build_button(container, where, valid):
    container.button("Build network", type="primary", on_click=_request_build, args=(where,),
                     disabled=not valid, width="stretch" if where == "top" else "content",
                     key="build_button_top" if where == "top" else "build_button")


def _next_step(where):
    """The question before a trained model is replaced, or the news that the build worked."""
    if state.get("build_place") != where:
        return
    if state.get("confirm_build"):
        widgets.confirm("You have a trained model. Building a new network replaces it as the "
                        "current model (it stays listed among this session's runs on the "
                        "Evaluate page).", "Replace it", "Keep the trained model", _answer_build)
    elif state.get("just_built"):
        state.put("just_built", False)
        st.success("Network built. Train it on the Train page.")
        st.page_link("app_pages/train.py", label="Go to Train", icon=":material/monitoring:")


if state.get("model") is None:
    landing.intro()

# The Build button also sits in this first row, and its answers just below it: the next step
# is in view without scrolling past the whole form.
preset_col, settings_col, trained_col, build_col = st.columns([3, 1, 1, 1],
                                                              vertical_alignment="bottom")
choice = preset_col.selectbox("Start from a preset", list(PRESETS), key="preset_choice")
settings_col.button("Load preset", on_click=_load_preset, width="stretch", key="load_preset",
                    help="Put the preset's settings in the form below.")
trained = landing.comes_trained(choice)
if trained_col.button("Load trained", width="stretch", key="load_trained", disabled=not trained,
                      help=("A model trained with these settings, ready at once."
                            if trained else "This preset does not come trained.")):
    landing.load_trained_and_open(choice)
landing.next_steps()
top_next_step = st.container()

data_col, model_col = st.columns([1, 1], gap="large")
with data_col:
    st.subheader("Data")
    key = build_form.dataset_picker(spec)
    values = {"dataset": key}
    if key == build_form.CSV:
        csv_panel.csv_upload()
    elif key in TOY_GENERATORS:
        values["noise"], values["n_samples"] = build_form.toy_settings(spec)
    csv = state.get("csv_dataset")
    info = DATASETS.get(key) if key != build_form.CSV else (csv.info if csv else None)
    note = widgets.download_note(key)
    if note:
        st.info(note)
    elif info is not None:
        widgets.dataset_preview(datasets.load(ModelSpec(**{**spec.to_dict(), **values}), csv))

if info is None:  # a CSV is still to be uploaded: the form comes back from the spec later
    build_form.reset_widgets(keep=("dataset",))
    st.stop()
task = info.task
n_outputs = info.n_classes if task == "classification" else 1
with model_col:
    st.subheader("Network")
    values.update(build_form.architecture(build_form.adapt_to_task(spec, task), task))
    st.subheader("Training")
    values.update(build_form.optimizer_settings(spec))
    values.update(build_form.training_settings(spec, info))

draft = ModelSpec(**{**spec.to_dict(), **values})
try:
    draft.validate(info.n_features, n_outputs, task)
except SpecError as exc:
    say("error", f"This configuration cannot be built: {exc}")
    valid = False
else:
    state.put("spec", draft)
    valid = True

layers = draft.layer_sizes(info.n_features, n_outputs)
st.image(network_svg(layers, [*draft.hidden_activations, draft.output_activation],
                     batch_size=draft.batch_size))

_build_button(build_col, "top", valid and not state.get("confirm_build"))
if not state.get("confirm_build") or state.get("build_place") != "bottom":
    _build_button(st, "bottom", valid and not state.get("confirm_build"))

if state.get("build_requested"):
    state.put("build_requested", False)
    where = top_next_step if state.get("build_place") == "top" else st.container()
    with where:
        built = widgets.run_build(state.get("spec"))
    if built is not None:
        state.put("just_built", True)
        st.rerun()  # so the sidebar shows the new model
with top_next_step:
    _next_step("top")
_next_step("bottom")

if key != build_form.CSV:
    widgets.share_link(state.get("spec"))
