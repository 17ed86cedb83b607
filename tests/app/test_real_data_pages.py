"""The real datasets through the pages (skipped without them): MNIST drawn on, housing evaluated.

The server's data folder is pointed at the real datasets (read only), as a host with
the files already downloaded would be.
"""

import pytest
from app_support import ONE, SEVEN, draw, no_exceptions
from real_data import real_california_dir, real_datasets_dir, real_mnist_dir

from studio.presets import preset


@pytest.fixture
def real_data(monkeypatch):
    monkeypatch.setenv("MLP_STUDIO_DATA", str(real_datasets_dir()))


def build_preset(app, name, epochs):
    app.run()
    app.selectbox(key="preset_choice").select(name).run()
    app.button(key="load_preset").click().run()
    app.number_input(key="build.epochs").set_value(epochs).run()
    app.button(key="build_button").click().run()
    no_exceptions(app)
    record = app.session_state["workspace"].model
    assert record is not None and record.has_data
    record.job.start()
    assert record.job.join(timeout=300)
    return record


@pytest.mark.skipif(real_mnist_dir() is None, reason="no real MNIST files")
def test_the_recommended_mnist_trained_two_epochs_reads_a_seven_and_a_one(app, real_data):
    name = "Recommended MNIST (98% in under a minute)"
    record = build_preset(app, name, epochs=2)
    assert record.spec == type(record.spec)(**{**preset(name).to_dict(), "epochs": 2})
    app.switch_page("app_pages/draw.py").run()
    assert draw(app, SEVEN) == "7"
    app.session_state["canvas_generation"] += 1
    assert draw(app, ONE) == "1"


@pytest.mark.skipif(real_california_dir() is None, reason="no real California housing files")
def test_housing_trained_shows_its_mse_in_the_right_range_on_evaluate(app, real_data):
    build_preset(app, "Recommended housing", epochs=5)
    app.switch_page("app_pages/evaluate.py").run()
    no_exceptions(app)
    table = app.dataframe[0].value
    test = table[table["split"] == "test"].iloc[0]
    # In units of $100,000 squared: far below the training mean's (about 1.3), above the
    # trained preset's 0.26.
    assert 0.2 < test["MSE"] < 0.6, test
    assert test["MSE"] < 0.5 * test["baseline MSE"]
    assert test["RMSE in dollars"].startswith("$")
