"""Links that land on a result, presets that come trained, and the first minute (AppTest).

A link's arrival is driven the way a visitor's browser drives it: the first run
builds and starts the model and opens Train; runs while it trains show the
banner; the run after training ends opens the page the link chose.
"""

import re

import pytest
from app_support import ONE, SEVEN, draw, no_exceptions, texts

from studio.presets import TRAINED_PRESETS, preset
from studio.share import spec_to_query
from studio.spec import ModelSpec
from studio.trained import load_trained

LINK_SPEC = ModelSpec(dataset="digits", hidden_layers=[32], hidden_activations=["relu"],
                      optimizer="adam", learning_rate=0.01, batch_size=32, epochs=8, seed=3)
READER = "Recommended MNIST (98% in under a minute)"


@pytest.fixture
def no_local_mnist(tmp_path, monkeypatch):
    """An empty data folder: MNIST is not on this server, nor held by it (an earlier test on
    real data may have loaded it into the server-wide store)."""
    from studio.ui.datasets import store
    monkeypatch.setenv("MLP_STUDIO_DATA", str(tmp_path / "data"))
    monkeypatch.delenv("MLP_STUDIO_MNIST_MIRRORS", raising=False)
    store.clear()


def title(app):
    return app.title[0].value if app.title else ""


def open_link(app, spec, open_page):
    app.query_params.update(spec_to_query(spec, open_page))
    app.run()
    no_exceptions(app)


def finish_arrival(app):
    """Let the arrival's job train to its end, then rerun as the live view does."""
    record = app.session_state["workspace"].model
    assert record.job.join(timeout=120), "the link's model did not finish training"
    app.run()
    no_exceptions(app)
    return record


def notice(app, start):
    found = [t for t in texts(app.success) if t.startswith(start)]
    assert found, f"no notice starting {start!r}: {texts(app.success)}"
    return found[0]


def test_a_settings_only_link_fills_the_form_and_builds_nothing(app):
    open_link(app, LINK_SPEC, "settings")
    assert app.session_state["spec"] == LINK_SPEC
    assert app.session_state["workspace"].model is None
    assert app.session_state["arrival"] is None
    assert title(app) == "Build a network"


def test_a_link_that_opens_draw_trains_on_train_then_opens_draw(app):
    open_link(app, LINK_SPEC, "draw")
    assert title(app) == "Train"
    record = app.session_state["workspace"].model
    assert record.spec == LINK_SPEC and record.job.status.value in ("queued", "running",
                                                                    "finished")
    banner = " ".join(texts(app.info))
    assert "Reproducing a shared model." in banner and "8 epochs, seed 3" in banner
    assert "opens Draw when training ends" in banner
    finish_arrival(app)
    assert title(app) == "Draw a digit"
    reported = notice(app, "Reproduced from the link: test accuracy")
    app.switch_page("app_pages/evaluate.py").run()
    table = app.dataframe[0].value
    test = table.loc[table["split"] == "test", "accuracy"].iloc[0]
    assert reported.endswith(f"test accuracy {float(test.rstrip('%')):.1f}%.")
    assert app.session_state["arrival"] is None


def test_a_link_that_opens_evaluate_lands_on_its_metrics(app):
    open_link(app, LINK_SPEC, "evaluate")
    assert title(app) == "Train"
    finish_arrival(app)
    assert title(app) == "Evaluate"
    accuracy = float(re.search(r"([\d.]+)%", notice(app, "Reproduced from the link")).group(1))
    assert accuracy > 85


def test_the_same_link_gives_the_same_model_twice(app):
    from streamlit.testing.v1 import AppTest
    from app_support import ENTRY, TIMEOUT
    results = []
    for at in (app, AppTest.from_file(ENTRY, default_timeout=TIMEOUT)):
        open_link(at, LINK_SPEC, "train")
        record = finish_arrival(at)
        assert title(at) == "Train"
        results.append((record.network.weights[0].copy(), notice(at, "Reproduced")))
    assert results[0][1] == results[1][1]
    assert abs(results[0][0] - results[1][0]).max() < 1e-4


def test_a_link_longer_than_the_job_limit_says_so_and_stays_on_train(app, monkeypatch):
    monkeypatch.setenv("MLP_STUDIO_JOB_SECONDS", "2")
    long = ModelSpec(**{**LINK_SPEC.to_dict(), "epochs": 500})
    open_link(app, long, "draw")
    assert title(app) == "Train"
    warning = " ".join(texts(app.warning))
    assert "longer than this server's limit of 2 s per job" in warning
    assert "stays on Train" in warning
    record = app.session_state["workspace"].model
    assert record.job.join(timeout=60)
    app.run()
    assert title(app) == "Train"
    assert record.job.status.value == "stopped"


def test_an_unknown_arrival_is_ignored_with_a_warning(app):
    app.query_params.update({"ds": "moons", "open": "[x](http://ev.il)"})
    app.run()
    no_exceptions(app)
    assert any("Ignored what to open on arrival" in w for w in texts(app.warning))
    assert app.session_state["workspace"].model is None


def test_a_draw_link_for_a_2d_dataset_opens_evaluate_instead(app):
    # Enough epochs (about a second) that the visitor is seen watching on Train first.
    open_link(app, ModelSpec(dataset="moons", hidden_layers=[4], epochs=300), "draw")
    assert any("Draw needs a dataset of digit images" in w for w in texts(app.warning))
    assert title(app) == "Train"
    finish_arrival(app)
    assert title(app) == "Evaluate"


def test_read_my_handwriting_draws_with_the_trained_reader_before_any_download(
        app, no_local_mnist):
    app.run()
    assert "MLP Studio** trains a neural network" in app.markdown[0].value
    app.button(key="landing_draw").click().run()
    no_exceptions(app)
    assert title(app) == "Draw a digit"
    record = app.session_state["workspace"].model
    assert record.network.layers == [784, 256, 10] and not record.has_data
    assert draw(app, SEVEN) == "7"
    app.session_state["canvas_generation"] += 1
    assert draw(app, ONE) == "1"
    app.switch_page("app_pages/evaluate.py").run()
    assert any("needs its data: MNIST" in i for i in texts(app.info))
    assert [b for b in app.button if b.label == "Load MNIST (28x28)"]


def test_train_a_digit_reader_plans_the_recommended_mnist_then_draw(app, no_local_mnist):
    app.run()
    app.button(key="landing_train").click().run()
    no_exceptions(app)
    # No MNIST and no mirror: the download fails with a message, and nothing is planned.
    assert app.session_state["spec"] == preset(READER)
    assert app.error and "MNIST" in app.error[0].value
    assert app.session_state["arrival"] is None
    assert app.session_state["workspace"].model is None


@pytest.mark.parametrize("name", TRAINED_PRESETS)
def test_each_trained_preset_loads_in_one_click(app, name, no_local_mnist):
    app.run()
    app.selectbox(key="preset_choice").select(name).run()
    app.button(key="load_trained").click().run()
    no_exceptions(app)
    record = app.session_state["workspace"].model
    trained = load_trained(name)
    assert record.spec == preset(name) == trained.spec
    assert record.is_trained
    assert app.session_state["spec"] == preset(name)
    assert app.selectbox(key="build.dataset").value == preset(name).dataset
    assert any(trained.describe() in t for t in texts(app.success))
    if record.info.image_shape is not None:
        app.switch_page("app_pages/draw.py").run()
        assert draw(app, ONE) == "1"
    if record.has_data:
        app.switch_page("app_pages/evaluate.py").run()
        no_exceptions(app)
        table = app.dataframe[0].value
        test = table.loc[table["split"] == "test"].iloc[0]
        if trained.metric_name == "accuracy":
            assert float(test["accuracy"].rstrip("%")) == pytest.approx(100 * trained.metric,
                                                                       abs=0.006)
        else:
            assert test["MSE"] == pytest.approx(trained.metric, abs=1e-4)


def test_presets_without_a_trained_file_cannot_be_loaded_trained(app):
    app.run()
    app.selectbox(key="preset_choice").select("The tutorial's MNIST").run()
    assert app.button(key="load_trained").disabled


def test_runs_are_numbered_per_visitor(app):
    from streamlit.testing.v1 import AppTest
    from app_support import ENTRY, TIMEOUT
    app.run()
    app.button(key="build_button").click().run()
    app.button(key="build_button").click().run()
    assert sorted(app.session_state["workspace"].runs) == [1, 2]
    other = AppTest.from_file(ENTRY, default_timeout=TIMEOUT)
    other.run()
    other.button(key="build_button").click().run()
    assert list(other.session_state["workspace"].runs) == [1]
    assert other.session_state["workspace"].model.label.startswith("Run 1: Digits")


def test_an_uploaded_picture_says_it_is_read_instead_of_the_drawing(app, no_local_mnist):
    import io

    from PIL import Image
    from app_support import canvas_value, drawing
    app.run()
    app.button(key="landing_draw").click().run()
    app.session_state["canvas_0"] = canvas_value(drawing(ONE))
    png = io.BytesIO()
    Image.fromarray(drawing(SEVEN)[..., :3]).save(png, format="PNG")
    app.file_uploader(key="draw_upload").upload("seven.png", png.getvalue(), "image/png").run()
    no_exceptions(app)
    assert any("Reading the uploaded picture seven.png, not the drawing" in c
               for c in texts(app.caption))
    assert [m.value for m in app.metric if m.label == "The network reads"] == ["7"]
