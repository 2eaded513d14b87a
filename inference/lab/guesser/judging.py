"""Drawings the guesser is judged on, made by procedures it never trained on.

* **doodles** (:mod:`inference.lab.pix2pix.doodles`): hand-written stroke lists of 14 things (a
  smiley, a cat's head, a car from the side...) bent by a drifting hand, in a thin and a thick
  pen. The temperature and the "confident" line are fitted on these.
* **the canvas dev set** (``scripts/canvas_devset.py``): recipes of polylines for every thing,
  drawn with the mouse on the real canvas page in Chromium through Playwright, in black, in a
  crayon, coloured in, and with small coloured parts; the PNGs are the files the page sent. The
  guesser's reported numbers are these.

Sketches go through exactly what serving does
(:func:`inference.serving.pix2pix.imaging.images_to_batch` then
:func:`inference.serving.pix2pix.sketch_classifier.classifier_input`), so a judged sketch is a
served one.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Any

import torch
from PIL import Image

from inference.lab.guesser import calibration
from inference.serving.pix2pix.classifier import CategoryClassifier
from inference.serving.pix2pix.imaging import images_to_batch
from inference.serving.pix2pix.sketch_classifier import classifier_input

# Doodles named after something other than their thing.
_DOODLE_THINGS = {"face": "smiley"}
DOODLE_PENS = (4.5, 9.0)  # the site's small-ish and medium brushes, in pixels at 256


def doodle_set(things: Sequence[str], seeds: int = 10) -> tuple[list[Image.Image], list[int]]:
    """``(sketches, labels)``: every doodle of one of ``things``, ``seeds`` times in each pen."""
    from inference.lab.pix2pix.doodles import DOODLES, MORE_DOODLES, draw_doodle

    index = {slug: i for i, slug in enumerate(things)}
    sketches, labels = [], []
    for name in [*DOODLES, *MORE_DOODLES]:
        label = index.get(_DOODLE_THINGS.get(name, name))
        if label is None:
            continue
        for seed in range(seeds):
            for pen in DOODLE_PENS:
                sketches.append(draw_doodle(name, seed=1000 + seed, brush=pen))
                labels.append(label)
    return sketches, labels


def canvas_set(
    devset: Path, things: Sequence[str], seeds: Collection[int] | None = None
) -> tuple[list[Image.Image], list[int], list[dict[str, Any]]]:
    """``(sketches, labels, manifest entries)`` of a canvas dev set's drawings of ``things``
    (of those ``seeds`` only, when given: one seed calibrates, another judges)."""
    manifest = json.loads((Path(devset) / "devset.json").read_text(encoding="utf-8"))
    index = {slug: i for i, slug in enumerate(things)}
    sketches, labels, entries = [], [], []
    for entry in manifest["drawings"]:
        label = index.get(entry["thing"])
        if label is None or (seeds is not None and entry.get("seed") not in seeds):
            continue
        with Image.open(Path(devset) / entry["file"]) as image:
            sketches.append(image.convert("RGB"))
        labels.append(label)
        entries.append(entry)
    return sketches, labels, entries


@torch.no_grad()
def seen(sketches: Sequence[Image.Image], size: int) -> torch.Tensor:
    """PIL sketches as the classifier reads them, as served: N x 3 x size x size in [-1, 1]."""
    out = [
        classifier_input(images_to_batch(list(sketches[start : start + 32])), size)
        for start in range(0, len(sketches), 32)
    ]
    return torch.cat(out) if out else torch.zeros((0, 3, size, size))


@torch.no_grad()
def logits_of(
    model: CategoryClassifier, sketches: Sequence[Image.Image] | torch.Tensor
) -> torch.Tensor:
    """The classifier's logits (before any temperature) for PIL sketches, as served, or for
    sketches already :func:`seen`."""
    model.eval()
    batch = sketches if isinstance(sketches, torch.Tensor) else seen(sketches, model.config.size)
    return (
        torch.cat([model(chunk) for chunk in batch.split(64)])
        if len(batch)
        else (torch.zeros((0, len(model.config.categories))))
    )


def judge_devset(
    model: CategoryClassifier,
    devset: Path,
    temperature: float,
    threshold: float,
    seeds: Collection[int] | None = None,
) -> dict[str, Any]:
    """Scores on a canvas dev set (its ``seeds``, or all), overall and by variant (black,
    crayon, coloured, parts)."""
    things = model.config.categories
    sketches, labels, entries = canvas_set(devset, things, seeds)
    logits = logits_of(model, sketches)
    target = torch.tensor(labels)
    result = calibration.scores(logits, target, temperature, threshold)
    variants = sorted({e["variant"] for e in entries})
    result["by_variant"] = {}
    for variant in variants:
        rows = torch.tensor([e["variant"] == variant for e in entries])
        part = calibration.scores(logits[rows], target[rows], temperature, threshold)
        result["by_variant"][variant] = {k: part[k] for k in ("count", "top1", "top3")}
    misses = logits.argmax(1) != target
    result["misses"] = [
        f"{entries[i]['file']}: {things[int(logits[i].argmax())]}"
        for i in torch.nonzero(misses).flatten().tolist()
    ]
    return result


def calibrate_on_devset(
    model: CategoryClassifier, devset: Path, seeds: Collection[int], precision: float
) -> dict[str, Any]:
    """The temperature and the confident line fitted on a canvas dev set's ``seeds`` (drawings
    of the canvas procedure, kept apart from the seeds that judge): what a card records."""
    sketches, labels, _entries = canvas_set(devset, model.config.categories, seeds)
    if not sketches:
        raise ValueError(f"{devset} holds no drawings of seeds {sorted(seeds)}")
    logits, target = logits_of(model, sketches), torch.tensor(labels)
    temperature = calibration.fit_temperature(logits, target)
    confidence = (logits / temperature).softmax(1).max(1).values.numpy()
    correct = (logits.argmax(1) == target).numpy().astype("float64")
    threshold = calibration.confident_at(confidence, correct, precision=precision)
    return {
        "temperature": round(temperature, 4),
        "confident_at": round(threshold, 4),
        "confident_precision": precision,
        "calibrated_on": f"canvas dev set {Path(devset).name}, seeds {sorted(seeds)} "
        f"({len(sketches)} drawings), apart from the seeds that judge",
        "calibration_scores": calibration.scores(logits, target, temperature, threshold),
    }
