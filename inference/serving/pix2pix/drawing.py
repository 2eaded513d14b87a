"""Sketches in, pictures out: the one batched way a generator draws.

The runtime (and so the worker and ``sketch2image``), evaluation, promotion's contact sheets,
training's sample grids and the fast path's benchmark all draw through :func:`draw` (images)
or :func:`draw_chunks` (tensors), so a sketch meets the same input handling everywhere: RGB at
the generator's size, ``[-1, 1]``, its category as a label the generator turns into condition
planes or an embedding (``labels`` -1: "any category"), no gradients.

The exact generator is batch-invariant on the CPU, so ``batch`` changes speed, not pixels; the
fast copy (:mod:`inference.serving.pix2pix.fast`) is drawn the same way at its own batch size. A
generator whose config sets ``clean_fills`` has its pictures' fills cleaned against their own
sketches (:mod:`inference.serving.pix2pix.fills`), one picture at a time, on every one of these
paths.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import torch
from PIL import Image

from inference.serving.pix2pix.conditioning import condition_labels, network_input
from inference.serving.pix2pix.fills import clean_fills
from inference.serving.pix2pix.generator_config import GeneratorConfig
from inference.serving.pix2pix.imaging import DEFAULT_SIZE, batch_to_images, images_to_batch

# An exact module or a fast copy: (sketches, labels or None) -> pictures in [-1, 1].
Generator = Callable[..., torch.Tensor]


def draw_chunks(
    generator: Generator,
    sketches: torch.Tensor,
    labels: torch.Tensor | None = None,
    *,
    batch: int | None = None,
    device: torch.device | str | None = None,
) -> list[torch.Tensor]:
    """The generator's output for ``sketches`` (N x C x H x W), ``batch`` at a time (None:
    one call for all), each chunk moved to ``device`` first; in input order, not joined.

    RGB sketches become what the network reads
    (:func:`~inference.serving.pix2pix.conditioning.network_input`: lines and colour hints for a
    hint generator) here, outside the network, for the exact module and its fast copy; an exported
    ONNX graph runs the same function traced into it."""
    step = batch or max(1, len(sketches))
    config = getattr(generator, "config", None)
    # An exported graph has the same pre-processing traced in: it takes the RGB sketch.
    prepares_its_input = bool(getattr(generator, "prepares_its_input", False))
    chunks = []
    with torch.inference_mode():
        for start in range(0, len(sketches), step):
            chunk = sketches[start : start + step]
            if device is not None:
                chunk = chunk.to(device)
            if isinstance(config, GeneratorConfig) and not prepares_its_input:
                chunk = network_input(config, chunk)
            part = None if labels is None else labels[start : start + step]
            chunks.append(generator(chunk, part))
    return chunks


def draw(
    generator: Generator,
    sketches: Sequence[Image.Image],
    categories: Sequence[str | None] | None = None,
    *,
    batch: int | None = 8,
    size: int = DEFAULT_SIZE,
    strict: bool = False,
    device: torch.device | str | None = None,
) -> list[Image.Image]:
    """Pictures for ``sketches`` exactly as serving draws them (eval mode, uint8 rounding).

    A category-conditioned generator draws each sketch as its entry in ``categories`` (the
    category the child picked); one it was not trained on is "any category", or a
    ``ValueError`` with ``strict``. An unconditional one ignores them. Sketches of any mode
    and size are converted to ``size`` x ``size`` RGB. ``batch`` sketches go through the
    generator per call, which bounds memory on a long list (None: all at once, as the runtime
    draws the worker's micro-batch).
    """
    if not sketches:
        return []
    if isinstance(generator, torch.nn.Module):
        generator.eval()
        device = device or next(generator.parameters()).device
    labels = condition_labels(generator, categories, strict=strict)
    inputs = images_to_batch(list(sketches), size=size)
    if labels is not None and device is not None:
        labels = labels.to(device)
    chunks = draw_chunks(generator, inputs, labels, batch=batch, device=device or "cpu")
    pictures = batch_to_images(torch.cat(chunks))
    strength = clean_fills_of(generator)
    if strength:
        pictures = [
            Image.fromarray(clean_fills(np.asarray(picture), sketch, strength))
            for picture, sketch in zip(pictures, batch_to_arrays(inputs), strict=True)
        ]
    return pictures


def clean_fills_of(generator: Generator) -> float:
    """The generator's ``clean_fills`` strength (its config's; 0 for one without)."""
    config = getattr(generator, "config", None)
    return float(getattr(config, "clean_fills", 0.0) or 0.0)


def batch_to_arrays(batch: torch.Tensor) -> list[np.ndarray]:
    """``[-1, 1]`` N x 3 x H x W sketches as H x W x 3 uint8 arrays (as the child drew them)."""
    levels = ((batch.detach().float().cpu() + 1.0) * 127.5).round().clamp(0, 255)
    return list(levels.to(torch.uint8).permute(0, 2, 3, 1).numpy())
