"""Plotly figure builders for the dashboard: pure functions from arrays to figures.

Nothing here imports Streamlit, :mod:`mlp` or :mod:`data`; every builder takes lists or
NumPy arrays, checks their shapes (``ValueError`` naming what arrived) and returns a
``plotly.graph_objects.Figure`` styled by :mod:`studio.figures.style`.
"""

from studio.figures.architecture import (
                                         count_parameters,
                                         format_bytes,
                                         memory_estimate,
                                         weight_images,
                                         weighted_network,
)
from studio.figures.data_preview import curve_1d, feature_summary, image_grid, scatter_2d
from studio.figures.evaluation import (
                                         confidence_histogram,
                                         confusion_matrix_figure,
                                         mistakes_gallery,
                                         predicted_vs_actual,
                                         probability_bars,
                                         residual_histogram,
)
from studio.figures.inside import (
                                         decision_boundary,
                                         hidden_space,
                                         neuron_heatmaps,
                                         regression_fit_1d,
)
from studio.figures.training import (
                                         batch_positions,
                                         ema_smooth,
                                         runs_overlay,
)

__all__ = [
    "batch_positions", "confidence_histogram", "confusion_matrix_figure", "count_parameters",
    "curve_1d", "decision_boundary", "ema_smooth", "feature_summary", "format_bytes",
    "hidden_space", "image_grid", "memory_estimate",
    "mistakes_gallery", "neuron_heatmaps", "predicted_vs_actual",
    "probability_bars", "regression_fit_1d", "residual_histogram", "runs_overlay",
    "scatter_2d", "weight_images", "weighted_network",
]
