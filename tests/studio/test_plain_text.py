"""Text from outside is escaped so that Markdown (and Plotly) show it literally."""

import pytest
from markup_check import AFTER_PARSING, markup_in, rendered, shown_text, text_nodes

from studio.figures import _checks
from studio.figures.evaluation import confusion_matrix_figure
from studio.figures.training import runs_overlay
from studio.ui.plain import plain

HOSTILE = [
    "[click](http://ev.il)",
    "![x](https://ev.il/a.png)",
    "<img src=https://ev.il/a.png> <a href='http://ev.il'>x</a>",
    "visit www.ev.il or https://ev.il/path?q=1 or mail me@ev.il",
    ":red[loud] :material/warning: $x^2$ **bold** _it_ `code` # heading",
    "&amp; &lt;b&gt; \\[escaped\\] 1. list\n- item\n> quote",
    "[ref]: http://ev.il\n[ref]",
]
@pytest.mark.parametrize("text", HOSTILE)
def test_escaped_text_renders_as_exactly_itself_with_no_link_or_image(text):
    assert markup_in(plain(text)) == []
    assert shown_text(plain(text)) == " ".join(text.split())


def test_the_unescaped_text_would_have_made_links_and_images():
    out = rendered(" ".join(HOSTILE))
    assert "<a href" in out and "<img" in out  # so the test above can fail
    escaped_only = text_nodes(" ".join(HOSTILE).replace("[", "\\["))
    assert all(p.search(escaped_only) for p in AFTER_PARSING.values())


def test_plain_accepts_any_object():
    assert plain(ValueError("a_b")) == "a\\_b"
    assert plain("x:y") == "x\\:\u2060y"


def test_plotly_text_escapes_markup_in_class_names_and_run_labels():
    evil = "<a href='http://ev.il'>x</a>"
    fig = confusion_matrix_figure([[1, 0], [0, 1]], [evil, "b"])
    dumped = fig.to_json()
    assert "<a href" not in dumped and "&lt;a href=" in dumped
    overlay = runs_overlay([{"label": evil, "loss": [1.0, 0.5], "val_loss": [None, None]}],
                           which="loss")
    assert overlay.data[0].name.startswith("&lt;a href=") and "<a" not in overlay.data[0].name
    assert _checks.text("a & <b>") == "a &amp; &lt;b&gt;"
