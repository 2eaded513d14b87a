"""The lean PNG writer: exactly the pixels it was given, nothing else, as small as Pillow's."""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from inference.serving.png_writer import encode_rgb_png
from inference.serving.sketch_files import encode_png, encode_sketch_png


def _chunks(png: bytes) -> list[bytes]:
    kinds, at = [], 8
    while at < len(png):
        (length,) = struct.unpack(">I", png[at : at + 4])
        kind, body = png[at + 4 : at + 8], png[at + 8 : at + 8 + length]
        assert struct.unpack(">I", png[at + 8 + length : at + 12 + length])[0] == zlib.crc32(
            kind + body
        )
        kinds.append(kind)
        at += 12 + length
    return kinds


def _sketch_like(width: int, height: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    pixels = np.full((height, width, 3), 255, np.uint8)
    pixels[height // 4 : height // 2, width // 5 :] = rng.integers(0, 256, 3, dtype=np.uint8)
    pixels[:, width // 3 : width // 3 + 2] = 0
    noisy = min(3, height)  # noise at the bottom: the Up filter's differences wrap around
    pixels[-noisy:, :] = rng.integers(0, 256, (noisy, width, 3), dtype=np.uint8)
    return pixels


@pytest.mark.parametrize(("width", "height"), [(512, 512), (256, 256), (1, 1), (17, 3), (3, 40)])
@pytest.mark.parametrize("runs", [False, True])
@pytest.mark.parametrize("level", [0, 1, 6, 9])
def test_it_decodes_to_exactly_the_pixels_given(
    width: int, height: int, runs: bool, level: int
) -> None:
    pixels = _sketch_like(width, height, seed=width * height + level)
    png = encode_rgb_png(Image.fromarray(pixels), compress_level=level, runs=runs)
    decoded = Image.open(io.BytesIO(png))
    decoded.load()
    assert decoded.mode == "RGB" and decoded.size == (width, height)
    assert np.array_equal(np.asarray(decoded), pixels)
    assert _chunks(png) == [b"IHDR", b"IDAT", b"IEND"]  # pixels only: no metadata chunk


def test_every_stored_sketch_and_picture_goes_through_it_and_is_no_larger_than_pillows() -> None:
    image = Image.fromarray(_sketch_like(512, 512, seed=5))
    ours = encode_sketch_png(image)
    assert ours == encode_rgb_png(image, compress_level=1, runs=False)
    pillows = io.BytesIO()
    image.save(pillows, format="PNG", compress_level=1)
    assert len(ours) <= len(pillows.getvalue()) * 1.05
    picture = encode_png(image, compress_level=1, runs=True)
    assert picture == encode_rgb_png(image, compress_level=1, runs=True)


def test_other_modes_still_go_through_pillow() -> None:
    grey = Image.fromarray(np.arange(64 * 64, dtype=np.uint32).reshape(64, 64).astype(np.uint8))
    decoded = Image.open(io.BytesIO(encode_png(grey)))
    assert decoded.mode == "L" and np.array_equal(np.asarray(decoded), np.asarray(grey))
    with pytest.raises(ValueError, match="RGB"):
        encode_rgb_png(grey, compress_level=1, runs=False)
