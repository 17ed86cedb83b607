"""AppTest fixtures: the whole app, ready to run."""

import pytest
from app_support import ENTRY, TIMEOUT
from streamlit.testing.v1 import AppTest


@pytest.fixture
def app():
    """The whole app with its navigation; pages are reached with ``at.switch_page``."""
    at = AppTest.from_file(ENTRY, default_timeout=TIMEOUT)
    at.context["url"] = "http://studio.test:8501"
    return at
