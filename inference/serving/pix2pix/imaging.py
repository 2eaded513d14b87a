"""Conversions between PIL images and the generator's tensors.

Tensors are NCHW float32 in [-1, 1] (the pix2pix convention, matching the generator's tanh).
Both directions are deterministic: fixed resampling filter, exact rounding to uint8.
"""

from __future__ import annotations

import numpy as np
import torch
from PIL import Image

DEFAULT_SIZE = 256


def image_to_array(image: Image.Image, size: int = DEFAULT_SIZE) -> np.ndarray:
    """Return ``image`` as an RGB ``size`` x ``size`` uint8 array (HWC)."""
    if image.mode != "RGB":
        image = image.convert("RGB")
    if image.size != (size, size):
        image = image.resize((size, size), Image.Resampling.BICUBIC)
    return np.asarray(image, dtype=np.uint8)


def images_to_batch(images: list[Image.Image], size: int = DEFAULT_SIZE) -> torch.Tensor:
    """Stack images into an N x 3 x size x size float32 tensor in [-1, 1].

    Any mode is converted to RGB and any other size is resized (bicubic), so callers may be
    sloppy; the drawings app already hands over normalised 256x256 RGB sketches.
    """
    if not images:
        return torch.empty((0, 3, size, size), dtype=torch.float32)
    array = np.stack([image_to_array(image, size) for image in images])
    batch = torch.from_numpy(array).permute(0, 3, 1, 2).to(torch.float32)
    return (batch / 127.5 - 1.0).contiguous()


def batch_to_images(batch: torch.Tensor) -> list[Image.Image]:
    """Turn an N x 3 x H x W tensor in [-1, 1] into RGB images (clamped, rounded to uint8)."""
    if batch.ndim != 4 or batch.shape[1] != 3:
        raise ValueError(f"expected an N x 3 x H x W tensor, got shape {tuple(batch.shape)}")
    scaled = ((batch.detach().to("cpu", torch.float32).clamp(-1.0, 1.0) + 1.0) * 127.5).round()
    arrays = scaled.to(torch.uint8).permute(0, 2, 3, 1).contiguous().numpy()
    return [Image.fromarray(array) for array in arrays]
