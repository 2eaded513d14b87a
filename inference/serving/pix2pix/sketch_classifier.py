""" "What did you draw?": a small classifier that guesses the thing from the child's sketch.

While the child draws, the canvas asks which thing the sketch looks like and offers the best
guess as one tap ("Is it a panda? 🐼"). The network is :class:`CategoryClassifier` (four small
conv blocks at 64 x 64, under a millisecond a sketch on a CPU core), here trained on sketches
instead of pictures:

* what it sees is what the generator sees: the sketch split into lines and colour hints
  (:func:`inference.serving.pix2pix.hints.split_sketch`) and drawn back as black lines over the hint
  colours, so a crayon outline looks like a black one and a yellow-coloured disc stays yellow;
* its examples are the generators' training pairs of every thing (line art or edges), each
  roughened like a child's strokes (:mod:`.sketchify`) and coloured in like a child
  (:mod:`.colouring`) several times, then placed off-centre, scaled and turned each step.

Its classes are the things only (not the themes): it suggests, the child decides.
Plain torch, no Django.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import torch

from inference.serving.pix2pix.classifier import CategoryClassifier, shrink
from inference.serving.pix2pix.colouring import colour_in
from inference.serving.pix2pix.data import PairSource, find_pairs, sketch_styles, to_tensor
from inference.serving.pix2pix.hints import planes_to_rgb, split_sketch
from inference.serving.pix2pix.sketchify import sketchify_pair


def as_seen(sketches: torch.Tensor) -> torch.Tensor:
    """RGB sketches (N x 3 x H x W in [-1, 1]) as the classifier sees them: their line and
    hint split drawn back as one picture."""
    return planes_to_rgb(split_sketch(sketches))


def classifier_input(sketches: torch.Tensor, size: int) -> torch.Tensor:
    """What the classifier's first convolution reads of RGB sketches (N x 3 x H x W in
    [-1, 1]): :func:`as_seen`, shrunk to ``size`` x ``size``. The one pre-processing of the
    training examples, the torch guesser and its exported ONNX graph (which traces it)."""
    return shrink(as_seen(sketches), size)


def thing_pairs(
    folders: Sequence[Path], things: Sequence[str], *, cap_per_thing: int = 150, seed: int = 0
) -> list[tuple[PairSource, int]]:
    """``(pair, label index)`` for every pair of ``folders`` labelled with one of ``things``;
    at most ``cap_per_thing`` of each (a random, seeded choice), so 1,361 cartoon faces do not
    drown two pandas."""
    index = {slug: i for i, slug in enumerate(things)}
    found: dict[int, list[PairSource]] = {}
    for folder in folders:
        for source in find_pairs(Path(folder)):
            label = index.get(source.category or "")
            if label is not None:
                found.setdefault(label, []).append(source)
    rng = np.random.default_rng(seed)
    chosen: list[tuple[PairSource, int]] = []
    for label, sources in sorted(found.items()):
        kept = sources
        if len(sources) > cap_per_thing:
            picks = rng.choice(len(sources), size=cap_per_thing, replace=False)
            kept = [sources[int(i)] for i in sorted(picks)]
        chosen += [(source, label) for source in kept]
    return chosen


def child_like_examples(
    pairs: Sequence[tuple[PairSource, int]],
    *,
    variants: int,
    size: int = 64,
    seed: int = 0,
    min_per_label: int = 0,
    progress: Callable[[int], None] | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """``(examples, labels)``: each pair drawn ``variants`` times as a child might (more for
    a label with few pairs, up to ``min_per_label`` examples), as the classifier sees them,
    shrunk to ``size``."""
    per_label: dict[int, int] = {}
    for _, label in pairs:
        per_label[label] = per_label.get(label, 0) + 1
    examples, labels = [], []
    for n, (source, label) in enumerate(pairs):
        given, picture = source.load_parts(256)
        line_art = next(
            d for d in sketch_styles(given, picture, ("given", "xdog")) if d is not None
        )
        clean, target = to_tensor_pair(line_art, np.asarray(picture))
        repeats = max(variants, -(-min_per_label // per_label[label]))
        batch = []
        for v in range(repeats):
            rng = np.random.default_rng([seed, n, v])
            sketch, colours = sketchify_pair(clean, target, rng)
            child, _ = colour_in(sketch, colours, rng)
            batch.append(child)
        examples.append(classifier_input(torch.stack(batch), size))
        labels += [label] * repeats
        if progress:
            progress(n + 1)
    return torch.cat(examples), torch.tensor(labels)


def to_tensor_pair(sketch: np.ndarray, picture: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
    """Two ``S x S x 3`` uint8 arrays as ``[-1, 1]`` tensors."""
    from PIL import Image

    return to_tensor(Image.fromarray(sketch)), to_tensor(Image.fromarray(picture))


@torch.no_grad()
def suggest(
    model: CategoryClassifier, sketches: torch.Tensor, top: int = 3, temperature: float = 1.0
) -> list[list[tuple[str, float]]]:
    """The ``top`` likeliest things for each RGB sketch (N x 3 x H x W in [-1, 1]), best
    first, as ``(slug, probability)``, the logits divided by ``temperature`` (the card's
    calibration) before the softmax."""
    model.eval()
    logits = model(classifier_input(sketches, model.config.size))
    return ranked(logits, model.config.categories, top=top, temperature=temperature)


def ranked(
    logits: torch.Tensor, slugs: Sequence[str], *, top: int, temperature: float
) -> list[list[tuple[str, float]]]:
    """The ``top`` likeliest of ``slugs`` for each row of ``logits`` (from the torch module or
    the exported graph alike), best first, as ``(slug, probability)``: the logits divided by
    ``temperature`` (the card's calibration), then the softmax."""
    probabilities = (logits.float() / temperature).softmax(dim=1)
    best = probabilities.topk(min(top, probabilities.shape[1]), dim=1)
    return [
        [(slugs[int(i)], float(p)) for p, i in zip(values, indices, strict=True)]
        for values, indices in zip(best.values, best.indices, strict=True)
    ]
