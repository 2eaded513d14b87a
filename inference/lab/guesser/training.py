"""One guesser training run: examples, the network, its temperature and its judges.

:func:`train_guesser` renders (or reads from the cache) the examples of
:mod:`inference.lab.guesser.examples`, trains
:class:`inference.serving.pix2pix.classifier.CategoryClassifier` on them with random placement,
pen-width changes and label smoothing, keeps the epoch that guesses the doodles best (a procedure it
never trains on), fits the temperature and the "confident" line on the doodles and held-out pictures
together, and scores the canvas dev set if one is given. What it returns is the card's content;
``manage.py train_sketch_classifier`` writes it.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from inference.lab.guesser import calibration, judging
from inference.lab.guesser.examples import PROCEDURES, ExamplePlan, cached_examples, to_float
from inference.serving.pix2pix import classifier as clf
from inference.serving.pix2pix.data import PairSource

CONFIDENT_PRECISION = 0.8  # a bubble the child sees should be right at least this often


@dataclass
class GuesserRun:
    """What one run is given besides the pictures."""

    plan: ExamplePlan = field(default_factory=ExamplePlan)
    train: clf.ClassifierTrainConfig = field(default_factory=clf.ClassifierTrainConfig)
    cache_dir: Path | None = None
    workers: int = 1
    devset: Path | None = None  # a canvas dev set to judge on (reported, never trained on)


def pen_width_change(batch: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Thicken the ink of a random third of the batch by a pixel (a fatter crayon at 64 px)."""
    chosen = torch.rand(batch.shape[0], generator=generator) < 1 / 3
    if not chosen.any():
        return batch
    ink = (1.0 - batch[chosen]) / 2.0
    thick = F.max_pool2d(ink, 3, stride=1, padding=1)
    out = batch.clone()
    out[chosen] = 1.0 - 2.0 * thick
    return out


def _scores(
    model: clf.CategoryClassifier, examples: torch.Tensor, labels: torch.Tensor
) -> dict[str, float]:
    with torch.no_grad():
        logits = torch.cat([model(to_float(chunk)) for chunk in examples.split(256)])
    top = logits.topk(3, dim=1).indices
    return {
        "top1": round(float((top[:, 0] == labels).float().mean()), 4),
        "top3": round(float((top == labels[:, None]).any(dim=1).float().mean()), 4),
    }


def train_guesser(
    splits: Mapping[str, Sequence[tuple[PairSource, int]]],
    things: Sequence[str],
    run: GuesserRun,
    *,
    log: Callable[[str], None] = print,
) -> tuple[clf.CategoryClassifier, dict[str, Any]]:
    """Train on ``splits['train']``, score ``splits['val']`` (the same procedures, other
    pictures), calibrate on doodles, judge the dev set; return the model and the card's facts."""
    started = time.monotonic()

    def progress(split: str) -> Callable[[int, int], None]:
        return lambda done, total: (
            log(f"  {split}: {done}/{total} chunks drawn")
            if done % 20 == 0 or done == total
            else None
        )

    examples, labels, procedures = cached_examples(
        splits["train"], run.plan, run.cache_dir, workers=run.workers, progress=progress("train")
    )
    val_plan = ExamplePlan(1, 1, 0, run.plan.size, run.plan.seed + 1)
    val = None
    if splits.get("val"):
        val = cached_examples(
            splits["val"], val_plan, run.cache_dir, workers=run.workers, progress=progress("val")
        )
    log(
        f"{len(examples)} examples of {len(set(labels.tolist()))} things "
        f"({', '.join(f'{p} {int((procedures == i).sum())}' for i, p in enumerate(PROCEDURES))})"
    )
    drawn, doodle_labels = judging.doodle_set(things)
    doodles = judging.seen(drawn, run.plan.size)
    doodle_target = torch.tensor(doodle_labels)
    best: dict[str, Any] = {"top1": -1.0}

    def after_epoch(model: clf.CategoryClassifier) -> dict[str, float]:
        logits = judging.logits_of(model, doodles)
        top1 = float((logits.argmax(1) == doodle_target).float().mean())
        if top1 >= best["top1"]:
            best.update(top1=top1, state=copy.deepcopy(model.state_dict()))
        return {"doodles_top1": round(top1, 4)}

    model, history = clf.train_classifier(
        examples, labels, things, run.train, log=log, augment=pen_width_change,
        after_epoch=after_epoch,
    )  # fmt: skip
    model.load_state_dict(best["state"])
    model.eval()
    chosen_epoch = max(
        (r for r in history if r.get("doodles_top1") is not None),
        key=lambda r: (r["doodles_top1"], r["epoch"]),
    )["epoch"]

    doodle_logits = judging.logits_of(model, doodles)
    # Calibrated on the doodles and the held-out pictures drawn by the training procedures
    # together: two styles, so the temperature does not suit one style alone.
    fit_logits, fit_labels = doodle_logits, doodle_target
    if val is not None:
        with torch.no_grad():
            val_logits = torch.cat([model(to_float(chunk)) for chunk in val[0].split(256)])
        fit_logits = torch.cat([doodle_logits, val_logits])
        fit_labels = torch.cat([doodle_target, val[1]])
    temperature = calibration.fit_temperature(fit_logits, fit_labels)
    confidence = (fit_logits / temperature).softmax(1).max(1).values.numpy()
    correct = (fit_logits.argmax(1) == fit_labels).numpy().astype(np.float64)
    threshold = calibration.confident_at(confidence, correct, precision=CONFIDENT_PRECISION)
    report: dict[str, Any] = {
        "temperature": round(temperature, 4),
        "confident_at": round(threshold, 4),
        "confident_precision": CONFIDENT_PRECISION,
        "calibrated_on": "doodles + held-out pictures drawn by the training procedures",
        "chosen_epoch": chosen_epoch,
        "examples": {p: int((procedures == i).sum()) for i, p in enumerate(PROCEDURES)},
        "plan": asdict(run.plan),
        "training": clf.config_dict(run.train),
        "history": [{k: round(v, 4) for k, v in r.items()} for r in history],
        "judged": {
            "doodles (calibration)": calibration.scores(
                doodle_logits, doodle_target, temperature, threshold
            ),
        },
    }
    if val is not None:
        val_examples, val_labels, val_procedures = val
        report["judged"]["held-out pictures, training procedures"] = {
            p: _scores(model, val_examples[val_procedures == i], val_labels[val_procedures == i])
            for i, p in enumerate(PROCEDURES)
        }
    if run.devset is not None:
        report["judged"]["canvas dev set"] = judging.judge_devset(
            model, run.devset, temperature, threshold
        )
    report["train_time_minutes"] = round((time.monotonic() - started) / 60, 2)
    return model, report
