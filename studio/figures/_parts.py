"""Pieces several figures share: the image mosaic and the per-class scatter traces."""

import math

import numpy as np
import plotly.graph_objects as go

from studio.figures import style


def grid_size(n_items, columns):
    """(columns, rows) used to lay ``n_items`` out ``columns`` per row; at least (1, 1)."""
    if int(columns) < 1:
        raise ValueError(f"columns must be at least 1. Received: {columns!r}")
    n_cols = max(min(int(columns), n_items), 1)
    return n_cols, max(math.ceil(n_items / n_cols), 1)


def mosaic(tiles, columns, gap=1, band=0):
    """Lay equally sized tiles out in a grid separated by NaN.

    Parameters
    ----------
    tiles : ndarray of shape (n_tiles, height, width)
    columns : int
        Tiles per row (fewer when there are fewer tiles).
    gap : int
        NaN pixels between neighbouring tiles.
    band : int
        NaN rows above every row of tiles, room for a title; 0 for none.

    Returns
    -------
    z : ndarray of shape (n_rows * height + ..., n_cols * width + (n_cols - 1) * gap)
        The mosaic, NaN between tiles.
    index : ndarray of int, same shape as ``z``
        Which tile each pixel belongs to, -1 in the gaps.
    origins : list of (row, column) tuples
        The top-left pixel of each tile in ``z``.
    """
    tiles = np.asarray(tiles, dtype=float)
    if tiles.ndim != 3:
        raise ValueError(f"tiles must have shape (n_tiles, height, width). "
                         f"Received shape {tiles.shape}")
    n, height, width = tiles.shape
    n_cols, n_rows = grid_size(n, columns)
    row_gap = max(gap, band)
    z = np.full((band + n_rows * height + (n_rows - 1) * row_gap,
                 n_cols * width + (n_cols - 1) * gap), np.nan)
    index = np.full(z.shape, -1, dtype=int)
    origins = []
    for i, tile in enumerate(tiles):
        top = band + (i // n_cols) * (height + row_gap)
        left = (i % n_cols) * (width + gap)
        z[top:top + height, left:left + width] = tile
        index[top:top + height, left:left + width] = i
        origins.append((top, left))
    return z, index, origins


def mosaic_figure(tiles, title, titles=None, columns=8, colorscale=style.IMAGE,
                  zrange=None, colorbar_title=None, tile_px=80, hover_label="tile",
                  subtitle=None, tile_ids=None):
    """A figure showing ``tiles`` (n, height, width) as one heatmap mosaic.

    ``titles`` (one string per tile, or None) are written in a band above each tile;
    ``zrange`` = (zmin, zmax) fixes the colour range (default: the finite data range).
    The figure's height follows the number of rows so each tile is about ``tile_px`` tall;
    hovering a pixel shows ``hover_label`` and the tile's index, or ``tile_ids[index]``
    (e.g. the sample each tile comes from) when given.
    """
    tiles = np.asarray(tiles, dtype=float)
    if tiles.shape[0] == 0:
        return style.empty_figure(title, "No images to show")
    height, width = tiles.shape[1:]
    band = max(1, math.ceil(0.45 * height)) if titles is not None else 0
    z, index, origins = mosaic(tiles, columns, band=band)
    zmin, zmax = zrange if zrange is not None else finite_range(tiles)
    if tile_ids is not None:
        index = np.where(index >= 0, np.asarray(tile_ids)[np.maximum(index, 0)], -1)
    fig = go.Figure(go.Heatmap(
        z=z, customdata=index, colorscale=colorscale, zmin=zmin, zmax=zmax,
        showscale=colorbar_title is not None, hoverongaps=False,
        colorbar=dict(title=dict(text=colorbar_title or ""), thickness=12),
        hovertemplate=hover_label + " %{customdata}: %{z:.3g}<extra></extra>"))
    fig.layout.annotations = [  # set at once: add_annotation per tile is slow
        dict(x=left + (width - 1) / 2, y=top - 0.5, text=text, showarrow=False,
             yanchor="bottom", font=dict(size=11))
        for (top, left), text in zip(origins, titles or [])]
    n_rows = grid_size(len(tiles), columns)[1]
    style.apply_layout(fig, title, subtitle=subtitle,
                       height=int(120 + n_rows * tile_px * (height + band) / height))
    style.hide_axes(fig, equal_aspect=True)
    fig.update_yaxes(autorange="reversed")
    return fig


def finite_range(values):
    """(low, high) of the finite values, widened by 0.5 if constant; (0, 1) if none."""
    finite = np.asarray(values, dtype=float)
    finite = finite[np.isfinite(finite)]
    if finite.size == 0:
        return 0.0, 1.0
    low, high = float(finite.min()), float(finite.max())
    return (low, high) if high > low else (low - 0.5, high + 0.5)


def class_traces(points, labels, names, **marker):
    """One ``go.Scatter`` per class present in ``labels``, in palette colours.

    Parameters
    ----------
    points : ndarray of shape (n_samples, 2)
    labels : ndarray of int, shape (n_samples,)
    names : list of str
        Display name of every class index.
    **marker
        Extra marker properties (size, opacity, line ...).
    """
    traces = []
    for c in np.unique(labels):
        rows = labels == c
        traces.append(go.Scatter(
            x=points[rows, 0], y=points[rows, 1], mode="markers", name=names[c],
            legendgroup=f"class {c}",
            marker=dict(color=style.class_color(c), symbol=style.class_symbol(c), **marker),
            hovertemplate=f"{names[c]}<br>(%{{x:.3g}}, %{{y:.3g}})<extra></extra>"))
    return traces


def value_trace(points, values, colorbar_title="y", zrange=None, **marker):
    """One ``go.Scatter`` of ``points`` (n, 2) coloured by ``values`` (n,) with a colour bar."""
    zmin, zmax = zrange if zrange is not None else finite_range(values)
    return go.Scatter(
        x=points[:, 0], y=points[:, 1], mode="markers", name=colorbar_title,
        marker=dict(color=values, colorscale=style.SEQUENTIAL, cmin=zmin, cmax=zmax,
                    showscale=True, colorbar=dict(title=dict(text=colorbar_title),
                                                  thickness=12), **marker),
        hovertemplate="(%{x:.3g}, %{y:.3g}): %{marker.color:.3g}<extra></extra>")
