"""``manage.py train_sketch_classifier``: the "What did you draw?" guesser for the canvas."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import torch
from django.core.management.base import BaseCommand, CommandError, CommandParser

from inference.management.commands.train_category_classifier import _data_entry, _resolve

DEFAULT_OUT = "generators/classifiers/things-sketches.safetensors"


class Command(BaseCommand):
    """Train the sketch classifier on child-like versions of the datasets' sketches.

    Every pair of ``DATASET/train`` labelled with a thing (``<thing>__<id>.png``) is drawn
    ``--variants`` times as a child might (roughened strokes, crayon lines, colouring-in), seen
    as the generator sees it (lines and colour hints), and a small CNN learns the things. The
    card beside ``OUT`` records the things, data sources and licences, training and the
    accuracy (top-1 and top-3) on child-like versions of ``DATASET/val``'s sketches.

        python manage.py train_sketch_classifier --dataset data/datasets/openmoji-kids \\
            data/datasets/twemoji data/datasets/tuxpaint data/datasets/openclipart
    """

    help = "Train the 'What did you draw?' sketch classifier on child-like sketches of the things."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dataset", type=Path, nargs="+", required=True)
        parser.add_argument("--out", type=Path, default=Path(DEFAULT_OUT), help="Weights file.")
        parser.add_argument("--variants", type=int, default=4, help="Child-like copies a pair.")
        parser.add_argument("--min-per-thing", type=int, default=60, help="Examples at least.")
        parser.add_argument("--cap-per-thing", type=int, default=150, help="Pairs at most.")
        parser.add_argument("--epochs", type=int, default=30)
        parser.add_argument("--width", type=int, default=32, help="Channels of the first block.")
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--threads", type=int, default=1, help="torch CPU threads.")
        parser.add_argument("--max-steps", type=int, default=None, help="Stop early (tests).")

    def handle(self, *args: Any, **options: Any) -> None:
        from inference.datasets import things
        from inference.pix2pix import classifier as clf
        from inference.pix2pix import sketch_classifier as sk

        datasets = [_resolve(dataset) for dataset in options["dataset"]]
        missing = [str(d / "train") for d in datasets if not (d / "train").is_dir()]
        if missing:
            raise CommandError(f"{', '.join(missing)} missing: expected A|B dataset folders.")
        torch.set_num_threads(options["threads"])
        slugs = tuple(thing.slug for thing in things.THINGS)
        started = time.monotonic()
        splits = {}
        for split in ("train", "val"):
            folders = [d / split for d in datasets if (d / split).is_dir()]
            pairs = sk.thing_pairs(folders, slugs, cap_per_thing=options["cap_per_thing"])
            if not pairs:
                if split == "train":
                    raise CommandError(
                        f"No pairs labelled with a thing in {', '.join(map(str, folders))}."
                    )
                continue
            self.stdout.write(f"Drawing {len(pairs)} {split} pairs as a child might...")
            splits[split] = sk.child_like_examples(
                pairs,
                variants=options["variants"] if split == "train" else 2,
                min_per_label=options["min_per_thing"] if split == "train" else 0,
                seed=options["seed"] + (0 if split == "train" else 1),
            )
        examples, labels = splits["train"]
        present = sorted(set(labels.tolist()))
        self.stdout.write(
            f"Training on {len(examples)} child-like sketches of {len(present)} things "
            f"({len(slugs) - len(present)} things have no pairs)"
        )
        cfg = clf.ClassifierTrainConfig(
            size=64, width=options["width"], epochs=options["epochs"], seed=options["seed"],
            threads=options["threads"], max_steps=options["max_steps"],
        )  # fmt: skip
        model, history = clf.train_classifier(examples, labels, slugs, cfg, log=self.stdout.write)
        metrics: dict[str, float | int] = {
            "train_accuracy": round(clf.accuracy(model, examples, labels), 4)
        }
        if "val" in splits:
            val_examples, val_labels = splits["val"]
            metrics |= top_k_accuracy(model, val_examples, val_labels)
        minutes = (time.monotonic() - started) / 60
        card = {
            "name": options["out"].stem,
            "purpose": "suggests the thing while a child draws ('What did you draw?')",
            "input": "the sketch's line and colour-hint split drawn back as RGB, 64 x 64",
            "data": [_data_entry(dataset, 0) for dataset in datasets],
            "training": {
                **clf.config_dict(cfg),
                "variants": options["variants"],
                "min_per_thing": options["min_per_thing"],
                "cap_per_thing": options["cap_per_thing"],
            },
            "examples": len(examples),
            "metrics": metrics,
            "history": [{k: round(v, 4) for k, v in record.items()} for record in history],
            "train_time_minutes": round(minutes, 2),
        }
        card_path = clf.save_classifier(model, options["out"], card)
        self.stdout.write(json.dumps(metrics))
        self.stdout.write(f"Wrote {options['out']} and {card_path} in {minutes:.1f} min")


def top_k_accuracy(model: Any, examples: torch.Tensor, labels: torch.Tensor) -> dict[str, float]:
    """Top-1 and top-3 accuracy of ``model`` on already-seen-and-shrunk ``examples``."""
    with torch.no_grad():
        logits = torch.cat([model(chunk) for chunk in examples.split(64)])
    best = logits.topk(3, dim=1).indices
    return {
        "val_top1": round(float((best[:, 0] == labels).float().mean()), 4),
        "val_top3": round(float((best == labels[:, None]).any(dim=1).float().mean()), 4),
        "val_count": len(labels),
    }
