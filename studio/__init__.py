"""The dashboard's helpers.

Plain Python, NumPy and Plotly: model specs and share links, training jobs,
metrics, drawing-to-input conversion, exported code and the figure builders in
``studio.figures``. Everything that talks to Streamlit lives in ``studio.ui``.
"""
