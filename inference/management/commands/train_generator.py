"""``manage.py train_generator``: train a pix2pix generator from a JSON config."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    """Train (or continue) a pix2pix generator described by a ``TrainConfig`` JSON file.

    A thin wrapper around :func:`inference.lab.pix2pix.training.loop.train`: the same config fields
    (``data_dirs``, ``max_per_source``, ``init_from``, ``epochs``, ``epochs_decay``, ...), the
    same outputs in ``out_dir`` (per-epoch checkpoints + cards, ``resume.*``, ``losses.csv``,
    sample grids). ``--resume`` continues from ``out_dir/resume.*``; without it a run refuses
    to start over a folder that already holds one, so a finished run is never overwritten
    (the same rule as ``python -m inference.lab.pix2pix.train``).

        python manage.py train_generator --config docs/generators/kids7.train.json
        python manage.py train_generator --config docs/generators/kids7.train.json --resume
        python manage.py train_generator --config run.json --device cuda
    """

    help = "Train a pix2pix generator from a JSON config (see inference/lab/pix2pix/training/)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--config", type=Path, required=True, help="TrainConfig JSON file.")
        parser.add_argument(
            "--resume", action="store_true", help="Continue from out_dir/resume.safetensors."
        )
        parser.add_argument("--threads", type=int, default=None, help="torch.set_num_threads.")
        parser.add_argument(
            "--device", choices=("cpu", "cuda"), default=None, help="cuda: fp16 autocast."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        import torch

        from inference.lab.pix2pix.training.config import TrainConfig
        from inference.lab.pix2pix.training.loop import train
        from inference.lab.pix2pix.training.resume import ResumeRefused, check_resume

        path: Path = options["config"]
        if not path.is_file():
            raise CommandError(f"No config file {path}.")
        try:
            cfg = TrainConfig(**json.loads(path.read_text()))
        except (json.JSONDecodeError, TypeError, ValueError) as exc:
            raise CommandError(f"Cannot read {path}: {exc}") from exc
        if options["threads"] is not None:
            cfg.threads = options["threads"]
        if options["device"] is not None:
            cfg.device = options["device"]
        if cfg.device == "cuda" and not torch.cuda.is_available():
            raise CommandError("--device cuda, but torch sees no CUDA device.")
        missing = [folder for folder in cfg.folders() if not Path(folder).is_dir()]
        for optional in (cfg.init_from,):
            if optional and not Path(optional).is_file():
                missing.append(optional)
        if missing:
            raise CommandError(f"Missing data folder or file: {', '.join(missing)}")
        try:
            check_resume(cfg.out_dir, resume=options["resume"])
        except ResumeRefused as exc:
            raise CommandError(str(exc)) from exc
        try:
            record = train(cfg)
        except FileNotFoundError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Finished: {json.dumps(record)}")
