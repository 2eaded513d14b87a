"""The process-wide runtime: loads once, draws deterministically, batching is invisible."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import numpy as np
import pytest
import torch

from inference.lab.testing import write_random_generator
from inference.serving import registry, runtime
from inference.serving.registry import GeneratorNotFound, UnknownCategory
from inference.serving.runtime import GeneratorRuntime, draw_category, get_runtime
from tests.fixtures.inference import pixels, sketch

FACE = ("face", "Face", "얼굴", "🙂")
PANDA = ("panda", "Panda", "판다", "🐼")


@pytest.fixture
def installed(registry_dir: Path) -> Path:
    write_random_generator(registry_dir, name="faces", categories=(FACE, PANDA), seed=7)
    return registry_dir


def test_draws_256_rgb_pictures_in_input_order(installed: Path) -> None:
    card, pictures = draw_category("face", [sketch(1), sketch(2)])
    assert card.name == "faces"
    assert [(p.mode, p.size) for p in pictures] == [("RGB", (256, 256))] * 2
    assert not np.array_equal(pixels(pictures[0]), pixels(pictures[1]))
    _, [second] = draw_category("face", [sketch(2)])
    assert np.array_equal(pixels(second), pixels(pictures[1]))


def test_same_sketch_twice_gives_the_same_picture(installed: Path) -> None:
    generator = get_runtime().generator("faces")
    first = generator.draw([sketch(3)])[0]
    get_runtime().reset()  # even after reloading the weights
    second = get_runtime().generator("faces").draw([sketch(3)])[0]
    assert np.array_equal(pixels(first), pixels(second))


@pytest.mark.parametrize("threads", [1, 2, 4])
def test_a_sketch_gives_the_identical_picture_alone_and_in_a_batch(
    installed: Path, threads: int
) -> None:
    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        generator = get_runtime().generator("faces")
        target = sketch(42)
        [alone] = generator.draw([target])
        others = [sketch(seed) for seed in (5, 6, 7, 8)]
        for position in range(5):
            batch = [*others[:position], target, *others[position:]]
            pictures = generator.draw(batch)
            assert np.array_equal(pixels(pictures[position]), pixels(alone)), position
        # Odd batch sizes are where the stock CPU transposed convolution used to drift.
        for size in (2, 3, 5, 7):
            batch = [target, *[sketch(100 + i) for i in range(size - 1)]]
            assert np.array_equal(pixels(generator.draw(batch)[0]), pixels(alone)), size
    finally:
        torch.set_num_threads(before)


def test_sloppy_sketches_are_accepted(installed: Path) -> None:
    grey = sketch(9, size=512).convert("L")
    [picture] = get_runtime().generator("faces").draw([grey])
    assert (picture.mode, picture.size) == ("RGB", (256, 256))
    assert get_runtime().generator("faces").draw([]) == []


def test_each_generator_loads_once_even_from_many_threads(installed: Path, monkeypatch) -> None:
    calls: list[str] = []
    real_load = runtime.load_generator

    def counting_load(card, device="cpu"):
        calls.append(card.name)
        return real_load(card, device=device)

    monkeypatch.setattr(runtime, "load_generator", counting_load)
    results = []
    start = threading.Barrier(8)

    def worker() -> None:
        start.wait()
        results.append(get_runtime().generator("faces"))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert calls == ["faces"]
    assert all(result is results[0] for result in results)
    get_runtime().generator("faces")
    draw_category("panda", [sketch(1)])
    assert calls == ["faces"]

    get_runtime().reset()
    get_runtime().generator("faces")
    assert calls == ["faces", "faces"]


def test_generators_installed_later_are_found_without_a_restart(installed: Path) -> None:
    assert get_runtime().active_card_for("face").name == "faces"
    write_random_generator(installed, name="cars", categories=(("car", "Car", "자동차", "🚗"),))
    card, [picture] = draw_category("car", [sketch(1)])
    assert card.name == "cars"
    assert picture.size == (256, 256)
    assert get_runtime().generator("cars").card.name == "cars"


def test_unknown_category_and_model_are_clear_errors(installed: Path) -> None:
    with pytest.raises(UnknownCategory, match='category "dragon"'):
        draw_category("dragon", [sketch(1)])
    with pytest.raises(GeneratorNotFound, match=r'"nope".*installed: faces'):
        draw_category("face", [sketch(1)], model_name="nope")
    write_random_generator(installed, name="cars", categories=(("car", "Car", "자동차", "🚗"),))
    with pytest.raises(UnknownCategory, match='"cars" does not draw the category "face"'):
        draw_category("face", [sketch(1)], model_name="cars")


def test_named_model_overrides_the_active_one(installed: Path) -> None:
    write_random_generator(installed, name="better", categories=(FACE,), priority=3, seed=1)
    card, [by_default] = draw_category("face", [sketch(1)])
    assert card.name == "better"
    card, [by_name] = draw_category("face", [sketch(1)], model_name="faces")
    assert card.name == "faces"
    assert not np.array_equal(pixels(by_default), pixels(by_name))


def test_tampered_weights_are_refused_by_the_runtime(installed: Path) -> None:
    path = installed / "faces.safetensors"
    data = bytearray(path.read_bytes())
    data[-2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(registry.WeightsMismatch):
        get_runtime().generator("faces")


def test_cuda_requested_without_cuda_falls_back_to_cpu(
    installed: Path, settings, monkeypatch, caplog
) -> None:
    settings.INFERENCE_DEVICE = "cuda"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    get_runtime().reset()
    with caplog.at_level(logging.WARNING, logger="inference.serving.devices"):
        generator = get_runtime().generator("faces")
    assert generator.device == torch.device("cpu")
    assert "CUDA is not available" in caplog.text
    assert len(generator.draw([sketch(1)])) == 1


def test_explicit_directory_and_device(tmp_path: Path) -> None:
    write_random_generator(tmp_path, name="local")
    local = GeneratorRuntime(tmp_path, device="cpu", threads=0)
    assert [card.name for card in local.cards()] == ["local"]
    assert local.generator("local").device == torch.device("cpu")


def test_a_worker_loads_only_the_generators_that_serve_a_category(tmp_path: Path) -> None:
    face = (("face", "Face", "얼굴", "🙂"),)
    write_random_generator(tmp_path, name="old", categories=face, priority=0)
    write_random_generator(tmp_path, name="new", categories=face, priority=5)
    write_random_generator(tmp_path, name="pandas", categories=(("panda", "Panda", "판다", "🐼"),))
    loaded = GeneratorRuntime(tmp_path, device="cpu", path="fast").load_all()
    assert [g.card.name for g in loaded] == ["new", "pandas"]  # "old" is outranked everywhere
    assert all(g.path == "fast" for g in loaded)


def test_the_fast_path_serves_by_default_and_exact_stays_for_audits(tmp_path: Path) -> None:
    shipped = Path(__file__).resolve().parents[2] / "generators"  # trained weights: random
    fast = GeneratorRuntime(shipped, device="cpu").generator("kids7c")  # ones amplify noise
    exact = GeneratorRuntime(shipped, device="cpu", path="exact").generator("kids7c")
    assert (fast.path, exact.path) == ("fast", "exact")
    pictures = [sketch(seed) for seed in range(3)]
    quick, slow = fast.draw(pictures, ["face"] * 3), exact.draw(pictures, ["face"] * 3)
    worst = max(
        int(np.abs(pixels(a).astype(int) - pixels(b)).max())
        for a, b in zip(quick, slow, strict=True)
    )
    assert worst <= 8  # bfloat16 against float32: close, not equal
    audit = fast.draw(pictures, ["face"] * 3, exact=True)  # the audit path on demand
    assert all(np.array_equal(pixels(a), pixels(b)) for a, b in zip(audit, slow, strict=True))
    write_random_generator(tmp_path, name="g")
    with pytest.raises(ValueError, match="INFERENCE_PATH"):
        GeneratorRuntime(tmp_path, device="cpu", path="turbo").generator("g")
