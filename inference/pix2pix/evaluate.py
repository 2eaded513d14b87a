"""Compare generator checkpoints on a held-out dev set of child-like sketches.

The seed project's warning is that a generator trained on tidy outlines meets wobbly, gappy
children's strokes at serving time, so checkpoints are chosen here on sketches that look like
a child drew them and that no checkpoint trained on:

* the dataset's ``val`` line art pushed through :func:`~inference.pix2pix.sketchify.sketchify_pair`
  at its strongest (:data:`DEVSET_STYLE`), which moves the colour picture with the shared
  geometry, so these sketches keep a paired target picture;
* the hand-drawn-style doodles of :mod:`inference.pix2pix.doodles` (no target picture).

Every picture is scored on what a child (and a parent) would notice:

* **line following** — :func:`line_following`: recall is the share of the child's stroke
  pixels that lie within ``tolerance`` px of an edge or a dark line in the picture, precision
  the share of the picture's edges that lie within ``tolerance`` px of a stroke (Chamfer-style,
  with Sobel edges);
* **fill** — :func:`fill_fraction`: the share of the area inside the sketch's outline that is
  not left paper-white;
* **colourfulness** — :func:`colourfulness` (Hasler & Süsstrunk 2003);
* **paired L1, PSNR, SSIM** against the target picture where one exists;
* **recognisability** — the pix2pix paper's FCN-score idea: a small category classifier trained
  on the real pictures (:mod:`inference.pix2pix.classifier`) names the category of each
  generated picture; its accuracy is compared with its accuracy on the real targets.

:func:`combined_score` folds them into one number to rank checkpoints. Plain torch + numpy +
Pillow, no Django: the management command ``evaluate_generators`` wraps it.
"""

from __future__ import annotations

import csv
import dataclasses
import html
import json
import math
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image, ImageDraw, ImageFont
from safetensors.torch import load_file

from inference.pix2pix.classifier import CategoryClassifier, classify
from inference.pix2pix.data import find_pairs, to_tensor
from inference.pix2pix.doodles import (
    DOODLES,
    MORE_DOODLES,
    doodle_category,
    draw_doodle,
    held_out_doodles,
)
from inference.pix2pix.imaging import batch_to_images, image_to_array, images_to_batch
from inference.pix2pix.networks import GeneratorConfig, build_generator, condition_labels
from inference.pix2pix.sketchify import SketchStyle, sketchify_pair

SIZE = 256
DEVSET_FILE = "devset.json"
INK_LEVEL = 128  # luminance (0..255) below which a sketch pixel is a stroke
WHITE_LEVEL = 200  # every channel above this: paper-white (or the faintest cream tint)
EDGE_GRADIENT = 0.1  # Sobel magnitude (on 0..1 images) of an edge; a clean black/white step is 0.5
LINE_TOLERANCE_PX = 3
GAP_CLOSING_PX = 6  # children's outlines have gaps up to ~10 px; close them to find the inside
PSNR_CAP_DB = 100.0  # identical pictures: a large finite number keeps means and JSON sane
# Hasler-Süsstrunk: ~33 "moderately", ~45 "averagely", ~59 "quite" colourful. The OpenMoji
# pictures of the dev set measure ~51, so 50 stands in for them when a dev set has no targets.
COLOURFULNESS_FALLBACK = 50.0

# The project's sketch augmentation at its strongest: the training style's full ranges (small,
# off-centre, rotated, wobbly, uneven, gappy strokes in pencil or crayon) with the tidy
# pass-through switched off, so every dev sketch is damaged.
DEVSET_STYLE = SketchStyle(clean_probability=0.0)
# Canvas brushes: the site's medium pen and its large one (pixels at 256).
DOODLE_BRUSHES = (4.5, 9.0)


# --------------------------------------------------------------------------- dev set


@dataclass(frozen=True)
class DevSketch:
    """One dev-set sketch: its category, the sketch, and the target picture when known."""

    stem: str
    category: str
    kind: str  # "sketchified-val" or "doodle"
    sketch: Image.Image
    target: Image.Image | None = None


def _val_categories(dataset_dir: Path) -> dict[str, str]:
    """``val/<file>`` -> category slug, from ``dataset.json`` when it lists its images."""
    manifest = dataset_dir / "dataset.json"
    if not manifest.is_file():
        return {}
    document = json.loads(manifest.read_text(encoding="utf-8"))
    return {entry["file"]: entry["category"] for entry in document.get("images", [])}


def build_devset(
    dataset_dir: Path,
    out_dir: Path,
    *,
    variants: int = 3,
    seed: int = 0,
    doodles: bool = True,
    pens: Sequence[float] = DOODLE_BRUSHES,
    more_doodles: bool = False,
    size: int = SIZE,
) -> list[dict[str, Any]]:
    """Write a deterministic dev set to ``out_dir``; return its items (as in ``devset.json``).

    Each ``val`` pair of ``dataset_dir`` (``A|B`` files named ``<category>__<id>.png``, or
    listed in ``dataset.json``) gives ``variants`` child-like sketches, each with its target
    picture moved by the same placement (``variants`` 0: none, and ``val`` is not read); the
    doodles add one sketch per pen width in ``pens`` (pixels at 256), the fashion/space/plant
    doodles too with ``more_doodles``. The same arguments always give byte-identical files.
    Raises ``FileNotFoundError`` when ``val`` has no pairs.
    """
    dataset_dir, out_dir = Path(dataset_dir), Path(out_dir)
    pairs = find_pairs(dataset_dir / "val") if variants > 0 else []
    categories = _val_categories(dataset_dir)
    (out_dir / "sketches").mkdir(parents=True, exist_ok=True)
    (out_dir / "targets").mkdir(parents=True, exist_ok=True)
    items: list[dict[str, Any]] = []
    for index, source in enumerate(pairs):
        origin = f"val/{source.sketch.name}"
        category = categories.get(origin, source.sketch.stem.split("__")[0])
        line_art, picture = (to_tensor(image) for image in source.load(size))
        for variant in range(variants):
            rng = np.random.default_rng([seed, index, variant])
            child, target = sketchify_pair(line_art, picture, rng, DEVSET_STYLE)
            stem = f"{source.sketch.stem}-{variant}"
            sketch_image, target_image = batch_to_images(torch.stack([child, target]))
            sketch_image.save(out_dir / "sketches" / f"{stem}.png")
            target_image.save(out_dir / "targets" / f"{stem}.png")
            items.append({
                "stem": stem, "category": category, "kind": "sketchified-val",
                "sketch": f"sketches/{stem}.png", "target": f"targets/{stem}.png",
                "origin": origin, "seed": [seed, index, variant],
            })  # fmt: skip
    shapes = {**DOODLES, **(MORE_DOODLES if more_doodles else {})}
    if doodles:
        for pen, brush in enumerate(pens):
            for number, (name, (category, _)) in enumerate(shapes.items()):
                doodle_seed = 1000 * (seed + 1) + 10 * number + pen
                stem = f"doodle-{name}-{pen}"
                draw_doodle(name, size=size, seed=doodle_seed, brush=brush).save(
                    out_dir / "sketches" / f"{stem}.png"
                )
                items.append({
                    "stem": stem, "category": category, "kind": "doodle",
                    "sketch": f"sketches/{stem}.png", "target": None,
                    "origin": f"inference.pix2pix.doodles:{name}", "seed": doodle_seed,
                    "brush_px": brush,
                })  # fmt: skip
    document = {
        "description": "Child-like dev sketches for choosing checkpoints (never training edges).",
        "dataset": str(dataset_dir),
        "seed": seed,
        "variants": variants,
        "size": size,
        "style": dataclasses.asdict(DEVSET_STYLE),
        "items": items,
    }
    (out_dir / DEVSET_FILE).write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    return items


def load_devset(devset_dir: Path, size: int = SIZE) -> list[DevSketch]:
    """Read a dev set written by :func:`build_devset` (or by hand, in the same layout).

    Raises ``FileNotFoundError`` naming the missing file and ``ValueError`` for a malformed
    ``devset.json``.
    """
    devset_dir = Path(devset_dir)
    manifest = devset_dir / DEVSET_FILE
    if not manifest.is_file():
        raise FileNotFoundError(f"{manifest} does not exist: build one with --build-devset DIR")
    try:
        document = json.loads(manifest.read_text(encoding="utf-8"))
        entries = document["items"]
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise ValueError(f"{manifest} is not a dev-set manifest ({exc})") from exc
    items = []
    for entry in entries:
        try:
            stem, category, sketch_name = entry["stem"], entry["category"], entry["sketch"]
        except (KeyError, TypeError) as exc:
            raise ValueError(f"{manifest}: each item needs stem, category, sketch") from exc
        target_name = entry.get("target")
        items.append(
            DevSketch(
                stem=stem,
                category=category,
                kind=entry.get("kind", "sketch"),
                sketch=_read_image(devset_dir / sketch_name, size),
                target=_read_image(devset_dir / target_name, size) if target_name else None,
            )
        )
    if not items:
        raise ValueError(f"{manifest} lists no sketches")
    return items


def _read_image(path: Path, size: int) -> Image.Image:
    if not path.is_file():
        raise FileNotFoundError(f"{path} is listed in the dev set but does not exist")
    with Image.open(path) as image:
        return Image.fromarray(image_to_array(image, size))


# --------------------------------------------------------------------------- metrics


def _rgb01(image: Image.Image) -> torch.Tensor:
    """3 x H x W float tensor in [0, 1]."""
    array = np.asarray(image.convert("RGB"), dtype=np.float32) / 255.0
    return torch.from_numpy(array.copy()).permute(2, 0, 1)


def _luma(image: Image.Image) -> np.ndarray:
    return np.asarray(image.convert("L"), dtype=np.float32)


def near(mask: np.ndarray, radius: int) -> np.ndarray:
    """Pixels within ``radius`` px (a square neighbourhood) of any ``True`` pixel of ``mask``."""
    if radius <= 0:
        return mask.astype(bool)
    tensor = torch.from_numpy(mask.astype(np.float32))[None, None]
    grown = F.max_pool2d(tensor, 2 * radius + 1, stride=1, padding=radius)
    return grown[0, 0].numpy() > 0


def stroke_mask(sketch: Image.Image, level: int = INK_LEVEL) -> np.ndarray:
    """The child's strokes: pixels darker than ``level`` (pencil grey and dark crayons count)."""
    return _luma(sketch) < level


def edge_mask(picture: Image.Image, gradient: float = EDGE_GRADIENT) -> np.ndarray:
    """Boundaries in a picture: the Sobel gradient of any RGB channel exceeds ``gradient``.

    Working per channel finds colour boundaries that keep the same brightness (red next to
    green), which a luminance-only detector misses. Borders are replicated, so the frame of
    the image is never an edge.
    """
    rgb = _rgb01(picture)[:, None]  # 3 x 1 x H x W: each channel through the same kernels
    kx = torch.tensor([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]]) / 8.0
    kernels = torch.stack([kx, kx.T])[:, None]  # 2 x 1 x 3 x 3
    grads = F.conv2d(F.pad(rgb, (1, 1, 1, 1), mode="replicate"), kernels)
    magnitude = grads.pow(2).sum(dim=1).sqrt().amax(dim=0)
    return (magnitude > gradient).numpy()


def line_following(
    sketch: Image.Image, picture: Image.Image, tolerance: int = LINE_TOLERANCE_PX
) -> tuple[float, float]:
    """``(recall, precision)`` of the picture's lines against the child's strokes, 0..1 each.

    * recall: the share of stroke pixels within ``tolerance`` px of an edge of the picture or
      of a dark (stroke-like) pixel — the child's line is still there, as a line or a border;
    * precision: the share of the picture's edge pixels within ``tolerance`` px of a stroke —
      edges the child did not draw (smudges, invented detail) lower it.

    A picture with no edges has precision 0; a sketch with no strokes gives recall 1.
    """
    strokes = stroke_mask(sketch)
    edges = edge_mask(picture)
    lines = edges | stroke_mask(picture)
    recall = float(near(lines, tolerance)[strokes].mean()) if strokes.any() else 1.0
    precision = float(near(strokes, tolerance)[edges].mean()) if edges.any() else 0.0
    return recall, precision


def lines_dark(sketch: Image.Image, picture: Image.Image, level: int = INK_LEVEL) -> float:
    """Share of the child's stroke pixels that are still dark (ink) in the picture.

    Stricter than :func:`line_following`'s recall, which also accepts a colour border where
    the stroke was: a child expects the line they drew to stay a line. 1.0 without strokes.
    """
    strokes = stroke_mask(sketch)
    if not strokes.any():
        return 1.0
    return float((_luma(picture)[strokes] < level).mean())


def f1(recall: float, precision: float) -> float:
    """Harmonic mean of recall and precision (0 when both are 0)."""
    return 0.0 if recall + precision == 0 else 2 * recall * precision / (recall + precision)


def interior_mask(sketch: Image.Image, closing: int = GAP_CLOSING_PX) -> np.ndarray:
    """The area inside the sketch's outline, not counting the strokes and a margin around them.

    Children leave gaps, so strokes are first thickened by ``closing`` px; paper that cannot
    be reached from the border of the page through those walls is inside. Thin open strokes
    (a single line, a stick figure) enclose nothing and give an empty mask.
    """
    walls = near(stroke_mask(sketch), closing)
    return ~_reachable_from_border(~walls) & ~walls


def _reachable_from_border(open_area: np.ndarray) -> np.ndarray:
    """Pixels of ``open_area`` connected (8-neighbourhood) to the image border through it.

    A flood fill by repeated 3x3 dilation inside ``open_area``, checked for convergence every
    few steps; fast in torch where a pixel-by-pixel fill in Python is not.
    """
    allowed = torch.from_numpy(open_area.astype(np.float32))[None, None]
    seed = torch.zeros_like(allowed)
    seed[..., 0, :] = seed[..., -1, :] = 1
    seed[..., :, 0] = seed[..., :, -1] = 1
    reached = seed * allowed
    while True:
        before = reached
        for _ in range(16):
            reached = F.max_pool2d(reached, 3, stride=1, padding=1) * allowed
        if torch.equal(reached, before):
            return reached[0, 0].numpy() > 0


def paper_white(picture: Image.Image, level: int = WHITE_LEVEL) -> np.ndarray:
    """Pixels that are still paper: every channel brighter than ``level``."""
    return np.asarray(picture.convert("RGB")).min(axis=2) > level


def fill_fraction(picture: Image.Image, interior: np.ndarray) -> float:
    """Share of ``interior`` (see :func:`interior_mask`) that the picture did not leave white.

    ``nan`` when the interior is empty, so open doodles do not count for or against.
    """
    if not interior.any():
        return math.nan
    return float((~paper_white(picture))[interior].mean())


def colourfulness(picture: Image.Image) -> float:
    """Hasler & Süsstrunk's colourfulness M of the whole picture (0 for greys; ~59 "quite").

    ``rg = R - G``, ``yb = (R + G) / 2 - B`` on 0..255 values;
    ``M = sqrt(σ_rg² + σ_yb²) + 0.3 · sqrt(μ_rg² + μ_yb²)``.
    """
    rgb = np.asarray(picture.convert("RGB"), dtype=np.float64)
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    rg, yb = r - g, 0.5 * (r + g) - b
    spread = math.hypot(float(rg.std()), float(yb.std()))
    mean = math.hypot(float(rg.mean()), float(yb.mean()))
    return spread + 0.3 * mean


def l1_error(picture: Image.Image, target: Image.Image) -> float:
    """Mean absolute difference on 0..1 RGB values (half the training log's [-1, 1] L1)."""
    return float((_rgb01(picture) - _rgb01(target)).abs().mean())


def psnr(picture: Image.Image, target: Image.Image) -> float:
    """Peak signal-to-noise ratio in dB (peak 1.0), capped at :data:`PSNR_CAP_DB` for copies."""
    mse = float((_rgb01(picture) - _rgb01(target)).pow(2).mean())
    return PSNR_CAP_DB if mse <= 10 ** (-PSNR_CAP_DB / 10) else -10.0 * math.log10(mse)


def ssim(picture: Image.Image, target: Image.Image, window: int = 11, sigma: float = 1.5) -> float:
    """Structural similarity (Wang et al. 2004), mean over RGB channels and valid windows.

    The reference settings: an 11x11 Gaussian window (σ 1.5), K1 0.01, K2 0.03, data range 1.
    1 for identical pictures, near 0 for unrelated ones.
    """
    x, y = _rgb01(picture)[:, None], _rgb01(target)[:, None]
    coords = torch.arange(window, dtype=torch.float32) - (window - 1) / 2
    g = torch.exp(-(coords**2) / (2 * sigma**2))
    g = g / g.sum()

    def blur(t: torch.Tensor) -> torch.Tensor:  # separable Gaussian, valid windows only
        return F.conv2d(F.conv2d(t, g.view(1, 1, 1, -1)), g.view(1, 1, -1, 1))

    mu_x, mu_y = blur(x), blur(y)
    var_x = blur(x * x) - mu_x**2
    var_y = blur(y * y) - mu_y**2
    cov = blur(x * y) - mu_x * mu_y
    c1, c2 = 0.01**2, 0.03**2
    index = ((2 * mu_x * mu_y + c1) * (2 * cov + c2)) / (
        (mu_x**2 + mu_y**2 + c1) * (var_x + var_y + c2)
    )
    return float(index.mean())


# --------------------------------------------------------------------------- scoring


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


def _nanmean(values: Iterable[float]) -> float:
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
    summary = {key: _nanmean(row[key] for row in rows) for key in SUMMARY_KEYS}
    summary["recog_accuracy"] = summary.pop("recognised")
    summary["recog_accuracy_paired"] = _nanmean(
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
    return _nanmean(parts)


@torch.no_grad()
def draw(
    net: torch.nn.Module,
    sketches: Sequence[Image.Image],
    batch: int = 8,
    categories: Sequence[str | None] | None = None,
) -> list[Image.Image]:
    """Pictures for ``sketches`` exactly as serving draws them (eval mode, uint8 rounding).

    A category-conditioned generator draws each sketch as its entry in ``categories`` (the
    category the child picked), as the worker does.
    """
    net.eval()
    labels = condition_labels(net, categories)
    pictures: list[Image.Image] = []
    for start in range(0, len(sketches), batch):
        chunk = images_to_batch(list(sketches[start : start + batch]))
        part = None if labels is None else labels[start : start + batch]
        pictures += batch_to_images(net(chunk, part))
    return pictures


def doodle_items(size: int = SIZE, categories: Collection[str] = ()) -> list[DevSketch]:
    """The held-out doodles (thin and thick pen, plus the extra doodles of ``categories``) as
    dev sketches without targets, each with its category."""
    return [
        DevSketch(stem, doodle_category(stem.rsplit("-", 1)[0]), "doodle", sketch)
        for stem, sketch in held_out_doodles(size, categories).items()
    ]


def score_generator(net: torch.nn.Module, items: Sequence[DevSketch]) -> dict[str, float]:
    """The dev-set summary of ``net`` on ``items`` without a classifier (what a model card
    records about child-like sketches); metrics that do not apply are left out."""
    summary = evaluate_candidate("", net, sketch_facts(items)).summary
    return {key: round(value, 4) for key, value in summary.items() if math.isfinite(value)}


def load_checkpoint(path: Path) -> torch.nn.Module:
    """A generator from a training checkpoint (``epoch-NNNN.safetensors`` + its ``.json``)."""
    meta = json.loads(path.with_suffix(".json").read_text())
    net = build_generator(GeneratorConfig.from_dict(meta["architecture"]))
    net.load_state_dict(load_file(str(path)))
    return net


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


def recognised_by_category(rows: Sequence[Mapping[str, Any]]) -> dict[str, float | None]:
    """Classifier accuracy on the pictures of each category (``None`` where not measured)."""
    by_category: dict[str, list[float]] = {}
    for row in rows:
        by_category.setdefault(row["category"], []).append(row["recognised"])
    return {slug: _json_number(_nanmean(values)) for slug, values in sorted(by_category.items())}


def _finite(value: float) -> float:
    return -math.inf if math.isnan(value) else value


# --------------------------------------------------------------------------- reports


def _json_number(value: Any) -> Any:
    if isinstance(value, float):
        return None if not math.isfinite(value) else round(value, 5)
    return value


def write_metrics(
    out_dir: Path,
    results: Sequence[CandidateResult],
    *,
    reference: Mapping[str, float] | None,
    context: Mapping[str, Any],
) -> tuple[Path, Path]:
    """Write ``metrics.csv`` (one row per candidate and sketch) and ``metrics.json``.

    The JSON holds the ranking with each candidate's summary, the real-picture reference and
    ``context`` (dev set, classifier, metric definitions). Unmeasurable values are ``null``.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    csv_path, json_path = out_dir / "metrics.csv", out_dir / "metrics.json"
    columns = ["candidate", *results[0].rows[0].keys()] if results else ["candidate"]
    with csv_path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        for result in results:
            for row in result.rows:
                values = {k: _json_number(v) for k, v in row.items()}
                cleaned = {k: "" if v is None else v for k, v in values.items()}
                writer.writerow({"candidate": result.name, **cleaned})
    ranked = rank(results)
    document = {
        **context,
        "recommended": ranked[0].name if ranked else None,
        "ranking": [
            {
                "rank": i + 1,
                "candidate": r.name,
                "recog_by_category": recognised_by_category(r.rows),
                **{k: _json_number(v) for k, v in r.summary.items()},
            }
            for i, r in enumerate(ranked)
        ],
        "reference_real_pictures": (
            {k: _json_number(v) for k, v in reference.items()} if reference else None
        ),
    }
    json_path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", "utf-8")
    return csv_path, json_path


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    try:
        return ImageFont.load_default(size=size)
    except (TypeError, OSError):  # Pillow built without FreeType
        return ImageFont.load_default()


def summary_lines(summary: Mapping[str, float]) -> list[str]:
    """The header text of a candidate's column (short, so it fits over a small cell)."""

    def fmt(key: str, spec: str) -> str:
        value = summary.get(key, math.nan)
        return "-" if math.isnan(value) else format(value, spec)

    return [
        f"score {fmt('combined', '.3f')}",
        f"lines F1 {fmt('line_f1', '.2f')}  dark {fmt('lines_dark', '.2f')}",
        f"fill {fmt('fill', '.2f')}  col {fmt('colourfulness', '.0f')}",
        f"SSIM {fmt('ssim', '.2f')}  {fmt('psnr', '.1f')}dB",
        f"recog {fmt('recog_accuracy', '.0%')}",
    ]


def write_sheet(
    path: Path,
    items: Sequence[DevSketch],
    results: Sequence[CandidateResult],
    *,
    cell: int = 128,
) -> Path:
    """Save the comparison sheet: one row per dev sketch, columns sketch | target | candidates.

    The header names each candidate with its mean scores; each row starts with the sketch's
    name and category. The target cell is blank for doodles, which have none.
    """
    font, small = _font(max(10, cell // 10)), _font(max(9, cell // 12))
    header = 6 * (cell // 10 + 4) + 8
    columns = 2 + len(results)
    gap = 4
    width = columns * (cell + gap) + gap
    height = header + len(items) * (cell + gap) + gap
    sheet = Image.new("RGB", (width, height), "white")
    pen = ImageDraw.Draw(sheet)
    titles: list[tuple[str, list[str]]] = [("sketch", []), ("real picture", [])]
    titles += [(r.name, summary_lines(r.summary)) for r in results]
    line = cell // 10 + 4
    for c, (title, lines) in enumerate(titles):
        x = gap + c * (cell + gap)
        pen.text((x + 2, 4), title[-22:], fill=(0, 0, 0), font=font)
        for k, text in enumerate(lines):
            pen.text((x + 2, 4 + (k + 1) * line), text, fill=(70, 70, 70), font=small)
    for r, item in enumerate(items):
        y = header + gap + r * (cell + gap)
        cells: list[Image.Image | None] = [item.sketch, item.target]
        cells += [result.pictures[r] for result in results]
        for c, image in enumerate(cells):
            x = gap + c * (cell + gap)
            if image is not None:
                sheet.paste(
                    image.convert("RGB").resize((cell, cell), Image.Resampling.LANCZOS), (x, y)
                )
            pen.rectangle((x, y, x + cell - 1, y + cell - 1), outline=(215, 215, 215))
        pen.text(
            (gap + 3, y + 2), f"{item.stem[:20]}\n{item.category}", fill=(0, 90, 200), font=small
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(path, optimize=True)
    return path


METRIC_DEFINITIONS = {
    "line_recall": "share of the sketch's stroke pixels within 3 px of a Sobel edge or dark "
    "pixel of the picture",
    "line_precision": "share of the picture's Sobel edge pixels within 3 px of a stroke",
    "line_f1": "harmonic mean of line_recall and line_precision",
    "lines_dark": "share of the sketch's stroke pixels that are still dark (luma < 128) in the "
    "picture: the child's own line kept as a line",
    "fill": "share of the area enclosed by the sketch (gaps up to ~12 px closed) that is not "
    "paper-white (some channel <= 200)",
    "colourfulness": "Hasler & Süsstrunk M on 0..255 RGB (0 grey, ~59 quite, ~82 highly colourful)",
    "l1": "mean |picture - target| on 0..1 RGB (paired sketches only)",
    "psnr": "dB, peak 1.0, capped at 100 (paired sketches only)",
    "ssim": "Wang et al. SSIM, 11x11 Gaussian window, mean over RGB (paired sketches only)",
    "recog_accuracy": "the category classifier (trained on real pictures) names the picked "
    "category (all sketches)",
    "recog_accuracy_paired": "the same on the paired sketches only, beside the classifier's "
    "accuracy on their real target pictures",
    "true_probability": "the classifier's mean probability for the picked category",
    "combined": "mean of min(x / x_real, 1) over line_f1, fill, colourfulness, ssim (x_real 1) "
    "and true_probability, x_real being the real pictures' score on the paired dev sketches",
}


def write_html(
    path: Path,
    results: Sequence[CandidateResult],
    *,
    sheet_name: str,
    reference: Mapping[str, float] | None,
    title: str = "Generator comparison on child-like sketches",
) -> Path:
    """A simple page: the ranked metrics table, the metric definitions and the sheet."""
    keys = (
        "combined", "line_f1", "line_recall", "line_precision", "lines_dark", "fill",
        "colourfulness", "l1", "psnr", "ssim", "recog_accuracy", "recog_accuracy_paired",
        "true_probability",
    )  # fmt: skip

    def cells(summary: Mapping[str, float]) -> str:
        return "".join(
            f"<td>{'-' if math.isnan(summary.get(k, math.nan)) else f'{summary[k]:.3f}'}</td>"
            for k in keys
        )

    rows = [
        f"<tr><td>{i + 1}</td><td>{html.escape(r.name)}</td>{cells(r.summary)}</tr>"
        for i, r in enumerate(rank(results))
    ]
    if reference:
        rows.append(f"<tr><td></td><td><i>real pictures</i></td>{cells(reference)}</tr>")
    head = "".join(f"<th>{html.escape(k)}</th>" for k in ("rank", "candidate", *keys))
    definitions = "".join(
        f"<li><b>{html.escape(k)}</b>: {html.escape(v)}</li>" for k, v in METRIC_DEFINITIONS.items()
    )
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body{{font-family:sans-serif;margin:1.5em}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:2px 6px;text-align:right}}img{{max-width:100%}}</style>
</head><body><h1>{html.escape(title)}</h1>
<table><tr>{head}</tr>
{chr(10).join(rows)}
</table>
<ul>{definitions}</ul>
<p><img src="{html.escape(sheet_name)}" alt="sketch | real picture | candidates"></p>
</body></html>
"""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
    return path


def ranked_table(results: Sequence[CandidateResult]) -> str:
    """A fixed-width text table of the ranking, for the terminal (``-`` where not measured)."""

    header = (
        f"{'#':>2}  {'candidate':<28} {'score':>6} {'lineF1':>6} {'dark':>5} {'fill':>5} "
        f"{'colour':>6} {'L1':>6} {'PSNR':>5} {'SSIM':>5} {'recog':>5}"
    )
    lines = [header]
    columns = (("combined", 6, ".3f"), ("line_f1", 6, ".3f"), ("lines_dark", 5, ".2f"),
               ("fill", 5, ".2f"),
               ("colourfulness", 6, ".1f"), ("l1", 6, ".3f"), ("psnr", 5, ".1f"),
               ("ssim", 5, ".3f"), ("recog_accuracy", 5, ".0%"))  # fmt: skip
    for i, r in enumerate(rank(results)):
        values = " ".join(
            f"{'-' if math.isnan(r.summary[key]) else format(r.summary[key], spec):>{width}}"
            for key, width, spec in columns
        )
        lines.append(f"{i + 1:>2}  {r.name[-28:]:<28} {values}")
    return "\n".join(lines)
