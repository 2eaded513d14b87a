"""``manage.py judge_guesser``: how often an installed guesser is right on drawings it never saw."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    """Score a sketch classifier on a canvas dev set (Chromium drawings) and on the doodles.

    Top-1, top-3, the calibration error, how often the confident bubble is shown and how often
    it is right, by variant (black, crayon, coloured, parts), with the card's temperature and
    confident line (1.0 and the old fixed 0.2 for a card without them):

        python manage.py judge_guesser --devset data/devsets/canvas2 \\
            [--classifier generators/classifiers/things-sketches.json] [--json out.json]
    """

    help = "Judge the 'What did you draw?' classifier on drawings made by other procedures."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--classifier",
            type=Path,
            default=Path("generators/classifiers/things-sketches.json"),
            help="The classifier's card (its weights beside it).",
        )
        parser.add_argument("--devset", type=Path, required=True, help="A canvas dev set.")
        parser.add_argument("--json", type=Path, default=None, help="Write the scores here.")
        parser.add_argument(
            "--seeds", default="", help="Judge only these dev-set seeds (comma-separated)."
        )
        parser.add_argument(
            "--calibrate-seeds",
            default="",
            help="First fit the temperature and the confident line on these seeds (kept apart "
            "from --seeds) and judge with them; --write-card saves them on the card.",
        )
        parser.add_argument(
            "--precision",
            type=float,
            help="How often a shown bubble must be right on the calibration seeds (default: "
            "the card's confident_precision, else 0.8).",
        )
        parser.add_argument("--write-card", action="store_true")
        parser.add_argument(
            "--sheet",
            type=Path,
            default=None,
            help="Draw the judged drawings with each guess here (PNG): green right, red wrong, "
            "a bold frame where the bubble would show.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        import torch

        from inference.lab.guesser import calibration, judging
        from inference.lab.guesser.judging import judge_devset
        from inference.serving.pix2pix.classifier import load_classifier
        from inference.serving.suggestions import DEFAULT_CONFIDENT_AT

        card_path: Path = options["classifier"]
        devset: Path = options["devset"]
        if not (devset / "devset.json").is_file():
            raise CommandError(f"{devset}/devset.json missing: build it with canvas_devset.py.")
        try:
            card = json.loads(card_path.read_text(encoding="utf-8"))
            model = load_classifier(card_path)
        except (OSError, ValueError, RuntimeError) as exc:
            raise CommandError(f"{card_path}: {exc}") from exc
        temperature = float(card.get("temperature", 1.0))
        threshold = float(card.get("confident_at", DEFAULT_CONFIDENT_AT))
        seeds = _seeds(options["seeds"])
        calibrated = None
        if options["calibrate_seeds"]:
            apart = _seeds(options["calibrate_seeds"]) or set()
            if seeds is None or apart & seeds:
                raise CommandError("--calibrate-seeds needs --seeds, and no seed in both.")
            try:
                precision = options["precision"] or float(card.get("confident_precision", 0.8))
                calibrated = judging.calibrate_on_devset(model, devset, apart, precision)
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
            temperature, threshold = calibrated["temperature"], calibrated["confident_at"]
            self.stdout.write(
                f"calibrated on seeds {sorted(apart)}: temperature {temperature}, "
                f"confident at {threshold}"
            )
        doodles, labels = judging.doodle_set(model.config.categories)
        scores: dict[str, Any] = {
            "classifier": str(card_path),
            "temperature": temperature,
            "confident_at": threshold,
            "canvas dev set": judge_devset(model, devset, temperature, threshold, seeds),
            "doodles": calibration.scores(
                judging.logits_of(model, doodles), torch.tensor(labels), temperature, threshold
            ),
        }
        for name in ("canvas dev set", "doodles"):
            s = scores[name]
            self.stdout.write(
                f"{name}: {s['count']} drawings, top-1 {s['top1']:.1%}, top-3 {s['top3']:.1%}, "
                f"ECE {s['ece']:.3f}, bubble shown {s['bubble_shown']:.0%}"
                + (f" and right {s['bubble_right']:.0%}" if s["bubble_right"] is not None else "")
            )
        for variant, s in scores["canvas dev set"]["by_variant"].items():
            self.stdout.write(f"  {variant}: top-1 {s['top1']:.1%}, top-3 {s['top3']:.1%}")
        if options["sheet"]:
            sketches, labels, _ = judging.canvas_set(devset, model.config.categories, seeds)
            probs = (judging.logits_of(model, sketches) / temperature).softmax(1)
            _sheet(sketches, labels, probs, model.config.categories, threshold).save(
                options["sheet"]
            )
            self.stdout.write(f"wrote {options['sheet']}")
        if options["json"]:
            options["json"].write_text(json.dumps(scores, indent=1) + "\n", encoding="utf-8")
        if options["write_card"]:
            if calibrated is None:
                raise CommandError("--write-card saves a calibration: give --calibrate-seeds.")
            judged = dict(card.get("judged", {}))
            judged[f"canvas dev set, seeds {sorted(seeds or ())} (judging)"] = {
                k: v for k, v in scores["canvas dev set"].items() if k != "misses"
            }
            judged["canvas dev set, calibration seeds"] = calibrated.pop("calibration_scores")
            card.update(calibrated, judged=judged)
            card_path.write_text(json.dumps(card, ensure_ascii=False, indent=2) + "\n",
                                 encoding="utf-8")  # fmt: skip
            self.stdout.write(f"wrote the calibration on {card_path}")


def _sheet(
    sketches: list[Any], labels: list[int], probs: Any, things: Sequence[str], threshold: float
) -> Any:
    """A contact sheet: each drawing small, its thing, the guess and its probability under it."""
    from PIL import Image, ImageDraw, ImageFont

    tile, caption, columns = 128, 30, 12
    rows = -(-len(sketches) // columns)
    sheet = Image.new("RGB", (columns * tile, rows * (tile + caption)), "white")
    draw = ImageDraw.Draw(sheet)
    font = ImageFont.load_default(size=11)
    for i, (sketch, label) in enumerate(zip(sketches, labels, strict=True)):
        x, y = (i % columns) * tile, (i // columns) * (tile + caption)
        sheet.paste(sketch.convert("RGB").resize((tile - 8, tile - 8)), (x + 4, y + 4))
        best = int(probs[i].argmax())
        colour = (20, 140, 40) if best == label else (200, 30, 30)
        shown = float(probs[i, best]) >= threshold
        draw.rectangle((x + 1, y + 1, x + tile - 2, y + tile - 2), outline=colour,
                       width=4 if shown else 1)  # fmt: skip
        draw.text((x + 4, y + tile), things[label], fill=(60, 60, 60), font=font)
        draw.text((x + 4, y + tile + 13), f"-> {things[best]} {float(probs[i, best]):.2f}",
                  fill=colour, font=font)  # fmt: skip
    return sheet


def _seeds(text: str) -> set[int] | None:
    try:
        return {int(s) for s in text.split(",") if s.strip()} or None
    except ValueError as exc:
        raise CommandError(f"Seeds are whole numbers, comma-separated: {text!r}") from exc
