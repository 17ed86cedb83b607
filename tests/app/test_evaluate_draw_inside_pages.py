"""Evaluate, Draw and Inside pages in AppTest, with trained models pre-filled."""

import numpy as np
from app_support import (canvas_value, chart_specs, give, make_record, no_exceptions, texts,
                         trained_record)

from studio.spec import ModelSpec


def open_page(app, record, page):
    give(app, record)
    app.run()
    app.switch_page(f"app_pages/{page}.py").run()
    no_exceptions(app)


def chart_titles(app):
    titles = []
    for spec in chart_specs(app):
        title = spec.get("layout", {}).get("title", {})
        titles.append(title.get("text", "") if isinstance(title, dict) else str(title))
    return titles


def test_evaluate_classification_shows_accuracy_confusion_and_mistakes(app):
    record = make_record(epochs=3)
    open_page(app, record, "evaluate")
    table = app.dataframe[0].value
    assert list(table["split"]) == ["train", "validation", "test"]
    expected = record.network.score(record.prepared.x_test, record.prepared.y_test, accuracy=True)
    assert table.loc[table["split"] == "test", "accuracy"].item() == f"{expected:.2%}"
    confusion = chart_specs(app)[0]["data"][0]
    assert confusion["type"] == "heatmap"
    assert np.asarray(confusion["z"]).sum() == len(record.prepared.y_test)
    per_class = app.dataframe[1].value
    assert list(per_class["class"]) == [str(d) for d in range(10)]
    assert any("mistake" in t.lower() for t in chart_titles(app))


def test_evaluate_regression_reports_rmse_and_residuals(app):
    spec = ModelSpec(dataset="diabetes", hidden_layers=[16], output_activation="identity",
                     loss="mean_squared_error", epochs=3, batch_size=32)
    record = make_record(spec, epochs=3)
    open_page(app, record, "evaluate")
    table = app.dataframe[0].value
    assert {"MSE", "RMSE", "MAE", "R²"} <= set(table.columns)
    rmse = table.loc[table["split"] == "test", "RMSE"].item()
    # The network learnt the target standardised; Evaluate reports it in its own units.
    p = record.prepared
    predicted = p.preprocessing.unscale_target(record.network.predict(p.x_test))[:, 0]
    mse = np.mean((predicted - p.y_test) ** 2)
    assert abs(rmse - round(np.sqrt(mse), 4)) < 1e-3
    assert rmse > 20                  # disease progression units, not standardised ones
    assert len(app.get("plotly_chart")) >= 2


def test_evaluate_lists_every_run_of_the_session(app):
    first = make_record(epochs=1)
    second = make_record(ModelSpec(hidden_layers=[8], epochs=2), epochs=2)
    give(app, second, {first.run_id: first, second.run_id: second})
    app.run()
    app.switch_page("app_pages/evaluate.py").run()
    no_exceptions(app)
    runs = app.dataframe[-1].value
    assert len(runs) == 2 and set(runs["epochs"]) == {1, 2}
    assert list(runs.columns) == ["run", "hidden layers", "optimizer", "learning rate",
                                  "batch size", "epochs", "parameters", "training loss",
                                  "validation loss", "validation accuracy", "test accuracy"]
    second_row = runs[runs["epochs"] == 2].iloc[0]
    accuracy = second.network.score(second.prepared.x_test, second.prepared.y_test,
                                    accuracy=True)
    assert second_row["test accuracy"] == f"{accuracy:.1%}"


def test_draw_reads_an_injected_drawing(app):
    record = trained_record("Digits: quick start")
    open_page(app, record, "draw")
    assert any("Draw a digit" in i for i in texts(app.info))
    pixels = np.zeros((280, 280, 4), dtype=np.uint8)
    pixels[..., 3] = 255
    pixels[60:220, 130:150, :3] = 255           # a thick vertical stroke: a "1"
    app.session_state["canvas_0"] = canvas_value(pixels)
    app.run()
    no_exceptions(app)
    assert app.metric[0].label == "The network reads"
    assert app.metric[0].value == "1"
    bars = [b for b in chart_specs(app) if b["data"][0].get("type") == "bar"]
    probabilities = np.asarray(bars[0]["data"][0]["y"], dtype=float)
    assert abs(probabilities.sum() - 1) < 1e-5
    assert int(np.argmax(probabilities)) == 1


def test_draw_with_a_non_image_model_offers_to_switch(app):
    record = make_record(ModelSpec(dataset="moons", hidden_layers=[4], epochs=1))
    open_page(app, record, "draw")
    assert any("not a set of digit images" in w for w in texts(app.warning))
    app.button(key="draw_switch").click().run()
    no_exceptions(app)
    assert app.session_state["spec"].dataset == "digits"


def test_inside_a_2d_model_shows_boundary_neurons_gradients_and_code(app):
    spec = ModelSpec(dataset="moons", hidden_layers=[4, 3], hidden_activations=["tanh", "relu"],
                     epochs=5, n_samples=300)
    record = make_record(spec, epochs=5)
    open_page(app, record, "inside")
    titles = " ".join(chart_titles(app)).lower()
    assert "decision regions" in titles
    assert len(app.get("plotly_chart")) >= 3   # boundary, two layers of neurons, weights
    app.button(key="inside_gradcheck").click().run()
    no_exceptions(app)
    table = app.dataframe[0].value
    assert list(table["layer"]) == [1, 2, 3]
    assert set(table["verdict"]) == {"ok"}
    app.run()                       # any other interaction: the check stays on the page
    assert list(app.dataframe[0].value["layer"]) == [1, 2, 3]
    code = [c.value for c in app.code if "NeuralNetwork(" in c.value][0]
    assert "from mlp import NeuralNetwork" in code and "tanh, d_tanh" in code


def test_inside_an_image_model_shows_first_layer_weights(app):
    record = make_record(epochs=1)
    open_page(app, record, "inside")
    assert any("first-layer" in t.lower() for t in chart_titles(app))


def test_a_message_on_a_page_that_stops_early_is_shown_once(app):
    # Without a model, Evaluate says so and stops (st.stop): the run ended as the page
    # meant it to, so the message queued for it is not shown again on the next run.
    app.run()
    app.switch_page("app_pages/evaluate.py")
    app.session_state["notices"] = [("info", "A message for this page.")]
    app.run()
    no_exceptions(app)
    assert "A message for this page." in texts(app.info)
    assert any("Build a network first" in t for t in texts(app.info))
    app.run()
    assert "A message for this page." not in texts(app.info)
