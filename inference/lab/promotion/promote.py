"""A checkpoint becomes an installed generator: fp16 weights, then the card (last, atomically),
read back and loaded through the registry, then exported for serving."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import save_file

from inference.lab.exporting import export_installed
from inference.lab.pix2pix.evaluation.devset import doodle_items
from inference.lab.pix2pix.evaluation.scoring import score_generator
from inference.lab.promotion.record import (
    TRAINING_KEYS,
    describe,
    describe_machine,
    lr_history,
    train_minutes,
)
from inference.serving import registry
from inference.serving.pix2pix import checkpoints


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
    generator's fill cleaning (:mod:`inference.serving.pix2pix.fills`; None keeps the checkpoint's).
    The result is read back through the registry and loaded once, so a promotion that the site
    could not serve fails here instead; then exported to ONNX for serving
    (:func:`inference.lab.exporting.export_installed`: ``<name>.onnx`` and its sha256 in the card).
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
