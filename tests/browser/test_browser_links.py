"""Links that land on a result, and the first minute, in a real browser.

* A link with ``open=draw`` opened in a fresh context trains its MNIST model (real
  data, skipped without it), opens Draw, and the drawn 7 is read as 7.
* ``open=evaluate`` trains Digits and opens Evaluate, whose test accuracy is the
  one the arrival announced; a settings-only link builds nothing.
* "Read my handwriting" on a server without MNIST reads a drawn 7 with the trained
  preset; a fresh visitor opens a saved model file from the Build page.
"""

import re

import pytest
from conftest import new_studio_page, serve_studio
from real_data import real_mnist_dir
from test_browser_journey import SEVEN

from studio.share import spec_to_query_string
from studio.spec import ModelSpec
from studio.trained import path_of

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]
TRAINING_MS = 180_000
MNIST_LINK_SPEC = ModelSpec(dataset="mnist", hidden_layers=[128], hidden_activations=["relu"],
                            optimizer="adam", learning_rate=0.001, batch_size=128, epochs=2,
                            val_fraction=0.0, seed=0)
DIGITS_LINK_SPEC = ModelSpec(dataset="digits", hidden_layers=[32], hidden_activations=["relu"],
                             optimizer="adam", learning_rate=0.01, batch_size=32, epochs=8,
                             seed=3)


@pytest.fixture(scope="module")
def real_data_server(browser_requirements, request):
    """A server whose data folder holds the real MNIST files (read only)."""
    mnist = real_mnist_dir()
    if mnist is None:
        pytest.skip("no real MNIST files (set MLP_STUDIO_DATA or add ../shared/datasets)")
    with serve_studio(request, {"MLP_STUDIO_DATA": str(mnist.parent)}, name="real") as server:
        yield server


def arrive(s, open_page, banner=True):
    """Wait through a training arrival: the banner on Train (unless training is too quick to
    see it), then the page the link chose; return the announced test accuracy."""
    if banner:
        s.expect_alert("Info", "Reproducing a shared model.", timeout=TRAINING_MS)
    s.wait_for_title(open_page, timeout=TRAINING_MS)
    announced = s.expect_alert("Success", "Reproduced from the link: test accuracy")
    return float(re.search(r"test accuracy ([\d.]+)%", announced).group(1))


def test_a_link_trains_its_mnist_model_opens_draw_and_reads_a_seven(real_data_server, browser,
                                                                   shots_dir):
    link = "/?" + spec_to_query_string(MNIST_LINK_SPEC, "draw")
    s = new_studio_page(browser, real_data_server, shots_dir, link)
    try:
        accuracy = arrive(s, "Draw")
        assert accuracy > 94, f"the reproduced model's test accuracy: {accuracy}%"
        assert "MNIST (28x28)" in s.sidebar_text()
        s.draw(SEVEN)
        assert s.metric("The network reads") == "7"
        s.assert_no_errors("Draw after the link")
        s.shot("links-mnist-draw")
    finally:
        s.close()


def test_a_link_that_opens_evaluate_shows_the_announced_test_accuracy(open_studio):
    s = open_studio("/?" + spec_to_query_string(DIGITS_LINK_SPEC, "evaluate"))
    announced = arrive(s, "Evaluate", banner=False)   # Digits trains in about a second
    rows = s.wait_until(lambda: s.table_rows(s.main.locator('[data-testid="stDataFrame"]').first),
                        "the accuracy table has rows")
    header = rows[0]
    test = {row[header.index("split")]: row[header.index("accuracy")] for row in rows[1:]}["test"]
    assert abs(float(test.rstrip("%")) - announced) <= 0.05, (test, announced)
    assert announced > 85
    s.assert_no_errors("Evaluate after the link")


def test_a_settings_only_link_fills_the_form_and_trains_nothing(open_studio):
    spec = ModelSpec(**{**DIGITS_LINK_SPEC.to_dict(), "epochs": 17})
    s = open_studio("/?" + spec_to_query_string(spec))
    s.wait_for_title("Build")
    assert s.number("Epochs") == "17"
    assert "No model built yet." in s.sidebar_text()
    assert not s.alerts("Info").filter(has_text="Reproducing a shared model").count()


def test_read_my_handwriting_needs_no_download(open_studio):
    s = open_studio("/")
    s.click("Read my handwriting")
    s.wait_for_title("Draw")
    s.expect_alert("Success", "Loaded the trained preset")
    s.draw(SEVEN)
    assert s.metric("The network reads") == "7"
    assert "784 → 256 → 10" in s.sidebar_text()
    s.assert_no_errors("Draw with the trained reader")


def test_a_fresh_visitor_opens_a_saved_model_for_another_dataset(open_studio):
    s = open_studio("/")
    assert s.selected("Dataset") == "Digits (8x8)"
    s.upload("Open a saved model (.npz)", path_of("Moons: a first boundary"))
    s.expect_alert("Success", "It was trained on Moons")
    assert s.selected("Dataset") == "Moons"
    assert "2 → 8 → 2" in s.sidebar_text()
    s.go("Evaluate")
    s.assert_no_errors("Evaluate the opened model")


def test_the_trained_digits_preset_loads_in_one_click_and_reads_a_seven(open_studio):
    s = open_studio("/")
    s.choose("Start from a preset", "Digits: quick start")
    s.click("Load trained")
    s.expect_alert("Success", "Loaded the trained preset “Digits: quick start”")
    assert "64 → 64 → 10" in s.sidebar_text()
    s.go("Draw")
    s.draw(SEVEN)
    assert s.metric("The network reads") == "7"
    s.assert_no_errors("Draw with the trained Digits preset")
