"""Upload files made in the tests: hostile ones, odd-but-valid ones, and helpers."""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
from PIL import Image, ImageDraw


def png_bytes(image: Image.Image, **save: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", **save)
    return buffer.getvalue()


def stroke_image(mode: str = "RGB", size: tuple[int, int] = (300, 200)) -> Image.Image:
    """A thick black line across white paper, in RGB."""
    image = Image.new("RGB", size, "white")
    ImageDraw.Draw(image).line(
        (20, size[1] // 2, size[0] - 20, size[1] // 2), fill="black", width=12
    )
    return image if mode == "RGB" else image.convert(mode)


def with_ihdr_size(png: bytes, width: int, height: int) -> bytes:
    """Rewrite a PNG's header to claim another size (CRC fixed), leaving the data small."""
    assert png[12:16] == b"IHDR"
    ihdr = bytearray(png[16:29])
    ihdr[0:8] = struct.pack(">II", width, height)
    crc = struct.pack(">I", zlib.crc32(b"IHDR" + bytes(ihdr)) & 0xFFFFFFFF)
    return png[:16] + bytes(ihdr) + crc + png[33:]


def truncated_png() -> bytes:
    data = png_bytes(stroke_image())
    return data[: len(data) // 2]


def bomb_png() -> bytes:
    """A real decompression bomb: 12000×12000 one-bit pixels in a few kilobytes."""
    return png_bytes(Image.new("1", (12000, 12000), 1), optimize=True)


def header_bomb_png() -> bytes:
    """A tiny PNG whose header claims 60000×60000 pixels."""
    return with_ihdr_size(png_bytes(stroke_image()), 60000, 60000)


def html_as_png() -> bytes:
    return b"<!DOCTYPE html><html><body><script>alert('hi')</script></body></html>"


def needle_png() -> bytes:
    return png_bytes(Image.new("L", (1, 100000), 255))


def svg() -> bytes:
    return (
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        b'<circle cx="5" cy="5" r="4"/></svg>'
    )


def animated_gif() -> bytes:
    frames = [stroke_image().convert("P"), Image.new("P", (300, 200), 0)]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:], duration=100)
    return buffer.getvalue()


def animated_webp() -> bytes:
    frames = [stroke_image(), Image.new("RGB", (300, 200), "red")]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="WEBP", save_all=True, append_images=frames[1:], duration=100)
    return buffer.getvalue()


def cmyk_jpeg() -> bytes:
    buffer = io.BytesIO()
    stroke_image().convert("CMYK").save(buffer, format="JPEG", quality=95)
    return buffer.getvalue()


def png16() -> bytes:
    """16-bit greyscale PNG: white paper at 65535, a black stroke at 0."""
    grey = np.asarray(stroke_image().convert("L"), dtype=np.uint16)
    wide = Image.fromarray(grey * 257)
    assert wide.mode.startswith("I;16")
    return png_bytes(wide)


def alpha_png() -> bytes:
    """Black strokes on a fully transparent background (what a canvas export gives)."""
    image = Image.new("RGBA", (300, 200), (0, 0, 0, 0))
    ImageDraw.Draw(image).line((20, 100, 280, 100), fill=(0, 0, 0, 255), width=12)
    return png_bytes(image)


def webp() -> bytes:
    buffer = io.BytesIO()
    stroke_image().save(buffer, format="WEBP", quality=90)
    return buffer.getvalue()


def jpeg() -> bytes:
    buffer = io.BytesIO()
    stroke_image().save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


HOSTILE = {
    "truncated_png": (truncated_png, "damaged"),
    "bomb_png": (bomb_png, "too_many_pixels"),
    "header_bomb_png": (header_bomb_png, "too_many_pixels"),
    "html_as_png": (html_as_png, "unsupported_type"),
    "needle_png": (needle_png, "too_many_pixels"),
    "svg": (svg, "unsupported_type"),
    "animated_gif": (animated_gif, "unsupported_type"),
    "animated_webp": (animated_webp, "animated"),
    "empty": (lambda: b"", "invalid_sketch"),
}

VALID = {
    "png": lambda: png_bytes(stroke_image()),
    "jpeg": jpeg,
    "webp": webp,
    "cmyk_jpeg": cmyk_jpeg,
    "png16": png16,
    "alpha_png": alpha_png,
    "greyscale_png": lambda: png_bytes(stroke_image("L")),
    "palette_png": lambda: png_bytes(stroke_image("P")),
}
