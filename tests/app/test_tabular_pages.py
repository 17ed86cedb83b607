"""Tables in the app: roles after upload, the baseline on Evaluate, and predictions for new rows."""

from app_support import no_exceptions, texts
from fake_data import churn_csv

from mlp.model_file import model_to_bytes

N_ROWS = 600


def upload_csv(app, data=None, name="churn.csv"):
    app.run()
    app.selectbox(key="build.dataset").select("csv").run()
    app.file_uploader(key="csv_file").upload(name, data or churn_csv(), "text/csv").run()
    no_exceptions(app)


def build_and_train(app, epochs=15):
    app.number_input(key="build.epochs").set_value(epochs).run()
    app.button(key="build_button").click().run()
    no_exceptions(app)
    record = app.session_state["workspace"].model
    record.job.start()
    assert record.job.join(timeout=120)
    return record


def predictions_shown(app):
    """The predictions table on Evaluate (the one with a "prediction" column)."""
    tables = [d.value for d in app.dataframe if "prediction" in d.value.columns]
    assert tables, "no predictions table"
    return tables[0]


def shown_markdown(app):
    return " ".join(texts(app.markdown))


def test_an_upload_lists_what_was_done_to_each_column(app):
    upload_csv(app)
    notes = shown_markdown(app)
    assert "Ignored 'id': an identifier: every value distinct (600 of 600)." in notes
    assert "Ignored 'comment': an identifier or free text" in notes
    assert "'since': read as dates (ISO dates)" in notes
    assert "'spend': numbers written with thousands separators, read as numbers." in notes
    assert "missing, filled with the median" in notes
    dataset = app.session_state["workspace"].csv_dataset
    assert dataset.info.class_names == ("no", "yes")
    assert "plan=basic" in dataset.feature_names


def test_changing_a_role_or_the_missing_values_rule_changes_the_inputs(app):
    upload_csv(app)
    before = app.session_state["workspace"].csv_dataset
    assert "tenure" in before.feature_names
    app.session_state["csv_roles.churn"] = {"edited_rows": {4: {"role": "ignore"}},
                                            "added_rows": [], "deleted_rows": []}
    app.run()
    no_exceptions(app)
    assert "tenure" not in app.session_state["workspace"].csv_dataset.feature_names
    app.radio(key="csv_missing").set_value("drop").run()
    dataset = app.session_state["workspace"].csv_dataset
    assert len(dataset.y) < N_ROWS and "spend (missing)" not in dataset.feature_names
    assert any(n.startswith("Dropped ") for n in dataset.notes)


def test_evaluate_shows_the_baseline_the_model_beats(app):
    upload_csv(app)
    build_and_train(app)
    app.switch_page("app_pages/evaluate.py").run()
    no_exceptions(app)
    table = app.dataframe[0].value
    test = table[table["split"] == "test"].iloc[0]
    accuracy = float(test["accuracy"].rstrip("%"))
    trivial = float(test["baseline accuracy"].rstrip("%"))
    assert accuracy > trivial + 10, (accuracy, trivial)
    assert any("Baseline: the trivial model that always answers the training split's most "
               "common class (" in c for c in texts(app.caption))


def test_predict_new_rows_shows_predictions_and_metrics(app):
    upload_csv(app)
    build_and_train(app)
    app.switch_page("app_pages/evaluate.py").run()
    app.file_uploader(key="predict_file").upload("new.csv", churn_csv(50, seed=9), "text/csv")
    app.run()
    no_exceptions(app)
    predictions = predictions_shown(app)
    assert len(predictions) == 50
    assert set(predictions["prediction"]) <= {"no", "yes"}
    assert {"P(no)", "P(yes)"} <= set(predictions.columns)
    accuracy = [m for m in app.metric if m.label == "Accuracy on these rows"][0].value
    assert float(accuracy.rstrip("%")) > 70


def test_a_bad_prediction_file_is_named_and_changes_nothing(app):
    upload_csv(app)
    record = build_and_train(app, epochs=2)
    app.switch_page("app_pages/evaluate.py").run()
    bad = b"id,since,plan\n1,2024-01-01,basic\n"
    app.file_uploader(key="predict_file").upload("partial.csv", bad, "text/csv").run()
    no_exceptions(app)
    errors = " ".join(texts(app.error))
    assert "partial.csv: The table lacks the column(s) 'tenure', 'spend' that the model reads" \
        in errors
    assert app.session_state["workspace"].model is record


def test_a_fresh_session_loads_a_table_model_and_predicts_raw_rows(app):
    from streamlit.testing.v1 import AppTest
    from app_support import ENTRY, TIMEOUT
    upload_csv(app)
    record = build_and_train(app)
    model_file = model_to_bytes(record.job.network_copy())

    fresh = AppTest.from_file(ENTRY, default_timeout=TIMEOUT)
    fresh.run()
    fresh.file_uploader(key="model_file").upload("churn-model.npz", model_file,
                                                 "application/octet-stream").run()
    no_exceptions(fresh)
    assert any("It was trained on a CSV table (target churn)" in t for t in texts(fresh.success))
    loaded = fresh.session_state["workspace"].model
    assert not loaded.has_data and loaded.info.class_names == ("no", "yes")
    fresh.switch_page("app_pages/evaluate.py").run()
    assert any("needs the table it was trained on" in t for t in texts(fresh.info))
    fresh.file_uploader(key="predict_file").upload("raw.csv", churn_csv(40, seed=4,
                                                                        with_target=False),
                                                   "text/csv").run()
    no_exceptions(fresh)
    fresh_predictions = predictions_shown(fresh)["prediction"]

    app.switch_page("app_pages/evaluate.py").run()
    app.file_uploader(key="predict_file").upload("raw.csv", churn_csv(40, seed=4,
                                                                      with_target=False),
                                                 "text/csv").run()
    assert fresh_predictions.tolist() == \
        predictions_shown(app)["prediction"].tolist()


def test_confident_mistakes_point_at_lines_of_the_file(app):
    upload_csv(app)
    build_and_train(app, epochs=1)
    app.switch_page("app_pages/evaluate.py").run()
    no_exceptions(app)
    tables = [d.value for d in app.dataframe if "line in the file" in d.value.columns]
    assert tables, "the mistakes table names the file's lines"
    lines = tables[0]["line in the file"].tolist()
    raw = churn_csv().decode().splitlines()
    first = tables[0].iloc[0]
    assert raw[lines[0] - 1].endswith("," + first["true"])   # that line's target is "true"
    assert all(2 <= line <= N_ROWS + 1 for line in lines)
