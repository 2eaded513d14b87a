"""``manage.py build_dataset``: an A|B sketch→picture dataset from a folder of pictures."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from inference.lab.datasets.categories import BY_SLUG
from inference.lab.datasets.pictures import build_edge_dataset
from inference.lab.datasets.sources import folder_pictures
from inference.serving.pix2pix.edges import METHODS, HedWeightsMissing


class Command(BaseCommand):
    """Pair every picture under ``--from`` with a sketch extracted from it.

    Pictures (PNG, JPEG, WebP, SVG...; any depth) are put on white where they are transparent,
    cropped to the drawing and centred in a square; the sketch is XDoG, Canny or HED edges,
    cleaned up like the pix2pix authors' HED. Writes ``OUT/{train,val}/*.png`` (left half
    sketch, right half picture) and ``OUT/dataset.json`` with the ``--source`` and ``--licence``
    you give. The split is fixed by a hash of each file's name.

    Example::

        manage.py build_dataset --from ~/pandas --out data/datasets/pandas --method xdog \\
            --category panda --label-en Panda --label-ko 판다 --emoji 🐼 \\
            --source "my photos" --licence "CC BY 4.0"
    """

    help = "Build an A|B dataset (extracted edges | picture) from a folder of pictures."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="source_dir", type=Path, required=True)
        parser.add_argument("--out", type=Path, required=True)
        parser.add_argument("--method", choices=METHODS, default="xdog")
        parser.add_argument("--hed-weights", type=Path, help=".caffemodel or .safetensors")
        parser.add_argument("--size", type=int, default=256, help="Side of each half, in pixels.")
        parser.add_argument("--val-fraction", type=float, default=0.1)
        parser.add_argument("--limit", type=int, help="Stop after this many pairs.")
        parser.add_argument("--category", help="Category slug of every picture in the folder.")
        parser.add_argument("--label-en")
        parser.add_argument("--label-ko")
        parser.add_argument("--emoji")
        parser.add_argument("--source", default="", help="Where the pictures come from.")
        parser.add_argument("--licence", default="", help="The pictures' licence.")
        parser.add_argument(
            "--min-colourfulness",
            type=float,
            default=0.0,
            help="Skip pictures less colourful than this (black and white scores under 2).",
        )
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        source_dir: Path = options["source_dir"]
        if not source_dir.is_dir():
            raise CommandError(f"--from {source_dir} is not a folder")
        slug = options["category"]
        categories = {}
        if slug:
            known = BY_SLUG[slug].card_entry() if slug in BY_SLUG else {}
            entry = {
                "slug": slug,
                "label_en": options["label_en"] or known.get("label_en", slug.title()),
                "label_ko": options["label_ko"] or known.get("label_ko", ""),
                "emoji": options["emoji"] or known.get("emoji", ""),
            }
            categories[slug] = entry
        pictures = list(folder_pictures(source_dir, slug))
        build_and_report(
            self.stdout.write,
            pictures,
            out=options["out"],
            source={
                "source": options["source"] or str(source_dir),
                "licence": options["licence"] or "unknown (not given to build_dataset)",
            },
            categories=categories,
            options=options,
        )


def build_and_report(
    write: Any,
    pictures: list[Any],
    *,
    out: Path,
    source: dict[str, Any],
    categories: dict[str, Any],
    options: dict[str, Any],
) -> None:
    """Build an edge dataset with the command's shared options, then print its counts."""
    try:
        document = build_edge_dataset(
            pictures,
            out_dir=out,
            source=source,
            categories=categories,
            method=options["method"],
            size=options["size"],
            val_fraction=options["val_fraction"],
            limit=options["limit"],
            hed_weights=options["hed_weights"],
            min_colourfulness=options["min_colourfulness"],
            total=len(pictures),
            progress=not options["no_progress"],
        )
    except HedWeightsMissing as exc:
        raise CommandError(str(exc)) from exc
    report_counts(write, document, out)


def report_counts(write: Any, document: dict[str, Any], out: Path) -> None:
    """Print per-category train/val counts and what was skipped."""
    for slug, counts in document["counts"].items():
        write(f"{slug}: {counts['train']} train, {counts['val']} val")
    for reason, count in document["skipped"].items():
        write(f"skipped {count}: {reason}")
    write(f"Wrote {out} ({document['source']}, {document['licence']})")
