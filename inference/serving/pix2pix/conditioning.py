"""What a generator reads besides its weights: the sketch made into its input planes, and the
thing the child picked as condition labels and planes. Shared by training, serving and export.

Plain torch, no Django.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F

from inference.serving.pix2pix.generator_config import GeneratorConfig


def network_input(config: GeneratorConfig, sketches: torch.Tensor) -> torch.Tensor:
    """What the network reads of an N x 3 x H x W RGB batch in [-1, 1]: the sketch itself, or
    its line and colour-hint planes (:func:`inference.serving.pix2pix.hints.split_sketch`). The one
    pre-processing for training, serving and export alike, kept outside the network so the
    network exports as a plain graph (the split sizes its filters with Python ``round()``).
    A batch that already has the network's planes is returned as it is."""
    if config.sketch_input == "hints" and sketches.shape[1] == 3:
        from inference.serving.pix2pix.hints import split_sketch

        return split_sketch(sketches)
    return sketches


def condition_labels(
    module: object, categories: Sequence[str | None] | None, *, strict: bool = False
) -> torch.Tensor | None:
    """Plane indices for drawing ``categories`` with ``module``, or None when it is not
    conditioned (or no categories are given). A category it was not trained on becomes "any
    category" (-1), as for a dev sketch of a category the generator does not serve; with
    ``strict`` it is a ``ValueError`` instead (serving never guesses)."""
    config = getattr(module, "config", None)
    if not isinstance(config, GeneratorConfig) or not config.condition or categories is None:
        return None
    if strict:
        return config.labels_for(list(categories))
    return config.labels_for([c if c in config.condition else None for c in categories])


def with_condition(sketch: torch.Tensor, labels: torch.Tensor, planes: int) -> torch.Tensor:
    """``sketch`` (N x C x H x W) followed by ``planes`` constant one-hot planes per sample.

    ``labels`` holds each sample's plane index; -1 gives all-zero planes (no category). Each
    sample's planes depend on its own label only, so batching stays invariant.
    """
    if planes == 0:
        return sketch
    labels = labels.to(sketch.device)
    onehot = F.one_hot(labels.clamp(min=0), planes) * (labels >= 0).unsqueeze(1)
    n, _, height, width = sketch.shape
    grid = onehot.to(sketch.dtype)[:, :, None, None].expand(n, planes, height, width)
    return torch.cat([sketch, grid], dim=1).contiguous(memory_format=memory_format(sketch))


def memory_format(tensor: torch.Tensor) -> torch.memory_format:
    """The layout to keep when planes are added to ``tensor``: channels-last stays so."""
    channels_last = tensor.dim() == 4 and tensor.is_contiguous(memory_format=torch.channels_last)
    if channels_last and not tensor.is_contiguous():
        return torch.channels_last
    return torch.contiguous_format
