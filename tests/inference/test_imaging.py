"""Conversions between PIL images and generator tensors (no Django involved)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

from inference.serving.pix2pix.imaging import batch_to_images, images_to_batch
from tests.fixtures.inference import pixels, sketch


def test_batch_is_nchw_float32_in_minus_one_to_one() -> None:
    black, white = Image.new("RGB", (256, 256), "black"), Image.new("RGB", (256, 256), "white")
    batch = images_to_batch([black, white])
    assert batch.shape == (2, 3, 256, 256)
    assert batch.dtype == torch.float32
    assert batch[0].eq(-1).all()
    assert batch[1].eq(1).all()


def test_round_trip_gives_back_the_exact_pixels() -> None:
    images = [sketch(1), sketch(2)]
    rng = np.random.default_rng(0)
    images.append(Image.fromarray(rng.integers(0, 256, (256, 256, 3), dtype=np.uint8)))
    back = batch_to_images(images_to_batch(images))
    for before, after in zip(images, back, strict=True):
        assert after.mode == "RGB"
        assert np.array_equal(pixels(before), pixels(after))


def test_sloppy_inputs_are_converted_and_resized() -> None:
    grey = Image.new("L", (100, 60), 0)
    rgba = Image.new("RGBA", (256, 256), (255, 0, 0, 128))
    batch = images_to_batch([grey, rgba])
    assert batch.shape == (2, 3, 256, 256)
    assert batch[0].eq(-1).all()
    assert batch[1, 0].eq(1).all()


def test_outputs_are_clamped_and_rounded() -> None:
    values = torch.tensor([-3.0, -1.0, 0.0, 0.004, 1.0, 7.0]).view(1, 1, 1, 6).repeat(1, 3, 1, 1)
    [image] = batch_to_images(values)
    assert list(pixels(image)[0, :, 0]) == [0, 0, 128, 128, 255, 255]


def test_empty_batches_and_wrong_shapes() -> None:
    assert images_to_batch([]).shape == (0, 3, 256, 256)
    assert batch_to_images(torch.zeros(0, 3, 8, 8)) == []
    with pytest.raises(ValueError, match="N x 3 x H x W"):
        batch_to_images(torch.zeros(3, 8, 8))
