"""studio.drawing: canvas and uploaded pictures turned into MNIST- and Digits-style inputs.

Centres of mass and bounding boxes are recomputed here with plain NumPy, independently
of the module's own helpers.
"""

import gzip
import io
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image
from real_data import real_datasets_dir

from studio.drawing import (MIN_INK_PIXELS, DrawingInput, drawing_to_input, image_file_to_array,
                            to_grayscale)

MNIST_DIR = real_datasets_dir() / "mnist"  # $MLP_STUDIO_DATA or ../shared/datasets
CANVAS = 280


# ------------------------------------------------------------------ helpers
def centre_of_mass(pixels):
    """(row, column) of the intensity-weighted mean position, pixel indices from 0."""
    pixels = np.asarray(pixels, dtype=np.float64)
    rows, cols = np.indices(pixels.shape)
    total = pixels.sum()
    return (rows * pixels).sum() / total, (cols * pixels).sum() / total


def ink_box(pixels, threshold=0.0):
    """(height, width) of the bounding box of pixels above ``threshold``."""
    rows = np.flatnonzero((pixels > threshold).any(axis=1))
    cols = np.flatnonzero((pixels > threshold).any(axis=0))
    return rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1


def rgba_canvas(mask, background_rgb=(0, 0, 0)):
    """The canvas component's output: (H, W, 4) uint8, opaque white strokes on transparency."""
    canvas = np.zeros(mask.shape + (4,), dtype=np.uint8)
    canvas[..., :3] = background_rgb
    canvas[mask] = (255, 255, 255, 255)
    return canvas


def draw_seven(size=CANVAS, top=60, left=70, scale=1.0, width=18):
    """A thick '7' (top bar and a diagonal): its centre of mass is far from its box centre."""
    mask = np.zeros((size, size), dtype=bool)
    rows, cols = np.indices(mask.shape)
    bar_w, height = int(130 * scale), int(170 * scale)
    mask[top:top + width, left:left + bar_w] = True
    # Diagonal from the bar's right end down-left to the bottom.
    t = (rows - top) / max(height, 1)
    x_line = left + bar_w - t * (bar_w * 0.6)
    mask |= (rows >= top) & (rows < top + height) & (np.abs(cols - x_line) < width / 2)
    return mask


def draw_ring(size=CANVAS, centre=(140, 140), radius=70, width=20):
    rows, cols = np.indices((size, size))
    r = np.hypot(rows - centre[0], cols - centre[1])
    return np.abs(r - radius) < width / 2


def assert_mnist_like(result, pixel_max=255):
    assert isinstance(result, DrawingInput) and not result.is_blank
    pixels = result.pixels
    assert pixels.shape == (28, 28)
    assert pixels.min() >= 0 and pixels.max() <= pixel_max
    assert pixels.max() == pytest.approx(pixel_max)
    assert max(ink_box(pixels)) in (19, 20, 21)
    cy, cx = centre_of_mass(pixels)
    assert abs(cy - 14) <= 1 and abs(cx - 14) <= 1, (cy, cx)


# -------------------------------------------------------------- to_grayscale
def test_grayscale_from_gray_rgb_and_rgba():
    gray = np.array([[0, 128], [255, 64]], dtype=np.uint8)
    np.testing.assert_allclose(to_grayscale(gray), gray / 255)
    rgb = np.zeros((2, 2, 3), dtype=np.uint8)
    rgb[0, 0] = (10, 200, 30)    # a green stroke counts by its brightest channel
    np.testing.assert_allclose(to_grayscale(rgb), [[200 / 255, 0], [0, 0]])
    rgba = np.zeros((2, 2, 4), dtype=np.uint8)
    rgba[0, 0] = (255, 255, 255, 255)
    rgba[0, 1] = (255, 255, 255, 0)      # transparent white: background, i.e. black
    rgba[1, 0] = (255, 0, 0, 128)        # half-transparent red
    np.testing.assert_allclose(to_grayscale(rgba), [[1, 0], [128 / 255, 0]])


def test_grayscale_floats_and_bools():
    np.testing.assert_allclose(to_grayscale(np.array([[0.25, 2.0], [-1.0, 1.0]])),
                               [[0.25, 1.0], [0.0, 1.0]])
    np.testing.assert_array_equal(to_grayscale(np.eye(2, dtype=bool)), np.eye(2))


@pytest.mark.parametrize("shape", [(5,), (4, 4, 5), (2, 2, 2, 2), (0, 5), (3, 0, 4)])
def test_bad_shapes_raise_with_the_shape(shape):
    with pytest.raises(ValueError, match=re.escape(f"Received: image.shape={shape}")):
        drawing_to_input(np.zeros(shape, dtype=np.uint8))


def test_bad_values_raise():
    with pytest.raises(ValueError, match="NaN"):
        to_grayscale(np.full((3, 3), np.nan))
    with pytest.raises(ValueError, match="numeric"):
        to_grayscale(np.array([["a", "b"]]))


@pytest.mark.parametrize("kwargs, match", [
    ({"image_shape": (28,)}, "image_shape"), ({"image_shape": (0, 28)}, "image_shape"),
    ({"image_shape": (2.5, 3)}, "image_shape"), ({"image_shape": None}, "image_shape"),
    ({"pixel_max": 0}, "pixel_max"), ({"pixel_max": float("nan")}, "pixel_max"),
])
def test_bad_targets_raise(kwargs, match):
    with pytest.raises(ValueError, match=match):
        drawing_to_input(rgba_canvas(draw_ring()), **kwargs)


# --------------------------------------------------------------------- MNIST
def test_centred_seven_gets_a_20px_box_and_mass_centre_at_14_14():
    result = drawing_to_input(rgba_canvas(draw_seven()))
    assert_mnist_like(result)
    assert result.flat.shape == (1, 784)
    np.testing.assert_array_equal(result.flat[0], result.pixels.ravel())


def test_mass_not_box_is_centred():
    """For a '7' the box centre and the mass centre differ; the mass centre is what moves."""
    pixels = drawing_to_input(rgba_canvas(draw_seven())).pixels
    rows = np.flatnonzero(pixels.any(axis=1))
    box_centre_row = (rows[0] + rows[-1]) / 2
    assert abs(centre_of_mass(pixels)[0] - 14) <= 1
    assert box_centre_row > 14.5  # the heavy top bar pulls the box down to centre the mass


def test_ring_is_round_and_centred():
    pixels = drawing_to_input(rgba_canvas(draw_ring())).pixels
    assert ink_box(pixels) in {(20, 20), (19, 19), (20, 19), (19, 20)}
    cy, cx = centre_of_mass(pixels)
    assert abs(cy - 14) <= 0.6 and abs(cx - 14) <= 0.6


@pytest.mark.parametrize("corner", [(0, 0), (0, 1), (1, 0), (1, 1)])
def test_stroke_in_a_corner_is_recentred(corner):
    mask = draw_seven(top=5 + corner[0] * 190, left=5 + corner[1] * 200, scale=0.45, width=10)
    assert_mnist_like(drawing_to_input(rgba_canvas(mask)))


def test_tiny_dot_cluster_is_scaled_up():
    mask = np.zeros((CANVAS, CANVAS), dtype=bool)
    mask[200:203, 30:33] = True   # a 3x3 dot: 9 pixels, above the blank threshold
    assert_mnist_like(drawing_to_input(rgba_canvas(mask)))


@pytest.mark.parametrize("angle", [0, 30, 90, 135])
def test_short_thin_line_is_scaled_to_the_box(angle):
    mask = np.zeros((CANVAS, CANVAS), dtype=bool)
    t = np.linspace(0, 12, 50)
    rows = np.round(240 + t * np.sin(np.radians(angle))).astype(int)
    cols = np.round(20 + t * np.cos(np.radians(angle))).astype(int)
    mask[rows, cols] = True   # one pixel wide, 12 pixels long
    result = drawing_to_input(rgba_canvas(mask))
    assert_mnist_like(result)


def test_very_thin_long_stroke_keeps_full_intensity():
    """A 1-px stroke on a big canvas is spread thin by downscaling; it must still read as ink."""
    mask = draw_ring(width=1.5, radius=120)
    result = drawing_to_input(rgba_canvas(mask))
    assert_mnist_like(result)
    assert np.count_nonzero(result.pixels > 127) >= 20


def test_grey_and_rgb_canvases_give_the_same_input():
    mask = draw_seven()
    gray = mask.astype(np.uint8) * 255
    rgb = np.repeat(gray[:, :, None], 3, axis=2)
    a = drawing_to_input(rgba_canvas(mask)).pixels
    np.testing.assert_allclose(drawing_to_input(gray).pixels, a)
    np.testing.assert_allclose(drawing_to_input(rgb).pixels, a)
    np.testing.assert_allclose(drawing_to_input(gray / 255.0).pixels, a)


def test_alpha_weights_the_strokes():
    """A transparent background counts as black even when its RGB is white."""
    mask = draw_seven()
    canvas = rgba_canvas(mask, background_rgb=(255, 255, 255))
    assert_mnist_like(drawing_to_input(canvas))
    np.testing.assert_allclose(drawing_to_input(canvas).pixels,
                               drawing_to_input(rgba_canvas(mask)).pixels)


@pytest.mark.parametrize("pixel_max", [1, 1.0, 16, 255])
def test_output_range_respects_pixel_max(pixel_max):
    result = drawing_to_input(rgba_canvas(draw_ring()), pixel_max=pixel_max)
    assert result.pixels.dtype == np.float64
    assert result.pixels.min() >= 0 and result.pixels.max() == pytest.approx(pixel_max)


# --------------------------------------------------------------------- blank
def test_empty_canvases_are_blank():
    for canvas in (np.zeros((CANVAS, CANVAS, 4), dtype=np.uint8),
                   rgba_canvas(np.zeros((CANVAS, CANVAS), dtype=bool), (255, 255, 255)),
                   np.zeros((CANVAS, CANVAS), dtype=np.uint8),
                   np.full((50, 50), 0.05)):   # faint noise everywhere, below the floor
        result = drawing_to_input(canvas)
        assert result.is_blank
        np.testing.assert_array_equal(result.pixels, np.zeros((28, 28)))
        assert result.flat.shape == (1, 784)


def test_a_few_stray_pixels_are_blank():
    mask = np.zeros((CANVAS, CANVAS), dtype=bool)
    mask[[10, 100, 250], [20, 200, 30]] = True
    assert MIN_INK_PIXELS > 3
    assert drawing_to_input(rgba_canvas(mask)).is_blank
    assert drawing_to_input(rgba_canvas(mask), (8, 8), 16).pixels.shape == (8, 8)


# -------------------------------------------------------------------- digits
def test_digits_target_counts_blocks_0_to_16():
    result = drawing_to_input(rgba_canvas(draw_seven(width=30)), (8, 8), 16)
    pixels = result.pixels
    assert pixels.shape == (8, 8) and not result.is_blank
    np.testing.assert_array_equal(pixels, np.round(pixels))
    assert pixels.min() >= 0 and pixels.max() == 16
    # Like every image of scikit-learn's Digits, the ink spans the full height.
    assert pixels[0].any() and pixels[-1].any()


def test_digits_ring_is_centred():
    pixels = drawing_to_input(rgba_canvas(draw_ring(centre=(60, 200), radius=40)), (8, 8), 16)
    cy, cx = centre_of_mass(pixels.pixels)
    assert abs(cy - 3.5) <= 0.5 and abs(cx - 3.5) <= 0.5


def test_digits_scaled_to_other_pixel_max():
    counts = drawing_to_input(rgba_canvas(draw_ring()), (8, 8), 16).pixels
    np.testing.assert_allclose(drawing_to_input(rgba_canvas(draw_ring()), (8, 8), 1).pixels,
                               counts / 16)


def test_generic_shape_fills_70_percent_and_centres_mass():
    pixels = drawing_to_input(rgba_canvas(draw_seven()), (20, 16), 1).pixels
    assert pixels.shape == (20, 16)
    h, w = ink_box(pixels)
    assert h == 14 or w == 11   # 70% of 20 rows or of 16 columns, whichever binds
    cy, cx = centre_of_mass(pixels)
    assert abs(cy - 10) <= 1 and abs(cx - 8) <= 1


@settings(max_examples=40, deadline=None)
@given(size=st.integers(40, 400), top=st.floats(0, 0.8), left=st.floats(0, 0.8),
       height=st.floats(0.02, 1.0), width=st.floats(0.02, 1.0), thickness=st.integers(1, 25))
def test_any_rectangle_outline_becomes_a_centred_digit(size, top, left, height, width,
                                                       thickness):
    mask = np.zeros((size, size), dtype=bool)
    r0, c0 = int(top * size), int(left * size)
    r1 = min(size, r0 + max(3, int(height * size)))
    c1 = min(size, c0 + max(3, int(width * size)))
    mask[r0:r1, c0:c1] = True
    mask[r0 + thickness:r1 - thickness, c0 + thickness:c1 - thickness] = False
    result = drawing_to_input(rgba_canvas(mask))
    if np.count_nonzero(mask) < MIN_INK_PIXELS:
        assert result.is_blank
        return
    assert_mnist_like(result)


# -------------------------------------------------------------------- upload
def png_bytes(array, mode=None, fmt="PNG"):
    buffer = io.BytesIO()
    picture = Image.fromarray(array) if mode is None else Image.fromarray(array).convert(mode)
    picture.save(buffer, fmt)
    return buffer.getvalue()


def test_black_digit_on_white_png_is_inverted():
    mask = draw_seven()
    paper = np.where(mask, 0, 255).astype(np.uint8)
    gray = image_file_to_array(png_bytes(paper))
    assert gray.shape == (CANVAS, CANVAS) and gray.dtype == np.float64
    np.testing.assert_allclose(gray, mask.astype(float))
    np.testing.assert_allclose(drawing_to_input(gray).pixels,
                               drawing_to_input(rgba_canvas(mask)).pixels)


def test_white_digit_on_black_rgb_png_is_kept():
    mask = draw_ring()
    rgb = np.repeat(np.where(mask, 255, 0).astype(np.uint8)[:, :, None], 3, axis=2)
    np.testing.assert_allclose(image_file_to_array(png_bytes(rgb)), mask.astype(float))


def test_grey_paper_photo_jpeg_is_levelled():
    """A dark-grey pen on light-grey paper, JPEG-compressed: background 0, ink near 1."""
    mask = draw_seven()
    photo = np.where(mask, 60, 200).astype(np.uint8)
    gray = image_file_to_array(png_bytes(photo, fmt="JPEG"))
    assert np.median(gray) == pytest.approx(0, abs=0.02)
    assert gray[mask].mean() > 0.9
    assert_mnist_like(drawing_to_input(gray))


def test_transparent_png_with_black_strokes():
    mask = draw_seven()
    rgba = np.zeros((CANVAS, CANVAS, 4), dtype=np.uint8)
    rgba[mask] = (0, 0, 0, 255)            # black ink, the rest fully transparent
    gray = image_file_to_array(png_bytes(rgba))
    np.testing.assert_allclose(gray, mask.astype(float))


def test_canvas_style_transparent_png_with_white_strokes():
    gray = image_file_to_array(png_bytes(rgba_canvas(draw_ring())))
    np.testing.assert_allclose(gray, draw_ring().astype(float))


def test_sixteen_bit_png():
    mask = draw_ring()
    gray = image_file_to_array(png_bytes(np.where(mask, 0, 65535).astype(np.uint16)))
    np.testing.assert_allclose(gray, mask.astype(float))


def test_uniform_picture_is_blank():
    gray = image_file_to_array(png_bytes(np.full((30, 30), 128, dtype=np.uint8)))
    assert not gray.any()
    assert drawing_to_input(gray).is_blank


def test_large_picture_is_scaled_down():
    mask = draw_ring(size=2000, centre=(1000, 1000), radius=600, width=120)
    gray = image_file_to_array(png_bytes(np.where(mask, 0, 255).astype(np.uint8)))
    assert max(gray.shape) == 1024
    assert_mnist_like(drawing_to_input(gray))


NOISE_PNG = png_bytes(np.random.default_rng(0).integers(0, 256, (64, 64), dtype=np.uint8))


@pytest.mark.parametrize("data", [b"", b"garbage" * 20, b"\x89PNG\r\n\x1a\n" + b"\0" * 40,
                                  NOISE_PNG[:len(NOISE_PNG) // 2]],
                         ids=["empty", "text", "bad-png-header", "truncated-png"])
def test_garbage_bytes_are_not_an_image(data):
    with pytest.raises(ValueError, match="not an image"):
        image_file_to_array(data)


def test_other_formats_and_types_are_refused():
    buffer = io.BytesIO()
    Image.fromarray(np.zeros((8, 8), dtype=np.uint8)).save(buffer, "BMP")
    with pytest.raises(ValueError, match="not an image.*PNG or JPEG"):
        image_file_to_array(buffer.getvalue())
    with pytest.raises(ValueError, match="not an image"):
        image_file_to_array("a string, not bytes")


def test_oversized_picture_is_refused_before_decoding():
    data = png_bytes(np.zeros((2, 4097), dtype=np.uint8))
    with pytest.raises(ValueError, match="too large: 4097 x 2 pixels"):
        image_file_to_array(data)


# --------------------------------------------------------------- real MNIST
def read_idx(path, offset):
    return np.frombuffer(gzip.open(path).read(), np.uint8, offset=offset)


@pytest.mark.skipif(not MNIST_DIR.is_dir(), reason=f"no MNIST files in {MNIST_DIR}")
def test_real_mnist_digits_survive_the_round_trip():
    """Upscale real test digits 10x as if drawn on the canvas: the pipeline should undo it."""
    images = read_idx(MNIST_DIR / "t10k-images-idx3-ubyte.gz", 16).reshape(-1, 28, 28)
    for digit in images[:20]:
        drawn = np.asarray(Image.fromarray(digit).resize((280, 280), Image.Resampling.BILINEAR))
        pixels = drawing_to_input(drawn).pixels
        r = np.corrcoef(pixels.ravel(), digit.ravel().astype(np.float64))[0, 1]
        assert r > 0.8, r
