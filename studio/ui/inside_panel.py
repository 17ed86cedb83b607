"""The Inside page: boundaries, neurons, the activation demo, weights, gradients, code."""

import numpy as np
import pandas as pd
import streamlit as st

import mlp
from studio import inspect
from studio.export_code import export_script
from studio.figures import architecture, inside
from studio.ui import state, widgets

POLL_SECONDS = 1.0
MAX_DRAWN_UNITS = 64
GRADCHECK_SAMPLES = 8
GRADCHECK_ENTRIES = 40


def boundary(record):
    """Decision boundary (2-D) or fitted curve (1-D) and each hidden neuron, live in training."""
    info = record.info
    if info.n_features not in (1, 2) or not record.has_data:
        return False
    polling = record.job.status.active

    @st.fragment(run_every=POLL_SECONDS if polling else None)
    def view():
        if polling and not record.job.status.active:
            st.rerun()
        network = record.job.network_copy()
        x, y = np.asarray(record.prepared.x_train), record.prepared.y_train  # 1 or 2 features
        if info.n_features == 1:
            grid_x = np.linspace(x.min(), x.max(), 200)[:, None]
            curve = record.preprocessing.unscale_target(network.predict(grid_x)[:, 0])
            widgets.show_figure(inside.regression_fit_1d(x, y, grid_x, curve), key="inside_curve")
            return
        xx, yy, points = inspect.grid(x)
        shape = (len(yy), len(xx))
        values = inspect.decision_values(network, points, shape, info.task)
        if info.task == "regression":
            values = record.preprocessing.unscale_target(values)
        kind = "probability" if info.n_classes == 2 else "class"
        widgets.show_figure(inside.decision_boundary(xx, yy, values, x, y, info.task,
                                                     list(info.class_names) or None,
                                                     values=kind),
                            key="inside_boundary")
        for layer in range(1, len(network.layers) - 1):
            outputs = inspect.neuron_outputs(network, points, shape, layer)
            titles = [f"L{layer} n{i + 1}" for i in range(len(outputs))]
            widgets.show_figure(inside.neuron_heatmaps(xx, yy, outputs[:36], titles[:36]),
                                key=f"inside_neurons_{layer}")

    st.subheader("Decision boundary and neurons")
    if polling:
        st.caption("Updating live while the network trains.")
    view()
    return True


@st.cache_data(show_spinner="Training three small networks…")
def _demo():
    return inspect.activation_demo()


def activation_demo():
    """The tutorial's picture: why a linear hidden layer cannot separate the classes."""
    st.subheader("Why the hidden layer needs a non-linear activation")
    st.caption("Two classes no single line separates (points between two parallel lines and "
               "outside them). Each network has one hidden layer of two units; the plots show "
               "those two units before and after the activation. Only after a non-linear "
               "activation can the output layer draw one straight line between the classes.")
    if not st.toggle("Run the demonstration", key="inside.demo"):
        return
    for name, result in _demo().items():
        st.markdown(f"**{name}** hidden layer: test accuracy {result['accuracy']:.0%}")
        widgets.show_figure(inside.hidden_space(result["before"], result["after"], result["y"],
                                                name), key=f"demo_{name}")


def weights(record):
    """|weight| as edge width on small networks; first-layer weights as images for images."""
    network = record.job.network_copy()
    info = record.info
    if info.image_shape is not None:
        widgets.show_figure(architecture.weight_images(network.weights[0], info.image_shape),
                            key="inside_weight_images")
    if sum(network.layers) <= MAX_DRAWN_UNITS:
        widgets.show_figure(architecture.weighted_network(network.weights, network.biases),
                            key="inside_weighted")
    elif info.image_shape is None:
        st.caption(f"The network has {sum(network.layers)} units; the weight drawing is shown "
                   f"for networks of up to {MAX_DRAWN_UNITS} units.")


def gradient_check(record):
    """Run mlp.gradcheck on a few training samples and show the error per layer."""
    st.subheader("Check gradients")
    st.caption("Compares backpropagation with central finite differences in float64 on "
               f"{GRADCHECK_SAMPLES} training samples (up to {GRADCHECK_ENTRIES} parameters per "
               "layer). Relative errors below 1e-6 mean the gradients are right.")
    if not widgets.require_data(record, "check its gradients", key="inside_load_data"):
        return
    seen = record.network.history["samples_seen"]
    if st.button("Check gradients", key="inside_gradcheck"):
        state.put("gradcheck", (record.run_id, seen, _gradient_table(record)))
    kept = state.get("gradcheck")
    if kept is not None and kept[0] == record.run_id:  # shown until the model changes
        if kept[1] != seen:
            st.caption("Checked on earlier weights; check again for the current ones.")
        st.dataframe(kept[2], hide_index=True, width="stretch", key="inside_gradcheck_table")


def _gradient_table(record):
    """mlp.gradcheck's errors per layer, as the table the page shows."""
    network = record.job.network_copy()
    x = record.prepared.x_train[:GRADCHECK_SAMPLES]
    y = record.prepared.y_train[:GRADCHECK_SAMPLES]
    results = mlp.gradcheck(network, x, y, max_checks_per_layer=GRADCHECK_ENTRIES)
    return pd.DataFrame([{"layer": r["layer"], "weights": f"{r['shape'][0]}×{r['shape'][1]}",
                          "entries checked": r["checked"],
                          "max relative error": f"{r['max_relative_error']:.2e}",
                          "verdict": "ok" if r["max_relative_error"] < 1e-6 else "check"}
                         for r in results])


def exported_code(record):
    """The current configuration as a script in the tutorial's API."""
    st.subheader("Export code")
    st.caption("A script that rebuilds and trains this configuration with mlp.")
    csv = state.get("csv_dataset") if record.spec.dataset == "csv" else None
    st.code(export_script(record.spec, csv_dataset=csv,
                          csv_file=csv.info.name if csv is not None else "data.csv"),
            language="python")
