"""The Build page's pictures as SVG: the network diagram and the sample images.

A page that shows only these needs none of Plotly's JavaScript (4.6 MB for the
browser to load and compile), so a visitor's first page draws quickly even on a
busy server or a slow device. Both builders return an SVG document as a string,
for ``st.image``; it references nothing outside itself (the pixels are an
embedded PNG). Text is dark on a light page and light on a dark one
(``prefers-color-scheme``, which the app follows).
"""

import base64
import math
import struct
import zlib
from html import escape

import numpy as np

from studio.figures import style
from studio.figures.architecture import (_check_layers, _column, count_parameters, format_bytes,
                                         memory_estimate)
from studio.figures.data_preview import first_images

TEXT, TEXT_DARK, MUTED = "#31333F", "#FAFAFA", "#808495"
STYLE = (f"<style>text{{font-family:'Source Sans Pro',sans-serif;fill:{TEXT}}}"
         f".muted{{fill:{MUTED}}}@media (prefers-color-scheme: dark)"
         f"{{text{{fill:{TEXT_DARK}}}.muted{{fill:{MUTED}}}}}</style>")

# Network diagram geometry, in SVG units (the image scales to the column's width).
COLUMN_GAP, UNIT_GAP, RADIUS, MARGIN_X = 170, 34, 10, 80
HEADER, FOOTER = 64, 44


def _document(width, height, body, label):
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:g} {height:g}" '
            f'width="{width:g}" height="{height:g}" role="img" aria-label="{escape(label)}">'
            f"<title>{escape(label)}</title>{STYLE}{''.join(body)}</svg>")


def _text(x, y, text, size=13, anchor="middle", css=None, weight=None):
    extra = (f' class="{css}"' if css else "") + (f' font-weight="{weight}"' if weight else "")
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}"{extra}>'
            f"{escape(str(text))}</text>")


def network_svg(layers, activations, max_drawn=8, batch_size=32, dtype_bytes=4,
                optimizer_slots=2):
    """The layers as columns of neurons joined by their connections, as an SVG string.

    Parameters
    ----------
    layers : list of int
        Units per layer, input first, e.g. ``[784, 100, 10]``.
    activations : list of str, length ``len(layers) - 1``
        Activation of each non-input layer, e.g. ``["relu", "softmax"]``.
    max_drawn : int
        Wider layers show this many neurons split around a "⋮".
    batch_size, dtype_bytes, optimizer_slots : int
        Passed to :func:`memory_estimate` for the title (defaults: float32, Adam).

    The title gives the parameter count and training memory; above each
    connection its parameter count; below each column its size and activation.
    """
    sizes = _check_layers(layers)
    activations = [str(a) for a in activations]
    if len(activations) != len(sizes) - 1:
        raise ValueError(f"activations needs one name per non-input layer ({len(sizes) - 1}). "
                         f"Received {len(activations)}: {activations}")
    if int(max_drawn) < 2:
        raise ValueError(f"max_drawn must be at least 2. Received: {max_drawn!r}")
    columns = [_column(n, int(max_drawn)) for n in sizes]
    params = count_parameters(sizes)
    memory = format_bytes(memory_estimate(sizes, batch_size, dtype_bytes, optimizer_slots))
    title = f"{sum(params):,} parameters · about {memory} to train (batch {batch_size})"
    width, height, body = _network_body(sizes, activations, columns, params)
    body.insert(1, _text(8, 24, title, size=16, anchor="start", weight="600"))
    label = "Network: " + " → ".join(f"{n:,}" for n in sizes) + f". {title}"
    return _document(width, height, body, label)


def _network_body(sizes, activations, columns, params):
    """(width, height, SVG elements) of the diagram: connections first, then the neurons."""
    top_slot = max(col[0].max() for col in columns)
    n_slots = top_slot - min(col[0].min() for col in columns)
    width = 2 * MARGIN_X + COLUMN_GAP * (len(sizes) - 1)
    height = HEADER + FOOTER + UNIT_GAP * (n_slots + 1)

    def x_of(i):
        return MARGIN_X + COLUMN_GAP * i

    def y_of(slot):
        return HEADER + UNIT_GAP * (top_slot - slot + 0.5)

    lines, body = [], []
    for i in range(len(sizes) - 1):
        lines += [f"M{x_of(i):.1f} {y_of(y0):.1f}L{x_of(i + 1):.1f} {y_of(y1):.1f}"
                  for y0 in columns[i][0] for y1 in columns[i + 1][0]]
        body.append(_text((x_of(i) + x_of(i + 1)) / 2, HEADER - 14, f"{params[i]:,} params",
                          size=12, css="muted"))
    body.insert(0, f'<path d="{"".join(lines)}" stroke="{style.EDGE}" stroke-width="0.8" '
                   f'fill="none"/>')
    for i, (ys, _numbers, gap) in enumerate(columns):
        color = style.NEUTRAL if i == 0 else style.class_color(0 if i < len(sizes) - 1 else 1)
        body += [f'<circle cx="{x_of(i):.1f}" cy="{y_of(y):.1f}" r="{RADIUS}" fill="{color}" '
                 f'stroke="white" stroke-width="1"/>' for y in ys]
        if gap is not None:
            body.append(_text(x_of(i), y_of(gap) + 7, "⋮", size=20))
        caption = f"{sizes[i]:,} input{'s' * (sizes[i] != 1)}" if i == 0 \
            else f"{sizes[i]:,} {activations[i - 1]}"
        body.append(_text(x_of(i), height - FOOTER + 26, caption, size=14))
    return width, height, body


def image_mosaic_svg(images, labels, image_shape, class_names=None, n=24, columns=8,
                     title=None, tile_px=56):
    """The first ``n`` images in a mosaic with each label above its image, as an SVG string.

    Parameters
    ----------
    images : ndarray of shape (n_samples, height * width) or (n_samples, height, width)
        Any numeric dtype; the grey scale spans the shown images' finite range
        (dark = high, as ink on paper).
    labels : array-like of shape (n_samples,) or one-hot (n_samples, n_classes), or None
    image_shape : tuple (height, width)
    class_names : list of str, optional
    n, columns : int
        How many images, and how many per row.
    title : str, optional
        Replaces the default "N of M images".
    tile_px : int
        Drawn size of each image's longer side (the pixels stay sharp).
    """
    shown, names, title = first_images(images, labels, image_shape, class_names, n, title)
    columns = max(1, min(int(columns), max(len(shown), 1)))
    rows = math.ceil(len(shown) / columns) if len(shown) else 0
    height_px, width_px = image_shape
    scale = tile_px / max(height_px, width_px)
    # The layout in image pixels (whole ones, so that the sheet's pixels meet the labels).
    pad_x = max(1, round(4 / scale))
    pad_top = max(1, round((20 if names is not None else 4) / scale))
    pad_bottom = max(1, round(6 / scale))
    cell = (height_px + pad_top + pad_bottom, width_px + 2 * pad_x)
    width, height = max(columns * cell[1] * scale, 240), 36 + rows * cell[0] * scale
    body = [_text(4, 22, title, size=16, anchor="start", weight="600")]
    if len(shown):
        png = _mosaic_png(shown, columns, cell, (pad_top, pad_x))
        body.append(f'<image x="0" y="36" width="{columns * cell[1] * scale:.1f}" '
                    f'height="{rows * cell[0] * scale:.1f}" preserveAspectRatio="none" '
                    f'style="image-rendering:pixelated" href="data:image/png;base64,{png}"/>')
    for i, name in enumerate(names or []):
        row, col = divmod(i, columns)
        body.append(_text((col + 0.5) * cell[1] * scale,
                          36 + (row * cell[0] + pad_top) * scale - 4, name, size=14))
    if not len(shown):
        body.append(_text(width / 2, 60, "No images to show", css="muted"))
        height = 80
    return _document(width, height, body, f"{title}, with their labels")


def _mosaic_png(tiles, columns, cell, offset):
    """The tiles on a transparent sheet (the labels are on the page's own background), one
    per ``cell`` (height, width) at ``offset`` (top, left) within it, as base64 PNG with one
    pixel per image pixel."""
    tiles = np.asarray(tiles, dtype=float)
    height, width = tiles.shape[1:]
    finite = tiles[np.isfinite(tiles)]
    low, high = (finite.min(), finite.max()) if finite.size else (0.0, 1.0)
    span = high - low if high > low else 1.0
    ink = np.clip((np.nan_to_num(tiles, nan=low) - low) / span, 0, 1)
    rows = math.ceil(len(tiles) / columns)
    sheet = np.zeros((rows * cell[0], columns * cell[1], 2), dtype=np.uint8)  # grey, alpha
    for i, tile in enumerate(ink):
        row, col = divmod(i, columns)
        top, left = row * cell[0] + offset[0], col * cell[1] + offset[1]
        sheet[top:top + height, left:left + width, 0] = np.round(255 * (1 - tile))
        sheet[top:top + height, left:left + width, 1] = 255
    return base64.b64encode(png_bytes(sheet)).decode("ascii")


def png_bytes(pixels):
    """A PNG file of ``pixels``, a uint8 array of shape (height, width, 2): grey and alpha."""
    height, width, _ = pixels.shape

    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    rows = np.concatenate([np.zeros((height, 1), np.uint8),  # filter type 0 before each row
                           pixels.reshape(height, width * 2)], axis=1)
    header = struct.pack(">IIBBBBB", width, height, 8, 4, 0, 0, 0)  # 8 bits, grey + alpha
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(rows.tobytes(), 9)) + chunk(b"IEND", b""))
