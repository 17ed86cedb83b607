"""The dashboard's helpers: model specs, training jobs, figures and session state.

Pages import from here; nothing here imports a page. Only ``studio.state`` and
``studio.widgets`` talk to Streamlit; everything else is plain Python, NumPy and Plotly.
"""
