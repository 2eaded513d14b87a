"""``manage.py train_sketch_classifier``: the "What did you draw?" guesser for the canvas."""

from __future__ import annotations

import json
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

import torch
from django.core.management.base import BaseCommand, CommandError, CommandParser

from inference.management.commands.train_category_classifier import _data_entry, _resolve

DEFAULT_OUT = "generators/classifiers/things-sketches.safetensors"


class Command(BaseCommand):
    """Train the sketch classifier on drawings of the datasets' pictures made as children draw.

    Every picture of ``DATASET/train`` labelled with a thing (``<thing>__<id>.png``) is drawn
    ``--outline-variants`` times as a child's outline of the thing and its big parts and
    ``--line-variants`` times as its roughened line art (``inference/lab/guesser/examples.py``),
    seen as the generator sees a sketch, and a small CNN learns the things. The epoch kept is
    the one that guesses hand-written doodles best (a procedure it never trains on); the
    temperature and the "confident" line are fitted on those doodles; ``--devset`` (a canvas
    dev set, drawn in Chromium) is judged and reported on the card, never trained on. The
    classifier is then exported to ONNX beside its weights (``inference.lab.exporting
    .export_classifier``: what serves it), its sha256 on the card.

        python manage.py train_sketch_classifier --dataset data/datasets/openmoji-kids \\
            data/datasets/twemoji ... --devset data/devsets/canvas2 --workers 2
    """

    help = "Train the 'What did you draw?' sketch classifier on child-like drawings of the things."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dataset", type=Path, nargs="+", required=True)
        parser.add_argument("--out", type=Path, default=Path(DEFAULT_OUT), help="Weights file.")
        parser.add_argument("--outline-variants", type=int, default=3, help="Outline drawings.")
        parser.add_argument("--line-variants", type=int, default=2, help="Line-art drawings.")
        parser.add_argument("--min-per-thing", type=int, default=600, help="Examples at least.")
        parser.add_argument("--cap-per-thing", type=int, default=250, help="Pictures at most.")
        parser.add_argument("--epochs", type=int, default=24)
        parser.add_argument("--width", type=int, default=48, help="Channels of the first block.")
        parser.add_argument("--size", type=int, default=64, help="Side the network reads.")
        parser.add_argument("--batch-size", type=int, default=64)
        parser.add_argument("--label-smoothing", type=float, default=0.1)
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--threads", type=int, default=2, help="torch CPU threads.")
        parser.add_argument("--workers", type=int, default=1, help="Processes that draw.")
        parser.add_argument("--cache", type=Path, default=Path("data/guesser"), help="Examples.")
        parser.add_argument("--devset", type=Path, default=None, help="Canvas dev set to judge.")
        parser.add_argument("--max-steps", type=int, default=None, help="Stop early (tests).")
        parser.add_argument(
            "--leave-out",
            action="append",
            default=[],
            metavar="PATTERN",
            help="Leave out pictures whose file name matches (fnmatch, repeatable): e.g. "
            "'moon__*face*', moons with faces, which a child draws as a smiley.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from inference.lab.exporting import export_classifier
        from inference.lab.guesser.examples import ExamplePlan
        from inference.lab.guesser.training import GuesserRun, train_guesser
        from inference.serving import things
        from inference.serving.pix2pix import classifier as clf
        from inference.serving.pix2pix import sketch_classifier as sk
        from inference.serving.registry import RegistryError
        from inference.serving.suggestions import read_card

        datasets = [_resolve(dataset) for dataset in options["dataset"]]
        missing = [str(d / "train") for d in datasets if not (d / "train").is_dir()]
        if missing:
            raise CommandError(f"{', '.join(missing)} missing: expected A|B dataset folders.")
        devset = options["devset"]
        if devset is not None and not (devset / "devset.json").is_file():
            raise CommandError(f"{devset}/devset.json missing: build it with canvas_devset.py.")
        torch.set_num_threads(options["threads"])
        slugs = tuple(thing.slug for thing in things.THINGS)
        splits = {}
        for split in ("train", "val"):
            folders = [d / split for d in datasets if (d / split).is_dir()]
            pairs = sk.thing_pairs(folders, slugs, cap_per_thing=options["cap_per_thing"])
            splits[split] = [
                (source, label)
                for source, label in pairs
                if not any(fnmatch(source.sketch.name, p) for p in options["leave_out"])
            ]
            if len(splits[split]) < len(pairs):
                self.stdout.write(
                    f"{split}: left out {len(pairs) - len(splits[split])} pictures "
                    f"({', '.join(options['leave_out'])})"
                )
        if not splits["train"]:
            raise CommandError("No pictures labelled with a thing in the datasets' train folders.")
        run = GuesserRun(
            plan=ExamplePlan(
                options["outline_variants"], options["line_variants"],
                options["min_per_thing"], options["size"], options["seed"],
            ),
            train=clf.ClassifierTrainConfig(
                size=options["size"], width=options["width"], epochs=options["epochs"],
                batch_size=options["batch_size"], seed=options["seed"],
                threads=options["threads"], max_steps=options["max_steps"],
                label_smoothing=options["label_smoothing"],
            ),
            cache_dir=options["cache"], workers=options["workers"], devset=devset,
        )  # fmt: skip
        model, report = train_guesser(splits, slugs, run, log=self.stdout.write)
        counts: dict[str, int] = {}
        for source, _ in splits["train"]:
            for dataset in datasets:
                if dataset in source.sketch.parents:
                    counts[str(dataset)] = counts.get(str(dataset), 0) + 1
        card = {
            "name": options["out"].stem,
            "purpose": "suggests the thing while a child draws ('What did you draw?')",
            "input": "the sketch's line and colour-hint split drawn back as RGB, "
            f"{options['size']} x {options['size']}",
            "data": [_data_entry(d, counts.get(str(d), 0)) for d in datasets],
            "left_out": options["leave_out"],
            **report,
        }
        card_path = clf.save_classifier(model, options["out"], card)
        self.stdout.write(json.dumps(report["judged"], indent=1))
        try:
            exported = export_classifier(read_card(card_path))
        except RegistryError as exc:
            raise CommandError(f"{exc} (the torch weights are installed)") from exc
        self.stdout.write(f"Wrote {options['out']}, {exported.onnx_path.name} and {card_path}")
