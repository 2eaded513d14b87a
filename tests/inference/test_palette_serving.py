"""A palette painter installed as a generator: the registry reads it, the runtime draws with it."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from inference.lab.testing import write_random_generator, write_random_painter
from inference.serving.architectures import PALETTE, PIX2PIX, architecture
from inference.serving.palette.network import PaletteNetConfig
from inference.serving.registry import RegistryError, WeightsMismatch, discover, parse_card
from inference.serving.runtime import GeneratorRuntime


def sun_sketch(side: int) -> Image.Image:
    sketch = np.full((side, side, 3), 255, np.uint8)
    cv2.circle(sketch, (side // 2, side // 2), side // 4, (224, 36, 36), max(2, side // 60))
    return Image.fromarray(sketch)


def test_the_registry_reads_a_painter_card_without_drawing(tmp_path: Path) -> None:
    card = write_random_painter(tmp_path, name="painter", priority=2)
    (found,) = discover(tmp_path)
    assert found == card and found.kind == PALETTE and found.category_slugs == ("sun",)
    assert found.architecture_kind.makes_variants and not found.architecture_kind.has_fast_copy
    config: PaletteNetConfig = found.config  # type: ignore[assignment]
    assert config.labels == ("sun",) and config.colours == 6


def test_a_painter_draws_512_pictures_and_new_colours_through_the_runtime(
    tmp_path: Path,
) -> None:
    write_random_painter(tmp_path, name="painter")
    runtime = GeneratorRuntime(directory=tmp_path, device="cpu", threads=1)
    loaded = runtime.generator("painter")
    assert loaded.fast is None  # nothing to copy: the network is small, the painting is numpy
    old, new = loaded.draw([sun_sketch(256), sun_sketch(512)], ["sun", "sun"])
    assert old.size == (512, 512) and new.size == (512, 512)
    again = loaded.draw([sun_sketch(512)], ["sun"], variants=[0])[0]
    assert np.array_equal(np.asarray(again), np.asarray(new))  # variant 0 is the picture itself
    card, (drawn,) = runtime.draw_category("sun", [sun_sketch(512)])
    assert card.name == "painter" and drawn.size == (512, 512)


def test_a_pix2pix_generator_refuses_variants(tmp_path: Path) -> None:
    write_random_generator(tmp_path, name="gen")
    loaded = GeneratorRuntime(directory=tmp_path, device="cpu", threads=1).generator("gen")
    with pytest.raises(ValueError, match="one picture a sketch"):
        loaded.draw([sun_sketch(256)], ["face"], variants=[2])


def test_a_painter_card_without_its_palette_or_with_other_weights_is_refused(
    tmp_path: Path,
) -> None:
    card = write_random_painter(tmp_path, name="painter")
    data = json.loads(card.card_path.read_text())
    del data["palette"]
    card.card_path.write_text(json.dumps(data))
    with pytest.raises(RegistryError, match="no palette"):
        GeneratorRuntime(directory=tmp_path, device="cpu").generator("painter")
    write_random_painter(tmp_path, name="other", seed=1)
    data["palette"] = json.loads((tmp_path / "other.json").read_text())["palette"]
    data["sha256"] = "0" * 64
    card.card_path.write_text(json.dumps(data))
    with pytest.raises(WeightsMismatch):
        GeneratorRuntime(directory=tmp_path, device="cpu").generator("painter")


def test_an_unknown_architecture_type_is_a_clear_card_error(tmp_path: Path) -> None:
    card = write_random_generator(tmp_path, name="gen")
    data = json.loads(card.card_path.read_text())
    data["architecture"]["type"] = "diffusion"
    card.card_path.write_text(json.dumps(data))
    with pytest.raises(RegistryError, match='"pix2pix-unet", "palette-unet"'):
        parse_card(card.card_path)
    assert architecture(PIX2PIX).labels_key == "condition"


def test_an_exported_painter_serves_on_onnxruntime_and_paints_as_the_exact_one(
    tmp_path: Path,
) -> None:
    from inference.lab.exporting import export_installed

    card = write_random_painter(tmp_path, name="painter")
    exported = export_installed(card)
    assert exported.onnx_path == tmp_path / "painter.onnx"
    recorded = json.loads(card.card_path.read_text())["onnx"]
    assert recorded["inputs"] == ["planes", "labels"]
    assert recorded["max_level_difference_from_exact"] <= 2
    runtime = GeneratorRuntime(directory=tmp_path, device="cpu", threads=1)
    loaded = runtime.generator("painter")
    assert loaded.engine == "onnxruntime" and loaded.path == "fast"
    sketches = [sun_sketch(256), sun_sketch(512)]
    for variant in (0, 3):
        served = loaded.draw(sketches, ["sun", "sun"], variants=[variant] * 2)
        exact = loaded.draw(sketches, ["sun", "sun"], exact=True, variants=[variant] * 2)
        for a, b in zip(served, exact, strict=True):
            assert np.abs(np.asarray(a, int) - np.asarray(b, int)).max() <= 2
    torch_runtime = GeneratorRuntime(directory=tmp_path, device="cpu", threads=1, engine="torch")
    assert torch_runtime.generator("painter").engine == "torch"


def test_a_tampered_painter_graph_is_refused_and_the_exact_painter_serves(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from inference.lab.exporting import export_installed

    exported = export_installed(write_random_painter(tmp_path, name="painter"))
    assert exported.onnx_path is not None
    exported.onnx_path.write_bytes(exported.onnx_path.read_bytes() + b"\0")
    loaded = GeneratorRuntime(directory=tmp_path, device="cpu", threads=1).generator("painter")
    assert loaded.engine == "torch" and loaded.fast is None
    assert "Refused the ONNX graph" in caplog.text
    assert loaded.draw([sun_sketch(256)], ["sun"])[0].size == (512, 512)


def test_a_painter_that_needs_no_network_opens_no_session(tmp_path: Path) -> None:
    from types import SimpleNamespace

    import torch

    from inference.lab.exporting import export_installed
    from inference.serving.fast_path import fast_server

    card = export_installed(write_random_painter(tmp_path, name="painter"))
    assert card.onnx_path is not None
    card.onnx_path.write_bytes(b"not a graph")  # it would be refused, were it opened
    painter = SimpleNamespace(uses_network=False)  # a region model chooses, sure areas off
    served = fast_server(card, painter, engine="onnx", threads=1, device=torch.device("cpu"),
                         compile=False)  # fmt: skip
    assert served is painter
