"""Helpers for the AppTest suite: models built and trained outside the browser, and
readers for what a page shows. (A module of its own name, so that test folders'
conftest modules never shadow it.)"""

import re
from pathlib import Path

import numpy as np

from data import load_dataset, prepare
from studio.jobs import JobScheduler
from studio.model_record import build_record
from studio.presets import preset
from studio.sessions import Workspace
from studio.spec import ModelSpec

ROOT = Path(__file__).resolve().parents[2]
ENTRY = str(ROOT / "streamlit_app.py")
TIMEOUT = 60


def make_record(spec=None, epochs=0, scheduler=None):
    """A model record for ``spec`` (Digits by default), trained for ``epochs`` epochs."""
    spec = spec or ModelSpec(hidden_layers=[16], epochs=max(epochs, 1), batch_size=32)
    dataset = load_dataset(spec.dataset, seed=spec.seed,
                           **({"noise": spec.noise, "n_samples": spec.n_samples}
                              if spec.dataset in ("moons", "spirals", "xor", "circles", "blobs",
                                                  "tutorial_two_lines", "regression_curve")
                              else {}))
    prepared = prepare(dataset, scaling=spec.scaling, val_fraction=spec.val_fraction,
                       test_fraction=spec.test_fraction, seed=spec.seed,
                       dtype=np.dtype(spec.dtype))
    record = build_record(spec, prepared, scheduler or JobScheduler(2))
    if epochs:
        record.job.start()
        assert record.job.join(timeout=120)
    return record


def trained_record(name):
    """A record of the trained preset ``name`` (its file in studio/trained/), with its data."""
    from studio.model_record import attach_data, model_record
    from studio.trained import load_trained, prepare_for
    trained = load_trained(name)
    record = model_record(trained.spec, trained.info, trained.preprocessing, JobScheduler(1),
                          network=trained.network)
    attach_data(record, prepare_for(trained.spec))
    return record


def give(at, model, runs=None):
    """Start ``at``'s session with ``model`` current and ``runs`` (default: just ``model``)."""
    workspace = Workspace()
    workspace.model = model
    workspace.runs = dict(runs) if runs is not None else {model.run_id: model}
    at.session_state["workspace"] = workspace
    return workspace


def digits_preset():
    return preset("Digits: quick start")


def texts(elements):
    """The text of each element as a reader sees it (Markdown escapes and joiners removed)."""
    return [re.sub(r"\\(.)", r"\1", str(getattr(e, "value", ""))).replace("\u2060", "")
            for e in elements]


def no_exceptions(at):
    assert not at.exception, [e.value for e in at.exception]


def chart_specs(at):
    """The figure dict of every Plotly chart on the page, arrays decoded to ndarrays."""
    import base64
    import json

    def decode(value):
        if isinstance(value, dict) and "bdata" in value and "dtype" in value:
            array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
            shape = value.get("shape")
            if shape:
                array = array.reshape([int(n) for n in str(shape).split(",")])
            return array
        if isinstance(value, dict):
            return {k: decode(v) for k, v in value.items()}
        if isinstance(value, list):
            return [decode(v) for v in value]
        return value

    return [decode(json.loads(chart.proto.spec)) for chart in at.get("plotly_chart")]


def vega_charts(at):
    """(spec dict, points DataFrame) of every Vega-Lite chart on the page (the live charts)."""
    import json

    import pyarrow as pa
    charts = []
    for chart in at.get("vega_lite_chart"):
        data = chart.proto.data.data
        points = pa.ipc.open_stream(data).read_all().to_pandas() if data else None
        charts.append((json.loads(chart.proto.spec), points))
    return charts


def svg_images(at):
    """The SVG documents shown with ``st.image`` on the page (the Build page's pictures)."""
    import base64
    prefix = "data:image/svg+xml;base64,"
    return [base64.b64decode(url[len(prefix):]).decode()
            for element in at.get("image") for url in element.value if url.startswith(prefix)]


# Strokes as fractions of the canvas, like a visitor's mouse (the browser tests draw the same).
SEVEN = [[(0.25, 0.21), (0.75, 0.21), (0.43, 0.82)]]
ONE = [[(0.5, 0.18), (0.5, 0.82)]]


def canvas_value(pixels):
    """What the drawing canvas sends for an RGBA ``pixels`` array of shape (280, 280, 4)."""
    import base64
    import io

    from PIL import Image
    png = io.BytesIO()
    Image.fromarray(pixels, "RGBA").save(png, format="PNG")
    url = "data:image/png;base64," + base64.b64encode(png.getvalue()).decode()
    return {"drawing": {"raw": {"objects": [{"type": "path"}]}, "data": url},
            "backgroundFit": None}


def drawing(strokes, size=280, width=20):
    """RGBA pixels (size, size, 4): white ``strokes`` of ``width`` px on black, as drawn."""
    from PIL import Image, ImageDraw
    image = Image.new("RGBA", (size, size), (0, 0, 0, 255))
    pen = ImageDraw.Draw(image)
    for stroke in strokes:
        points = [(x * size, y * size) for x, y in stroke]
        pen.line(points, fill=(255, 255, 255, 255), width=width, joint="curve")
        for x, y in points:
            pen.ellipse((x - width / 2, y - width / 2, x + width / 2, y + width / 2),
                        fill=(255, 255, 255, 255))
    return np.asarray(image)


def draw(at, strokes):
    """Put ``strokes`` on the Draw page's (blank) canvas and rerun; return the digit read."""
    at.session_state[f"canvas_{at.session_state['canvas_generation']}"] = \
        canvas_value(drawing(strokes))
    at.run()
    no_exceptions(at)
    reads = [m for m in at.metric if m.label == "The network reads"]
    assert reads, "no reading shown"
    return reads[0].value
