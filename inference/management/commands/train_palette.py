"""``manage.py train_palette``: train (or continue) a palette painter from a JSON plan."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    """Train the palette U-Net of :mod:`inference.serving.palette` from a plan such as
    ``docs/generators/kids3.train.json``; hours on a CPU, so run it in the background::

        nohup .venv/bin/python manage.py train_palette --config docs/generators/kids3.train.json \\
            > data/logs/kids3.log 2>&1 &

    ``--resume`` continues a stopped run from its ``resume.*`` files (or a carried copy of them).
    """

    help = "Train the palette painter (kids3) from a JSON plan; --resume continues a run."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--config", type=Path, required=True, help="The JSON plan.")
        parser.add_argument("--resume", action="store_true", help="Continue out_dir's run.")
        parser.add_argument("--out-dir", help="Write the run here instead of the plan's out_dir.")
        parser.add_argument("--max-steps", type=int, help="Stop after this many steps.")

    def handle(self, *args: Any, **options: Any) -> None:
        from inference.lab.palette.training import PaletteTrainConfig, train
        from inference.lab.pix2pix.training.resume import ResumeRefused, check_resume

        try:
            cfg = PaletteTrainConfig.load(options["config"])
        except (OSError, ValueError, TypeError) as exc:
            raise CommandError(f"Could not read the plan {options['config']}: {exc}") from exc
        if options["out_dir"]:
            cfg.out_dir = options["out_dir"]
        if options["max_steps"]:
            cfg.max_steps = options["max_steps"]
        try:
            check_resume(cfg.out_dir, resume=options["resume"])
        except ResumeRefused as exc:
            raise CommandError(str(exc)) from exc
        record = train(cfg)
        self.stdout.write(f"Last epoch: {record}")
