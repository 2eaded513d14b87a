"""``manage.py build_source_dataset``: an A|B dataset from an offline package of pictures."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from inference.lab.datasets import drawn_pandas, drawn_things, iconify, openmoji, sources
from inference.lab.datasets.pictures import Picture
from inference.management.commands.build_dataset import build_and_report
from inference.serving import things
from inference.serving.pix2pix.edges import METHODS


class Command(BaseCommand):
    """Build a sketch→picture dataset from one of the offline picture packages.

    ``avatars`` (PyPI python_avatars, faces), ``tuxpaint`` (Debian tuxpaint-stamps-default),
    ``openclipart`` (Debian openclipart-svg), ``twemoji`` (npm @twemoji/svg, sorted with
    OpenMoji's metadata) and the Iconify emoji sets (``fluent-flat``, ``fluent-3d``, ``noto``,
    ``emojione``, ``fxemoji``, ``streamline``: npm ``@iconify-json/*``, see
    :mod:`inference.lab.datasets.iconify`), and the project's own drawings (``pandas``, ``drawn``:
    :mod:`inference.lab.datasets.drawn_things`). The sketch half is extracted edges; dataset.json
    records the source and licence. Examples::

        manage.py build_source_dataset avatars --count 1500
        manage.py build_source_dataset pandas --count 300 --min-colourfulness 0
        manage.py build_source_dataset drawn --count 60  # 60 of each drawn thing
        manage.py build_source_dataset tuxpaint
        manage.py build_source_dataset twemoji --method canny --categories space fashion
    """

    help = "Build an A|B dataset from an offline picture package (see the list of sources)."

    def add_arguments(self, parser: CommandParser) -> None:
        data_dir = Path(settings.BASE_DIR) / "data"
        parser.add_argument("source_name", choices=sorted([*sources.SOURCES, *iconify.SETS]))
        parser.add_argument("--out", type=Path, help="Default: data/datasets/<source>.")
        parser.add_argument("--cache", type=Path, default=data_dir / "cache")
        parser.add_argument("--method", choices=METHODS, default="xdog")
        parser.add_argument("--hed-weights", type=Path, help=".caffemodel or .safetensors")
        parser.add_argument("--size", type=int, default=256, help="Side of each half, in pixels.")
        parser.add_argument("--val-fraction", type=float, default=0.1)
        parser.add_argument("--limit", type=int, help="Stop after this many pairs.")
        parser.add_argument(
            "--count",
            type=int,
            default=200,
            help="avatars, pandas: how many; drawn: how many of each thing.",
        )
        parser.add_argument(
            "--seed", type=int, default=0, help="avatars, pandas, drawn: which ones."
        )
        parser.add_argument("--categories", nargs="*", choices=sorted(things.labels()))
        parser.add_argument(
            "--min-colourfulness",
            type=float,
            default=3.0,
            help="Skip black-and-white pictures (see pictures.colourfulness; 0 keeps all).",
        )
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        name = options["source_name"]
        out = options["out"] or Path(settings.BASE_DIR) / "data" / "datasets" / name
        try:
            pictures = list(self._pictures(name, options))
        except (OSError, subprocess.CalledProcessError) as exc:
            raise CommandError(f"Could not read the {name} pictures: {exc}") from exc
        if options["categories"]:
            wanted = set(options["categories"])  # themes or things
            pictures = [
                p
                for p in pictures
                if p.category in wanted or things.theme_of(p.category or "") in wanted
            ]
        build_and_report(
            self.stdout.write,
            pictures,
            out=out,
            source=self._provenance(name, options),
            categories={entry["slug"]: entry for entry in things.card_entries()},
            options=options,
        )

    def _provenance(self, name: str, options: dict[str, Any]) -> dict[str, Any]:
        if name in iconify.SETS:
            return iconify.provenance(name, iconify.fetch(name, options["cache"] / "iconify"))
        return sources.SOURCES[name]

    def _pictures(self, name: str, options: dict[str, Any]) -> list[Picture]:
        cache: Path = options["cache"]
        if name in iconify.SETS:
            package = iconify.fetch(name, cache / "iconify")
            openmoji_dir = openmoji.fetch_package(cache / "openmoji")
            return list(iconify.pictures(name, package, openmoji_dir))
        if name in ("avatars", "pandas", "drawn"):
            return self._drawings(name, options["count"], options["seed"])
        if name == "tuxpaint":
            return list(sources.tuxpaint_pictures())
        if name == "openclipart":
            return list(sources.openclipart_pictures())
        package = sources.fetch_twemoji(cache / "twemoji")
        return list(sources.twemoji_pictures(package, openmoji.fetch_package(cache / "openmoji")))

    @staticmethod
    def _drawings(name: str, count: int, seed: int) -> list[Picture]:
        # Pictures drawn as SVG here; ``--categories`` picks among them before any is drawn.
        if name == "avatars":
            return list(sources.avatar_pictures(count, seed=seed))
        if name == "pandas":
            return list(drawn_pandas.panda_pictures(count, seed=seed))
        return list(drawn_things.thing_pictures(count, seed=seed))
