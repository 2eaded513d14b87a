"""``evaluate_generators --canvas-devset``: every candidate on a dev set drawn on the real canvas
(``scripts/canvas_devset.py``), scored for what the child would notice
(:mod:`inference.lab.pix2pix.canvas_judge`): colour hints kept, crayon twins, fill spread, and on
request colour plausibility against real pictures and the sketch classifier's top 3."""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.core.management.base import CommandError

from inference.management.candidates import Loader, resolve
from inference.management.commands.train_sketch_classifier import DEFAULT_OUT as SKETCH_CLASSIFIER

if TYPE_CHECKING:
    from inference.serving.pix2pix.generator_config import GeneratorConfig


def judge_on_canvas(options: dict[str, Any], write: Callable[[str], None]) -> None:
    """Every candidate on the canvas dev set (inference/lab/pix2pix/canvas_judge.py); each
    drawing as its thing, or the thing's theme for a generator that knows only themes."""
    from inference.lab.pix2pix import canvas_judge
    from inference.serving.pix2pix.drawing import draw
    from inference.serving.things import theme_of

    try:
        drawings = canvas_judge.load_devset(options["canvas_devset"])
    except (FileNotFoundError, KeyError, ValueError) as exc:
        raise CommandError(f"{options['canvas_devset']}: {exc}") from exc
    candidates = [
        c for name in options["candidates"] for c in resolve(name, options["generators_dir"])
    ]
    if not candidates:
        raise CommandError("Name at least one checkpoint, run folder or generator to score.")
    strengths = options["clean_fills"]
    if strengths and not all(0.0 <= s <= 1.0 for s in strengths):
        raise CommandError("--clean-fills strengths must be between 0 and 1.")
    references = thing_profiles(options["reference_dataset"] or [], write)
    suggest = sketch_suggester(options["sketch_classifier"])
    reports: dict[str, Any] = {}
    for name, net in fill_variants(candidates, strengths):
        known = set(getattr(getattr(net, "config", None), "condition", ()) or ())

        def draw_as(sketches: Any, labels: Any, net: Any = net, known: set = known) -> Any:
            picked = [t if t in known else theme_of(t) for t in labels]
            return draw(net, sketches, [p if p in known else None for p in picked])

        reports[name] = canvas_judge.judge(
            drawings, draw_as, references=references or None, suggest=suggest
        )
        r = reports[name]
        write(
            f"{name}: hints kept {percent(r['hint_kept'] or 0)} of {r['coloured_shapes']} "
            f"shapes (ΔE {r['hint_delta_e']}), crayon twins {r['crayon_twin_distance']} "
            f"levels apart, fill spread {r['fill_spread']}"
            + (f", colour plausibility {r['colour_plausibility']}" if references else "")
            + (f", sketch top-3 {percent(r['suggestion_top3'] or 0)}" if suggest else "")
        )
    out: Path = options["out"]
    out.mkdir(parents=True, exist_ok=True)
    path = out / "canvas-metrics.json"
    document = {"devset": str(options["canvas_devset"]), "candidates": reports}
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", "utf-8")
    write(f"Wrote {path}")


def thing_profiles(
    folders: list[Path], write: Callable[[str], None], per_thing: int = 40
) -> dict[str, Any]:
    """Each thing's hue profile over up to ``per_thing`` real pictures of ``folders``."""
    import numpy as np

    from inference.lab.pix2pix import canvas_judge
    from inference.serving.pix2pix.data import find_pairs
    from inference.serving.things import THINGS

    known = {thing.slug for thing in THINGS}
    pictures: dict[str, list[Any]] = {}
    for folder in folders:
        root = folder / "train" if (folder / "train").is_dir() else folder
        if not root.is_dir():
            raise CommandError(f"--reference-dataset {folder}: no such folder.")
        for pair in find_pairs(root):
            thing = pair.category
            if thing in known and len(pictures.setdefault(thing, [])) < per_thing:
                _, picture = pair.load_parts(128)
                pictures[thing].append(np.asarray(picture.convert("RGB")))
    if folders:
        write(
            f"Colour profiles of {len(pictures)} things from "
            f"{sum(len(v) for v in pictures.values())} real pictures"
        )
    return canvas_judge.reference_profiles(pictures)


def sketch_suggester(requested: Path | None) -> Any:
    """The sketch classifier's top-3 things for PIL sketches (None: not scored)."""
    from inference.serving.pix2pix.classifier import load_classifier
    from inference.serving.pix2pix.imaging import images_to_batch
    from inference.serving.pix2pix.sketch_classifier import suggest

    path = requested or Path(SKETCH_CLASSIFIER)
    if requested is None and not path.with_suffix(".json").is_file():
        return None
    try:
        model = load_classifier(path)
    except (FileNotFoundError, ValueError) as exc:
        raise CommandError(f"--sketch-classifier {path}: {exc}") from exc

    def top3(sketches: Any) -> list[list[str]]:
        guesses = suggest(model, images_to_batch(list(sketches)), top=3)
        return [[slug for slug, _ in row] for row in guesses]

    return top3


def fill_variants(
    candidates: list[tuple[str, Loader]], strengths: list[float] | None
) -> Iterator[tuple[str, Any]]:
    """Each candidate as it is, or (``strengths``) once per clean-fills strength."""
    for name, load in candidates:
        net: Any = load()
        if not strengths:
            yield name, net
            continue
        config: GeneratorConfig = net.config
        for strength in strengths:
            net.config = dataclasses.replace(config, clean_fills=strength)
            yield f"{name} (clean fills {strength:g})", net
        net.config = config


def percent(value: float) -> str:
    """A share as a whole percentage, "-" when it could not be measured."""
    return "-" if math.isnan(value) else f"{value:.0%}"
