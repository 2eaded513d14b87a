"""``manage.py train_category_classifier``: the recognisability judge for evaluate_generators."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import torch
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

DEFAULT_OUT = "data/classifier/openmoji-categories.safetensors"


class Command(BaseCommand):
    """Train a small CNN that names a picture's category, on the dataset's REAL colour pictures.

    Reads the ``B`` halves of ``DATASET/train`` (files ``<category>__<id>.png``), trains a few
    epochs on the CPU and writes ``OUT`` (safetensors) with a JSON card beside it: categories,
    architecture, data source and licence, epochs, seed, accuracy on ``DATASET/val``'s real
    pictures, sha256. ``evaluate_generators --classifier OUT`` then asks it about generated
    pictures (the pix2pix paper's FCN-score idea).

        python manage.py train_category_classifier --dataset data/datasets/openmoji
    """

    help = "Train the category classifier on a dataset's real pictures (B halves of train/)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dataset",
            type=Path,
            nargs="+",
            default=[Path("data/datasets/openmoji")],
            help="A|B dataset folder(s) with train/ (and val/, dataset.json); several train "
            "one classifier on all their pictures.",
        )
        parser.add_argument("--out", type=Path, default=Path(DEFAULT_OUT), help="Weights file.")
        parser.add_argument("--epochs", type=int, default=60)
        parser.add_argument("--size", type=int, default=64, help="Input side in pixels.")
        parser.add_argument("--width", type=int, default=32, help="Channels of the first block.")
        parser.add_argument("--batch-size", type=int, default=32)
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--threads", type=int, default=1, help="torch CPU threads.")
        parser.add_argument("--max-steps", type=int, default=None, help="Stop early (tests).")

    def handle(self, *args: Any, **options: Any) -> None:
        from inference.serving.pix2pix import classifier as clf

        datasets = [_resolve(dataset) for dataset in options["dataset"]]
        for dataset in datasets:
            if not (dataset / "train").is_dir():
                raise CommandError(
                    f"{dataset / 'train'} does not exist: expected an A|B dataset folder."
                )
        cfg = clf.ClassifierTrainConfig(
            size=options["size"],
            width=options["width"],
            epochs=options["epochs"],
            batch_size=options["batch_size"],
            seed=options["seed"],
            threads=options["threads"],
            max_steps=options["max_steps"],
        )
        try:
            categories = clf.categories_in([dataset / "train" for dataset in datasets])
            loaded = [
                clf.load_real_pictures(dataset / "train", categories, size=cfg.size)
                for dataset in datasets
            ]
        except FileNotFoundError as exc:
            raise CommandError(str(exc)) from exc
        pictures = torch.cat([part[0] for part in loaded])
        labels = torch.cat([part[1] for part in loaded])
        self.stdout.write(
            f"Training on {len(pictures)} real pictures of {len(categories)} categories "
            f"({', '.join(categories)})"
        )
        started = time.monotonic()
        model, history = clf.train_classifier(
            pictures, labels, categories, cfg, log=self.stdout.write
        )
        minutes = (time.monotonic() - started) / 60
        metrics = {"train_accuracy": round(clf.accuracy(model, pictures, labels), 4)}
        held_out = []
        for dataset in datasets:
            try:
                held_out.append(clf.load_real_pictures(dataset / "val", categories, size=cfg.size))
            except FileNotFoundError:
                continue  # no val/ (or none of these categories in it)
        if held_out:
            val_pictures = torch.cat([part[0] for part in held_out])
            val_labels = torch.cat([part[1] for part in held_out])
            metrics["val_accuracy"] = round(clf.accuracy(model, val_pictures, val_labels), 4)
            metrics["val_count"] = len(val_pictures)
        card = {
            "name": options["out"].stem,
            "purpose": "recognisability judge for evaluate_generators (FCN-score idea)",
            "categories": list(categories),
            "data": [
                _data_entry(dataset, len(part[0]))
                for dataset, part in zip(datasets, loaded, strict=True)
            ],
            "training": clf.config_dict(cfg),
            "epochs": len(history),
            "seed": cfg.seed,
            "metrics": metrics,
            "history": [{k: round(v, 4) for k, v in record.items()} for record in history],
            "train_time_minutes": round(minutes, 2),
        }
        card_path = clf.save_classifier(model, options["out"], card)
        self.stdout.write(json.dumps(metrics))
        self.stdout.write(f"Wrote {options['out']} and {card_path} in {minutes:.1f} min")


def _resolve(dataset: Path) -> Path:
    if not dataset.is_absolute() and not dataset.exists():
        return Path(settings.BASE_DIR) / dataset
    return dataset


def _data_entry(dataset: Path, count: int) -> dict[str, Any]:
    """Source and licence of the training pictures, from ``dataset.json`` when it exists."""
    entry: dict[str, Any] = {"folder": str(dataset), "split": "train (B halves)", "count": count}
    manifest = dataset / "dataset.json"
    if manifest.is_file():
        try:
            document = json.loads(manifest.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            return entry
        entry |= {k: document[k] for k in ("source", "package", "licence") if k in document}
    return entry
