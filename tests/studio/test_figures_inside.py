"""Inside the network: decision regions, 1-D fit, neuron tiles and the hidden space."""

import numpy as np
import pytest

from studio.figures import style
from studio.figures.data_preview import scatter_2d
from studio.figures.inside import (decision_boundary, hidden_space, neuron_heatmaps,
                                   regression_fit_1d)

XX = np.linspace(-1, 1, 4)
YY = np.linspace(-2, 2, 3)
POINTS = np.array([[0.0, 0.0], [0.5, 0.5], [-0.5, 1.0]])


def test_class_grid_under_points_in_the_scatter_palette():
    grid = np.array([[0, 0, 1, 2], [0, 1, 1, 2], [1, 1, 2, 2]])
    fig = decision_boundary(XX, YY, grid, POINTS, [0, 1, 2], "classification",
                            class_names=["a", "b", "c"])
    surface = fig.data[0]
    assert surface.type == "heatmap" and 0 < surface.opacity < 1
    np.testing.assert_array_equal(surface.z, grid)
    assert (surface.zmin, surface.zmax) == (-0.5, 2.5)
    assert surface.colorscale[0][1] == style.PALETTE[0]
    assert surface.colorscale[-1][1] == style.PALETTE[2]
    points = [t for t in fig.data if t.type == "scatter"]
    reference = scatter_2d(POINTS, [0, 1, 2], "classification", class_names=["a", "b", "c"])
    assert [t.name for t in points] == ["a", "b", "c"]
    assert [t.marker.color for t in points] == [t.marker.color for t in reference.data]
    assert fig.layout.xaxis.title.text == "x₁" and fig.layout.yaxis.title.text == "x₂"
    assert list(fig.layout.xaxis.range) == [-1, 1]


def test_probability_grid_gets_a_0_1_scale_and_the_half_contour():
    grid = np.linspace(0, 1, 12).reshape(3, 4)
    fig = decision_boundary(XX, YY, grid, POINTS, [0, 1, 1], "classification")
    heatmap, contour = fig.data[:2]
    assert (heatmap.zmin, heatmap.zmax) == (0, 1)
    assert heatmap.colorbar.title.text == "P(class 1)"
    assert contour.type == "contour"
    assert (contour.contours.start, contour.contours.end) == (0.5, 0.5)
    assert [t.name for t in fig.data[2:]] == ["0", "1"]


def test_values_keyword_overrides_the_guess():
    grid = np.zeros((3, 4))
    as_classes = decision_boundary(XX, YY, grid, POINTS, [0, 0, 0], "classification",
                                   values="class")
    assert as_classes.data[0].zmax == 0.5
    with pytest.raises(ValueError, match="values must be"):
        decision_boundary(XX, YY, grid, POINTS, [0, 0, 0], "classification", values="x")


def test_regression_surface_shares_its_colour_range_with_the_points():
    grid = np.full((3, 4), 2.0)
    fig = decision_boundary(XX, YY, grid, POINTS, [1.0, 3.0, 5.0], "regression")
    heatmap, points = fig.data
    assert heatmap.colorscale[0][1] == "#440154"  # Viridis
    assert (heatmap.zmin, heatmap.zmax) == (1.0, 5.0)
    assert (points.marker.cmin, points.marker.cmax) == (1.0, 5.0)
    assert points.marker.showscale is False and heatmap.colorbar.title.text == "prediction"


def test_decision_boundary_checks_grid_shape():
    with pytest.raises(ValueError, match=r"\(len\(yy\), len\(xx\)\) = \(3, 4\). "
                                         r"Received shape \(4, 3\)"):
        decision_boundary(XX, YY, np.zeros((4, 3)), POINTS, [0, 1, 0], "classification")
    with pytest.raises(ValueError, match="x has 3, y has 2"):
        decision_boundary(XX, YY, np.zeros((3, 4)), POINTS, [0, 1], "classification")


def test_all_nan_grid_reads_as_probabilities_and_an_empty_grid_draws_no_points():
    nan_grid = np.full((3, 4), np.nan)
    fig = decision_boundary(XX, YY, nan_grid, POINTS, [0, 0, 0], "classification")
    heatmap, contour, points = fig.data
    assert (heatmap.name, contour.type, points.name) == ("P(class 1)", "contour", "0")
    assert np.isnan(np.asarray(heatmap.z, dtype=float)).all()
    assert (heatmap.zmin, heatmap.zmax) == (0, 1)
    np.testing.assert_array_equal(points.x, POINTS[:, 0])
    empty = decision_boundary([], [], np.zeros((0, 0)), np.zeros((0, 2)), [], "classification")
    assert [t.type for t in empty.data] == ["heatmap", "contour"] and len(empty.data[0].z) == 0
    assert empty.layout.xaxis.range is None and empty.layout.xaxis.title.text == "x₁"


def test_regression_fit_draws_data_and_sorted_prediction_line():
    fig = regression_fit_1d([0.0, 1.0], [0.0, 1.0], [1.0, 0.0, 0.5], [[2.0], [0.0], [1.0]])
    data, line = fig.data
    assert (data.name, data.mode, line.name, line.mode) == ("data", "markers", "network", "lines")
    np.testing.assert_allclose(line.x, [0.0, 0.5, 1.0])
    np.testing.assert_allclose(line.y, [0.0, 1.0, 2.0])
    assert fig.layout.xaxis.title.text == "x" and fig.layout.yaxis.title.text == "y"
    with pytest.raises(ValueError, match="grid_x has 2, grid_pred has 1"):
        regression_fit_1d([0.0], [0.0], [0.0, 1.0], [1.0])


def test_neuron_heatmaps_are_small_multiples_with_one_symmetric_scale():
    outputs = np.stack([np.full((3, 4), v) for v in (-2.0, 0.5, 1.0, 3.0, 0.0, 1.0, 2.0)])
    fig = neuron_heatmaps(XX, YY, outputs, columns=3)
    assert len(fig.data) == 7 and {t.type for t in fig.data} == {"heatmap"}
    assert {t.coloraxis for t in fig.data} == {"coloraxis"}
    assert (fig.layout.coloraxis.cmin, fig.layout.coloraxis.cmax) == (-3.0, 3.0)
    assert [a.text for a in fig.layout.annotations][:2] == ["neuron 1", "neuron 2"]
    assert fig.data[6].xaxis == "x7" and fig.layout.xaxis7.showticklabels is False
    assert fig.layout.yaxis.showticklabels is False
    np.testing.assert_array_equal(fig.data[3].z, outputs[3])


def test_neuron_heatmaps_titles_limits_and_shapes():
    fig = neuron_heatmaps(XX, YY, np.zeros((3, 3, 4)), titles=["a", "b", "c"], max_neurons=2)
    assert len(fig.data) == 2 and "first 2 of 3" in fig.layout.title.subtitle.text
    assert neuron_heatmaps(XX, YY, np.zeros((0, 3, 4))).data == ()
    with pytest.raises(ValueError, match=r"\(n, 3, 4\). Received shape \(2, 4, 3\)"):
        neuron_heatmaps(XX, YY, np.zeros((2, 4, 3)))
    with pytest.raises(ValueError, match="titles needs one entry"):
        neuron_heatmaps(XX, YY, np.zeros((2, 3, 4)), titles=["a"])


def test_hidden_space_side_by_side_with_one_legend():
    before = np.array([[-1.0, 2.0], [1.0, -1.0], [0.5, 0.5]])
    after = np.maximum(before, 0)
    fig = hidden_space(before, after, [0, 1, 1], "relu", class_names=["no", "yes"])
    texts = [a.text for a in fig.layout.annotations]
    assert texts == ["before activation (z)", "after relu"]
    assert [(t.name, t.xaxis) for t in fig.data] == [("no", "x"), ("yes", "x"),
                                                     ("no", "x2"), ("yes", "x2")]
    assert [bool(t.showlegend) for t in fig.data] == [True, True, False, False]
    np.testing.assert_allclose(fig.data[3].x, [1.0, 0.5])
    np.testing.assert_allclose(fig.data[3].y, [0.0, 0.5])
    assert fig.layout.xaxis.title.text == "unit 1" and fig.layout.xaxis2.title.text == "unit 1"


def test_hidden_space_single_unit_regression_and_bad_shapes():
    fig = hidden_space([[1.0], [2.0]], [[1.0], [2.0]], [0.1, 0.2], "tanh", task="regression")
    np.testing.assert_allclose(fig.data[0].y, [0.0, 0.0])
    assert [t.marker.showscale for t in fig.data] == [False, True]
    with pytest.raises(ValueError, match="before has 3, after has 2"):
        hidden_space(np.zeros((3, 2)), np.zeros((2, 2)), [0, 1, 0], "relu")
