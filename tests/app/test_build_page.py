"""The Build page in AppTest: dataset, architecture, presets, limits, share links, building."""

from app_support import give, make_record, no_exceptions, svg_images, texts

from studio.spec import ModelSpec


def test_default_page_shows_the_digits_form_diagram_and_share_link(app):
    app.run()
    no_exceptions(app)
    assert app.selectbox(key="build.dataset").value == "digits"
    diagram, = [svg for svg in svg_images(app) if "parameters · about" in svg]
    assert ">64 inputs<" in diagram and ">64 relu<" in diagram and ">10 softmax<" in diagram
    assert any(">24 of 1,797 images<" in svg for svg in svg_images(app)), "the sample digits"
    # A first visit loads none of Plotly's JavaScript: the page's pictures are SVG.
    assert not app.get("plotly_chart")
    links = [c.value for c in app.code]
    assert any(link.startswith("http://studio.test:8501?ds=digits") for link in links)
    assert not app.error


def test_building_creates_an_idle_model(app):
    app.run()
    app.button(key="build_button").click().run()
    no_exceptions(app)
    record = app.session_state["workspace"].model
    assert record.network.layers == [64, 64, 10]
    assert record.job.status.value == "idle"
    assert "Network built" in " ".join(texts(app.success))


def test_architecture_edits_reach_the_spec(app):
    app.run()
    app.number_input(key="build.n_hidden").set_value(2).run()
    app.number_input(key="build.units.1").set_value(7).run()
    app.selectbox(key="build.act.1").select("tanh").run()
    no_exceptions(app)
    spec = app.session_state["spec"]
    assert spec.hidden_layers == [64, 7] and spec.hidden_activations == ["relu", "tanh"]


def test_an_absurd_architecture_is_refused_with_a_clear_message(app):
    app.run()
    app.number_input(key="build.n_hidden").set_value(6).run()
    for i in range(6):
        app.number_input(key=f"build.units.{i}").set_value(1024)
    app.run()
    no_exceptions(app)
    assert any("parameters; the limit is 2,000,000" in e for e in texts(app.error))
    assert app.button(key="build_button").disabled


def test_loading_a_preset_fills_the_form(app):
    app.run()
    app.selectbox(key="preset_choice").select("Two spirals: see the boundary bend").run()
    app.button(key="load_preset").click().run()
    no_exceptions(app)
    assert app.selectbox(key="build.dataset").value == "spirals"
    assert app.session_state["spec"].hidden_activations == ["tanh", "tanh"]


def test_switching_to_a_regression_dataset_switches_the_output(app):
    app.run()
    app.selectbox(key="build.dataset").select("diabetes").run()
    no_exceptions(app)
    assert app.selectbox(key="build.output").value == "identity|mean_squared_error"
    assert app.session_state["spec"].loss == "mean_squared_error"


def test_a_share_link_restores_the_configuration(app):
    app.query_params.update({"ds": "moons", "h": "12,6", "act": "tanh,relu", "opt": "sgd",
                             "lr": "0.05", "bs": "16", "ep": "40", "seed": "7"})
    app.run()
    no_exceptions(app)
    assert not app.warning
    spec = app.session_state["spec"]
    assert (spec.dataset, spec.hidden_layers, spec.hidden_activations, spec.optimizer,
            spec.learning_rate, spec.batch_size, spec.epochs, spec.seed) == \
        ("moons", [12, 6], ["tanh", "relu"], "sgd", 0.05, 16, 40, 7)
    assert app.number_input(key="build.units.0").value == 12


def test_a_garbled_share_link_warns_and_keeps_working(app):
    app.query_params.update({"h": "99999999,x", "lr": "NaN", "ds": "<script>", "zz": "1"})
    app.run()
    no_exceptions(app)
    warnings = " ".join(texts(app.warning))
    assert "Share link: Ignored" in warnings and "learning rate" in warnings
    assert app.session_state["spec"] == ModelSpec()


def test_replacing_a_trained_model_asks_first(app):
    record = make_record(epochs=1)
    give(app, record)
    app.run()
    app.button(key="build_button").click().run()
    no_exceptions(app)
    assert app.session_state["workspace"].model is record
    assert any("trained model" in w for w in texts(app.warning))
    keep = [b for b in app.button if b.label == "Keep the trained model"][0]
    keep.click().run()
    assert app.session_state["workspace"].model is record
    app.button(key="build_button").click().run()
    replace = [b for b in app.button if b.label == "Replace it"][0]
    replace.click().run()
    no_exceptions(app)
    assert app.session_state["workspace"].model is not record
    assert record.run_id in app.session_state["workspace"].runs


def test_trying_the_csv_option_keeps_the_rest_of_the_form(app):
    app.run()
    app.number_input(key="build.epochs").set_value(77).run()
    app.selectbox(key="build.optimizer").select("sgd").run()
    app.selectbox(key="build.dataset").select("csv").run()
    no_exceptions(app)
    app.selectbox(key="build.dataset").select("digits").run()
    no_exceptions(app)
    assert app.number_input(key="build.epochs").value == 77
    assert app.selectbox(key="build.optimizer").value == "sgd"
    assert app.session_state["spec"].epochs == 77


def test_mnist_says_its_test_set_is_its_own_instead_of_a_share(app):
    app.run()
    assert [s for s in app.slider if s.label == "Test share"]
    app.selectbox(key="build.dataset").select("mnist").run()
    no_exceptions(app)
    assert not [s for s in app.slider if s.label == "Test share"]
    assert "Test set: MNIST's own 10,000 test images." in texts(app.caption)


def test_a_linear_schedule_chosen_on_build_spans_the_planned_updates(app):
    app.run()
    app.selectbox(key="build.optimizer").select("sgd").run()
    app.selectbox(key="build.lr_schedule").select("linear").run()
    app.number_input(key="build.epochs").set_value(4).run()
    app.button(key="build_button").click().run()
    no_exceptions(app)
    record = app.session_state["workspace"].model
    assert record.spec.lr_schedule == "linear"
    n_train, batch = len(record.prepared.x_train), record.spec.batch_size
    assert record.network.optimizer.decay_steps == 4 * -(-n_train // batch)
    assert any("sched=linear" in c.value for c in app.code), "the share link carries it"
