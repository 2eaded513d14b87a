"""What a promoted generator's card says of its run: how it reads a sketch (the notes), the
machine and time it trained on, the learning-rate schedule it followed, and what
``evaluate_generators`` measured for it."""

from __future__ import annotations

import itertools
import json
import os
import platform
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch

from inference.serving.pix2pix.generator_config import GeneratorConfig

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
    "(inference/serving/pix2pix/hints.py split_sketch, inside the forward pass): a line in any "
    "crayon is a line, and a shape the child coloured in comes back in that colour."
)
FILLS_NOTE = (
    " After the network, the colour inside each shape the child's lines close is cleaned "
    "toward that shape's own colour (inference/serving/pix2pix/fills.py, strength {strength:g})."
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
