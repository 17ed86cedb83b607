"""Turn a drawing (or an uploaded picture) into a model input made like the training digits.

Pure functions of NumPy arrays and bytes, with Pillow for resampling and decoding;
no Streamlit. The Draw page passes the canvas's RGBA array to
:func:`drawing_to_input` and feeds ``result.flat`` through the model's own
preprocessing (``Preprocessing.transform``), exactly like a training image.

How each dataset's images were made, and what is reproduced here:

* **MNIST (28x28, 0..255)** -- each NIST digit was size-normalised, keeping its aspect
  ratio, so that its longer side is 20 pixels (anti-aliased, hence grey levels), then
  placed in a 28x28 field so that its centre of mass lies at the centre. Measured on
  the 10,000 test digits with pixel indices 0..27, the ink's longer side is 20 px in
  9,997 of them and the mean centre of mass is (14.0, 14.0): that is the target here.
* **scikit-learn Digits (8x8, 0..16)** -- 32x32 binary bitmaps in which the digit spans
  the full height (all 1,797 digits have ink in the top and bottom rows of the 8x8
  image), divided into 4x4 blocks whose on-pixels are counted. Here: the longer side
  is scaled to :data:`DIGITS_BOX` = 32 px, centred in 32x32 by bounding box, binarised
  at 0.5, and 4x4 blocks are summed. (32 rather than 28: MNIST test digits converted
  this way are recognised by a Digits-trained MLP 62% of the time with 32, 53% with 28.)
* **Any other image shape** -- the longer side is scaled to 70% of the frame and the
  centre of mass is put at the frame centre.
"""

import io
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

NOISE_FLOOR = 0.1        # grey levels below this are canvas or scanner noise, not ink
MIN_INK_PIXELS = 5       # a canvas with fewer ink pixels than this counts as blank
MNIST_BOX = 20           # MNIST digits: longer side of the ink, in pixels
DIGITS_BITMAP = 32       # Digits: side of the binary bitmap the 8x8 counts come from
DIGITS_BOX = 32          # Digits: longer side of the ink in that bitmap
DIGITS_BLOCK = 4         # Digits: side of the blocks whose on-pixels are counted
GENERIC_FILL = 0.7       # other shapes: the ink's longer side as a fraction of the frame
MAX_IMAGE_SIDE = 4096    # uploads larger than this on either side are refused
WORK_SIDE = 1024         # uploads are scaled down to at most this before processing
MIN_CONTRAST = 0.05      # uploads: ink must be this much brighter than the background
UPLOAD_FORMATS = ("PNG", "JPEG")


@dataclass(frozen=True, eq=False)
class DrawingInput:
    """A drawing converted to one model input.

    Attributes
    ----------
    pixels : ndarray of shape image_shape, float64
        Values in ``[0, pixel_max]``, white ink on black like the training images.
    is_blank : bool
        True when the drawing had (almost) no ink; ``pixels`` is then all zeros.
    """

    pixels: np.ndarray
    is_blank: bool

    @property
    def flat(self):
        """``pixels`` as one sample, shape (1, height * width), row-major like the datasets."""
        return self.pixels.reshape(1, -1)


# ------------------------------------------------------------------ grey
def to_grayscale(image):
    """Ink intensity of an image as floats in [0, 1] (1 = white ink, 0 = black background).

    Parameters
    ----------
    image : array-like of shape (H, W), (H, W, 1), (H, W, 2), (H, W, 3) or (H, W, 4)
        Grey, grey + alpha, RGB or RGBA. Integer images are read as 0..255
        (values are clipped to it), bool as 0/1, floats as 0..1 (clipped). Colour
        images take the brightest channel, ``max(R, G, B)``, so a stroke of any
        colour counts as ink; the alpha channel multiplies it, so a transparent
        background counts as black.

    Returns
    -------
    ndarray of shape (H, W), float64

    Raises
    ------
    ValueError
        On any other shape (the message gives the one received), an empty image,
        a non-numeric dtype or NaN / infinite values.
    """
    image = np.asarray(image)
    if image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[2] not in (1, 2, 3, 4)):
        raise ValueError("image must have shape (H, W), (H, W, 3) RGB or (H, W, 4) RGBA. "
                         f"Received: image.shape={image.shape}")
    if image.shape[0] == 0 or image.shape[1] == 0:
        raise ValueError(f"image is empty. Received: image.shape={image.shape}")
    values = _unit_range(image)
    if values.ndim == 2:
        return values
    channels = values.shape[2]
    if channels in (1, 3):
        return values.max(axis=2)
    return values[:, :, :-1].max(axis=2) * values[:, :, -1]


def _unit_range(image):
    """``image`` as float64 in [0, 1]: integers / 255, bools as 0/1, floats clipped."""
    kind = image.dtype.kind
    if kind == "b":
        return image.astype(np.float64)
    if kind in "iu":
        return np.clip(image.astype(np.float64), 0, 255) / 255.0
    if kind == "f":
        if not np.all(np.isfinite(image)):
            raise ValueError("image contains NaN or infinite values.")
        return np.clip(image.astype(np.float64), 0.0, 1.0)
    raise ValueError(f"image must be numeric. Received: dtype={image.dtype}")


# --------------------------------------------------------------- drawing
def drawing_to_input(image, image_shape=(28, 28), pixel_max=255):
    """Convert a drawing into one input image for a model trained on ``image_shape`` digits.

    Parameters
    ----------
    image : array-like of shape (H, W, 4), (H, W, 3) or (H, W)
        The canvas: white (or any light colour) strokes on a black or transparent
        background; see :func:`to_grayscale`.
    image_shape : (int, int)
        ``(height, width)`` of the training images: (28, 28) for MNIST, (8, 8) for
        Digits; any other size gets the generic procedure (module docstring).
    pixel_max : float
        Largest raw pixel value of the training images (255 for MNIST, 16 for Digits).

    Returns
    -------
    DrawingInput
        ``pixels`` of shape ``image_shape`` in ``[0, pixel_max]``; ``is_blank`` when
        fewer than :data:`MIN_INK_PIXELS` pixels are brighter than :data:`NOISE_FLOOR`
        (then all zeros -- a blank canvas never raises).
    """
    shape = _check_image_shape(image_shape)
    pixel_max = _check_pixel_max(pixel_max)
    gray = to_grayscale(image)
    gray = np.where(gray < NOISE_FLOOR, 0.0, gray)
    ink = gray > 0
    if np.count_nonzero(ink) < MIN_INK_PIXELS:
        return DrawingInput(np.zeros(shape), True)
    glyph = _crop_to_ink(gray, ink)
    if shape == (8, 8):
        pixels = _digits_blocks(glyph) / (DIGITS_BLOCK * DIGITS_BLOCK)
    else:
        pixels = _centre_by_mass(_fit_into(glyph, _ink_box(shape)), shape)
    return DrawingInput(pixels * pixel_max, False)


def _check_image_shape(image_shape):
    try:
        shape = tuple(image_shape)
    except TypeError:
        shape = None
    whole = (isinstance(d, (int, np.integer)) and not isinstance(d, bool) and d >= 1
             for d in shape or ())
    if shape is None or len(shape) != 2 or not all(whole):
        raise ValueError(f"image_shape must be (height, width) of positive whole numbers. "
                         f"Received: image_shape={image_shape!r}")
    return int(shape[0]), int(shape[1])


def _check_pixel_max(pixel_max):
    if isinstance(pixel_max, bool) or not isinstance(pixel_max, (int, float, np.number)) \
            or not np.isfinite(pixel_max) or pixel_max <= 0:
        raise ValueError(f"pixel_max must be a finite number > 0. Received: {pixel_max!r}")
    return float(pixel_max)


def _ink_box(shape):
    """(height, width) the ink's bounding box is scaled to fit, for a frame of ``shape``."""
    if shape == (28, 28):
        return MNIST_BOX, MNIST_BOX
    return tuple(max(1, int(round(GENERIC_FILL * d))) for d in shape)


def _crop_to_ink(gray, ink):
    """The smallest rectangle of ``gray`` (H, W) holding every ``ink`` pixel."""
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    return gray[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]


def _resize(values, height, width):
    """Anti-aliased (Lanczos) resize of a float image in [0, 1], clipped back to [0, 1]."""
    if values.shape == (height, width):
        return values.copy()
    picture = Image.fromarray(values.astype(np.float32))
    resized = picture.resize((width, height), Image.Resampling.LANCZOS)
    return np.clip(np.asarray(resized, dtype=np.float64), 0.0, 1.0)


def _fit_into(glyph, box):
    """Scale ``glyph`` (h, w), keeping its aspect ratio, so that it just fits ``box``.

    The brightest pixel is then stretched to 1, so a faint thin stroke that the
    downscaling spread over several pixels still reads as full ink.
    """
    h, w = glyph.shape
    factor = min(box[0] / h, box[1] / w)
    new_h = min(box[0], max(1, int(round(h * factor))))
    new_w = min(box[1], max(1, int(round(w * factor))))
    scaled = _resize(glyph, new_h, new_w)
    top = scaled.max()
    return scaled / top if top > 0 else scaled


def _centre_by_mass(glyph, shape):
    """Paste ``glyph`` into a zero frame of ``shape`` with its centre of mass at (H/2, W/2).

    The shift is rounded to whole pixels and clipped so that the glyph stays inside.
    """
    frame = np.zeros(shape)
    h, w = glyph.shape
    mass = glyph.sum()
    cy = (glyph.sum(axis=1) @ np.arange(h)) / mass
    cx = (glyph.sum(axis=0) @ np.arange(w)) / mass
    top = int(np.clip(np.round(shape[0] / 2 - cy), 0, shape[0] - h))
    left = int(np.clip(np.round(shape[1] / 2 - cx), 0, shape[1] - w))
    frame[top:top + h, left:left + w] = glyph
    return frame


def _digits_blocks(glyph):
    """The Digits procedure: 32x32 bitmap, binarised at 0.5, on-pixels counted per 4x4 block.

    Returns
    -------
    ndarray of shape (8, 8), float64 counts in 0..16
    """
    scaled = _fit_into(glyph, (DIGITS_BOX, DIGITS_BOX))
    h, w = scaled.shape
    bitmap = np.zeros((DIGITS_BITMAP, DIGITS_BITMAP))
    top, left = (DIGITS_BITMAP - h) // 2, (DIGITS_BITMAP - w) // 2
    bitmap[top:top + h, left:left + w] = scaled >= 0.5
    n = DIGITS_BITMAP // DIGITS_BLOCK
    return bitmap.reshape(n, DIGITS_BLOCK, n, DIGITS_BLOCK).sum(axis=(1, 3))


# ---------------------------------------------------------------- upload
def image_file_to_array(data):
    """Decode an uploaded PNG or JPEG into ink intensity, white digit on black like the canvas.

    Parameters
    ----------
    data : bytes
        The file's contents.

    Returns
    -------
    ndarray of shape (H, W), float64 in [0, 1]
        Grey levels (ITU-R 601 luma; a transparent background is filled with the
        colour opposite to the strokes). The picture is inverted when its background
        is light (median > 0.5), then its levels are stretched so that the background
        (the median) is 0 and the ink (its 90th percentile) 1; a picture with nothing
        :data:`MIN_CONTRAST` brighter than the background gives zeros. Pictures larger
        than :data:`WORK_SIDE` px on a side are first scaled down to that (the model
        sees 28 px at most), so H, W <= WORK_SIDE.

    Raises
    ------
    ValueError
        ``"not an image ..."`` when the bytes are not a readable PNG or JPEG, and
        ``"image too large ..."`` beyond :data:`MAX_IMAGE_SIDE` px on a side (a
        guard against decompression bombs).
    """
    picture = _open_image(data)
    gray, alpha = _gray_and_alpha(picture)
    gray, alpha = _shrink(gray), None if alpha is None else _shrink(alpha)
    gray = _as_unit(gray)
    if alpha is not None:
        gray = _fill_transparent(gray, _as_unit(alpha))
    if np.median(gray) > 0.5:
        gray = 1.0 - gray
    background = float(np.median(gray))
    ink = gray[gray > background + MIN_CONTRAST]
    if ink.size == 0:
        return np.zeros_like(gray)
    full = float(np.percentile(ink, 90))  # not the maximum: JPEG ringing overshoots
    return np.clip((gray - background) / (full - background), 0.0, 1.0)


def _open_image(data):
    """Open, size-check and decode the first frame of ``data``; orientation from EXIF applied."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise ValueError("not an image: expected the file's bytes. "
                         f"Received: {type(data).__name__}")
    if len(data) == 0:
        raise ValueError("not an image: the file is empty.")
    try:
        picture = Image.open(io.BytesIO(bytes(data)), formats=UPLOAD_FORMATS)
    except Image.DecompressionBombError:
        raise ValueError(f"image too large: the limit is {MAX_IMAGE_SIDE} x {MAX_IMAGE_SIDE} "
                         "pixels.") from None
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise ValueError(
            f"not an image: could not read the file as PNG or JPEG ({exc}).") from None
    width, height = picture.size
    if width > MAX_IMAGE_SIDE or height > MAX_IMAGE_SIDE:
        raise ValueError(f"image too large: {width} x {height} pixels; the limit is "
                         f"{MAX_IMAGE_SIDE} x {MAX_IMAGE_SIDE}. Crop or shrink it first.")
    if width == 0 or height == 0:
        raise ValueError(f"not an image: it has no pixels ({width} x {height}).")
    try:
        picture.load()
        return ImageOps.exif_transpose(picture)
    except (OSError, SyntaxError, ValueError) as exc:
        raise ValueError(f"not an image: the file is damaged or truncated ({exc}).") from None


def _gray_and_alpha(picture):
    """Split a decoded picture into a grey band (mode L or F) and an alpha band (L) or None."""
    if picture.mode.startswith("I"):  # 16- or 32-bit grey: Pillow's own conversion clips
        values = np.asarray(picture, dtype=np.float64)
        top = 65535.0 if picture.mode.startswith("I;16") or values.max() > 255 else 255.0
        return Image.fromarray(np.clip(values / top, 0, 1).astype(np.float32)), None
    if "A" in picture.getbands() or "transparency" in picture.info:
        rgba = picture.convert("RGBA")
        return rgba.convert("L"), rgba.getchannel("A")
    return picture.convert("L"), None


def _shrink(band):
    """Scale a band down so that neither side exceeds :data:`WORK_SIDE`."""
    width, height = band.size
    factor = WORK_SIDE / max(width, height)
    if factor >= 1:
        return band
    size = (max(1, int(round(width * factor))), max(1, int(round(height * factor))))
    return band.resize(size, Image.Resampling.LANCZOS)


def _as_unit(band):
    """A band of mode L (0..255) or F (0..1) as a float64 array in [0, 1]."""
    values = np.asarray(band, dtype=np.float64)
    return np.clip(values / 255.0 if band.mode == "L" else values, 0.0, 1.0)


def _fill_transparent(gray, alpha):
    """Composite ``gray`` (H, W) over the background that contrasts with its visible pixels."""
    visible = alpha > 0.5
    strokes_dark = visible.any() and float(gray[visible].mean()) < 0.5
    background = 1.0 if strokes_dark else 0.0
    return gray * alpha + background * (1.0 - alpha)
