"""Scoring candidates: every metric of every dev sketch's picture, their means, and one
combined score to rank checkpoints by.

**Recognisability** is the pix2pix paper's FCN-score idea: a small category classifier
trained on the real pictures (:mod:`inference.serving.pix2pix.classifier`) names the category of
each generated picture; its accuracy is compared with its accuracy on the real targets.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from PIL import Image

from inference.lab.pix2pix.evaluation.devset import DevSketch
from inference.lab.pix2pix.evaluation.metrics import (
    colourfulness,
    f1,
    fill_fraction,
    interior_mask,
    l1_error,
    line_following,
    lines_dark,
    psnr,
    ssim,
)
from inference.serving.pix2pix.classifier import CategoryClassifier, classify
from inference.serving.pix2pix.drawing import draw

# Hasler-Süsstrunk: ~33 "moderately", ~45 "averagely", ~59 "quite" colourful. The OpenMoji
# pictures of the dev set measure ~51, so 50 stands in for them when a dev set has no targets.
COLOURFULNESS_FALLBACK = 50.0


@dataclass
class SketchFacts:
    """What is measured once per dev sketch, whatever the candidate."""

    item: DevSketch
    interior: np.ndarray


def sketch_facts(items: Sequence[DevSketch]) -> list[SketchFacts]:
    """Precompute each sketch's interior (the flood fill is the slowest step)."""
    return [SketchFacts(item, interior_mask(item.sketch)) for item in items]


def score_picture(
    facts: SketchFacts,
    picture: Image.Image,
    probabilities: Mapping[str, float] | None = None,
) -> dict[str, Any]:
    """Every per-picture metric for one dev sketch and the picture drawn from it.

    ``probabilities`` is the classifier's category -> probability for the picture, if any.
    Metrics that do not apply (no target, no interior, no classifier) are ``nan``.
    """
    item = facts.item
    recall, precision = line_following(item.sketch, picture)
    row: dict[str, Any] = {
        "stem": item.stem,
        "category": item.category,
        "kind": item.kind,
        "line_recall": recall,
        "line_precision": precision,
        "line_f1": f1(recall, precision),
        "lines_dark": lines_dark(item.sketch, picture),
        "fill": fill_fraction(picture, facts.interior),
        "colourfulness": colourfulness(picture),
        "l1": math.nan,
        "psnr": math.nan,
        "ssim": math.nan,
        "predicted": "",
        "recognised": math.nan,
        "true_probability": math.nan,
    }
    if item.target is not None:
        row |= {
            "l1": l1_error(picture, item.target),
            "psnr": psnr(picture, item.target),
            "ssim": ssim(picture, item.target),
        }
    if probabilities is not None and item.category in probabilities:
        predicted = max(probabilities, key=lambda slug: probabilities[slug])
        row |= {
            "predicted": predicted,
            "recognised": float(predicted == item.category),
            "true_probability": float(probabilities[item.category]),
        }
    return row


SUMMARY_KEYS = (
    "line_recall", "line_precision", "line_f1", "lines_dark", "fill", "colourfulness",
    "l1", "psnr", "ssim", "recognised", "true_probability",
)  # fmt: skip


def nanmean(values: Iterable[float]) -> float:
    finite = [v for v in values if not math.isnan(v)]
    return float(np.mean(finite)) if finite else math.nan


def summarise(
    rows: Sequence[Mapping[str, Any]], reference: Mapping[str, float] | None = None
) -> dict[str, float]:
    """Means over the dev set (each metric over the sketches it applies to) + the combined score.

    ``recognised`` becomes ``recog_accuracy`` (all sketches with a known category) and
    ``recog_accuracy_paired`` (only those with a real target, to set beside the classifier's
    accuracy on the real pictures). ``reference`` (the real pictures' summary) sets the
    ceilings of :func:`combined_score`.
    """
    summary = {key: nanmean(row[key] for row in rows) for key in SUMMARY_KEYS}
    summary["recog_accuracy"] = summary.pop("recognised")
    summary["recog_accuracy_paired"] = nanmean(
        row["recognised"] for row in rows if not math.isnan(row["ssim"])
    )
    summary["combined"] = combined_score(summary, reference)
    return summary


# What the combined score averages, and the ceiling each is measured against when the dev set
# has no real pictures to set it.
COMBINED_COMPONENTS = (
    ("line_f1", 1.0),
    ("fill", 1.0),
    ("colourfulness", COLOURFULNESS_FALLBACK),
    ("ssim", 1.0),
    ("true_probability", 1.0),
)


def combined_score(
    summary: Mapping[str, float], reference: Mapping[str, float] | None = None
) -> float:
    """One number to rank checkpoints: the mean of five parts, each "as good as real" at 1.

    Each part is ``min(candidate / ceiling, 1)``, the ceiling being what the real pictures of
    the same dev sketches score (``reference``): ``line_f1`` (follows the child's lines
    without inventing others), ``fill`` (coloured in), ``colourfulness`` (not grey), ``ssim``
    (close to the real picture; its ceiling is 1) and ``true_probability`` (the classifier
    trained on real pictures sees the category the child picked — the FCN-score idea, with the
    probability because it is smoother than accuracy on a few dozen sketches). The cap means a
    checkpoint earns nothing by overdoing colour or fill beyond real pictures, so it cannot win
    on garishness alone. Equal weights, so no part was tuned to favour a checkpoint. Without a
    reference the ceilings are 1 (and :data:`COLOURFULNESS_FALLBACK` for colourfulness); a part
    that could not be measured (no targets, no classifier) is left out, not counted as 0.
    """
    parts = []
    for key, fallback in COMBINED_COMPONENTS:
        value = summary.get(key, math.nan)
        ceiling = reference.get(key, math.nan) if reference else math.nan
        if key == "ssim" or not math.isfinite(ceiling) or ceiling <= 0:
            ceiling = fallback
        parts.append(min(value / ceiling, 1.0))
    return nanmean(parts)


def score_generator(net: torch.nn.Module, items: Sequence[DevSketch]) -> dict[str, float]:
    """The dev-set summary of ``net`` on ``items`` without a classifier (what a model card
    records about child-like sketches); metrics that do not apply are left out."""
    summary = evaluate_candidate("", net, sketch_facts(items)).summary
    return {key: round(value, 4) for key, value in summary.items() if math.isfinite(value)}


@dataclass(eq=False)  # compared by identity: the rows hold nan, which equals nothing
class CandidateResult:
    """One candidate's pictures, per-sketch rows and summary."""

    name: str
    pictures: list[Image.Image]
    rows: list[dict[str, Any]]
    summary: dict[str, float] = field(default_factory=dict)


def classifier_probabilities(
    classifier: CategoryClassifier | None, pictures: Sequence[Image.Image]
) -> list[dict[str, float]] | list[None]:
    """Category -> probability for each picture, or ``None`` each without a classifier."""
    if classifier is None:
        return [None] * len(pictures)
    return classify(classifier, pictures)


def evaluate_candidate(
    name: str,
    net: torch.nn.Module,
    facts: Sequence[SketchFacts],
    classifier: CategoryClassifier | None = None,
    reference: Mapping[str, float] | None = None,
    *,
    with_categories: bool = True,
) -> CandidateResult:
    """Draw every dev sketch with ``net`` and score the pictures (``reference``: see
    :func:`combined_score`). A conditioned ``net`` draws each sketch as its category unless
    ``with_categories`` is false (then as "any category", to measure what the condition adds).
    """
    categories = [f.item.category for f in facts] if with_categories else None
    pictures = draw(net, [f.item.sketch for f in facts], categories=categories)
    probabilities = classifier_probabilities(classifier, pictures)
    rows = [
        score_picture(f, picture, probs)
        for f, picture, probs in zip(facts, pictures, probabilities, strict=True)
    ]
    return CandidateResult(name, pictures, rows, summarise(rows, reference))


def reference_scores(
    facts: Sequence[SketchFacts], classifier: CategoryClassifier | None = None
) -> dict[str, float] | None:
    """The same metrics for the real target pictures (paired sketches only): the ceiling.

    ``recog_accuracy`` here is the classifier's accuracy on real pictures, the FCN-score's
    point of comparison. ``None`` when no dev sketch has a target.
    """
    paired = [f for f in facts if f.item.target is not None]
    if not paired:
        return None
    targets = [f.item.target for f in paired if f.item.target is not None]
    probabilities = classifier_probabilities(classifier, targets)
    rows = [
        score_picture(f, picture, probs)
        for f, picture, probs in zip(paired, targets, probabilities, strict=True)
    ]
    summary = summarise(rows)
    summary["combined"] = combined_score(summary, summary)  # real pictures are the ceiling: 1
    return summary


def rank(results: Sequence[CandidateResult]) -> list[CandidateResult]:
    """Best combined score first; the name breaks ties so the order is stable."""
    return sorted(results, key=lambda r: (-_finite(r.summary["combined"]), r.name))


def _finite(value: float) -> float:
    return -math.inf if math.isnan(value) else value
