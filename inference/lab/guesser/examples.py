"""The guesser's examples: every training picture drawn several ways a child might draw it.

Two procedures, mixed on purpose so that neither one's style is what the classifier learns:

* ``outline`` (:func:`inference.lab.guesser.outlines.outline_drawing`): the thing's silhouette and
  a few big parts from the *picture*, simplified, wobbly, any pen, sometimes coloured in;
* ``lines``: the picture's line art (the given one, else XDoG edges) roughened by
  :func:`inference.serving.pix2pix.sketchify.sketchify_pair` and coloured in by
  :func:`inference.serving.pix2pix.colouring.colour_in`: every inner line an illustrator drew,
  shaken.

Each drawing is seen as the classifier sees a child's sketch (the line and colour-hint split
drawn back as one picture and shrunk, :func:`inference.serving.pix2pix.sketch_classifier
.classifier_input`) and kept small (uint8, ``size`` square), so tens of
thousands fit in memory and the rendering, the slow part, runs once (``render_examples`` can
run in worker processes) and is cached on disk.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch

from inference.serving.pix2pix.data import PairSource
from inference.serving.pix2pix.sketch_classifier import classifier_input

PROCEDURES = ("outline", "lines")


@dataclass(frozen=True)
class ExamplePlan:
    """How many drawings of each picture, by procedure, and at what size they are kept."""

    outline_variants: int = 3
    line_variants: int = 2
    min_per_thing: int = 0  # a thing with few pictures gets more variants of each
    size: int = 64
    seed: int = 0
    drawing_version: int = 3  # 2: details marked; 3: slanted things squared; bump on change

    def key(self, pairs: Sequence[tuple[PairSource, int]]) -> str:
        """A short hash of the plan and the pictures: the cache file's name."""
        text = json.dumps([asdict(self), [(str(source.sketch), label) for source, label in pairs]])
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def _to_uint8(batch: torch.Tensor) -> torch.Tensor:
    return ((batch + 1.0) * 127.5).round().clamp(0, 255).to(torch.uint8)


def to_float(examples: torch.Tensor) -> torch.Tensor:
    """Cached uint8 examples back to the network's [-1, 1] floats."""
    return examples.float() / 127.5 - 1.0


def _drawings_of(
    source: PairSource, label_repeats: tuple[int, int], seed: tuple[int, ...]
) -> list[tuple[np.ndarray, int]]:
    """``(drawing S x S x 3 uint8, procedure index)`` for one picture."""
    from PIL import Image

    from inference.lab.guesser.outlines import outline_drawing
    from inference.serving.pix2pix.colouring import colour_in
    from inference.serving.pix2pix.data import sketch_styles, to_tensor
    from inference.serving.pix2pix.sketchify import sketchify_pair

    given, picture = source.load_parts(256)
    array = np.asarray(picture)
    drawings: list[tuple[np.ndarray, int]] = []
    outlines, lines = label_repeats
    for v in range(outlines):
        drawn = outline_drawing(array, np.random.default_rng([*seed, 0, v]))
        if drawn is not None:
            drawings.append((drawn, 0))
    if lines:
        line_art = next(
            d for d in sketch_styles(given, picture, ("given", "xdog")) if d is not None
        )
        clean, target = to_tensor(Image.fromarray(line_art)), to_tensor(picture)
        for v in range(lines):
            rng = np.random.default_rng([*seed, 1, v])
            sketch, colours = sketchify_pair(clean, target, rng)
            child, _ = colour_in(sketch, colours, rng)
            drawings.append((_to_uint8(child).permute(1, 2, 0).numpy(), 1))
    return drawings


def _render_chunk(
    job: tuple[list[tuple[PairSource, int, tuple[int, int]]], int, int, int],
) -> tuple[torch.Tensor, list[int], list[int]]:
    """Render one chunk of pictures (run in a worker process; one torch thread)."""
    torch.set_num_threads(1)
    items, first, size, seed = job
    examples, labels, procedures = [], [], []
    for offset, (source, label, repeats) in enumerate(items):
        drawings = _drawings_of(source, repeats, (seed, first + offset))
        if not drawings:
            continue
        batch = torch.stack([torch.from_numpy(d.copy()).permute(2, 0, 1) for d, _ in drawings])
        examples.append(_to_uint8(classifier_input(batch.float() / 127.5 - 1.0, size)))
        labels += [label] * len(drawings)
        procedures += [p for _, p in drawings]
    if not examples:
        return torch.zeros((0, 3, size, size), dtype=torch.uint8), labels, procedures
    return torch.cat(examples), labels, procedures


def render_examples(
    pairs: Sequence[tuple[PairSource, int]],
    plan: ExamplePlan,
    *,
    workers: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """``(examples uint8 N x 3 x size x size, labels, procedure index)`` for ``pairs``.

    Each picture gets ``outline_variants`` + ``line_variants`` drawings, multiplied for a thing
    whose pictures are too few to reach ``min_per_thing``. The same plan and pairs give the same
    examples whatever ``workers`` is.
    """
    per_label: dict[int, int] = {}
    for _, label in pairs:
        per_label[label] = per_label.get(label, 0) + 1
    each = plan.outline_variants + plan.line_variants
    items = []
    for source, label in pairs:
        factor = max(1, -(-plan.min_per_thing // max(1, per_label[label] * each)))
        items.append((source, label, (plan.outline_variants * factor, plan.line_variants * factor)))
    chunk = 32
    jobs = [
        (items[start : start + chunk], start, plan.size, plan.seed)
        for start in range(0, len(items), chunk)
    ]
    results = []
    if workers <= 1:
        for n, job in enumerate(jobs):
            results.append(_render_chunk(job))
            if progress:
                progress(n + 1, len(jobs))
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            for n, result in enumerate(pool.map(_render_chunk, jobs)):
                results.append(result)
                if progress:
                    progress(n + 1, len(jobs))
    examples = torch.cat([r[0] for r in results])
    labels = torch.tensor([label for r in results for label in r[1]], dtype=torch.long)
    procedures = torch.tensor([p for r in results for p in r[2]], dtype=torch.long)
    return examples, labels, procedures


def cached_examples(
    pairs: Sequence[tuple[PairSource, int]],
    plan: ExamplePlan,
    cache_dir: Path | None,
    *,
    workers: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """:func:`render_examples`, read from ``cache_dir`` when the same plan and pictures were
    rendered before (and written there after rendering)."""
    path = None if cache_dir is None else Path(cache_dir) / f"examples-{plan.key(pairs)}.pt"
    if path is not None and path.is_file():
        stored = torch.load(path, weights_only=True)
        return stored["examples"], stored["labels"], stored["procedures"]
    examples, labels, procedures = render_examples(pairs, plan, workers=workers, progress=progress)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        torch.save({"examples": examples, "labels": labels, "procedures": procedures}, path)
    return examples, labels, procedures
