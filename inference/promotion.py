"""Promote a training checkpoint into the generator registry.

A promoted generator is two files side by side: ``<name>.safetensors`` (fp16 weights) and
``<name>.json`` (the model card the registry reads). The card is written last and atomically,
so the registry never sees a card whose weights are not there yet.

No Django here: the registry directory is passed in, so promotion also works on a training box.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import json
import os
import platform
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import torch
from PIL import Image, ImageDraw
from safetensors.torch import save_file

from inference import registry
from inference.datasets import categories as kid
from inference.datasets.things import theme_of
from inference.exporting import export_installed
from inference.pix2pix import checkpoints
from inference.pix2pix.data import find_pairs, to_tensor
from inference.pix2pix.drawing import draw
from inference.pix2pix.evaluation.devset import doodle_items
from inference.pix2pix.evaluation.scoring import score_generator
from inference.pix2pix.imaging import batch_to_images
from inference.pix2pix.networks import GeneratorConfig
from inference.pix2pix.sketchify import sketchify

UNCONDITIONAL_NOTE = (
    "One generator for all its categories: it does not know which category the child picked "
    "and colours every sketch the same way."
)
CONDITIONED_NOTE = (
    "One generator for all its categories, told which one the child picked: one constant input "
    "plane per category (architecture.condition). With no category it draws 'any category'."
)
EMBEDDED_NOTE = (
    "One generator for all its things and themes, told which one the child picked: each label "
    "(architecture.condition) is a learned vector given as input planes and added at the "
    "bottleneck. With no label it draws 'any thing'."
)
HINTS_NOTE = (
    " It reads the child's lines and the colours they put down apart "
    "(inference/pix2pix/hints.py split_sketch, inside the forward pass): a line in any crayon "
    "is a line, and a shape the child coloured in comes back in that colour."
)
FILLS_NOTE = (
    " After the network, the colour inside each shape the child's lines close is cleaned "
    "toward that shape's own colour (inference/pix2pix/fills.py, strength {strength:g})."
)


def describe(config: GeneratorConfig) -> str:
    """The card's ``notes``: how the generator reads a sketch and what it is told."""
    if not config.condition:
        note = UNCONDITIONAL_NOTE
    else:
        note = EMBEDDED_NOTE if config.embed_dim else CONDITIONED_NOTE
    if config.sketch_input == "hints":
        note += HINTS_NOTE
    if config.clean_fills:
        note += FILLS_NOTE.format(strength=config.clean_fills)
    return note


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def describe_machine() -> str:
    """A one-line description of the training machine for the card's ``trained_on``."""
    return (
        f"{os.cpu_count()}-core CPU ({_cpu_name()}), shared with other jobs; "
        f"torch {torch.__version__}, no GPU"
    )


def train_minutes(run_dir: Path, until_step: int) -> float:
    """Minutes of training up to ``until_step``, from ``losses.csv`` (pauses over 5 min skipped)."""
    path = run_dir / "losses.csv"
    if not path.exists():
        return 0.0
    times = []
    for line in path.read_text().splitlines()[1:]:
        fields = line.split(",")
        if int(fields[2]) <= until_step:
            times.append(float(fields[-1]))
    gaps = [b - a for a, b in itertools.pairwise(times) if 0 <= b - a < 300]
    return round(sum(gaps) / 60, 1)


TRAINING_KEYS = (
    "batch_size", "lr", "beta1", "lambda_L1", "gan_mode", "ndf",
    "n_layers_D", "size", "load_size", "augment", "threads",
    "sketch_styles", "condition_dropout", "ink_targets", "init_from", "epochs", "epochs_decay",
)  # fmt: skip


def devset_scores(metrics_path: Path, checkpoint: Path) -> dict[str, Any]:
    """What ``evaluate_generators`` measured for ``checkpoint`` (its ``metrics.json``): the dev
    set, the classifier's own accuracy, this checkpoint's summary and, when it was scored that
    way too, its summary drawn with no category. ``ValueError`` when the file lacks it."""
    document = json.loads(metrics_path.read_text(encoding="utf-8"))
    label = f"{checkpoint.parent.parent.name}/{checkpoint.stem}"
    if "candidates" in document:
        return canvas_scores(document, label, metrics_path)
    rows = {row["candidate"]: row for row in document.get("ranking", [])}
    if label not in rows:
        raise ValueError(f"{metrics_path} has no candidate {label!r} (it has: {', '.join(rows)})")

    def summary(row: Mapping[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in row.items() if k not in ("rank", "candidate")}

    scores: dict[str, Any] = {
        "devset": document.get("devset"),
        "devset_size": document.get("devset_size"),
        "classifier": document.get("classifier"),
        "classifier_metrics": document.get("classifier_metrics"),
        "rank": f"{rows[label]['rank']} of {len(rows)}",
        "scores": summary(rows[label]),
        "real_pictures": document.get("reference_real_pictures"),
    }
    if f"{label} (no category)" in rows:
        scores["scores_without_category"] = summary(rows[f"{label} (no category)"])
    return scores


def canvas_scores(document: Mapping[str, Any], label: str, path: Path) -> dict[str, Any]:
    """The canvas dev set's measures (``evaluate_generators --canvas-devset``) for ``label``,
    as it is and with each fill-cleaning strength it was scored at, beside the installed
    generators it was judged with (the baselines)."""
    candidates: Mapping[str, Any] = document["candidates"]
    mine = {k: v for k, v in candidates.items() if k == label or k.startswith(f"{label} (")}
    if not mine:
        raise ValueError(f"{path} has no candidate {label!r} (it has: {', '.join(candidates)})")
    run = label.split("/", 1)[0] + "/"

    def summary(report: Mapping[str, Any]) -> dict[str, Any]:
        return {
            k: v
            for k, v in report.items()
            if not isinstance(v, dict) or k in ("fill_spread_by_variant", "hint_kept_by_thing")
        }

    return {
        "devset": document.get("devset"),
        "kind": "canvas (drawings made on the real canvas in a browser)",
        "scores": {k: summary(v) for k, v in mine.items()},
        "baselines": {
            k: summary(v) for k, v in candidates.items() if "/" not in k and not k.startswith(run)
        },
    }


def lr_history(checkpoints: Path, until_epoch: int) -> list[float]:
    """The learning rate of each epoch up to ``until_epoch``, from the epoch cards."""
    rates = []
    for epoch in range(1, until_epoch + 1):
        card = checkpoints / f"epoch-{epoch:04d}.json"
        if card.exists():
            record = json.loads(card.read_text())
            # Cards from before the schedule existed ran at the constant configured rate.
            rates.append(float(f"{record.get('lr', record['config']['lr']):.3g}"))
    return rates


def dataset_entries(dataset_dir: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """``(categories, data)`` card entries from a dataset folder's ``dataset.json``."""
    document = json.loads((dataset_dir / "dataset.json").read_text(encoding="utf-8"))
    categories = [
        {key: c[key] for key in ("slug", "label_en", "label_ko", "emoji")}
        for c in document["categories"]
    ]
    data = [
        {
            "source": document["source"],
            "licence": document["licence"],
            "url_or_package": f"{document['package']} ({document['url']})",
            "attribution": document.get("attribution", ""),
            "count": sum(
                split_count for split in document["counts"].values()
                for name, split_count in split.items() if name == "train"
            ),
            "count_by_category": {slug: c["train"] for slug, c in document["counts"].items()},
        }
    ]  # fmt: skip
    return categories, data


def combined_entries(
    dataset_dirs: Sequence[Path],
    *,
    only: Sequence[str] | None = None,
    caps: Mapping[str, int] | None = None,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """``(categories, data)`` for a generator trained on several datasets.

    Categories are the union in first-seen order, or exactly ``only`` (slugs, in that order;
    each must be a known kid category or in one of the datasets). ``caps`` (the run's
    ``max_per_source``, by train folder) is recorded as each source's ``max_per_epoch``.
    """
    categories: dict[str, dict[str, Any]] = {}
    data: list[dict[str, Any]] = []
    for folder in dataset_dirs:
        found, entries = dataset_entries(Path(folder))
        for entry in found:
            categories.setdefault(entry["slug"], entry)
        for entry in entries:
            for key, cap in (caps or {}).items():
                if Path(key) == Path(folder) / "train":
                    entry["max_per_epoch"] = cap
        data += entries
    if only is not None:
        unknown = [slug for slug in only if slug not in categories and slug not in kid.BY_SLUG]
        if unknown:
            raise ValueError(f"unknown categories: {', '.join(unknown)}")
        chosen = []
        for slug in only:
            known = kid.BY_SLUG.get(slug)
            chosen.append(known.card_entry() if known else categories[slug])
        return [with_theme(entry) for entry in chosen], data
    return [with_theme(entry) for entry in categories.values()], data


def with_theme(entry: dict[str, Any]) -> dict[str, Any]:
    """A card's category entry naming the theme a thing is picked under (the canvas asks for
    the theme first, then the thing); a theme, or a slug the catalogue does not know, stays
    its own theme."""
    theme = theme_of(entry["slug"])
    if theme is None or theme == entry["slug"]:
        return entry
    return {**entry, "theme": theme}


# How strong each licence's obligations are, weakest first.
_LICENCE_STRENGTH = ("public domain", "mit", "cc by 4.0", "cc by-sa 4.0", "gpl-2.0")


def licence_note(data: Sequence[Mapping[str, Any]]) -> str:
    """What the weights of a model trained on all of ``data`` owe, for its card."""
    licences = list(dict.fromkeys(str(entry["licence"]) for entry in data))
    if len(licences) == 1:
        return f"Trained on {data[0]['source']} only: the weights follow its {licences[0]}."

    def strength(licence: str) -> int:
        lowered = licence.lower()
        return max((i for i, key in enumerate(_LICENCE_STRENGTH) if key in lowered), default=0)

    strongest = max(licences, key=strength)
    lowered = " ".join(licences).lower()
    duties = []
    if any(key in lowered for key in ("cc by", "mit", "gpl")):
        duties.append("credit every source as its licence asks (attribution, notices)")
    if "by-sa" in lowered:
        duties.append("share the weights and works adapted from them under CC BY-SA 4.0 terms")
    if "gpl" in lowered:
        duties.append("honour GPL-2.0 copyleft: redistribute only with the corresponding source")
    sources = "; ".join(f"{entry['source']}: {entry['licence']}" for entry in data)
    return (
        f"Trained on several sources ({sources}). The weights are treated as derived from all "
        "of them together, so they inherit the most restrictive obligations of the set "
        f"({strongest} the strongest): " + "; ".join(duties) + "."
    )


def promote_checkpoint(
    *,
    checkpoint: Path,
    name: str,
    directory: Path,
    categories: Sequence[dict[str, Any]],
    data: Sequence[dict[str, Any]],
    priority: int = 0,
    notes: str | None = None,
    extra: Mapping[str, Any] | None = None,
    clean_fills: float | None = None,
) -> registry.GeneratorCard:
    """Copy ``checkpoint`` (``epoch-NNNN.safetensors`` + its ``.json``) into ``directory``.

    Weights are stored as fp16 safetensors; the card records architecture, sha256, data and
    licences, epochs, seed, metrics and speed. ``clean_fills`` (0-1) sets the served
    generator's fill cleaning (:mod:`inference.pix2pix.fills`; None keeps the checkpoint's).
    The result is read back through the registry and loaded once, so a promotion that the site
    could not serve fails here instead; then exported to ONNX for serving
    (:func:`inference.exporting.export_installed`: ``<name>.onnx`` and its sha256 in the card).
    """
    if not registry.NAME_PATTERN.match(name):
        raise ValueError(f"name {name!r} must be lowercase letters, digits, '.', '-' or '_'")
    meta = checkpoints.read_card(checkpoint)
    config = checkpoints.card_architecture(meta)
    if clean_fills is not None:
        config = dataclasses.replace(config, clean_fills=clean_fills)
    state = checkpoints.read_weights(checkpoint)
    checkpoints.fit_weights(config, state)  # refuse weights that don't fit
    directory.mkdir(parents=True, exist_ok=True)
    weights = directory / f"{name}{registry.WEIGHTS_SUFFIX}"
    partial = weights.with_suffix(".partial")
    save_file({k: v.to(torch.float16).contiguous() for k, v in state.items()}, str(partial))
    partial.chmod(0o644)  # the site may run as another user than the one promoting
    partial.replace(weights)
    # Judge what will actually be served: the fp16 weights, on sketches it never saw.
    served = checkpoints.load_generator(weights, config)
    childlike = score_generator(served, doodle_items(categories=[c["slug"] for c in categories]))
    run_dir = checkpoint.parent.parent
    minutes = train_minutes(run_dir, meta["step"])
    images = meta["step"] * meta["config"]["batch_size"]
    card = {
        "name": name,
        "categories": list(categories),
        "architecture": {"type": registry.ARCHITECTURE_TYPE, **config.to_dict()},
        "weights": weights.name,
        "sha256": registry.file_sha256(weights),
        "dtype": "float16",
        "priority": priority,
        "epochs": meta["epoch"],
        "steps": meta["step"],
        "seed": meta["config"]["seed"],
        "training": {key: meta["config"][key] for key in TRAINING_KEYS if key in meta["config"]}
        # The schedule a run really followed (a run may be resumed with a new plan).
        | {"lr_by_epoch": lr_history(checkpoint.parent, meta["epoch"])},
        "data": list(data),
        "metrics": {
            key: round(float(meta[key]), 4)
            for key in ("val_L1_clean", "val_L1_childlike", "loss_G_L1", "loss_G_gan", "loss_D")
            if key in meta
        }
        | {f"doodles_{key}": value for key, value in childlike.items()},
        "trained_on": describe_machine(),
        "train_time_minutes": minutes,
        # Whole-run average, contention included; the last epoch's rate is what the CPU gave
        # when it was free of other jobs.
        "images_per_second": round(images / (minutes * 60), 2) if minutes else None,
        "images_per_second_last_epoch": meta["images_per_second"],
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "notes": notes or describe(config),
        **(extra or {}),
    }
    card_path = directory / f"{name}{registry.CARD_SUFFIX}"
    partial_card = card_path.with_suffix(".partial")
    partial_card.write_text(json.dumps(card, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    partial_card.replace(card_path)
    promoted = registry.parse_card(card_path)
    registry.load_generator(promoted)
    # The graph ONNX Runtime serves, beside the weights, its sha256 in the card.
    return export_installed(promoted)


def held_out_sketches(
    dataset_dir: Path | Sequence[Path] | None = None,
    size: int = 256,
    *,
    categories: Sequence[str] = (),
    per_dataset: int | None = None,
) -> list[tuple[str | None, Image.Image]]:
    """``(category, sketch)`` for sketches no checkpoint trained on: the child-like doodles
    (plus the extra doodles of ``categories``), then each dataset's ``val`` line art roughened
    with fixed seeds (as a child might have traced them): all of it, or ``per_dataset`` spread
    evenly over it."""
    sketches: list[tuple[str | None, Image.Image]] = [
        (item.category, item.sketch) for item in doodle_items(size, categories)
    ]
    folders = [dataset_dir] if isinstance(dataset_dir, Path) else list(dataset_dir or [])
    for folder in folders:
        val_dir = Path(folder) / "val"
        if not val_dir.is_dir():
            continue
        pairs = list(enumerate(find_pairs(val_dir)))
        if per_dataset is not None and per_dataset < len(pairs):
            step = len(pairs) / per_dataset
            pairs = [pairs[int(k * step + step / 2)] for k in range(per_dataset)]
        for i, source in pairs:
            line_art = to_tensor(source.load(size)[0])
            (child,) = batch_to_images(sketchify(line_art, seed=10_000 + i)[None])
            sketches.append((source.category, child))
    return sketches


def write_contact_sheet(
    card: registry.GeneratorCard,
    sketches: Sequence[tuple[str | None, Image.Image]],
    path: Path,
    per_row: int = 4,
) -> None:
    """Save ``sketch | picture`` cells for ``(category, sketch)`` pairs, drawn by the installed
    generator as the worker would (a conditioned one as each sketch's category)."""
    net = registry.load_generator(card)
    images = [s for _, s in sketches]
    pictures = draw(net, images, [c for c, _ in sketches])
    side = pictures[0].width
    rows = -(-len(images) // per_row)
    sheet = Image.new("RGB", (per_row * 2 * side + (per_row - 1) * 16, rows * (side + 16)), "white")
    for i, (sketch, picture) in enumerate(zip(images, pictures, strict=True)):
        x, y = (i % per_row) * (2 * side + 16), (i // per_row) * (side + 16)
        sheet.paste(sketch.convert("RGB").resize((side, side)), (x, y))
        sheet.paste(picture, (x + side, y))
        frame = ImageDraw.Draw(sheet)
        for left in (x, x + side):  # a hairline shows where each white canvas ends
            frame.rectangle((left, y, left + side - 1, y + side - 1), outline=(210, 210, 210))
    path.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(path, optimize=True)
