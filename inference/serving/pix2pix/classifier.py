"""A small category classifier trained on real pictures: the recognisability judge.

The pix2pix paper scores generated street scenes with a segmentation network trained on real
photos (the "FCN-score"): if the generated picture is realistic, a network that only ever saw
real pictures still recognises it. Here the question is "does the picture look like the
category the child picked?", so a tiny CNN learns the categories from the dataset's real colour
pictures (the ``B`` halves of the train split) and is then asked about generated pictures.

Training sees the pictures small, off-centre, slightly rotated and mirrored — the placements
the dev set's child-like sketches have — so it judges the drawing, not where it sits.

Weights are saved as safetensors beside a JSON card (categories, architecture, data, accuracy,
sha256) and read back only after the hash matches. Plain torch, no Django.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import itertools
import json
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from PIL import Image
from safetensors.torch import load_file, save_file
from torch import nn

from inference.serving.pix2pix.data import find_pairs, to_tensor
from inference.serving.pix2pix.imaging import images_to_batch


@dataclass(frozen=True)
class ClassifierConfig:
    """Architecture of a :class:`CategoryClassifier`; stored in its card."""

    categories: tuple[str, ...]
    size: int = 64  # pictures are shrunk to size x size before the first convolution
    width: int = 16  # channels of the first block; the next blocks double, capped at 4x

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {"categories": list(self.categories), "size": self.size, "width": self.width}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ClassifierConfig:
        """From a card's ``architecture``; raises ``ValueError`` when it is malformed."""
        try:
            categories = tuple(str(slug) for slug in data["categories"])
            return cls(categories, int(data.get("size", 64)), int(data.get("width", 16)))
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"not a classifier architecture: {exc}") from exc


class CategoryClassifier(nn.Module):
    """Four conv-BN-ReLU-pool blocks, global average pooling and a linear layer."""

    def __init__(self, config: ClassifierConfig) -> None:
        super().__init__()
        self.config = config
        w = config.width
        widths = [3, w, 2 * w, 4 * w, 4 * w]
        blocks: list[nn.Module] = []
        for cin, cout in itertools.pairwise(widths):
            blocks += [
                nn.Conv2d(cin, cout, 3, padding=1, bias=False),
                nn.BatchNorm2d(cout),
                nn.ReLU(),
                nn.MaxPool2d(2),
            ]
        self.features = nn.Sequential(*blocks)
        self.head = nn.Sequential(
            nn.AdaptiveAvgPool2d(1),
            nn.Flatten(),
            nn.Dropout(0.2),
            nn.Linear(widths[-1], len(config.categories)),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits (N x categories) for an NCHW batch in [-1, 1] of any square size."""
        return self.head(self.features(shrink(x, self.config.size)))


def shrink(batch: torch.Tensor, size: int) -> torch.Tensor:
    """Resize an NCHW batch to ``size`` x ``size`` with antialiasing (no-op when it fits).

    Antialiased bilinear resizing (``F.interpolate(..., antialias=True)``, PIL's filter) as two
    matrix products, ``rows @ batch @ columns.T``: the same numbers to float rounding, and a
    plain graph that exports to ONNX (the exporter has no antialiased resize), so the guesser's
    served graph holds this very pre-processing.
    """
    height, width = int(batch.shape[-2]), int(batch.shape[-1])
    if (height, width) == (size, size):
        return batch
    rows = resize_weights(height, size).to(batch.device, batch.dtype)
    columns = resize_weights(width, size).to(batch.device, batch.dtype)
    return rows @ batch @ columns.T


@functools.lru_cache(maxsize=16)
def resize_weights(source: int, size: int) -> torch.Tensor:
    """``size`` x ``source`` float32: row i holds the weights antialiased bilinear resizing
    gives each source pixel for output pixel i (a triangle filter stretched by the scale when
    shrinking, each row summing to 1), computed in plain Python so no export ever traces it."""
    scale = source / size
    support = max(scale, 1.0)  # the triangle's half-width in source pixels
    weights = torch.zeros(size, source, dtype=torch.float64)
    for i in range(size):
        centre = scale * (i + 0.5)
        first = max(int(centre - support + 0.5), 0)
        last = min(int(centre + support + 0.5), source)
        row = [max(0.0, 1.0 - abs((j - centre + 0.5) / support)) for j in range(first, last)]
        total = sum(row)
        weights[i, first:last] = torch.tensor(row, dtype=torch.float64) / total
    return weights.float()


def random_placement(
    batch: torch.Tensor,
    generator: torch.Generator,
    *,
    scale: tuple[float, float] = (0.6, 1.1),
    shift: float = 0.15,
    degrees: float = 10.0,
) -> torch.Tensor:
    """Move each picture of an NCHW batch in [-1, 1] as the sketch augmentation does.

    Random scale, off-centre shift, small rotation and a mirror, over white paper (the ink,
    ``1 - picture``, is warped so the padding is white).
    """
    n = batch.shape[0]

    def uniform(low: float, high: float) -> torch.Tensor:
        return low + (high - low) * torch.rand(n, generator=generator)

    s = uniform(*scale)
    angle = uniform(-degrees, degrees) * math.pi / 180
    flip = torch.where(torch.rand(n, generator=generator) < 0.5, -1.0, 1.0)
    cos, sin = torch.cos(angle) / s, torch.sin(angle) / s
    theta = torch.zeros(n, 2, 3)
    theta[:, 0, 0], theta[:, 0, 1] = cos * flip, -sin
    theta[:, 1, 0], theta[:, 1, 1] = sin * flip, cos
    theta[:, :, 2] = (torch.rand(n, 2, generator=generator) * 2 - 1) * shift * 2
    grid = F.affine_grid(theta, list(batch.shape), align_corners=False)
    ink = F.grid_sample(
        (1 - batch) / 2, grid, mode="bilinear", padding_mode="zeros", align_corners=False
    )
    return 1 - 2 * ink


@dataclass
class ClassifierTrainConfig:
    """One classifier training run (small on purpose: a few epochs on 2 CPU cores)."""

    size: int = 64
    width: int = 32
    epochs: int = 60
    batch_size: int = 32
    lr: float = 2e-3
    weight_decay: float = 1e-4
    seed: int = 0
    threads: int = 1
    max_steps: int | None = None  # stop early (tests)
    label_smoothing: float = 0.0


def categories_in(split_dirs: Sequence[Path]) -> tuple[str, ...]:
    """Sorted category slugs of the ``<category>__<id>.png`` files of ``split_dirs``."""
    return tuple(
        sorted({source.sketch.stem.split("__")[0] for d in split_dirs for source in find_pairs(d)})
    )


def load_real_pictures(
    split_dir: Path, categories: Sequence[str] | None = None, size: int = 64
) -> tuple[torch.Tensor, torch.Tensor, tuple[str, ...]]:
    """``(pictures, labels, categories)`` from the ``B`` halves of an ``A|B`` folder.

    The category of ``<category>__<id>.png`` is the part before ``__``. Pictures are shrunk to
    ``size`` as :class:`CategoryClassifier` shrinks its input. ``categories`` fixes the label
    order (default: sorted slugs found); files of other categories are skipped.
    """
    sources = find_pairs(split_dir)
    found = [source.sketch.stem.split("__")[0] for source in sources]
    order = tuple(categories) if categories is not None else tuple(sorted(set(found)))
    index = {slug: i for i, slug in enumerate(order)}
    pictures, labels = [], []
    for source, slug in zip(sources, found, strict=True):
        if slug not in index:
            continue
        picture = to_tensor(source.load(256)[1])
        pictures.append(shrink(picture[None], size)[0])
        labels.append(index[slug])
    if not pictures:
        raise FileNotFoundError(f"no pictures of the categories {', '.join(order)} in {split_dir}")
    return torch.stack(pictures), torch.tensor(labels), order


def train_classifier(
    pictures: torch.Tensor,
    labels: torch.Tensor,
    categories: Sequence[str],
    cfg: ClassifierTrainConfig,
    *,
    log: Callable[[str], None] | None = None,
    augment: Callable[[torch.Tensor, torch.Generator], torch.Tensor] | None = None,
    after_epoch: Callable[[CategoryClassifier], dict[str, float]] | None = None,
) -> tuple[CategoryClassifier, list[dict[str, float]]]:
    """Train a classifier on real pictures (N x 3 x S x S in [-1, 1], or uint8 0–255, turned
    to floats a batch at a time); return it and its history.

    Adam with cosine decay, cross-entropy (label smoothing as configured), random placement each
    step, then ``augment`` if given; seeded, so the same inputs give the same weights.
    ``after_epoch`` may score the model (in eval mode) after each epoch; its numbers join the
    history. The model comes back in eval mode.
    """
    torch.set_num_threads(cfg.threads)
    torch.manual_seed(cfg.seed)
    model = CategoryClassifier(ClassifierConfig(tuple(categories), cfg.size, cfg.width))
    optimiser = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    steps_per_epoch = math.ceil(len(pictures) / cfg.batch_size)
    total = cfg.epochs * steps_per_epoch
    if cfg.max_steps is not None:
        total = min(total, cfg.max_steps)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimiser, T_max=max(1, total))
    rng = torch.Generator().manual_seed(cfg.seed)
    history: list[dict[str, float]] = []
    step = 0
    for epoch in range(cfg.epochs):
        model.train()
        order = torch.randperm(len(pictures), generator=rng)
        tick, loss_sum, correct = time.monotonic(), 0.0, 0
        seen = 0
        for start in range(0, len(order), cfg.batch_size):
            if step >= total:
                break
            idx = order[start : start + cfg.batch_size]
            batch = pictures[idx]
            if batch.dtype == torch.uint8:
                batch = batch.float() / 127.5 - 1.0
            batch = random_placement(batch, rng)
            if augment is not None:
                batch = augment(batch, rng)
            logits = model(batch)
            loss = F.cross_entropy(logits, labels[idx], label_smoothing=cfg.label_smoothing)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
            step += 1
            seen += len(idx)
            loss_sum += loss.item() * len(idx)
            correct += int((logits.argmax(1) == labels[idx]).sum())
        if seen == 0:
            break
        record = {"epoch": epoch + 1, "step": step, "loss": loss_sum / seen,
                  "train_accuracy": correct / seen, "seconds": time.monotonic() - tick}  # fmt: skip
        if after_epoch is not None:
            model.eval()
            record |= after_epoch(model)
        history.append(record)
        if log:
            log(json.dumps({k: round(v, 4) for k, v in record.items()}))
    model.eval()
    return model, history


@torch.no_grad()
def accuracy(model: CategoryClassifier, pictures: torch.Tensor, labels: torch.Tensor) -> float:
    """Share of ``pictures`` whose predicted category is ``labels``."""
    model.eval()
    predicted = torch.cat([model(chunk).argmax(1) for chunk in pictures.split(64)])
    return float((predicted == labels).float().mean())


@torch.no_grad()
def classify(model: CategoryClassifier, pictures: Sequence[Image.Image]) -> list[dict[str, float]]:
    """Category slug -> probability for each picture (any size; RGB is enforced)."""
    model.eval()
    if not pictures:
        return []
    batch = images_to_batch(list(pictures))
    probabilities = torch.cat([model(chunk).softmax(1) for chunk in batch.split(32)])
    return [
        {slug: float(p) for slug, p in zip(model.config.categories, row, strict=True)}
        for row in probabilities
    ]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def save_classifier(model: CategoryClassifier, path: Path, card: dict[str, Any]) -> Path:
    """Write ``path`` (``.safetensors``) and its card (``.json`` beside it); return the card path.

    The card gets the architecture, the weights' file name and sha256 on top of ``card``.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, str(path))
    document = {
        **card,
        "categories": list(model.config.categories),
        "architecture": {"type": "category-cnn", **model.config.to_dict()},
        "weights": path.name,
        "sha256": _sha256(path),
        "created_at": card.get("created_at")
        or dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    card_path = path.with_suffix(".json")
    card_path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", "utf-8")
    return card_path


def load_classifier(path: Path) -> CategoryClassifier:
    """Read a classifier saved by :func:`save_classifier`, in eval mode.

    ``path`` is the ``.safetensors`` file or its ``.json`` card. Raises ``FileNotFoundError``
    when either file is missing and ``ValueError`` when the card is malformed or the weights'
    sha256 does not match it (the weights are never read then).
    """
    path = Path(path)
    weights, card_path = path.with_suffix(".safetensors"), path.with_suffix(".json")
    for needed in (weights, card_path):
        if not needed.is_file():
            raise FileNotFoundError(
                f"{needed} does not exist (train one with train_category_classifier)"
            )
    try:
        card = json.loads(card_path.read_text(encoding="utf-8"))
        config = ClassifierConfig.from_dict(card["architecture"])
        expected = str(card["sha256"])
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise ValueError(f"{card_path} is not a classifier card ({exc})") from exc
    if _sha256(weights) != expected:
        raise ValueError(f"{weights} does not match the sha256 in {card_path}; refusing to load it")
    model = CategoryClassifier(config)
    model.load_state_dict(load_file(str(weights)))
    model.eval()
    return model


def config_dict(cfg: ClassifierTrainConfig) -> dict[str, Any]:
    """The training config as a JSON-ready dict (for the card)."""
    return dataclasses.asdict(cfg)
