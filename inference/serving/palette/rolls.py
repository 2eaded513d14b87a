""" "New colours" 🎲: which colour family each group of shapes takes on roll n (1, 2, ...).

Split from :mod:`inference.serving.palette.painting`, which chooses the colours of roll 0.
"""

from __future__ import annotations

import numpy as np

REROLL_TEMPERATURE = 0.8
PLAUSIBLE_SHARE = 0.1  # a re-roll picks among families this likely against the likeliest other
MIN_ROLL_CHOICES = 3  # ... and among at least this many of the likeliest
BLACK_FAMILY = 2  # colour families: 0 white, 1 grey, 2 black (painting.colour_families)
KEEP_IF_ALONE = 0.75  # a colour with this much of a shape's evidence is kept when re-rolling


def reroll(
    family: np.ndarray,
    by_family: np.ndarray,
    areas: np.ndarray,
    drawn: np.ndarray,
    variant: int,
) -> np.ndarray:
    """Another plausible family for each group of drawn shapes that chose one ("New colours"
    roll ``variant``); a family nearly certain alone is kept unless nothing else changes."""
    swapped = family.copy()
    kept: list[tuple[float, np.ndarray, np.ndarray]] = []  # (area, members, weights)
    for current in np.unique(family[drawn]):
        members = drawn & (family == current)
        pool = (by_family[members] * areas[members, None]).sum(axis=0)
        pool = pool / max(pool.sum(), 1e-12)
        others = pool.copy()
        others[current] = 0.0
        others[BLACK_FAMILY] = 0.0  # a shape rolled black would hide the child's black lines
        if others.sum() <= 0:
            continue
        weights = others ** (1.0 / REROLL_TEMPERATURE)
        if pool[current] >= KEEP_IF_ALONE:
            # A panda's white, a sun's yellow: kept, unless nothing else would change.
            kept.append((float(areas[members].sum()), members, weights))
            continue
        swapped[members] = _nth_plausible(weights, variant, seed=int(current))
    if kept and not (swapped != family)[drawn].any():
        # The dice always changes something: the biggest kept colour gives way.
        _, members, weights = max(kept, key=lambda k: k[0])
        swapped[members] = _nth_plausible(weights, variant, seed=int(family[members][0]))
    return swapped


def _nth_plausible(weights: np.ndarray, variant: int, *, seed: int) -> int:
    """The family re-roll ``variant`` (1, 2, ...) gives a group of shapes: the plausible
    families (at least :data:`PLAUSIBLE_SHARE` of the likeliest, and never fewer than
    :data:`MIN_ROLL_CHOICES`: a smiley's yellow has one close rival, orange, and a child who
    rolls four times wants more than one new colour) in one random order drawn by
    their weights, the same order for every roll, taken in turn. So the next roll always shows
    another colour when there is one, and the likelier colours come first (the order is drawn
    without replacement: Gumbel top-k, reproducible)."""
    likeliest = np.argsort(-weights, kind="stable")[:MIN_ROLL_CHOICES]
    plausible = weights >= PLAUSIBLE_SHARE * weights.max()
    plausible[likeliest[weights[likeliest] > 0]] = True  # a few to roll through, always
    candidates = np.flatnonzero(plausible)
    keys = np.log(weights[candidates]) + np.random.default_rng(seed).gumbel(size=len(candidates))
    order = candidates[np.argsort(-keys, kind="stable")]
    return int(order[(variant - 1) % len(order)])
