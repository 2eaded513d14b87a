"""``manage.py evaluate_generators``: pick the checkpoint that serves children's sketches best."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from inference.management.candidates import resolve
from inference.management.canvas_scoring import judge_on_canvas, percent
from inference.management.commands.train_category_classifier import DEFAULT_OUT
from inference.management.commands.train_sketch_classifier import DEFAULT_OUT as SKETCH_CLASSIFIER
from inference.serving import registry


class Command(BaseCommand):
    """Score checkpoints and installed generators on a dev set of child-like sketches.

    Each CANDIDATE is a training run folder (all its ``checkpoints/epoch-*.safetensors``), one
    checkpoint file, a folder of checkpoints, or the name of an installed generator. Every
    candidate draws every dev sketch; the pictures are scored for line following, fill,
    colourfulness, L1/PSNR/SSIM against the real picture where there is one, and
    recognisability by the category classifier (see ``inference.lab.pix2pix.evaluation``). Writes
    ``OUT/metrics.csv``, ``OUT/metrics.json``, ``OUT/sheet.png`` and ``OUT/index.html``,
    prints the ranking and recommends the best combined score.

        python manage.py evaluate_generators --build-devset data/devsets/childlike
        python manage.py evaluate_generators --devset data/devsets/childlike \\
            data/runs/starter --out docs/generators/comparison
    """

    help = "Rank generator checkpoints on child-like dev sketches; write metrics and a sheet."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "candidates",
            nargs="*",
            metavar="CKPT_OR_GENERATOR",
            help="Run folder, checkpoint .safetensors, or installed generator name.",
        )
        parser.add_argument("--devset", type=Path, help="Dev-set folder (with devset.json).")
        parser.add_argument(
            "--canvas-devset",
            type=Path,
            help="A dev set drawn on the real canvas (scripts/canvas_devset.py): score what the "
            "child would notice instead — colour hints kept, crayon twins, fill spread.",
        )
        parser.add_argument(
            "--build-devset",
            type=Path,
            metavar="OUT",
            help="Build the dev set into OUT first (from --dataset's val split + doodles).",
        )
        parser.add_argument(
            "--dataset",
            type=Path,
            default=Path("data/datasets/openmoji"),
            help="A|B dataset whose val/ line art the dev set roughens (with --build-devset).",
        )
        parser.add_argument(
            "--variants", type=int, default=3, help="Sketches per val picture (0: doodles only)."
        )
        parser.add_argument("--seed", type=int, default=0, help="Dev-set seed.")
        parser.add_argument("--no-doodles", action="store_true", help="Leave the doodles out.")
        parser.add_argument(
            "--pens",
            type=float,
            nargs="+",
            default=None,
            help="Doodle pen widths in pixels at 256 (default: 4.5 9, the canvas's medium and "
            "thick brushes; its thin brush is 2).",
        )
        parser.add_argument(
            "--more-doodles",
            action="store_true",
            help="Also the shoe, shirt, rocket, moon, star and tree doodles.",
        )
        parser.add_argument(
            "--classifier",
            type=Path,
            default=None,
            help=f"Category classifier (default {DEFAULT_OUT} when it exists).",
        )
        parser.add_argument(
            "--out", type=Path, default=Path("docs/generators/comparison"), help="Report folder."
        )
        parser.add_argument("--cell", type=int, default=128, help="Sheet cell side in pixels.")
        parser.add_argument(
            "--sheet-top",
            type=int,
            default=0,
            help="Only the N best candidates get a sheet column (0: all).",
        )
        parser.add_argument("--generators-dir", type=Path, default=None, help="Registry folder.")
        parser.add_argument("--threads", type=int, default=1, help="torch CPU threads.")
        parser.add_argument(
            "--also-without-category",
            action="store_true",
            help="Score each category-conditioned candidate a second time drawing with no "
            'category ("NAME (no category)"): what the condition adds.',
        )

        parser.add_argument(
            "--clean-fills",
            type=float,
            nargs="+",
            default=None,
            metavar="S",
            help="With --canvas-devset: score each candidate once more per strength S (0-1) "
            'of inference.serving.pix2pix.fills ("NAME (clean fills S)"); 0 scores it without.',
        )

        parser.add_argument(
            "--reference-dataset",
            type=Path,
            action="append",
            default=None,
            metavar="DIR",
            help="With --canvas-devset: A|B dataset folders whose real pictures give each "
            "thing's colour profile (per-thing colour plausibility); repeatable.",
        )
        parser.add_argument(
            "--sketch-classifier",
            type=Path,
            default=None,
            help='With --canvas-devset: the "What did you draw?" classifier whose top-3 on '
            f"the dev sketches is reported (default {SKETCH_CLASSIFIER} when it exists).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        import torch

        from inference.lab.pix2pix.evaluation import devset, reports, scoring

        torch.set_num_threads(max(1, options["threads"]))
        if options["canvas_devset"]:
            return judge_on_canvas(options, self.stdout.write)
        devset_dir: Path | None = options["build_devset"] or options["devset"]
        if options["build_devset"]:
            self._build_devset(options)
        if not options["candidates"]:
            if options["build_devset"]:
                return
            raise CommandError("Name at least one checkpoint, run folder or generator to score.")
        if devset_dir is None:
            raise CommandError("--devset DIR is required (or --build-devset OUT to make one).")
        # Resolve every candidate before the slow part, so a typo fails at once.
        candidates = [
            c for name in options["candidates"] for c in resolve(name, options["generators_dir"])
        ]
        names = [name for name, _ in candidates]
        if len(set(names)) != len(names):
            raise CommandError(f"Two candidates share a name: {', '.join(names)}")
        try:
            items = devset.load_devset(devset_dir)
        except (FileNotFoundError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        judge, judge_path = self._classifier(options["classifier"])

        facts = scoring.sketch_facts(items)
        reference = scoring.reference_scores(facts, judge)
        results = []
        for number, (name, load) in enumerate(candidates, start=1):
            try:
                net = load()
            except (OSError, ValueError, RuntimeError, KeyError, registry.RegistryError) as exc:
                raise CommandError(f"{name}: cannot be loaded ({exc})") from exc
            runs = [(name, True)]
            config = getattr(net, "config", None)
            if options["also_without_category"] and getattr(config, "condition", ()):
                runs.append((f"{name} (no category)", False))
            for label, with_categories in runs:
                result = scoring.evaluate_candidate(
                    label, net, facts, judge, reference, with_categories=with_categories
                )
                results.append(result)
                self.stdout.write(
                    f"[{number}/{len(candidates)}] {label}: score {result.summary['combined']:.3f}"
                )
            del net

        out: Path = options["out"]
        context = {
            "devset": str(devset_dir),
            "devset_size": len(items),
            "paired": sum(item.target is not None for item in items),
            "classifier": str(judge_path) if judge_path else None,
            "classifier_metrics": _card_metrics(judge_path),
            "metric_definitions": reports.METRIC_DEFINITIONS,
        }
        csv_path, json_path = reports.write_metrics(
            out, results, reference=reference, context=context
        )
        ranked = scoring.rank(results)
        shown = ranked[: options["sheet_top"]] if options["sheet_top"] > 0 else ranked
        on_sheet = [r for r in results if r in shown]  # keep the order they were named in
        sheet = reports.write_sheet(out / "sheet.png", items, on_sheet, cell=options["cell"])
        page = reports.write_html(
            out / "index.html", results, sheet_name=sheet.name, reference=reference
        )
        self.stdout.write("")
        self.stdout.write(reports.ranked_table(results))
        if reference:
            self.stdout.write(
                f"real pictures (paired sketches): lines F1 {reference['line_f1']:.3f}, "
                f"fill {reference['fill']:.2f}, colourfulness {reference['colourfulness']:.1f}, "
                f"recognised {percent(reference['recog_accuracy'])}; the best candidate's "
                f"pictures of the same sketches: "
                f"{percent(ranked[0].summary['recog_accuracy_paired'])}"
            )
        self.stdout.write(
            f"Recommended: {ranked[0].name} (score {ranked[0].summary['combined']:.3f})"
        )
        self.stdout.write(f"Wrote {csv_path}, {json_path}, {sheet}, {page}")

    def _build_devset(self, options: dict[str, Any]) -> None:
        from inference.lab.pix2pix.evaluation import devset

        dataset: Path = options["dataset"]
        if options["variants"] > 0 and not (dataset / "val").is_dir():
            raise CommandError(f"{dataset / 'val'} does not exist: --dataset needs a val/ split.")
        try:
            items = devset.build_devset(
                dataset,
                options["build_devset"],
                variants=options["variants"],
                seed=options["seed"],
                doodles=not options["no_doodles"],
                pens=options["pens"] or devset.DOODLE_BRUSHES,
                more_doodles=options["more_doodles"],
            )
        except (FileNotFoundError, OSError, ValueError) as exc:
            raise CommandError(f"Cannot build the dev set: {exc}") from exc
        paired = sum(item["target"] is not None for item in items)
        self.stdout.write(
            f"Built {options['build_devset']}: {len(items)} sketches "
            f"({paired} with a target picture)"
        )

    def _classifier(self, requested: Path | None) -> tuple[Any, Path | None]:
        from inference.serving.pix2pix.classifier import load_classifier

        path = requested or Path(DEFAULT_OUT)
        if requested is None and not path.with_suffix(".json").is_file():
            self.stderr.write(
                f"No classifier at {path}: recognisability is not scored "
                "(train one with train_category_classifier)."
            )
            return None, None
        try:
            return load_classifier(path), path
        except (FileNotFoundError, ValueError) as exc:
            raise CommandError(str(exc)) from exc


def _card_metrics(path: Path | None) -> dict[str, Any] | None:
    """The classifier card's own accuracy figures (on real pictures), for the report."""
    if path is None:
        return None
    try:
        return json.loads(path.with_suffix(".json").read_text(encoding="utf-8")).get("metrics")
    except (OSError, json.JSONDecodeError, AttributeError):
        return None
