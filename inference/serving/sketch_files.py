"""Turning an uploaded (or local) file into a sketch the generators can read.

Nothing about an upload is trusted: the type is sniffed from the bytes (never the
filename or content type), bytes and pixels are capped before decoding, a
decompression bomb is an error, and the result is re-encoded from pixels, so no
metadata, ICC trick or trailing payload of the original ever reaches storage.
"""

from __future__ import annotations

import io
import warnings

import numpy as np
from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from core import error_codes as codes
from core.errors import ApplicationError
from inference.serving.loaded_generator import SKETCH_SIZE
from inference.serving.png_writer import encode_rgb_png

MAX_ASPECT_RATIO = 8
MIN_SIDE = 16
# A submitted sketch is stored at the canvas's own side (the canvas exports 512 px), so a
# generator that paints at 512 lays the child's strokes over as crisply as they were drawn; one
# that draws at 256 (pix2pix) gets it scaled down when it draws (drawings.worker.pictures).
STORED_SKETCH_SIZE = 512

_SIGNATURES = {
    b"\x89PNG\r\n\x1a\n": "PNG",
    b"\xff\xd8\xff": "JPEG",
}


class SketchRejected(ApplicationError, ValueError):
    """The upload is not a sketch we can use. ``message`` is for a person to read."""

    code = codes.INVALID_SKETCH

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message, code=code, field="sketch")


def sketch_too_large(*, limit: int, size: int | None = None) -> SketchRejected:
    """The refusal of a sketch over ``limit`` bytes (``size`` when it is known): 413."""
    if size is None:
        message = _("This picture is too big. The limit is %(limit)d MB.") % {
            "limit": limit // 1_048_576
        }
    else:
        message = _("This picture is too big (%(size).1f MB). The limit is %(limit)d MB.") % {
            "size": size / 1_048_576,
            "limit": limit // 1_048_576,
        }
    return SketchRejected(message, code=codes.TOO_LARGE)


def sniff_format(data: bytes) -> str | None:
    """The real image format from the first bytes, or None when it is not one we take."""
    for signature, name in _SIGNATURES.items():
        if data.startswith(signature):
            return name
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


def _describe_unsupported(data: bytes) -> str:
    head = data[:512].lstrip().lower()
    if data.startswith((b"GIF87a", b"GIF89a")):
        return _("GIF files can't be used. Please send the drawing as PNG, JPEG or WebP.")
    if head.startswith(b"<?xml") or b"<svg" in head:
        return _("SVG files can't be used. Please send the drawing as PNG, JPEG or WebP.")
    if head.startswith((b"<!doctype", b"<html", b"<")):
        return _("This file is a web page, not a picture. Please send a PNG, JPEG or WebP image.")
    return _("This file is not a picture we can read. Please send a PNG, JPEG or WebP image.")


def _to_rgb_on_white(image: Image.Image) -> Image.Image:
    """Any supported mode to 8-bit RGB, transparent areas becoming white paper."""
    if image.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        # 16-bit greyscale: scale down, don't clip (convert("L") would turn it all white).
        values = np.asarray(image, dtype=np.float64)
        peak = 65535.0 if values.max(initial=0) > 255 else 255.0
        image = Image.fromarray(np.clip(values * (255.0 / peak) + 0.5, 0, 255).astype(np.uint8))
    elif image.mode == "F":
        values = np.asarray(image, dtype=np.float64)
        image = Image.fromarray(np.clip(values, 0, 255).astype(np.uint8))
    if image.mode == "P":
        image = image.convert("RGBA")
    if image.mode in ("RGBA", "LA") and image.getchannel("A").getextrema()[0] == 255:
        # Opaque all over (the canvas flattens its strokes onto white before exporting): no
        # paper shows through, so compositing would change nothing — and costs 4-5 ms.
        return image.convert("RGB")
    if image.mode in ("RGBA", "LA", "RGBa", "La", "PA"):
        rgba = image.convert("RGBA")
        paper = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        paper.alpha_composite(rgba)
        return paper.convert("RGB")
    return image.convert("RGB")


def _fit_on_square(image: Image.Image, size: int) -> Image.Image:
    """Scale so the longer side is ``size``, keep the aspect, centre on white."""
    width, height = image.size
    if width == height == size:
        return image  # already the canvas's square at this side: nothing to scale or centre
    scale = size / max(width, height)
    new_size = (max(1, round(width * scale)), max(1, round(height * scale)))
    resized = image.resize(new_size, Image.Resampling.LANCZOS)
    square = Image.new("RGB", (size, size), "white")
    square.paste(resized, ((size - new_size[0]) // 2, (size - new_size[1]) // 2))
    return square


def normalise_sketch(data: bytes, *, size: int | None = SKETCH_SIZE) -> Image.Image:
    """Validate an uploaded sketch and return it as a ``size``×``size`` RGB image.

    ``size=None`` keeps the sketch's own longer side, at most :data:`STORED_SKETCH_SIZE`: how a
    stored sketch is read back (one stored at 256 before sketches were kept at 512 stays 256,
    a 512 one stays 512, pixel for pixel).

    Raises :class:`SketchRejected` with a message a parent or child can act on.
    """
    max_bytes: int = settings.SKETCH_MAX_BYTES
    max_side: int = settings.SKETCH_MAX_SIDE
    if not data:
        raise SketchRejected(_("The drawing was empty. Please draw something and try again."))
    if len(data) > max_bytes:
        raise sketch_too_large(limit=max_bytes, size=len(data))
    fmt = sniff_format(data)
    if fmt is None:
        raise SketchRejected(_describe_unsupported(data), code=codes.UNSUPPORTED_TYPE)

    try:
        with warnings.catch_warnings():
            # A decompression-bomb warning is an error here, not a note in the log.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            opened = Image.open(io.BytesIO(data), formats=[fmt])
            width, height = opened.size
            if width > max_side or height > max_side:
                raise SketchRejected(
                    _(
                        "This picture is %(width)d×%(height)d pixels; "
                        "the largest we take is %(max)d×%(max)d."
                    )
                    % {"width": width, "height": height, "max": max_side},
                    code=codes.TOO_MANY_PIXELS,
                )
            if width < MIN_SIDE or height < MIN_SIDE:
                raise SketchRejected(
                    _("This picture is only %(width)d×%(height)d pixels, too small to draw from.")
                    % {"width": width, "height": height},
                    code=codes.TOO_SMALL,
                )
            if max(width, height) > MAX_ASPECT_RATIO * min(width, height):
                raise SketchRejected(
                    _(
                        "This picture is very long and thin (%(width)d×%(height)d). "
                        "Please draw on the square canvas."
                    )
                    % {"width": width, "height": height},
                    code=codes.BAD_SHAPE,
                )
            if getattr(opened, "is_animated", False) or getattr(opened, "n_frames", 1) > 1:
                raise SketchRejected(
                    _("Moving pictures can't be used. Please send a single still drawing."),
                    code=codes.ANIMATED,
                )
            opened.load()
            image: Image.Image = ImageOps.exif_transpose(opened) or opened
    except SketchRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise SketchRejected(
            _("This picture claims to be far larger than it is, so it can't be opened safely."),
            code=codes.TOO_MANY_PIXELS,
        ) from exc
    except (OSError, SyntaxError, ValueError, EOFError, MemoryError) as exc:
        raise SketchRejected(
            _("This picture looks damaged or incomplete. Please save it again and retry."),
            code=codes.DAMAGED,
        ) from exc
    if size is None:
        size = min(max(image.size), STORED_SKETCH_SIZE)
    return _fit_on_square(_to_rgb_on_white(image), size)


# zlib's run-length strategy: 20-25 % smaller for pictures (8.1 against 10.1 KB a kids3
# picture, 53 against 61 KB a pix2pix one) at the same encoding CPU, but slower to inflate (a
# 512 px sketch: 3.0 against 1.4 ms), so the stored sketches, which a worker reads back for
# every drawing, keep zlib's default strategy (10 KB each).
Z_RLE = 3


def encode_png(image: Image.Image, *, compress_level: int = 6, runs: bool = False) -> bytes:
    """Re-encode pixels only (no metadata) as PNG (zlib ``compress_level`` 0–9; ``runs``:
    zlib's run-length strategy). RGB images (every sketch and picture) go through
    :func:`inference.serving.png_writer.encode_rgb_png`, 2-3× cheaper than Pillow's encoder; any
    other mode through Pillow."""
    if image.mode == "RGB":
        return encode_rgb_png(image, compress_level=compress_level, runs=runs)
    buffer = io.BytesIO()
    image.save(
        buffer,
        format="PNG",
        optimize=False,
        compress_level=compress_level,
        compress_type=Z_RLE if runs else -1,
    )
    return buffer.getvalue()


def encode_sketch_png(image: Image.Image) -> bytes:
    """A normalised sketch as the PNG that is stored (and sent to workers): pixels only,
    zlib's fastest level (1.8 ms to write a 512 px sketch, 1.4 ms to read it back)."""
    return encode_png(image, compress_level=1)
