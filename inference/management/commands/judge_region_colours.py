"""``manage.py judge_region_colours``: region models side by side on the canvas dev set."""

from __future__ import annotations

import dataclasses
import json
from collections import defaultdict
from pathlib import Path
from statistics import fmean
from typing import Any

import numpy as np
from django.core.management.base import BaseCommand, CommandError, CommandParser

from inference.serving import registry


class Command(BaseCommand):
    """Paint the dev set's plain outlines (``black`` and ``crayon`` drawings) with an installed
    palette painter, once with each region model given (and once with its own), and print for
    each:

    * **the child's colour family**: each shape a child coloured in the ``coloured`` twin of a
      drawing (the crayon a child picked for that part of that thing) against the colour the
      plain outline got there: the same family (white, grey, black, or a 30° hue sector, one
      sector either side), as a share — no single right answer exists, so this measures
      plausibility, not accuracy;
    * **chroma** inside the closed shapes of the plain outlines (picture_judge's measure: a
      drab picture ~15, a cheerful one 40+), and the things below 25;
    * per thing, the family share, for the misses to look at.

        manage.py judge_region_colours --devset data/devsets/canvas2 \\
            --regions data/runs/kids3/regions.safetensors [--regions other.safetensors] [--json]
    """

    help = "Compare palette painters' region models on the canvas dev set's plain outlines."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--model", default="kids3", help="An installed palette painter.")
        parser.add_argument("--devset", type=Path, required=True, help="A canvas dev set.")
        parser.add_argument("--regions", type=Path, action="append", default=[],
                            help="A region model (.safetensors + .json); repeatable.")  # fmt: skip
        parser.add_argument("--seeds", default="", help="Only these seeds (comma-separated).")
        parser.add_argument(
            "--prior-powers",
            default="",
            help="Judge each model also with the family prior of --samples at these powers "
            "(comma-separated), whatever its card says.",
        )
        parser.add_argument(
            "--samples", type=Path, help="train_region_colours' --samples cache, for the prior."
        )
        parser.add_argument("--out", type=Path, help="Save the pictures here (for the eye).")
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")

    def handle(self, *args: Any, **options: Any) -> None:
        from inference.lab.pix2pix.canvas_judge import load_devset, read_manifest

        cards = [card for card in registry.discover() if card.name == options["model"]]
        if not cards or not cards[0].architecture_kind.makes_variants:
            raise CommandError(f'No installed palette painter "{options["model"]}".')
        painter = registry.load_generator(cards[0])
        try:
            drawings = load_devset(options["devset"])
            seed_of = {e["base"]: str(e["seed"]) for e in read_manifest(options["devset"])}
        except (FileNotFoundError, ValueError, KeyError) as exc:
            raise CommandError(str(exc)) from exc
        seeds = {s for s in options["seeds"].split(",") if s}
        if seeds:
            drawings = [d for d in drawings if seed_of.get(d.base) in seeds]
        painters = {f"installed {cards[0].name}": painter}
        for path in options["regions"]:
            if not path.is_file():
                raise CommandError(f"No region model {path}.")
            painters[str(path)] = painter.with_regions(path)
        if options["prior_powers"]:
            painters = with_priors(painters, options["samples"], options["prior_powers"])
        outlines = plain_outlines(drawings)  # decoded once for every painter
        coloured = {d.base: d for d in drawings if d.variant == "coloured"}
        results = {name: judge(p, outlines, coloured, options["out"], index)
                   for index, (name, p) in enumerate(painters.items())}  # fmt: skip
        if options["json"]:
            self.stdout.write(json.dumps(results, indent=1))
            return
        for name, result in results.items():
            self.stdout.write(
                f"{name}: child's family {result['child_family']} of {result['fills']} coloured "
                f"parts; chroma {result['chroma']} (things under 25: "
                f"{', '.join(result['drab']) or 'none'})"
            )
            worst = sorted(result["child_family_by_thing"].items(), key=lambda kv: kv[1])[:8]
            self.stdout.write("  fewest families kept: " + ", ".join(f"{t} {v}" for t, v in worst))


def with_priors(painters: dict[str, Any], samples: Path | None, powers: str) -> dict[str, Any]:
    """Each painter again with its region model guarded by the family prior of ``samples``
    at each of ``powers``."""
    from inference.lab.palette import region_training
    from inference.serving.palette.painting import colour_families

    if samples is None or not samples.is_file():
        raise CommandError("--prior-powers needs --samples (a train_region_colours cache).")
    try:
        collected = region_training.RegionSamples.load(samples)
        values = [float(v) for v in powers.split(",") if v.strip()]
    except ValueError as exc:
        raise CommandError(str(exc)) from exc
    out = dict(painters)
    for name, painter in painters.items():
        if painter.regions is None:
            continue
        config = painter.regions.config
        families = colour_families(painter.palette)
        prior = region_training.family_prior(collected, config.labels, families)
        for power in values:
            guarded = dataclasses.replace(config, colour_families=tuple(int(f) for f in families),
                                          family_prior=prior, prior_power=power)  # fmt: skip
            scorer = dataclasses.replace(painter.regions, config=guarded)
            out[f"{name} prior^{power}"] = dataclasses.replace(painter, regions=scorer)
    return out


def plain_outlines(drawings: list[Any]) -> list[tuple[Any, np.ndarray]]:
    """The dev set's plain outlines (``black`` and ``crayon``), each with its RGB sketch on
    white at the side it was drawn (its transparent pixels white). Not the canvas judge's
    :meth:`~inference.lab.pix2pix.canvas_judge.Drawing.sketch`, which blends the alpha and fits the
    sketch to 256 px: the painter paints here at the drawing's own side."""
    from PIL import Image

    outlines = []
    for drawing in drawings:
        if drawing.variant not in ("black", "crayon"):
            continue
        with Image.open(drawing.file) as image:
            sketch = np.asarray(image.convert("RGBA"))
        rgb = np.where(sketch[..., 3:] > 0, sketch[..., :3], 255).astype(np.uint8)
        rgb.setflags(write=False)  # shared by every painter judged: none may draw on it
        outlines.append((drawing, rgb))
    return outlines


def judge(
    painter: Any,
    outlines: list[tuple[Any, np.ndarray]],
    coloured: dict[str, Any],
    out: Path | None,
    index: int,
) -> dict[str, Any]:
    """One painter's figures over the plain ``outlines`` (:func:`plain_outlines`), against
    the crayons of their ``coloured`` twins (by base)."""
    from PIL import Image

    from inference.lab.pix2pix import picture_judge as pj
    from inference.lab.pix2pix.canvas_judge import SIDE
    from inference.serving.palette.painting import NEUTRAL_CHROMA

    painter = dataclasses.replace(painter, engine=None)
    same: dict[str, list[bool]] = defaultdict(list)
    chroma: dict[str, list[float]] = defaultdict(list)
    for drawing, rgb in outlines:
        picture = painter.paint([rgb], [drawing.thing])[0]
        if out is not None:
            out.mkdir(parents=True, exist_ok=True)
            Image.fromarray(picture).save(out / f"{drawing.file.stem}-{index}.png")
        big = pj.at_side(picture)
        value = pj.shape_chroma(pj.lab(big), pj.closed_shapes(pj.at_side(rgb)))
        if value is not None:
            chroma[drawing.thing].append(value)
        twin = coloured.get(drawing.base)
        if twin is None or drawing.variant != "black":
            continue
        small = np.asarray(Image.fromarray(picture).resize((SIDE, SIDE), Image.Resampling.BOX))
        for crayon, area in twin.fills:
            if area.sum() < 20:
                continue
            here = np.median(small[area], axis=0)
            same[drawing.thing].append(_same_family(here, np.array(crayon), NEUTRAL_CHROMA))
    every = [v for values in same.values() for v in values]
    means = {thing: round(fmean(values), 1) for thing, values in chroma.items()}
    return {
        "fills": len(every),
        "child_family": round(sum(every) / max(len(every), 1), 3),
        "chroma": round(fmean([v for values in chroma.values() for v in values]), 1),
        "drab": sorted(thing for thing, value in means.items() if value < 25),
        "chroma_by_thing": means,
        "child_family_by_thing": {t: round(fmean(v), 2) for t, v in sorted(same.items())},
    }


def _same_family(a: np.ndarray, b: np.ndarray, neutral_chroma: float) -> bool:
    """Whether two RGB colours are of one family: white, grey or black alike, or hues within
    one 30° sector of each other."""
    from inference.serving.palette.colours import rgb_to_lab

    lab = rgb_to_lab(np.stack([a, b]).astype(np.uint8))
    chroma = np.hypot(lab[:, 1], lab[:, 2])
    if (chroma < neutral_chroma).any():
        if not (chroma < neutral_chroma).all():
            return False
        band = np.digitize(lab[:, 0], [35, 85])
        return bool(band[0] == band[1])
    hue = np.degrees(np.arctan2(lab[:, 2], lab[:, 1])) % 360
    gap = abs(hue[0] - hue[1]) % 360
    return bool(min(gap, 360 - gap) <= 45)
