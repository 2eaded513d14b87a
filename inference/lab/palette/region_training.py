"""Region colours, the lab's part: collect a region model's samples, train it, save it.

It learns from the training pictures' own shapes: each shape the training sketch makes, and the
colour the picture has there most often (the mode, so a highlight or a shadow does not pull it to
khaki). It trains in minutes; :func:`save_regions` writes it for ``promote_palette``, which keeps
it beside the U-Net in the painter's weights (``regions.*``). Serving reads it through
:mod:`inference.serving.palette.regions` (numpy only), which never imports this module.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from scipy import ndimage
from torch import nn

from inference.serving.palette.colours import Palette
from inference.serving.palette.regions import (
    FEATURES,
    MIN_SHAPE_PX,
    NEUTRAL_FAMILIES,
    RegionConfig,
    RegionScorer,
    shape_features,
)

BATCH = 1024
FAMILY_COUNT = NEUTRAL_FAMILIES + 12  # white, grey, black, then twelve 30° hue sectors
PRIOR_FLOOR = 0.01  # no family is impossible for a thing: its share is at least this


def label_rows(config: RegionConfig, labels: Sequence[str | None]) -> torch.Tensor:
    """The embedding rows of ``labels`` (:meth:`RegionConfig.label_row` each)."""
    return torch.tensor([config.label_row(s) for s in labels], dtype=torch.long)


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

    from inference.serving.palette.painting import colouring_areas, find_shapes, walls_of

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
    rows = label_rows(config, samples.labels)
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
