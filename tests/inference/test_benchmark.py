"""The fast drawing path and ``benchmark_generator`` (times are printed, never asserted)."""

from __future__ import annotations

import dataclasses
import io
import json
from pathlib import Path

import pytest
import torch
from django.core.management import CommandError, call_command

from inference.lab.testing import write_random_generator
from inference.serving import registry
from inference.serving.pix2pix import fast
from inference.serving.pix2pix.imaging import batch_to_images, images_to_batch
from inference.serving.pix2pix.networks import BatchInvariantConvTranspose2d
from tests.fixtures.inference import sketch

KIDS = (("face", "Face", "얼굴", "🙂"), ("food", "Food", "음식", "🍎"))


def test_the_fast_copy_draws_nearly_the_same_and_leaves_the_original_alone(
    tmp_path: Path,
) -> None:
    card = write_random_generator(tmp_path, categories=KIDS, conditioned=True)
    module = registry.load_generator(card)
    sketches = [sketch(seed) for seed in range(3)]
    labels = card.config.labels_for(["face", "food", "face"])

    copy = fast.fast_copy(module, bf16=False)
    inputs = images_to_batch(sketches)
    with torch.inference_mode():
        exact = batch_to_images(module(inputs, labels))
    quick = batch_to_images(copy(inputs, labels))

    assert fast.psnr_uint8(quick, exact) > 40
    assert fast.psnr_uint8(exact, exact) == 100.0
    layers = [type(m) for m in module.modules()]
    assert BatchInvariantConvTranspose2d in layers  # the served module kept its exact layers
    assert BatchInvariantConvTranspose2d not in [type(m) for m in copy.module.modules()]


def test_benchmark_generator_prints_the_contract_keys(registry_dir: Path) -> None:
    write_random_generator(registry_dir, name="tiny", categories=KIDS, conditioned=True)
    out = io.StringIO()

    call_command(
        "benchmark_generator", "--json", "--engine", "torch", "--repeats", "1", "--batches", "4",
        "--threads", "1", stdout=out,
    )  # fmt: skip

    result = json.loads(out.getvalue())
    assert {"reference_ms_per_img", "ms_per_img", "speedup", "psnr_db", "batch"} <= set(result)
    assert result["model"] == "tiny" and result["batch"] == 4 and result["engine"] == "torch"
    assert result["reference_ms_per_img"] > 0 and result["ms_per_img"] > 0
    assert result["speedup"] == pytest.approx(
        result["reference_ms_per_img"] / result["ms_per_img"], rel=0.01
    )
    assert 0 < result["psnr_db"] <= 100


def test_benchmark_generator_explains_what_is_missing(registry_dir: Path) -> None:
    with pytest.raises(CommandError, match="No generators are installed"):
        call_command("benchmark_generator", stdout=io.StringIO())
    write_random_generator(registry_dir, name="tiny")
    with pytest.raises(CommandError, match='No generator "nope"'):
        call_command("benchmark_generator", "--model", "nope", stdout=io.StringIO())


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a GPU: the cuda run works")
def test_benchmark_generator_on_cuda_without_a_gpu_says_so(registry_dir: Path) -> None:
    write_random_generator(registry_dir, name="tiny", categories=KIDS, conditioned=True)
    with pytest.raises(CommandError, match="no CUDA GPU"):
        call_command("benchmark_generator", "--device", "cuda", stdout=io.StringIO())


def test_the_fast_copy_autocasts_for_the_device_its_weights_are_on(tmp_path: Path) -> None:
    card = write_random_generator(tmp_path, categories=KIDS, conditioned=True)
    module = registry.load_generator(card)
    copy = fast.fast_copy(module, bf16=True)
    assert (copy.device_type, copy.precision) == ("cpu", "bfloat16")
    assert copy.config is module.config  # its category labels are found as for the module
    assert fast.fast_copy(module, bf16=False).precision == "float32"
    # On a GPU the same copy runs float16 (or bfloat16 when asked).
    on_gpu = fast.FastGenerator(copy.module, bf16=False, device_type="cuda")
    assert on_gpu.precision == "float16"
    on_gpu_bf16 = fast.FastGenerator(
        copy.module, bf16=False, device_type="cuda", cuda_dtype=torch.bfloat16
    )
    assert on_gpu_bf16.precision == "bfloat16"


def test_the_benchmark_adds_the_fill_cleaning_a_generator_does_after_either_path(
    tmp_path: Path,
) -> None:
    card = write_random_generator(tmp_path, categories=KIDS, conditioned=True)
    module = registry.load_generator(card)
    sketches = [sketch(seed) for seed in range(2)]

    plain = fast.benchmark(module, sketches, batch=2, repeats=1)
    assert "clean_fills_ms_per_img" not in plain

    setattr(module, "config", dataclasses.replace(card.config, clean_fills=1.0))  # noqa: B010
    cleaning = fast.benchmark(module, sketches, batch=2, repeats=1)
    assert cleaning["clean_fills"] == 1.0
    assert cleaning["clean_fills_ms_per_img"] > 0


def test_check_sure_areas_says_what_it_cannot_check(registry_dir: Path) -> None:
    from inference.lab.testing import write_random_painter

    with pytest.raises(CommandError, match='No installed generator "kids3"'):
        call_command("check_sure_areas", stdout=io.StringIO())
    write_random_generator(registry_dir, name="tiny")
    with pytest.raises(CommandError, match="not a palette painter"):
        call_command("check_sure_areas", "--model", "tiny", stdout=io.StringIO())
    write_random_painter(registry_dir, name="painter")
    with pytest.raises(CommandError, match="no region model"):
        call_command("check_sure_areas", "--model", "painter", stdout=io.StringIO())
