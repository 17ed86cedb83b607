"""Bad inputs through the real UI: each shows its own message and the app keeps working."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

GARBAGE = b"\x00\x01\x02\x03 not a table \xff\xfe\x00" * 64
ONE_COLUMN = b"value\n" + b"".join(b"%d\n" % i for i in range(30))
GOOD_CSV = b"x1,x2,label\n" + b"".join(
    b"%d,%d,%s\n" % (i % 7, (i * 3) % 11, b"big" if (i % 7) + ((i * 3) % 11) > 8 else b"small")
    for i in range(60))


def csv_file(name, content):
    return {"name": name, "mimeType": "text/csv", "buffer": content}


def test_garbled_share_link_is_ignored_with_a_warning(open_studio):
    s = open_studio("/?h=99999999,x&lr=NaN&zz=1")
    s.wait_for_title("Build")
    warnings = [w for w in s.alert_texts("Warning") if w.startswith("Share link: Ignored")]
    assert len(warnings) == 3, f"one warning per bad setting: {s.alert_texts('Warning')}"
    text = "\n".join(warnings)
    for part in ("hidden layers", "learning rate", "'zz'"):
        assert part in text, f"no warning names {part}: {warnings}"
    s.shot("07a-bad-share-link")
    # the defaults stand in for what was ignored, and the app still builds
    assert (s.number("Hidden layers"), s.number("Layer 1: neurons")) == ("1", "64")
    assert float(s.number("Learning rate")) == 0.003
    s.click("Build network", timeout=60_000)
    s.expect_alert("Success", "Network built.")
    s.assert_no_errors("Build page after a garbled share link")


def test_malformed_csv_shows_why_and_a_good_one_still_works(open_studio):
    s = open_studio("/")
    s.choose("Dataset", "Your own CSV file")
    s.upload("CSV file", csv_file("garbage.csv", GARBAGE))
    s.expect_alert("Error", "garbage.csv: This is not a CSV file: it contains binary data")
    s.shot("07b-bad-csv-binary")
    s.upload("CSV file", csv_file("one-column.csv", ONE_COLUMN))
    s.expect_alert("Error", "one-column.csv: The file has only one column ('value')")
    assert not s.alerts("Error").filter(has_text="garbage.csv").count(), \
        "the previous file's error should be gone"
    s.shot("07b-bad-csv-one-column")

    s.upload("CSV file", csv_file("good.csv", GOOD_CSV))
    s.wait_until(lambda: s.selected("Target column") == "label",
                 "a good CSV offers its columns, the last one as the target")
    s.assert_no_errors("Build page with a good CSV")
    s.click("Build network", timeout=60_000)
    s.expect_alert("Success", "Network built.")
    s.go("Train")
    sidebar = s.sidebar_text()
    assert "Dataset: good.csv" in sidebar and "Layers: 2 → 64 → 2 " in sidebar, sidebar


def test_a_file_that_is_not_a_model_keeps_the_current_one(open_studio):
    s = open_studio("/")
    s.click("Build network", timeout=60_000)
    s.expect_alert("Success", "Network built.")
    s.go("Train")
    layers = "Layers: 64 → 64 → 10"
    assert layers in s.sidebar_text(), s.sidebar_text()
    s.upload("Upload a model (.npz)", {"name": "notes.npz", "mimeType": "application/octet-stream",
                                       "buffer": b"These are my notes, not a model.\n" * 10})
    message = s.expect_alert("Error", "not a model file")
    assert message.startswith("notes.npz:"), message
    assert layers in s.sidebar_text(), f"the built model should stay: {s.sidebar_text()}"
    assert s.button("Download model").is_visible(), "the current model can still be downloaded"
    s.shot("07c-not-a-model")
    s.go("Evaluate")                        # the model still works
    s.wait_for(s.chart("confusion"), "the confusion matrix of the model that was kept")
    s.assert_no_errors("Evaluate page after a bad model upload")


def test_an_absurd_architecture_cannot_be_built(open_studio):
    s = open_studio("/")
    s.set_number("Hidden layers", 6)
    for i in range(1, 7):
        s.set_number(f"Layer {i}: neurons", 1024)
    message = s.expect_alert("Error", "the limit is 2,000,000")
    assert "This configuration cannot be built" in message, message
    buttons = s.button("Build network")   # the one beside the presets and the one below
    assert buttons.count() == 2 and all(b.is_disabled() for b in buttons.all()), \
        "the Build buttons should be disabled"
    s.shot("07d-too-big")

    s.set_number("Hidden layers", 1)       # back to something sensible: the form recovers
    s.wait_until(lambda: not s.alerts("Error").count(), "the size error disappears")
    assert all(b.is_enabled() for b in buttons.all()), "the Build buttons should be enabled again"
    s.click("Build network", timeout=60_000)
    s.expect_alert("Success", "Network built.")
    s.go("Train")
    assert "Layers: 64 → 1024 → 10" in s.sidebar_text(), s.sidebar_text()
