"""Region colours: a small classifier that names a palette colour for each shape of a sketch.

The palette U-Net reads colour pixel by pixel and, trained on 2 CPU cores for a few epochs, is
still unsure inside a plain outline (its probabilities there are close to its prior). The
painter decides one colour per shape anyway, so this model works at the painter's own level:
each shape the child's lines make is described by a handful of numbers (its size against the
drawing and the largest shape, where it sits in the drawing, its proportions, whether it is an
outer shape or sits inside another) and the thing picked, and a small MLP classifies it into
the palette's colours (cross-entropy, Zhang et al. 2016's classification rather than a
regression to the mean). It learns from the training pictures' own shapes: each shape the
training sketch makes, and the colour the picture has there most often (the mode, so a
highlight or a shadow does not pull it to khaki).

It trains in minutes and is kept beside the U-Net in the painter's weights (``regions.*``),
with its feature list on the card.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from scipy import ndimage
from torch import nn

from inference.palette.colours import Palette

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
BATCH = 1024
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

    def label_rows(self, labels: Sequence[str | None]) -> torch.Tensor:
        return torch.tensor([self.label_row(s) for s in labels], dtype=torch.long)

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
FAMILY_COUNT = NEUTRAL_FAMILIES + 12  # ... then twelve 30° hue sectors
PRIOR_FLOOR = 0.01  # no family is impossible for a thing: its share is at least this


def family_prior(
    samples: RegionSamples, labels: Sequence[str], families: np.ndarray
) -> tuple[tuple[float, ...], ...]:
    """Each label's share of every colour family over its training shapes, by area (a
    sample's weight is the square root of its area), floored at :data:`PRIOR_FLOOR` (then
    normalised); a
    label with no shapes has an even row."""
    groups = max(int(np.max(families)) + 1, FAMILY_COUNT)
    family = np.asarray(families)[np.asarray(samples.targets, np.int64)]
    area = np.asarray(samples.weights, np.float64) ** 2
    of_label = np.asarray(samples.labels)
    rows = []
    for label in labels:
        mine = of_label == label
        counts = np.bincount(family[mine], weights=area[mine], minlength=groups)
        share = counts / counts.sum() if counts.sum() else np.full(groups, 1.0 / groups)
        share = np.maximum(share, PRIOR_FLOOR)
        rows.append(tuple(round(float(v), 4) for v in share / share.sum()))
    return tuple(rows)


class RegionColours(nn.Module):
    """Features of a shape + the thing → logits over the palette's colours (for training; a
    painter serves it as a :class:`RegionScorer`)."""

    def __init__(self, config: RegionConfig) -> None:
        super().__init__()
        self.config = config
        self.embed = nn.Embedding(len(config.labels) + 1, config.embed_dim)
        width = len(config.features) + config.embed_dim
        self.mlp = nn.Sequential(
            nn.Linear(width, config.hidden),
            nn.ReLU(),
            nn.Dropout(0.1),
            nn.Linear(config.hidden, config.hidden),
            nn.ReLU(),
            nn.Linear(config.hidden, config.colours),
        )

    def forward(self, features: torch.Tensor, rows: torch.Tensor) -> torch.Tensor:
        return self.mlp(torch.cat([features, self.embed(rows)], dim=1))

    def scorer(self) -> RegionScorer:
        return RegionScorer.from_state(self.config, self.state_dict())


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
    which are paper, each one's pixel count); rows of paper and of tiny shapes are zeros."""
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
    total = float(areas[drawn].sum())
    rank = np.empty(len(drawn))
    rank[np.argsort(-areas[drawn], kind="stable")] = np.arange(len(drawn))
    borders = border_lengths(labels, count)
    on_paper = borders[:, paper].sum(axis=1)
    drawn_mask = ~paper & (np.arange(count) > 0)
    neighbours = (borders[:, drawn_mask] > 0).sum(axis=1)
    for i, label in enumerate(drawn):
        h = spans[i, 1] - spans[i, 0]
        w = spans[i, 3] - spans[i, 2]
        area = float(areas[label])
        border = max(float(borders[label].sum()), 1.0)
        out[label] = (
            math.log(area / (side * side)),
            area / float(areas[largest]),
            area / total,
            (centre_x[label] - left) / box_w,
            (centre_y[label] - top) / box_h,
            w / box_w,
            h / box_h,
            area / float(w * h),
            math.log(w / h),
            float(on_paper[label] > 0),
            rank[i] / len(drawn),
            math.log(len(drawn)),
            float(label == largest),
            (centre_x[label] - centre_x[largest]) / box_w,
            (centre_y[label] - centre_y[largest]) / box_h,
            on_paper[label] / border,
            math.log1p(neighbours[label]),
            float(neighbours[label] == 1 and on_paper[label] == 0),
        )
    return out


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


def border_lengths(labels: np.ndarray, count: int) -> np.ndarray:
    """``count x count``: how many 4-neighbour pixel pairs each two labels share."""
    pairs = []
    for a, b in ((labels[:, :-1], labels[:, 1:]), (labels[:-1], labels[1:])):
        differ = a != b
        pairs += [a[differ] * count + b[differ], b[differ] * count + a[differ]]
    codes = np.concatenate(pairs) if pairs else np.zeros(0, np.int64)
    return np.bincount(codes, minlength=count * count).reshape(count, count)


def shape_targets(
    picture: np.ndarray, labels: np.ndarray, count: int, palette: Palette
) -> np.ndarray:
    """The palette colour a picture has most often inside each shape, its edge left out
    (``-1`` where nothing is left): the mode, not the mean."""
    indices = _nearest_fast(picture, palette)
    inner = ndimage.maximum_filter(labels, 5) == ndimage.minimum_filter(labels, 5)
    votes = np.bincount(labels[inner] * palette.size + indices[inner],
                        minlength=count * palette.size).reshape(count, palette.size)  # fmt: skip
    targets = votes.argmax(axis=1)
    targets[votes.sum(axis=1) == 0] = -1
    return targets


_LUTS: dict[bytes, np.ndarray] = {}


def _nearest_fast(picture: np.ndarray, palette: Palette) -> np.ndarray:
    """:meth:`Palette.nearest` through a table of every colour at 6 bits a channel (the
    training pictures' many antialiased colours make the exact search the slow part)."""
    key = palette.rgb.tobytes()
    if key not in _LUTS:
        levels = (np.arange(64) * 4 + 2).astype(np.uint8)
        grid = np.stack(np.meshgrid(levels, levels, levels, indexing="ij"), axis=-1)
        _LUTS[key] = palette.nearest(grid.reshape(-1, 1, 3)).ravel()
    q = (picture >> 2).astype(np.int64)
    return _LUTS[key][(q[..., 0] << 12) | (q[..., 1] << 6) | q[..., 2]]


@dataclass
class RegionSamples:
    features: list[np.ndarray] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    targets: list[int] = field(default_factory=list)
    weights: list[float] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)  # the source, for a held-out source

    def save(self, path: Path) -> None:
        """A cache of the collected shapes (``.npz``), with the feature list it was made with."""
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(
            path,
            features=np.stack(self.features).astype(np.float32),
            labels=np.array(self.labels),
            targets=np.array(self.targets, np.int64),
            weights=np.array(self.weights, np.float32),
            groups=np.array(self.groups),
            names=np.array(FEATURES),
        )

    @classmethod
    def load(cls, path: Path) -> RegionSamples:
        data = np.load(path)
        if tuple(data["names"].tolist()) != FEATURES:
            raise ValueError(f"{path} was collected with other shape features: collect again")
        return cls(
            features=list(data["features"]),
            labels=data["labels"].tolist(),
            targets=data["targets"].tolist(),
            weights=data["weights"].tolist(),
            groups=data["groups"].tolist(),
        )


def collect(
    pairs: Sequence[tuple[Path, str, str]], palette: Palette, *, progress: Any = None
) -> RegionSamples:
    """Samples from ``(A|B file, label, source)`` pairs: every shape of each sketch (A), its
    features, the thing and the picture's (B) colour there. A shape counts by the square root
    of its area, so an emoji's many highlights do not outvote its body."""
    from PIL import Image

    from inference.palette.painting import colouring_areas, find_shapes, walls_of

    samples = RegionSamples()
    for path, label, source in progress(pairs) if progress else pairs:
        ab = np.asarray(Image.open(path).convert("RGB"))
        half = ab.shape[1] // 2
        sketch, picture = ab[:, :half], ab[:, half:]
        shapes = find_shapes(walls_of(sketch, colouring_areas(sketch)))
        features = shape_features(shapes.labels, shapes.paper, shapes.areas)
        targets = shape_targets(picture, shapes.labels, len(shapes.areas), palette)
        for index in range(1, len(shapes.areas)):
            if shapes.paper[index] or shapes.areas[index] < MIN_SHAPE_PX or targets[index] < 0:
                continue
            samples.features.append(features[index])
            samples.labels.append(label)
            samples.targets.append(int(targets[index]))
            samples.weights.append(math.sqrt(float(shapes.areas[index])))
            samples.groups.append(source)
    return samples


def fit(
    samples: RegionSamples,
    config: RegionConfig,
    *,
    epochs: int = 20,
    seed: int = 5,
    held_out: Sequence[str] = (),
    families: np.ndarray | None = None,
    log: Any = print,
) -> tuple[RegionColours, dict[str, Any]]:
    """Train the classifier (weighted cross-entropy, Adam; with ``config.family_loss`` also
    cross-entropy over the colour ``families`` — the painter chooses a family first, so
    probability split over six greens should still say "green"); report accuracy on the
    held-out sources (colour and colour family), then the model trained on them too is
    returned."""
    torch.manual_seed(seed)
    random.seed(seed)
    features = torch.from_numpy(np.stack(samples.features).astype(np.float32))
    features = features[:, [FEATURES.index(name) for name in config.features]]
    rows = config.label_rows(samples.labels)
    targets = torch.tensor(samples.targets)
    weights = torch.tensor(samples.weights, dtype=torch.float32)
    held = torch.tensor([g in held_out for g in samples.groups])
    family_of = torch.from_numpy(np.asarray(families, np.int64)) if families is not None else None
    report: dict[str, Any] = {"samples": len(targets), "held_out_sources": list(held_out)}
    if held.any() and (~held).any():
        model = _train(features[~held], rows[~held], targets[~held], weights[~held],
                       config=config, epochs=epochs, family_of=family_of)  # fmt: skip
        model.eval()
        with torch.no_grad():
            probs = torch.softmax(model(features[held], rows[held]), dim=1)
        report |= _accuracy(probs, targets[held], weights[held], family_of)
        log(f"held-out sources {list(held_out)}: {report}")
    model = _train(
        features, rows, targets, weights, config=config, epochs=epochs, family_of=family_of
    )
    model.eval()
    model.requires_grad_(False)
    return model, report


def _accuracy(
    probs: torch.Tensor, targets: torch.Tensor, weights: torch.Tensor, family_of: Any
) -> dict[str, Any]:
    right = (probs.argmax(dim=1) == targets).float()
    result = {
        "held_out_samples": len(targets),
        "held_out_colour_accuracy": round(float(right.mean()), 3),
        "held_out_weighted_accuracy": round(float((right * weights).sum() / weights.sum()), 3),
    }
    if family_of is not None:
        by_family = torch.zeros(len(probs), int(family_of.max()) + 1)
        by_family.index_add_(1, family_of, probs)
        same = (by_family.argmax(dim=1) == family_of[targets]).float()
        result["held_out_family_accuracy"] = round(float(same.mean()), 3)
        result["held_out_weighted_family_accuracy"] = round(
            float((same * weights).sum() / weights.sum()), 3
        )
    return result


def _train(
    features: torch.Tensor,
    rows: torch.Tensor,
    targets: torch.Tensor,
    weights: torch.Tensor,
    *,
    config: RegionConfig,
    epochs: int,
    family_of: torch.Tensor | None = None,
) -> RegionColours:
    model = RegionColours(config)
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=3e-3, weight_decay=1e-5, foreach=True)
    n = len(targets)
    steps = epochs * math.ceil(n / BATCH)
    schedule = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=steps)
    families = family_of if family_of is not None and config.family_loss > 0 else None
    if families is not None:
        groups = int(families.max()) + 1
        family_targets = families[targets]
    for _ in range(epochs):
        order = torch.randperm(n)
        for start in range(0, n, BATCH):
            batch = order[start : start + BATCH]
            logits = model(features[batch], rows[batch])
            loss = nn.functional.cross_entropy(logits, targets[batch], reduction="none")
            if families is not None:  # the right family's probability: its members' sum
                by_family = torch.zeros(len(batch), groups).index_add_(
                    1, families, torch.softmax(logits, dim=1)
                )
                picked = by_family.gather(1, family_targets[batch, None])[:, 0]
                loss = loss - config.family_loss * torch.log(picked.clamp_min(1e-12))
            loss = (loss * weights[batch]).sum() / weights[batch].sum()
            opt.zero_grad()
            loss.backward()
            opt.step()
            schedule.step()
    return model


def training_pairs(
    data_dirs: Sequence[str], max_per_source: dict[str, int] | None = None, *, seed: int = 3
) -> list[tuple[Path, str, str]]:
    """``(A|B file, label, source)`` of each data folder (``<source>/train``), at most
    ``max_per_source[folder]`` of each (a seeded draw); the label is the file name's prefix."""
    rng = random.Random(seed)  # noqa: S311 - a sample, not a secret
    pairs = []
    for folder in data_dirs:
        files = sorted(Path(folder).glob("*.png"))
        rng.shuffle(files)
        cap = (max_per_source or {}).get(folder, len(files))
        source = Path(folder).parent.name
        pairs += [(f, f.name.split("__")[0], source) for f in files[:cap]]
    return pairs


def save_regions(model: RegionColours, path: Path, *, extra: dict[str, Any]) -> Path:
    """``<path>`` (safetensors, float32 holding float16 values) and its card beside it
    (``.json``: config and ``extra``)."""
    import json

    from safetensors.torch import save_file

    path.parent.mkdir(parents=True, exist_ok=True)
    # Rounded to float16 as an installed painter stores them, so a judged region model paints
    # exactly what the installed one will (near ties otherwise flip a few shapes' colours).
    state = {k: v.to(torch.float16).float().contiguous() for k, v in model.state_dict().items()}
    save_file(state, str(path))
    card = {"regions": model.config.to_dict(), **extra}
    path.with_suffix(".json").write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
    return path
