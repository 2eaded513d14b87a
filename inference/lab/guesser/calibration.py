"""How sure the guesser may be: temperature scaling, the "confident" line, and a reliability table.

A softmax trained with cross-entropy on one style of drawing is over-sure on another. Temperature
scaling (Guo et al. 2017, *On Calibration of Modern Neural Networks*) divides the logits by one
number fitted to minimise the negative log-likelihood on drawings the classifier did not train
on; it changes no ranking, only how sure each guess says it is. The canvas then shows the bubble
only when the best guess is at least ``confident_at`` sure: the lowest probability at which, on
the calibration drawings, guesses that sure are right at least ``precision`` of the time.

Everything here is computed on a procedure the classifier never trained on, and reported
(:func:`reliability`) on yet another one.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F


def fit_temperature(logits: torch.Tensor, labels: torch.Tensor) -> float:
    """The temperature (0.25–20) that minimises the NLL of ``labels`` under ``logits / T``."""
    grid = torch.exp(torch.linspace(np.log(0.25), np.log(20.0), 200))
    losses = torch.stack([F.cross_entropy(logits / t, labels) for t in grid])
    return float(grid[int(losses.argmin())])


def confident_at(
    confidence: np.ndarray, correct: np.ndarray, *, precision: float = 0.8, at_least: int = 10
) -> float:
    """The lowest confidence ``c`` such that guesses at least ``c`` sure are right ≥
    ``precision`` of the time (and there are ``at_least`` of them); 1.0 when none is."""
    order = np.argsort(-confidence)
    hits = np.cumsum(correct[order])
    counts = np.arange(1, len(order) + 1)
    ok = (hits / counts >= precision) & (counts >= at_least)
    if not ok.any():
        return 1.0
    # The longest prefix (most guesses shown) that still meets the precision.
    last = int(np.flatnonzero(ok)[-1])
    return float(confidence[order][last])


def reliability(confidence: np.ndarray, correct: np.ndarray, bins: int = 5) -> list[dict[str, Any]]:
    """Per confidence bin: how many guesses, how sure they said they were, how often right."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    rows = []
    for low, high in itertools.pairwise(edges):
        inside = (confidence >= low) & ((confidence < high) | (high == 1.0))
        count = int(inside.sum())
        rows.append(
            {
                "from": round(float(low), 2),
                "to": round(float(high), 2),
                "count": count,
                "mean_confidence": round(float(confidence[inside].mean()), 3) if count else None,
                "accuracy": round(float(correct[inside].mean()), 3) if count else None,
            }
        )
    return rows


def expected_calibration_error(
    confidence: np.ndarray, correct: np.ndarray, bins: int = 10
) -> float:
    """ECE: the count-weighted gap between confidence and accuracy over ``bins`` bins."""
    rows = reliability(confidence, correct, bins)
    total = max(1, len(confidence))
    return float(
        sum(
            row["count"] / total * abs(row["mean_confidence"] - row["accuracy"])
            for row in rows
            if row["count"]
        )
    )


def scores(
    logits: torch.Tensor, labels: torch.Tensor, temperature: float, threshold: float
) -> dict[str, Any]:
    """Top-1, top-3, calibration and the confident bubble's record for one set of drawings."""
    probabilities = (logits / temperature).softmax(dim=1)
    top = probabilities.topk(min(3, probabilities.shape[1]), dim=1)
    first = top.indices[:, 0] == labels
    confidence = top.values[:, 0].numpy()
    correct = first.numpy().astype(np.float64)
    shown = confidence >= threshold
    return {
        "count": len(labels),
        "top1": round(float(first.float().mean()), 4),
        "top3": round(float((top.indices == labels[:, None]).any(dim=1).float().mean()), 4),
        "ece": round(expected_calibration_error(confidence, correct), 4),
        "bubble_shown": round(float(shown.mean()), 4),
        "bubble_right": round(float(correct[shown].mean()), 4) if shown.any() else None,
        "reliability": reliability(confidence, correct),
    }
