"""Dataset previews: the image mosaic, 2-D scatter, 1-D curve and the feature table."""

import numpy as np
import pytest

from studio.figures import _parts, style
from studio.figures.data_preview import curve_1d, feature_summary, image_grid, scatter_2d


def test_mosaic_dimensions_for_5_images_of_8x8_in_4_columns():
    tiles = np.arange(5 * 64, dtype=float).reshape(5, 8, 8)
    z, index, origins = _parts.mosaic(tiles, columns=4)
    assert z.shape == (2 * 8 + 1, 4 * 8 + 3)
    assert origins == [(0, 0), (0, 9), (0, 18), (0, 27), (9, 0)]
    np.testing.assert_array_equal(z[9:17, 0:8], tiles[4])
    assert np.isnan(z[9:, 9:]).all() and (index[9:, 9:] == -1).all()
    assert np.isnan(z[8]).all()


def test_mosaic_with_a_title_band_above_each_row():
    z, _, origins = _parts.mosaic(np.zeros((5, 8, 8)), columns=4, band=4)
    assert z.shape == (2 * (8 + 4), 35)
    assert origins[0] == (4, 0) and origins[4] == (16, 0)


def test_image_grid_shows_the_first_n_with_labels_above():
    images = np.arange(5 * 64).reshape(5, 64).astype(np.uint8)
    fig = image_grid(images, [3, 1, 4, 1, 5], (8, 8), n=32, columns=4)
    heatmap = fig.data[0]
    assert np.asarray(heatmap.z).shape == (2 * (8 + 4), 35)
    assert [a.text for a in fig.layout.annotations] == ["3", "1", "4", "1", "5"]
    assert heatmap.colorscale[0][1].lower() in ("rgb(255,255,255)", "#ffffff", "white")
    assert heatmap.showscale is False
    assert fig.layout.xaxis.visible is False and fig.layout.yaxis.autorange == "reversed"
    assert fig.layout.title.text == "5 images"


def test_image_grid_uses_class_names_and_limits_n():
    images = np.zeros((40, 4))
    fig = image_grid(images, np.eye(2)[np.arange(40) % 2], (2, 2), class_names=["cat", "dog"],
                     n=3, columns=8)
    assert [a.text for a in fig.layout.annotations] == ["cat", "dog", "cat"]
    assert fig.layout.title.text == "3 of 40 images"


def test_image_grid_without_labels_and_with_no_images():
    fig = image_grid(np.ones((5, 64)), None, (8, 8), columns=4)
    assert np.asarray(fig.data[0].z).shape == (17, 35) and not fig.layout.annotations
    empty = image_grid(np.zeros((0, 64)), [], (8, 8))
    assert empty.data == () and "No images" in empty.layout.annotations[0].text


def test_image_grid_checks_shapes():
    with pytest.raises(ValueError, match=r"image_shape \(8, 8\) holds 64 pixels but each image has 10"):
        image_grid(np.zeros((3, 10)), [0, 1, 2], (8, 8))
    with pytest.raises(ValueError, match="images has 3, labels has 2"):
        image_grid(np.zeros((3, 4)), [0, 1], (2, 2))
    with pytest.raises(ValueError, match="class_names has 1 names"):
        image_grid(np.zeros((2, 4)), [0, 1], (2, 2), class_names=["a"])


def test_scatter_2d_one_trace_per_class_in_palette_colours():
    x = np.array([[0, 0], [1, 1], [2, 2], [3, 3]], dtype=float)
    fig = scatter_2d(x, [2, 0, 2, 1], "classification", class_names=["a", "b", "c"])
    assert [t.name for t in fig.data] == ["a", "b", "c"]
    assert [t.marker.color for t in fig.data] == list(style.PALETTE[:3])
    np.testing.assert_allclose(fig.data[2].x, [0, 2])
    assert fig.layout.xaxis.title.text == "x₁" and fig.layout.yaxis.title.text == "x₂"
    assert "4 points, 3 classes" in fig.layout.title.text


def test_scatter_2d_one_class_and_single_point():
    fig = scatter_2d([[0.5, 0.5]], [0], "classification")
    assert len(fig.data) == 1 and fig.data[0].name == "0"


def test_scatter_2d_regression_uses_a_colour_bar():
    fig = scatter_2d(np.zeros((3, 2)), [1.0, np.nan, 3.0], "regression")
    marker = fig.data[0].marker
    assert len(fig.data) == 1 and marker.showscale is True
    assert (marker.cmin, marker.cmax) == (1.0, 3.0)


def test_scatter_2d_checks_inputs():
    with pytest.raises(ValueError, match=r"x must have shape \(n, 2\). Received shape \(3, 3\)"):
        scatter_2d(np.zeros((3, 3)), [0, 1, 0], "classification")
    with pytest.raises(ValueError, match="task must be"):
        scatter_2d(np.zeros((3, 2)), [0, 1, 0], "clustering")
    with pytest.raises(ValueError, match="whole class indices"):
        scatter_2d(np.zeros((2, 2)), [0.5, 1], "classification")
    empty = scatter_2d(np.zeros((0, 2)), [], "classification")
    assert empty.data == () and empty.layout.annotations


def test_curve_1d_accepts_column_vectors():
    fig = curve_1d(np.array([[1.0], [2.0]]), np.array([[3.0], [4.0]]))
    np.testing.assert_allclose(fig.data[0].x, [1, 2])
    np.testing.assert_allclose(fig.data[0].y, [3, 4])
    assert fig.layout.xaxis.title.text == "x" and fig.layout.yaxis.title.text == "y"
    with pytest.raises(ValueError, match="x has 2, y has 3"):
        curve_1d([1, 2], [1, 2, 3])
    with pytest.raises(ValueError, match=r"\(2, 2\)"):
        curve_1d(np.zeros((2, 2)), [1, 2])


def test_feature_summary_ignores_nan():
    x = np.array([[1.0, 10.0], [3.0, np.nan], [5.0, 30.0]])
    table = feature_summary(x, ["a", "b"])
    assert list(table.columns) == ["count", "mean", "std", "min", "max"]
    assert list(table.index) == ["a", "b"]
    assert table.loc["a", "count"] == 3 and table.loc["b", "count"] == 2
    assert table.loc["b", "mean"] == pytest.approx(20.0)
    assert table.loc["a", "std"] == pytest.approx(np.std([1, 3, 5]))
    assert table.loc["b", "max"] == 30.0
    assert list(feature_summary(np.zeros((1, 3))).index) == ["x1", "x2", "x3"]


def test_feature_summary_checks_names():
    with pytest.raises(ValueError, match=r"Received 1 names for x of shape \(3, 2\)"):
        feature_summary(np.zeros((3, 2)), ["only"])
