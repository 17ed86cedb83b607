"""The Build page's SVG pictures: the network diagram and the sample-image mosaic."""

import base64
import io
import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from PIL import Image

from studio.figures.architecture import count_parameters, format_bytes, memory_estimate
from studio.figures.svg import image_mosaic_svg, network_svg

NS = {"s": "http://www.w3.org/2000/svg"}


def parse(svg):
    return ET.fromstring(svg)


def texts(root):
    return [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]


def segments(root):
    path = root.find("s:path", NS)
    return re.findall(r"M([\d.]+) ([\d.]+)L([\d.]+) ([\d.]+)", path.get("d"))


def test_network_svg_draws_max_drawn_neurons_of_wide_layers():
    root = parse(network_svg([784, 100, 10], ["relu", "softmax"], max_drawn=8))
    circles = root.findall("s:circle", NS)
    assert len(circles) == 8 + 8 + 8
    assert sorted({c.get("cx") for c in circles}) == ["250.0", "420.0", "80.0"]
    assert texts(root).count("⋮") == 3
    for caption in ("784 inputs", "100 relu", "10 softmax", "78,500 params", "1,010 params"):
        assert caption in texts(root)
    assert len(segments(root)) == 8 * 8 + 8 * 8


def test_network_svg_title_gives_total_parameters_and_memory():
    svg = network_svg([784, 100, 10], ["relu", "softmax"], batch_size=64)
    title = texts(parse(svg))[0]
    assert sum(count_parameters([784, 100, 10])) == 79_510
    assert title == (f"79,510 parameters · about {format_bytes(memory_estimate([784, 100, 10], 64))}"
                     " to train (batch 64)")
    assert parse(svg).get("aria-label").startswith("Network: 784 → 100 → 10.")


def test_network_svg_joins_every_drawn_neuron_to_the_next_column():
    root = parse(network_svg([3, 2, 1], ["tanh", "sigmoid"]))
    assert len(root.findall("s:circle", NS)) == 6
    assert len(segments(root)) == 3 * 2 + 2 * 1
    assert "⋮" not in texts(root)
    assert {"3 inputs", "2 tanh", "1 sigmoid", "1 input"} & set(texts(root)) == \
        {"3 inputs", "2 tanh", "1 sigmoid"}
    ends = {(x1, y1) for x0, y0, x1, y1 in segments(root)}
    centres = {(c.get("cx"), c.get("cy")) for c in root.findall("s:circle", NS)}
    assert ends <= centres, "every connection ends in a neuron"


def test_network_svg_shows_names_as_text_only():
    root = parse(network_svg([2, 1], ['<a href="http://ev.il">x</a>']))
    assert '1 <a href="http://ev.il">x</a>' in texts(root)
    assert root.find(".//s:a", NS) is None


def test_network_svg_checks_its_arguments():
    with pytest.raises(ValueError, match=r"one name per non-input layer \(2\). Received 1"):
        network_svg([4, 3, 2], ["relu"])
    with pytest.raises(ValueError, match="at least two positive whole sizes"):
        network_svg([4], [])
    with pytest.raises(ValueError, match="max_drawn must be at least 2"):
        network_svg([4, 2], ["relu"], max_drawn=1)


def sheet_of(svg):
    """The embedded PNG as an (height, width, 2) grey + alpha array."""
    href = parse(svg).find("s:image", NS).get("href")
    assert href.startswith("data:image/png;base64,")
    image = Image.open(io.BytesIO(base64.b64decode(href.split(",", 1)[1])))
    assert image.mode == "LA"
    return np.asarray(image)


def test_mosaic_labels_each_image_and_draws_ink_dark():
    images = np.zeros((5, 4))
    images[0, 0] = 16.0                       # one full-ink pixel, top left of the first image
    svg = image_mosaic_svg(images, [3, 1, 4, 1, 5], (2, 2), n=4, columns=2, tile_px=20)
    root = parse(svg)
    assert texts(root) == ["4 of 5 images", "3", "1", "4", "1"]
    sheet = sheet_of(svg)
    # tile 20 px for 2 px images: scale 10; padding 1 px each side, 2 px label band, 1 px below
    assert sheet.shape == (2 * (2 + 2 + 1), 2 * (2 + 2), 2)
    assert sheet[2, 1, 0] == 0 and sheet[2, 1, 1] == 255, "the inked pixel is black and opaque"
    assert sheet[2, 2, 0] == 255, "blank pixels are white"
    assert (sheet[0, :, 1] == 0).all(), "the label band is transparent (the page shows through)"
    assert int((sheet[..., 1] == 255).sum()) == 4 * 4, "four opaque 2x2 tiles"


def test_mosaic_uses_class_names_and_one_hot_labels():
    svg = image_mosaic_svg(np.ones((3, 4)), np.eye(2)[[0, 1, 0]], (2, 2), class_names=["cat", "dog"])
    assert texts(parse(svg))[1:] == ["cat", "dog", "cat"]


def test_mosaic_without_labels_with_nan_and_with_no_images():
    images = np.array([[np.nan, 1.0, 0.0, 1.0]])
    svg = image_mosaic_svg(images, None, (2, 2), title="Inputs")
    assert texts(parse(svg)) == ["Inputs"]
    sheet = sheet_of(svg)
    opaque = sheet[sheet[..., 1] == 255][:, 0]
    assert sorted(opaque.tolist()) == [0, 0, 255, 255], "NaN reads as the lowest value (white)"
    empty = parse(image_mosaic_svg(np.zeros((0, 4)), [], (2, 2)))
    assert empty.find("s:image", NS) is None and "No images to show" in texts(empty)


def test_mosaic_checks_shapes():
    with pytest.raises(ValueError):
        image_mosaic_svg(np.zeros((3, 10)), [0, 1, 2], (8, 8))
    with pytest.raises(ValueError):
        image_mosaic_svg(np.zeros((3, 4)), [0, 1], (2, 2))


@pytest.mark.parametrize("svg", [
    lambda: network_svg([784, 256, 10], ["relu", "softmax"]),
    lambda: image_mosaic_svg(np.random.default_rng(0).random((24, 784)), np.arange(24) % 10,
                             (28, 28)),
])
def test_svg_refers_to_nothing_outside_itself_and_follows_dark_mode(svg):
    text = svg()
    assert re.findall(r"https?://[^\"' ]+", text) == ["http://www.w3.org/2000/svg"]
    assert "@media (prefers-color-scheme: dark)" in text
    parse(text)  # well-formed
