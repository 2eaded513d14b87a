"""Region colours: a small classifier that names a palette colour for each shape of a sketch.

The palette U-Net reads colour pixel by pixel and, trained on 2 CPU cores for a few epochs, is
still unsure inside a plain outline (its probabilities there are close to its prior). The
painter decides one colour per shape anyway, so this model works at the painter's own level:
each shape the child's lines make is described by a handful of numbers (its size against the
drawing and the largest shape, where it sits in the drawing, its proportions, whether it is an
outer shape or sits inside another) and the thing picked, and a small MLP classifies it into
the palette's colours (cross-entropy, Zhang et al. 2016's classification rather than a
regression to the mean).

This module is what a picture needs: the shape features, the classifier's config and the
trained classifier as numpy arrays (:class:`RegionScorer`), loaded from the painter's weights
(``regions.*``, its feature list on the card). It imports no torch. How the classifier is
collected, trained and saved is the lab's: :mod:`inference.lab.palette.region_training`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from scipy import ndimage

FEATURES = (
    "log_area",  # log of the shape's share of the picture
    "of_largest",  # its area against the drawing's largest shape
    "of_drawing",  # its area against all the drawing's shapes
    "x",  # centroid across the drawing's box, 0 left .. 1 right
    "y",  # centroid down the drawing's box, 0 top .. 1 bottom
    "width",  # its box against the drawing's box
    "height",
    "extent",  # area over its box's area (a disc ~0.8, a thin crescent ~0.3)
    "aspect",  # log of width over height
    "outer",  # 1 when it touches the paper around the drawing, 0 when inside another shape
    "rank",  # its place by area (0 the largest) over the number of shapes
    "shapes",  # log of the number of the drawing's shapes
    "largest",  # 1 for the largest shape
    # Since 2026-12-08: where it sits against the largest shape and what it borders (a trunk
    # below the crown, a handle's hole with paper round it, an eye inside a head).
    "dx_largest",  # its centroid right of the largest shape's, in the drawing's box widths
    "dy_largest",  # ... below it, in the drawing's box heights
    "paper_border",  # share of its border that meets the paper around the drawing
    "neighbours",  # log(1 + the drawn shapes it borders)
    "enclosed",  # 1 when it borders one drawn shape and no paper (a hole in another shape)
)
FEATURES_V1 = FEATURES[:13]  # the first region models' list (cards name theirs)
REGIONS_PREFIX = "regions."  # its tensors' names in an installed painter's weights
MIN_SHAPE_PX = 12  # at 256 px: smaller shapes are not described (a dot of paper in a line)


@dataclass(frozen=True)
class RegionConfig:
    """What shapes the classifier; the card keeps it as ``regions``."""

    colours: int = 64
    labels: tuple[str, ...] = ()  # things and themes, in embedding order (as the U-Net's)
    features: tuple[str, ...] = FEATURES
    embed_dim: int = 16
    hidden: int = 128
    family_loss: float = 0.0  # weight of the colour-family term in training (0: colours only)
    # A guard against the classifier's odd guesses on drawings unlike its training sketches (a
    # green rabbit): each thing's share of every colour family over its training pictures'
    # shapes (by area), which the probabilities are multiplied by to ``prior_power``; the
    # family of each palette colour as the painter reckons it.
    colour_families: tuple[int, ...] = ()
    family_prior: tuple[tuple[float, ...], ...] = ()  # one row per label, in label order
    prior_power: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["labels"] = list(self.labels)
        data["features"] = list(self.features)
        data["colour_families"] = list(self.colour_families)
        data["family_prior"] = [list(row) for row in self.family_prior]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RegionConfig:
        return cls(
            colours=int(data["colours"]),
            labels=tuple(data["labels"]),
            features=tuple(data["features"]),
            embed_dim=int(data["embed_dim"]),
            hidden=int(data["hidden"]),
            family_loss=float(data.get("family_loss", 0.0)),
            colour_families=tuple(int(f) for f in data.get("colour_families", ())),
            family_prior=tuple(tuple(map(float, row)) for row in data.get("family_prior", ())),
            prior_power=float(data.get("prior_power", 0.0)),
        )

    def label_row(self, label: str | None) -> int:
        """A known label's embedding row, else the last row (no thing)."""
        return self.labels.index(label) if label in self.labels else len(self.labels)

    def guard(self, probs: np.ndarray, label: str | None) -> np.ndarray:
        """``probs`` (``count x K``) with the hues the thing's training pictures hardly have
        made less likely: a colour of a hue family whose share among the thing's hues is
        below an even share (1 of 12) is multiplied by its share over that, to
        ``prior_power``, and the hues are rescaled to the total they had: white, grey and
        black keep their probabilities, so the guard moves a shape from an odd hue (a green
        rabbit) to a likely one without making anything drab. Unchanged without a prior (no
        thing, none on the card, power 0)."""
        row = self.label_row(label)
        if not self.prior_power or row >= len(self.family_prior) or not self.colour_families:
            return probs
        share = np.asarray(self.family_prior[row], np.float64)
        hues = share[NEUTRAL_FAMILIES:] / max(share[NEUTRAL_FAMILIES:].sum(), 1e-12)
        factor = np.ones_like(share)
        factor[NEUTRAL_FAMILIES:] = np.minimum(1.0, hues * len(hues)) ** self.prior_power
        families = np.asarray(self.colour_families)
        guarded = probs * factor[families][None].astype(np.float32)
        # The hues keep their total (the odd ones' share goes to the likely ones), so a shape is
        # no more white, grey or black than the classifier said.
        hue = families >= NEUTRAL_FAMILIES
        before = probs[:, hue].sum(axis=1, keepdims=True)
        after = np.maximum(guarded[:, hue].sum(axis=1, keepdims=True), 1e-12)
        guarded[:, hue] *= before / after
        return guarded


NEUTRAL_FAMILIES = 3  # families 0-2 are white, grey and black (painting.colour_families)


@dataclass(frozen=True)
class RegionScorer:
    """The trained classifier as plain arrays: a picture's shapes are scored with numpy, no
    torch at serving time (a few hundred multiply-adds a shape)."""

    config: RegionConfig
    state: dict[str, np.ndarray]  # the module's tensors by name, float32

    @classmethod
    def from_state(cls, config: RegionConfig, state: Mapping[str, Any]) -> RegionScorer:
        arrays = {k: np.asarray(v.float().numpy() if hasattr(v, "numpy") else v, np.float32)
                  for k, v in state.items()}  # fmt: skip
        expected = {
            "embed.weight",
            *(f"mlp.{i}.{p}" for i in (0, 3, 5) for p in ("weight", "bias")),
        }
        if set(arrays) != expected:
            raise ValueError(f"region model tensors {sorted(arrays)} are not {sorted(expected)}")
        return cls(config, arrays)

    def probabilities(self, features: np.ndarray, label: str | None) -> np.ndarray:
        """``count x K`` colour probabilities for one drawing's shapes, from their full
        :func:`shape_features` rows (this model's own columns are taken from them)."""
        config = self.config
        if not len(features):
            return np.zeros((0, config.colours), np.float32)
        columns = [FEATURES.index(name) for name in config.features]
        row = config.label_row(label)
        x = np.concatenate(
            [features[:, columns].astype(np.float32),
             np.repeat(self.state["embed.weight"][row][None], len(features), axis=0)], axis=1,
        )  # fmt: skip
        for layer in (0, 3, 5):
            x = x @ self.state[f"mlp.{layer}.weight"].T + self.state[f"mlp.{layer}.bias"]
            if layer != 5:
                np.maximum(x, 0.0, out=x)
        x -= x.max(axis=1, keepdims=True)
        np.exp(x, out=x)
        return config.guard(x / x.sum(axis=1, keepdims=True), label)


def shape_features(labels: np.ndarray, paper: np.ndarray, areas: np.ndarray) -> np.ndarray:
    """``count x len(FEATURES)`` (float32) for the shapes of a :class:`Shapes` (its labels,
    which are paper, each one's pixel count); rows of paper and of tiny shapes are zeros.
    Its work grows with the picture's pixels and the described shapes, not with the square of
    the shapes' count (a noisy sketch of thousands of specks)."""
    count = len(areas)
    out = np.zeros((count, len(FEATURES)), np.float32)
    drawn = np.flatnonzero(~paper & (areas >= MIN_SHAPE_PX))
    drawn = drawn[drawn > 0]
    if not len(drawn):
        return out
    side = labels.shape[0]
    ys, xs = np.indices(labels.shape)
    flat = labels.ravel()
    centre_x = np.bincount(flat, xs.ravel(), minlength=count) / np.maximum(areas, 1)
    centre_y = np.bincount(flat, ys.ravel(), minlength=count) / np.maximum(areas, 1)
    boxes = ndimage.find_objects(labels, max_label=count - 1)  # boxes[i] is label i + 1's
    spans = np.array([(b[0].start, b[0].stop, b[1].start, b[1].stop) for b in
                      (boxes[label - 1] for label in drawn)])  # fmt: skip
    top, bottom = spans[:, 0].min(), spans[:, 1].max()
    left, right = spans[:, 2].min(), spans[:, 3].max()
    box_w, box_h = max(right - left, 1), max(bottom - top, 1)
    largest = drawn[np.argmax(areas[drawn])]
    rank = np.empty(len(drawn))
    rank[np.argsort(-areas[drawn], kind="stable")] = np.arange(len(drawn))
    border, on_paper, neighbours = (v[drawn] for v in shape_borders(labels, paper))
    h = spans[:, 1] - spans[:, 0]
    w = spans[:, 3] - spans[:, 2]
    area = areas[drawn].astype(np.float64)
    x, y = centre_x[drawn], centre_y[drawn]
    # One column a feature, in FEATURES' order; logs through ``math`` one value at a time, as
    # the features were first computed (numpy's vector log may differ in the last bit).
    columns = (
        [math.log(a) for a in area / (side * side)],
        area / float(areas[largest]),
        area / float(area.sum()),
        (x - left) / box_w,
        (y - top) / box_h,
        w / box_w,
        h / box_h,
        area / (w * h),
        [math.log(r) for r in w / h],
        on_paper > 0,
        rank / len(drawn),
        np.full(len(drawn), math.log(len(drawn))),
        drawn == largest,
        (x - centre_x[largest]) / box_w,
        (y - centre_y[largest]) / box_h,
        on_paper / np.maximum(border, 1.0),
        [math.log1p(n) for n in neighbours],
        (neighbours == 1) & (on_paper == 0),
    )
    out[drawn] = np.stack([np.asarray(c, np.float64) for c in columns], axis=1)
    return out


def shape_borders(
    labels: np.ndarray, paper: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each label (``len(paper)`` of them): its border's length (the 4-neighbour pixel
    pairs it shares with other labels), the part of it on paper, and how many drawn labels
    (neither paper nor 0) it borders. From the pairs of neighbouring pixels that differ, never
    a ``count x count`` matrix."""
    count = len(paper)
    ones, others = [], []
    for a, b in ((labels[:, :-1], labels[:, 1:]), (labels[:-1], labels[1:])):
        differ = a != b
        ones += [a[differ], b[differ]]
        others += [b[differ], a[differ]]
    one = np.concatenate(ones).astype(np.int64)
    other = np.concatenate(others).astype(np.int64)
    border = np.bincount(one, minlength=count)
    on_paper = np.bincount(one, weights=paper[other].astype(np.float64), minlength=count)
    first, second = np.divmod(np.unique(one * count + other), count)  # each bordering pair once
    drawn = ~paper & (np.arange(count) > 0)
    neighbours = np.bincount(first, weights=drawn[second].astype(np.float64), minlength=count)
    return border, on_paper, neighbours


# Twins: two shapes of one drawing this alike (an ear and the other ear, two eyes, two
# wheels) are given the same colour probabilities, so a rabbit's ears are not lilac and pink.
TWIN_AREA_RATIO = 1.5  # the larger at most this times the smaller
TWIN_ROW = 0.12  # centroids this close in height (drawing box heights)
TWIN_EXTENT = 0.15  # fullness of their boxes this close
TWIN_ASPECT = 0.4  # log width/height this close


def share_twins(features: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """``probs`` with each group of twin shapes (rows of :func:`shape_features`: alike in
    size, height, fullness and proportions, both inner or both outer, neither the largest)
    given the group's mean; other rows as they were."""
    col = {name: i for i, name in enumerate(FEATURES)}
    candidates = np.flatnonzero((features[:, col["of_largest"]] > 0)
                                & (features[:, col["largest"]] == 0))  # fmt: skip
    if len(candidates) < 2:
        return probs
    f = features[candidates]
    size = f[:, col["of_largest"]]
    ratio = np.maximum(size[:, None], size[None]) / np.minimum(size[:, None], size[None])
    alike = ratio <= TWIN_AREA_RATIO
    for name, limit in (("y", TWIN_ROW), ("extent", TWIN_EXTENT), ("aspect", TWIN_ASPECT)):
        alike &= np.abs(f[:, col[name], None] - f[None, :, col[name]]) <= limit
    alike &= f[:, col["outer"], None] == f[None, :, col["outer"]]
    groups, group_of = _components(alike)
    if groups == len(candidates):
        return probs
    shared = probs.copy()
    for group in range(groups):
        members = candidates[group_of == group]
        if len(members) > 1:
            shared[members] = probs[members].mean(axis=0)
    return shared


def _components(adjacent: np.ndarray) -> tuple[int, np.ndarray]:
    """Connected groups of a symmetric bool adjacency matrix: their count and each row's."""
    group_of = np.full(len(adjacent), -1)
    groups = 0
    for start in range(len(adjacent)):
        if group_of[start] >= 0:
            continue
        stack = [start]
        group_of[start] = groups
        while stack:
            for other in np.flatnonzero(adjacent[stack.pop()] & (group_of < 0)):
                group_of[other] = groups
                stack.append(int(other))
        groups += 1
    return groups, group_of
