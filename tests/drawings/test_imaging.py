"""Upload validation: hostile files are refused with a clear reason, odd valid ones are fixed."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from inference.serving.sketch_files import SketchRejected, normalise_sketch, sniff_format
from tests.drawings import hostile


@pytest.mark.parametrize("name", sorted(hostile.HOSTILE))
def test_hostile_files_are_rejected_with_a_reason(name: str) -> None:
    make, code = hostile.HOSTILE[name]
    with pytest.raises(SketchRejected) as caught:
        normalise_sketch(make())
    assert caught.value.code == code
    assert len(caught.value.message) > 20  # a sentence, not a code


@pytest.mark.parametrize("name", sorted(hostile.VALID))
def test_valid_files_become_a_256_square_with_the_stroke_dark_on_white(name: str) -> None:
    image = normalise_sketch(hostile.VALID[name]())
    assert image.size == (256, 256)
    assert image.mode == "RGB"
    pixels = np.asarray(image.convert("L"), dtype=np.int32)
    # The stroke crosses the middle row; corners are paper (or padding) and must be white.
    assert pixels[128, 40:216].mean() < 60, "the black stroke must stay dark"
    for corner in (pixels[0, 0], pixels[0, -1], pixels[-1, 0], pixels[-1, -1]):
        assert corner > 240, "paper and padding must be white"


def test_transparency_is_flattened_onto_white_not_black() -> None:
    image = normalise_sketch(hostile.alpha_png())
    assert np.asarray(image)[60, 128].tolist() == [255, 255, 255]


def test_too_many_bytes_is_refused_before_decoding(settings) -> None:
    settings.SKETCH_MAX_BYTES = 1000
    with pytest.raises(SketchRejected) as caught:
        normalise_sketch(hostile.png_bytes(hostile.stroke_image()) + b"\0" * 2000)
    assert caught.value.code == "too_large"


def test_aspect_ratio_is_kept_with_white_padding() -> None:
    image = normalise_sketch(hostile.png_bytes(Image.new("RGB", (400, 100), "black")))
    grey = np.asarray(image.convert("L"))
    assert grey[128, 128] < 10  # the black band is in the middle
    assert grey[10, 128] > 245  # padding above it is white
    assert grey[245, 128] > 245


def test_the_type_is_sniffed_from_bytes_not_trusted() -> None:
    assert sniff_format(hostile.html_as_png()) is None
    assert sniff_format(hostile.jpeg()) == "JPEG"
    assert sniff_format(hostile.webp()) == "WEBP"
    assert sniff_format(hostile.png_bytes(hostile.stroke_image())) == "PNG"


def test_metadata_does_not_survive_re_encoding() -> None:
    from PIL import PngImagePlugin

    from inference.serving.sketch_files import encode_png

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "secret location 37.5N 127E")
    data = hostile.png_bytes(hostile.stroke_image(), pnginfo=info)
    assert b"secret" in data
    assert b"secret" not in encode_png(normalise_sketch(data))
    assert Image.open(io.BytesIO(encode_png(normalise_sketch(data)))).info.get("Comment") is None


def test_a_canvas_export_keeps_its_pixels_and_its_stored_png_reads_back_the_same() -> None:
    from inference.serving.sketch_files import STORED_SKETCH_SIZE, encode_sketch_png

    # The canvas's export: 512 px RGBA, opaque all over, crayon and pencil on white.
    rng = np.random.default_rng(3)
    rgb = np.full((512, 512, 3), 255, np.uint8)
    rgb[100:140, 50:460] = rng.integers(0, 255, (40, 410, 3), dtype=np.uint8)
    opaque = Image.fromarray(rgb).convert("RGBA")
    stored = normalise_sketch(hostile.png_bytes(opaque), size=STORED_SKETCH_SIZE)
    assert np.array_equal(np.asarray(stored), rgb)
    # Half-transparent strokes still land on white paper, as before.
    see_through = opaque.copy()
    see_through.putalpha(128)
    faded = np.asarray(normalise_sketch(hostile.png_bytes(see_through), size=STORED_SKETCH_SIZE))
    assert faded[0, 0].tolist() == [255, 255, 255] and faded[120, 200].min() >= 127
    # What is stored is what the worker reads back, pixel for pixel.
    back = normalise_sketch(encode_sketch_png(stored), size=None)
    assert np.array_equal(np.asarray(back), rgb)
