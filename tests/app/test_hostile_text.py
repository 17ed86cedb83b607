"""Text that arrives from outside (links, CSV files, model files) is shown literally.

Every Markdown body the page shows is rendered as Streamlit's renderer would (see
``tests/markup_check.py``) and must contain no link, no image and no address that
would turn into one.
"""

import io

import numpy as np
from app_support import ENTRY, give, make_record, no_exceptions
from markup_check import markup_in, rendered
from streamlit.testing.v1 import AppTest

from mlp.model_file import model_to_bytes

LINK = "[click](http://ev.il)"
IMAGE = "![x](https://ev.il/a.png)"


def bodies(at):
    """Every Markdown body on the page: alerts, captions, markdown, the sidebar too."""
    kinds = ("error", "warning", "info", "success", "caption", "markdown")
    return [e.value for kind in kinds for e in getattr(at, kind)]


def assert_nothing_rendered_as_markup(at):
    for body in bodies(at):
        assert not [m for m in markup_in(body) if m in ("<a ", "<img", "address", "e-mail")], \
            f"{body!r} renders as {rendered(body)!r}"


def shown(at):
    """The page's text as a reader sees it: Markdown escapes removed."""
    import re
    return " ".join(re.sub(r"\\(.)", r"\1", b).replace("\u2060", "") for b in bodies(at))


def test_share_link_values_and_keys_are_shown_literally():
    at = AppTest.from_file(ENTRY, default_timeout=60)
    at.query_params.update({"act": LINK, "ds": IMAGE, "[k](http://ev.il)": "1",
                            "h": "<img src=https://ev.il/b.png>"})
    at.run()
    no_exceptions(at)
    assert_nothing_rendered_as_markup(at)
    text = shown(at)
    assert f"'{LINK}' is not a valid name" in text
    assert f"Ignored dataset: '{IMAGE}' is not a valid name" in text
    assert "Ignored unknown setting '[k](http://ev.il)'" in text


def test_csv_file_name_columns_and_classes_are_shown_literally(app):
    rng = np.random.default_rng(0)
    rows = ["size,[x](http://ev.il),label"]
    for i in range(60):
        colour = ["red", "<b>blue</b>"][i % 2]
        label = [LINK, IMAGE][i % 2]
        rows.append(f"{rng.normal():.3f},{colour},{label}")
    app.run()
    app.selectbox(key="build.dataset").select("csv").run()
    app.file_uploader(key="csv_file").upload(f"{LINK}.csv", "\n".join(rows).encode(),
                                             "text/csv").run()
    no_exceptions(app)
    assert_nothing_rendered_as_markup(app)
    assert "'[x](http://ev.il)': one-hot encoded, 2 level(s)." in shown(app)
    app.button(key="build_button").click().run()
    no_exceptions(app)
    record = app.session_state["workspace"].model
    assert list(record.prepared.info.class_names) == [IMAGE, LINK]
    record.job.start()
    assert record.job.join(timeout=60)
    for page in ("train", "evaluate", "inside"):
        app.switch_page(f"app_pages/{page}.py").run()
        no_exceptions(app)
        assert_nothing_rendered_as_markup(app)
        assert f"{LINK}.csv" in shown(app), f"the file name is shown on {page}"


def test_a_bad_csv_names_its_file_literally(app):
    app.run()
    app.selectbox(key="build.dataset").select("csv").run()
    app.file_uploader(key="csv_file").upload(f"{IMAGE}.csv", b"only\n1\n2\n", "text/csv").run()
    no_exceptions(app)
    assert_nothing_rendered_as_markup(app)
    assert f"{IMAGE}.csv:" in shown(app)


def test_model_file_names_and_headers_are_shown_literally(app):
    current = make_record()
    give(app, current)
    app.run()
    app.switch_page("app_pages/train.py").run()
    app.file_uploader(key="model_file").upload(f"{IMAGE}.npz", b"not a model",
                                               "application/octet-stream").run()
    no_exceptions(app)
    assert_nothing_rendered_as_markup(app)
    assert f"{IMAGE}.npz: This file cannot be used as a model" in shown(app)

    network = make_record(epochs=1).job.network_copy()
    network.metadata["spec"]["dataset"] = LINK
    network.metadata["preprocessing"]["target_name"] = IMAGE
    buffer = io.BytesIO(model_to_bytes(network))
    app.file_uploader(key="model_file").upload("model.npz", buffer.getvalue(),
                                               "application/octet-stream").run()
    no_exceptions(app)
    assert_nothing_rendered_as_markup(app)
    assert LINK in shown(app), "the header's value is quoted in the error"
    assert app.session_state["workspace"].model is current
