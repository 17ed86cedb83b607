"""What every figure builder shares: imports, house style, edge cases, module size."""

import ast
import pathlib

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest

import studio.figures as figures
from studio.figures import _checks, style

FIGURES_DIR = pathlib.Path(figures.__file__).parent
IMG = np.arange(3 * 4, dtype=float).reshape(3, 4)
XX, YY = np.linspace(0, 1, 3), np.linspace(0, 1, 2)

# name -> (normal call, edge-case calls: empty, single point, NaN, one class ...)
BUILDERS = {
    "runs_overlay": lambda: figures.runs_overlay([{"label": "a", "loss": [1], "val_loss": [1]}]),
    "weighted_network": lambda: figures.weighted_network([np.ones((2, 3)), -np.ones((3, 1))]),
    "weight_images": lambda: figures.weight_images(np.ones((4, 3)), (2, 2)),
    "image_grid": lambda: figures.image_grid(IMG, [0, 1, 2], (2, 2)),
    "scatter_2d": lambda: figures.scatter_2d(np.zeros((2, 2)), [0, 1], "classification"),
    "curve_1d": lambda: figures.curve_1d([1, 2], [3, 4]),
    "confusion_matrix_figure": lambda: figures.confusion_matrix_figure([[1, 0], [0, 1]], None),
    "confidence_histogram": lambda: figures.confidence_histogram([0.5], [True]),
    "predicted_vs_actual": lambda: figures.predicted_vs_actual([1, 2], [1, 3]),
    "residual_histogram": lambda: figures.residual_histogram([0.1, -0.2]),
    "probability_bars": lambda: figures.probability_bars([0.3, 0.7], ["a", "b"]),
    "mistakes_gallery": lambda: figures.mistakes_gallery(IMG, [0, 1, 2], [1, 1, 0],
                                                         [0.9, 0.8, 0.7], (2, 2), None),
    "decision_boundary": lambda: figures.decision_boundary(
        XX, YY, np.zeros((2, 3), dtype=int), np.zeros((2, 2)), [0, 1], "classification"),
    "regression_fit_1d": lambda: figures.regression_fit_1d([0, 1], [0, 1], [0, 1], [0, 1]),
    "neuron_heatmaps": lambda: figures.neuron_heatmaps(XX, YY, np.ones((2, 2, 3))),
    "hidden_space": lambda: figures.hidden_space(np.eye(2), np.eye(2), [0, 1], "relu"),
}

# Empty, single-point, NaN, one-class ... inputs: (call, traces drawn, message shown or None)
EDGE_CASES = [
    (lambda: figures.runs_overlay([{"label": "empty", "loss": [], "val_loss": []}]), 1, None),
    (lambda: figures.weighted_network([np.array([[np.nan]])], [np.array([np.nan])]), 2, None),
    (lambda: figures.weight_images(np.full((4, 1), np.nan), (2, 2)), 1, None),
    (lambda: figures.weight_images(np.zeros((4, 0)), (2, 2)), 0, "No images to show"),
    (lambda: figures.image_grid(np.full((1, 4), np.nan), [0], (2, 2)), 1, None),
    (lambda: figures.scatter_2d([[np.nan, 1.0]], [0], "classification"), 1, None),
    (lambda: figures.scatter_2d(np.zeros((0, 2)), [], "regression"), 1, "No data points"),
    (lambda: figures.curve_1d([], []), 1, "No data points"),
    (lambda: figures.curve_1d([np.nan], [1.0]), 1, None),
    (lambda: figures.confusion_matrix_figure([[0]], ["only"], normalize=True), 1, None),
    (lambda: figures.confidence_histogram([np.nan], [False]), 2, None),
    (lambda: figures.predicted_vs_actual([np.nan], [np.nan]), 1, "No predictions yet"),
    (lambda: figures.residual_histogram([np.nan]), 1, "No residuals yet"),
    (lambda: figures.probability_bars([1.0], ["only"]), 1, None),
    (lambda: figures.probability_bars([], []), 1, "No prediction yet"),
    (lambda: figures.mistakes_gallery(np.zeros((0, 4)), [], [], [], (2, 2), None),
     0, "No misclassified images"),
    (lambda: figures.mistakes_gallery(IMG, [0, 1, 2], [1, 1, 0], [np.nan] * 3, (2, 2), None),
     1, None),
    (lambda: figures.decision_boundary(XX, YY, np.full((2, 3), 0.5), [[0.5, 0.5]], [0],
                                       "classification"), 3, None),
    (lambda: figures.decision_boundary(XX, YY, np.full((2, 3), np.nan), np.zeros((0, 2)), [],
                                       "regression"), 2, None),
    (lambda: figures.regression_fit_1d([], [], [], []), 2, "No data yet"),
    (lambda: figures.neuron_heatmaps(XX, YY, np.full((1, 2, 3), np.nan)), 1, None),
    (lambda: figures.hidden_space(np.zeros((0, 2)), np.zeros((0, 2)), [], "relu"), 0, None),
    (lambda: figures.hidden_space([[np.nan, 0.0]], [[0.0, 0.0]], [0], "sigmoid"), 2, None),
]


def colour_ranges(fig):
    """Every colour range the figure sets: heatmap zmin/zmax, marker and colour-axis cmin/cmax."""
    owners = list(fig.data) + [t.marker for t in fig.data if "marker" in t] + \
        [fig.layout.coloraxis]
    return [v for o in owners for k in ("zmin", "zmax", "cmin", "cmax")
            if k in o and (v := o[k]) is not None]


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_every_builder_returns_a_styled_figure(name):
    fig = BUILDERS[name]()
    assert isinstance(fig, go.Figure)
    assert fig.layout.title.text, f"{name} has no title"
    assert fig.layout.template == pio.templates[pio.templates.default], \
        f"{name} sets a template of its own: Streamlit's light or dark theme would not apply"
    assert fig.layout.margin.t == style.MARGIN["t"] or fig.layout.title.subtitle.text
    fig.to_json()


@pytest.mark.parametrize("name", sorted(set(BUILDERS) - {
    "weighted_network", "weight_images", "image_grid", "mistakes_gallery",
    "neuron_heatmaps", "confusion_matrix_figure", "hidden_space"}))
def test_plotting_builders_title_both_axes(name):
    fig = BUILDERS[name]()
    assert fig.layout.xaxis.title.text and fig.layout.yaxis.title.text, name


@pytest.mark.parametrize("case", range(len(EDGE_CASES)))
def test_edge_cases_draw_what_is_left_or_say_why_not(case):
    build, n_traces, message = EDGE_CASES[case]
    fig = build()
    assert fig.layout.title.text and len(fig.data) == n_traces
    texts = [a.text for a in fig.layout.annotations]
    assert message is None or message in texts, texts
    assert np.isfinite(colour_ranges(fig)).all(), "NaN input gave a NaN colour range"
    fig.to_json()


def test_figures_import_only_numpy_plotly_pandas_and_the_stdlib():
    allowed = {"numpy", "plotly", "pandas", "math", "studio", "base64", "html", "struct",
               "zlib"}
    for path in FIGURES_DIR.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                roots = {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                roots = {node.module.split(".")[0]}
                assert node.module.startswith("studio.figures") or roots <= allowed - {"studio"}
            else:
                continue
            assert roots <= allowed, f"{path.name} imports {roots - allowed}"


def test_modules_stay_small():
    for path in FIGURES_DIR.glob("*.py"):
        lines = path.read_text().splitlines()
        assert len(lines) <= 300, f"{path.name} has {len(lines)} lines"
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef):
                assert node.end_lineno - node.lineno < 55, f"{path.name}:{node.name} is long"


def test_palette_is_distinct_and_classes_past_it_change_symbol():
    assert len(set(style.PALETTE)) == len(style.PALETTE) >= 10
    assert style.class_color(len(style.PALETTE)) == style.PALETTE[0]
    assert style.class_symbol(0) != style.class_symbol(len(style.PALETTE))


def test_discrete_colorscale_has_a_flat_band_per_class():
    scale = style.discrete_colorscale(3)
    assert [c for _, c in scale] == [style.PALETTE[i] for i in (0, 0, 1, 1, 2, 2)]
    assert scale[0][0] == 0 and scale[-1][0] == 1
    assert style.discrete_colorscale(1)[0][1] == style.PALETTE[0]


def test_checks_name_the_argument_and_the_shape():
    with pytest.raises(ValueError, match=r"y must have shape \(n,\) or \(n, 1\). "
                                         r"Received shape \(2, 3\)"):
        _checks.vector("y", np.zeros((2, 3)))
    with pytest.raises(ValueError, match="labels must hold class indices >= 0"):
        _checks.labels("labels", [0, -1])
    np.testing.assert_array_equal(_checks.labels("y", np.eye(3)[[2, 0]]), [2, 0])
    np.testing.assert_array_equal(_checks.vector("v", [1, None]), [1.0, np.nan])
