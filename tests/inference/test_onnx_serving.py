"""Serving on ONNX Runtime: export, the graph's sha256 on load, the fallbacks, batching."""

from __future__ import annotations

import io
import json
import logging
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from django.core.management import CommandError, call_command
from PIL import Image, ImageDraw

from inference.lab.exporting import export_installed, max_level_difference
from inference.lab.testing import write_random_generator, write_random_painter
from inference.serving import registry
from inference.serving.pix2pix import fast
from inference.serving.pix2pix.drawing import draw_chunks
from inference.serving.pix2pix.imaging import images_to_batch
from inference.serving.runtime import get_runtime
from tests.fixtures.inference import pixels, sketch

KIDS = (("panda", "Panda", "판다", "🐼"), ("sun", "Sun", "해", "☀️"))


def crayon_sketch(seed: int) -> Image.Image:
    """Black lines with a crayon patch coloured in: lines and colour hints both."""
    image = sketch(seed)
    pen = ImageDraw.Draw(image)
    rng = np.random.default_rng(seed)
    x, y = (int(v) for v in rng.integers(20, 180, 2))
    pen.rectangle((x, y, x + 50, y + 40), fill=(220, 40 + 30 * (seed % 5), 40))
    return image


def levels_apart(a: Image.Image, b: Image.Image) -> int:
    return int(np.abs(pixels(a).astype(int) - pixels(b).astype(int)).max())


@pytest.fixture
def exported(registry_dir: Path) -> registry.GeneratorCard:
    """A kids2p-like generator (colour hints, label embedding), installed and exported."""
    card = write_random_generator(
        registry_dir, name="hints", categories=KIDS, conditioned=True, colour_hints=True,
        embed_dim=4, seed=3,
    )  # fmt: skip
    return export_installed(card)


def test_export_writes_the_graph_beside_the_weights_and_its_sha256_in_the_card(
    exported: registry.GeneratorCard,
) -> None:
    assert exported.onnx_path == exported.weights_path.with_suffix(".onnx")
    assert exported.onnx_path.is_file()
    assert exported.onnx_sha256 == registry.file_sha256(exported.onnx_path)
    card = json.loads(exported.card_path.read_text(encoding="utf-8"))
    assert card["onnx"]["inputs"] == ["sketch", "labels"]
    assert card["onnx"]["opset"] >= 17
    assert card["sha256"] == exported.sha256  # the weights' own entry is untouched


def test_the_runtime_serves_the_graph_and_it_draws_as_the_exact_module(
    exported: registry.GeneratorCard,
) -> None:
    loaded = get_runtime().generator("hints")
    assert (loaded.path, loaded.engine) == ("fast", "onnxruntime")
    sketches = [crayon_sketch(seed) for seed in range(3)]
    served = loaded.draw(sketches, ["panda", "sun", "panda"])
    exact = loaded.draw(sketches, ["panda", "sun", "panda"], exact=True)
    for picture, reference in zip(served, exact, strict=True):
        assert levels_apart(picture, reference) <= 2


def test_a_picture_alone_and_in_any_batch_differs_by_at_most_2_levels(
    exported: registry.GeneratorCard,
) -> None:
    loaded = get_runtime().generator("hints")
    target = crayon_sketch(42)
    [alone] = loaded.draw([target], ["sun"])
    others = [crayon_sketch(seed) for seed in (5, 6, 7, 8, 9, 10, 11)]
    for size, position in ((2, 1), (4, 0), (5, 3), (8, 7)):
        batch = others[: size - 1]
        batch.insert(position, target)
        categories = ["panda"] * size
        categories[position] = "sun"
        pictures = loaded.draw(batch, categories)
        assert levels_apart(pictures[position], alone) <= 2, (size, position)


def test_a_tampered_graph_is_refused_and_the_exact_torch_path_serves(
    exported: registry.GeneratorCard, caplog: pytest.LogCaptureFixture
) -> None:
    assert exported.onnx_path is not None
    data = bytearray(exported.onnx_path.read_bytes())
    data[-1] ^= 0xFF
    exported.onnx_path.write_bytes(bytes(data))

    with caplog.at_level(logging.ERROR, logger="inference.serving.fast_path"):
        loaded = get_runtime().generator("hints")

    assert (loaded.path, loaded.engine) == ("exact", "torch")
    [refusal] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert "hints.onnx has sha256" in refusal.getMessage()
    assert "exact torch path" in refusal.getMessage()
    [picture] = loaded.draw([crayon_sketch(1)], ["sun"])
    assert picture.size == (256, 256)


def test_a_missing_graph_is_refused_like_a_changed_one(
    exported: registry.GeneratorCard, caplog: pytest.LogCaptureFixture
) -> None:
    assert exported.onnx_path is not None
    exported.onnx_path.unlink()
    with caplog.at_level(logging.ERROR, logger="inference.serving.fast_path"):
        loaded = get_runtime().generator("hints")
    assert loaded.path == "exact"
    assert "hints.onnx cannot be read" in caplog.text


def test_without_onnxruntime_the_torch_fast_copy_serves(
    exported: registry.GeneratorCard,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # import onnxruntime: ImportError
    with caplog.at_level(logging.WARNING, logger="inference.serving.fast_path"):
        loaded = get_runtime().generator("hints")
    assert (loaded.path, loaded.engine) == ("fast", "torch")
    assert "onnxruntime is not installed" in caplog.text
    assert loaded.draw([crayon_sketch(1)], ["panda"])[0].size == (256, 256)


def test_a_generator_without_an_export_and_the_torch_engine_serve_torch(
    exported: registry.GeneratorCard, settings: object
) -> None:
    write_random_generator(exported.card_path.parent, name="plain", categories=KIDS[:1])
    assert get_runtime().generator("plain").engine == "torch"
    settings.INFERENCE_ENGINE = "torch"  # type: ignore[attr-defined]
    get_runtime().reset()
    assert get_runtime().generator("hints").engine == "torch"


def test_preprocessing_is_outside_the_network_and_the_same_for_every_path(
    exported: registry.GeneratorCard,
) -> None:
    module = registry.load_generator(exported)
    from inference.serving import engine

    assert exported.onnx_path is not None and exported.onnx_sha256 is not None
    graph = engine.open_generator(
        exported.onnx_path, sha256=exported.onnx_sha256, config=module.config
    )
    inputs = images_to_batch([crayon_sketch(seed) for seed in range(2)])
    labels = torch.tensor([0, -1])
    [exact] = draw_chunks(module, inputs, labels)
    [served] = draw_chunks(graph, inputs, labels)
    [copy] = draw_chunks(fast.fast_copy(module, bf16=False), inputs, labels)
    assert max_level_difference(exact, served) <= 2
    assert max_level_difference(exact, copy) <= 2


def test_a_card_naming_another_graph_file_is_refused(exported: registry.GeneratorCard) -> None:
    card = json.loads(exported.card_path.read_text(encoding="utf-8"))
    card["onnx"]["file"] = "../elsewhere.onnx"
    exported.card_path.write_text(json.dumps(card), encoding="utf-8")
    with pytest.raises(registry.RegistryError, match=r'"onnx" "file" must be "hints\.onnx"'):
        registry.parse_card(exported.card_path)


def test_export_generator_command_exports_and_explains(registry_dir: Path) -> None:
    write_random_generator(registry_dir, name="tiny", categories=KIDS, conditioned=True)
    out = io.StringIO()
    call_command("export_generator", "tiny", stdout=out)
    assert "tiny.onnx sha256" in out.getvalue()
    assert registry.get_card("tiny").onnx_path is not None
    with pytest.raises(CommandError, match="installed: tiny"):
        call_command("export_generator", "nope", stdout=io.StringIO())
    write_random_painter(registry_dir, name="painter", categories=KIDS[1:])
    call_command("export_generator", "--all", stdout=out)
    assert "painter.onnx sha256" in out.getvalue()  # a palette painter's network exports too
    assert registry.get_card("painter").onnx_path is not None


def test_benchmark_prints_exact_and_served_at_batch_1_and_4(
    exported: registry.GeneratorCard,
) -> None:
    out = io.StringIO()
    call_command("benchmark_generator", "--json", "--repeats", "1", "--threads", "1", stdout=out)
    result = json.loads(out.getvalue())
    assert result["engine"] == "onnx" and set(result["served"]) == {"1", "4"}
    assert {"reference_ms_per_img", "ms_per_img", "speedup", "psnr_db", "batch"} <= set(result)
    assert result["batch"] in (1, 4)
    assert result["batch_invariance_max_levels"] <= 2
    assert result["served"]["1"]["psnr_db"] >= 40


def test_a_failed_compile_draws_eagerly_after_one_log_line(
    caplog: pytest.LogCaptureFixture,
) -> None:
    class BrokenCompile(torch.nn.Module):
        def forward(self, x: torch.Tensor, labels: object = None) -> torch.Tensor:
            raise RuntimeError("C++ compile error: expected primary-expression before 'float'")

    class Eager(torch.nn.Module):
        def forward(self, x: torch.Tensor, labels: object = None) -> torch.Tensor:
            return x * 0.5

    copy = fast.FastGenerator(BrokenCompile(), bf16=False, eager=Eager())
    x = torch.ones(1, 3, 4, 4)
    with caplog.at_level(logging.WARNING, logger="inference.serving.pix2pix.fast"):
        first = copy(x)
        second = copy(x)
    assert torch.equal(first, x * 0.5) and torch.equal(second, x * 0.5)
    assert len(caplog.records) == 1
    assert "torch.compile failed" in caplog.records[0].getMessage()


def test_the_batch_size_is_chosen_by_measuring_this_machine(
    exported: registry.GeneratorCard,
) -> None:
    loaded = get_runtime().generator("hints")
    assert loaded.best_batch((1, 2), repeats=1) in (1, 2)


@pytest.mark.parametrize("radius", [1, 2, 4, 7, 300])
def test_the_exported_max_filter_gives_the_very_maxima_training_uses(radius: int) -> None:
    from inference.serving.pix2pix import hints

    generator = torch.Generator().manual_seed(radius)
    mask = torch.rand(2, 1, 50, 70, generator=generator) > 0.7
    strength = torch.rand(2, 1, 50, 70, generator=generator)
    for x in (mask, strength):
        shifted = hints._shift_max(hints._shift_max(x, radius, -1), radius, -2)
        assert torch.equal(hints._pooled_max(x, radius), shifted)


def test_benchmark_of_a_painter_gives_the_network_and_the_painting_on_each_path(
    registry_dir: Path,
) -> None:
    write_random_painter(registry_dir, name="painter", categories=KIDS[1:])
    call_command("export_generator", "painter", stdout=io.StringIO())
    out = io.StringIO()
    call_command("benchmark_generator", "--json", "--repeats", "1", "--threads", "1", stdout=out)
    result = json.loads(out.getvalue())
    assert result["model"] == "painter" and result["engine"] == "onnx"
    assert {"reference_ms_per_img", "ms_per_img", "speedup", "psnr_db", "batch"} <= set(result)
    served = result["served"]["1"]
    assert served["max_levels_from_exact"] <= 2 and served["psnr_db"] >= 40
    assert served["network_ms_per_img"] > 0 and result["reference_network_ms_per_img"] > 0
    torch_out = io.StringIO()
    call_command("benchmark_generator", "--engine", "torch", "--repeats", "1", stdout=torch_out)
    assert "painter on" in torch_out.getvalue() and "network" in torch_out.getvalue()
