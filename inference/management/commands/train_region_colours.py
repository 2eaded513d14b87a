"""``manage.py train_region_colours``: the palette painter's region model, in minutes."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    """Train the region model of :mod:`inference.serving.palette.regions` (the lab's side:
    :mod:`inference.lab.palette.region_training`) on the pictures of a palette plan
    (``docs/generators/kids3.train.json``), with the palette its run fitted::

        manage.py train_region_colours --config docs/generators/kids3.train.json

    It writes ``<out_dir>/regions.safetensors`` and ``regions.json`` (its config, the held-out
    accuracy, the sources); ``judge_pictures --regions`` and ``promote_palette`` use them.
    """

    help = "Train the palette painter's region model (a colour per shape) from a palette plan."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--config", type=Path, required=True, help="The palette plan.")
        parser.add_argument("--out", type=Path, help="Default: <out_dir>/regions.safetensors.")
        parser.add_argument(
            "--all-pictures",
            action="store_true",
            help="Every picture of each source, not the plan's per-source cap.",
        )
        parser.add_argument(
            "--held-out",
            default="noto",
            help="Sources left out for the accuracy report (comma-separated).",
        )
        parser.add_argument("--epochs", type=int, default=60)
        parser.add_argument(
            "--family-loss",
            type=float,
            default=1.0,
            help="Weight of the colour-family term (0: colours only, as the first models).",
        )
        parser.add_argument(
            "--features",
            choices=("v1", "v2"),
            default="v2",
            help="v1: the first 13 shape features; v2: with the largest shape and the borders.",
        )
        parser.add_argument(
            "--hidden", type=int, default=128, help="Width of the two hidden layers."
        )
        parser.add_argument(
            "--prior-power",
            type=float,
            default=1.0,
            help="How strongly each thing's colour families in its training pictures guard the "
            "guesses (0: not at all).",
        )
        parser.add_argument(
            "--samples",
            type=Path,
            help="A cache of the shapes collected (.npz): read when it exists, else written.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from tqdm import tqdm

        from inference.lab.palette import region_training
        from inference.lab.palette.training import PaletteTrainConfig
        from inference.serving.palette import regions
        from inference.serving.palette.colours import Palette
        from inference.serving.palette.painting import colour_families

        try:
            cfg = PaletteTrainConfig.load(options["config"])
        except (OSError, ValueError, TypeError) as exc:
            raise CommandError(f"Could not read the plan {options['config']}: {exc}") from exc
        palette_file = Path(cfg.out_dir) / "palette.json"
        if not palette_file.is_file():
            raise CommandError(f"No {palette_file}: the region model uses its run's palette.")
        palette = Palette.from_dict(json.loads(palette_file.read_text(encoding="utf-8")))
        caps = None if options["all_pictures"] else cfg.data.get("max_per_source")
        pairs = region_training.training_pairs(cfg.data["data_dirs"], caps, seed=cfg.seed)
        if not pairs:
            raise CommandError("The plan's data folders hold no pictures: build them first.")
        started = time.monotonic()
        cache = options["samples"]
        if cache and cache.is_file():
            samples = region_training.RegionSamples.load(cache)
            self.stdout.write(f"Read {len(samples.targets)} shapes from {cache}")
        else:
            samples = region_training.collect(
                pairs, palette, progress=lambda x: tqdm(x, mininterval=10)
            )
            if cache:
                samples.save(cache)
        labels = cfg.net_config().labels
        families = colour_families(palette)
        config = regions.RegionConfig(
            colours=palette.size,
            labels=labels,
            features=regions.FEATURES if options["features"] == "v2" else regions.FEATURES_V1,
            hidden=options["hidden"],
            family_loss=options["family_loss"],
            colour_families=tuple(int(f) for f in families),
            family_prior=region_training.family_prior(samples, labels, families),
            prior_power=options["prior_power"],
        )
        held_out = [s for s in options["held_out"].split(",") if s]
        model, report = region_training.fit(
            samples,
            config,
            epochs=options["epochs"],
            held_out=held_out,
            families=families,
            log=self.stdout.write,
        )
        out = options["out"] or Path(cfg.out_dir) / "regions.safetensors"
        sources = sorted({source for _, _, source in pairs})
        region_training.save_regions(
            model,
            out,
            extra={
                "report": report,
                "pictures": len(pairs),
                "sources": sources,
                "seconds": round(time.monotonic() - started),
            },
        )
        self.stdout.write(f"Wrote {out} ({report['samples']} shapes from {len(pairs)} pictures)")
