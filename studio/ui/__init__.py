"""The Streamlit side of the dashboard: session state, shared widgets and page panels.

Only this subpackage (and the pages) import Streamlit. ``state`` owns every
session key; the ``*_panel`` modules hold what would otherwise make a page long.
"""
