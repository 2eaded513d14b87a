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
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from scipy import ndimage
from torch import nn

from inference.palette.colours import Palette
from inference.palette.painting import touching_paper

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
)
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

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["labels"] = list(self.labels)
        data["features"] = list(self.features)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RegionConfig:
        return cls(
            colours=int(data["colours"]),
            labels=tuple(data["labels"]),
            features=tuple(data["features"]),
            embed_dim=int(data["embed_dim"]),
            hidden=int(data["hidden"]),
        )

    def label_rows(self, labels: Sequence[str | None]) -> torch.Tensor:
        """Embedding rows: a known label's index, else the last row (no thing)."""
        index = {slug: i for i, slug in enumerate(self.labels)}
        return torch.tensor([index.get(s, len(self.labels)) if s else len(self.labels)
                             for s in labels], dtype=torch.long)  # fmt: skip


class RegionColours(nn.Module):
    """Features of a shape + the thing → logits over the palette's colours."""

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

    @torch.no_grad()
    def probabilities(self, features: np.ndarray, label: str | None) -> np.ndarray:
        """``count x K`` colour probabilities for one drawing's shape features."""
        if not len(features):
            return np.zeros((0, self.config.colours), np.float32)
        rows = self.config.label_rows([label] * len(features))
        logits = self(torch.from_numpy(features.astype(np.float32)), rows)
        return torch.softmax(logits, dim=1).numpy()


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
    touching = touching_paper(labels, paper)
    for i, label in enumerate(drawn):
        h = spans[i, 1] - spans[i, 0]
        w = spans[i, 3] - spans[i, 2]
        area = float(areas[label])
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
            float(touching[label]),
            rank[i] / len(drawn),
            math.log(len(drawn)),
            float(label == largest),
        )
    return out


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
    log: Any = print,
) -> tuple[RegionColours, dict[str, Any]]:
    """Train the classifier (weighted cross-entropy, Adam); report accuracy on the held-out
    sources (colour and colour family), then the model trained on them too is returned."""
    torch.manual_seed(seed)
    random.seed(seed)
    features = torch.from_numpy(np.stack(samples.features).astype(np.float32))
    rows = config.label_rows(samples.labels)
    targets = torch.tensor(samples.targets)
    weights = torch.tensor(samples.weights, dtype=torch.float32)
    held = torch.tensor([g in held_out for g in samples.groups])
    report: dict[str, Any] = {"samples": len(targets), "held_out_sources": list(held_out)}
    if held.any() and (~held).any():
        model = _train(
            features[~held],
            rows[~held],
            targets[~held],
            weights[~held],
            config=config,
            epochs=epochs,
        )
        model.eval()
        with torch.no_grad():
            guess = model(features[held], rows[held]).argmax(dim=1)
        report["held_out_samples"] = int(held.sum())
        report["held_out_colour_accuracy"] = round(
            float((guess == targets[held]).float().mean()), 3
        )
        report["held_out_weighted_accuracy"] = round(
            float(((guess == targets[held]).float() * weights[held]).sum() / weights[held].sum()), 3
        )
        log(f"held-out sources {list(held_out)}: {report}")
    model = _train(features, rows, targets, weights, config=config, epochs=epochs)
    model.eval()
    model.requires_grad_(False)
    return model, report


def _train(
    features: torch.Tensor,
    rows: torch.Tensor,
    targets: torch.Tensor,
    weights: torch.Tensor,
    *,
    config: RegionConfig,
    epochs: int,
) -> RegionColours:
    model = RegionColours(config)
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=3e-3, weight_decay=1e-5, foreach=True)
    n = len(targets)
    for _ in range(epochs):
        order = torch.randperm(n)
        for start in range(0, n, BATCH):
            batch = order[start : start + BATCH]
            logits = model(features[batch], rows[batch])
            loss = (nn.functional.cross_entropy(logits, targets[batch], reduction="none")
                    * weights[batch]).sum() / weights[batch].sum()  # fmt: skip
            opt.zero_grad()
            loss.backward()
            opt.step()
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
    """``<path>`` (fp32 safetensors) and its card beside it (``.json``: config and ``extra``)."""
    import json

    from safetensors.torch import save_file

    path.parent.mkdir(parents=True, exist_ok=True)
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, str(path))
    card = {"regions": model.config.to_dict(), **extra}
    path.with_suffix(".json").write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
    return path
