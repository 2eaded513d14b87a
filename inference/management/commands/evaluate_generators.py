"""``manage.py evaluate_generators``: pick the checkpoint that serves children's sketches best."""

from __future__ import annotations

import dataclasses
import json
import math
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from inference import registry
from inference.management.commands.train_category_classifier import DEFAULT_OUT
from inference.management.commands.train_sketch_classifier import DEFAULT_OUT as SKETCH_CLASSIFIER

if TYPE_CHECKING:
    import torch

    from inference.pix2pix.networks import GeneratorConfig

Loader = Callable[[], "torch.nn.Module"]


class Command(BaseCommand):
    """Score checkpoints and installed generators on a dev set of child-like sketches.

    Each CANDIDATE is a training run folder (all its ``checkpoints/epoch-*.safetensors``), one
    checkpoint file, a folder of checkpoints, or the name of an installed generator. Every
    candidate draws every dev sketch; the pictures are scored for line following, fill,
    colourfulness, L1/PSNR/SSIM against the real picture where there is one, and
    recognisability by the category classifier (see ``inference.pix2pix.evaluation``). Writes
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
            'of inference.pix2pix.fills ("NAME (clean fills S)"); 0 scores it without.',
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

        from inference.pix2pix.evaluation import devset, reports, scoring

        torch.set_num_threads(max(1, options["threads"]))
        if options["canvas_devset"]:
            return self._judge_on_canvas(options)
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
        candidates = [c for name in options["candidates"] for c in self._resolve(name, options)]
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
                f"recognised {_percent(reference['recog_accuracy'])}; the best candidate's "
                f"pictures of the same sketches: "
                f"{_percent(ranked[0].summary['recog_accuracy_paired'])}"
            )
        self.stdout.write(
            f"Recommended: {ranked[0].name} (score {ranked[0].summary['combined']:.3f})"
        )
        self.stdout.write(f"Wrote {csv_path}, {json_path}, {sheet}, {page}")

    def _judge_on_canvas(self, options: dict[str, Any]) -> None:
        """Every candidate on the canvas dev set (inference/pix2pix/canvas_judge.py); each
        drawing as its thing, or the thing's theme for a generator that knows only themes."""
        from inference.datasets.things import theme_of
        from inference.pix2pix import canvas_judge
        from inference.pix2pix.drawing import draw

        try:
            drawings = canvas_judge.load_devset(options["canvas_devset"])
        except (FileNotFoundError, KeyError, ValueError) as exc:
            raise CommandError(f"{options['canvas_devset']}: {exc}") from exc
        candidates = [c for name in options["candidates"] for c in self._resolve(name, options)]
        if not candidates:
            raise CommandError("Name at least one checkpoint, run folder or generator to score.")
        strengths = options["clean_fills"]
        if strengths and not all(0.0 <= s <= 1.0 for s in strengths):
            raise CommandError("--clean-fills strengths must be between 0 and 1.")
        references = self._thing_profiles(options["reference_dataset"] or [])
        suggest = self._sketch_suggester(options["sketch_classifier"])
        reports: dict[str, Any] = {}
        for name, net in self._fill_variants(candidates, strengths):
            known = set(getattr(getattr(net, "config", None), "condition", ()) or ())

            def draw_as(sketches: Any, labels: Any, net: Any = net, known: set = known) -> Any:
                picked = [t if t in known else theme_of(t) for t in labels]
                return draw(net, sketches, [p if p in known else None for p in picked])

            reports[name] = canvas_judge.judge(
                drawings, draw_as, references=references or None, suggest=suggest
            )
            r = reports[name]
            self.stdout.write(
                f"{name}: hints kept {_percent(r['hint_kept'] or 0)} of {r['coloured_shapes']} "
                f"shapes (ΔE {r['hint_delta_e']}), crayon twins {r['crayon_twin_distance']} "
                f"levels apart, fill spread {r['fill_spread']}"
                + (f", colour plausibility {r['colour_plausibility']}" if references else "")
                + (f", sketch top-3 {_percent(r['suggestion_top3'] or 0)}" if suggest else "")
            )
        out: Path = options["out"]
        out.mkdir(parents=True, exist_ok=True)
        path = out / "canvas-metrics.json"
        document = {"devset": str(options["canvas_devset"]), "candidates": reports}
        path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", "utf-8")
        self.stdout.write(f"Wrote {path}")

    def _thing_profiles(self, folders: list[Path], per_thing: int = 40) -> dict[str, Any]:
        """Each thing's hue profile over up to ``per_thing`` real pictures of ``folders``."""
        import numpy as np

        from inference.datasets.things import THINGS
        from inference.pix2pix import canvas_judge
        from inference.pix2pix.data import find_pairs

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
            self.stdout.write(
                f"Colour profiles of {len(pictures)} things from "
                f"{sum(len(v) for v in pictures.values())} real pictures"
            )
        return canvas_judge.reference_profiles(pictures)

    def _sketch_suggester(self, requested: Path | None) -> Any:
        """The sketch classifier's top-3 things for PIL sketches (None: not scored)."""
        from inference.pix2pix.classifier import load_classifier
        from inference.pix2pix.imaging import images_to_batch
        from inference.pix2pix.sketch_classifier import suggest

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

    @staticmethod
    def _fill_variants(
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

    def _build_devset(self, options: dict[str, Any]) -> None:
        from inference.pix2pix.evaluation import devset

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
        from inference.pix2pix.classifier import load_classifier

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

    def _resolve(self, name: str, options: dict[str, Any]) -> list[tuple[str, Loader]]:
        """``(display name, loader)`` pairs for one command-line candidate."""
        path = Path(name)
        if path.is_dir():
            folder = path / "checkpoints" if (path / "checkpoints").is_dir() else path
            files = sorted(folder.glob("*.safetensors"))
            files = [f for f in files if f.with_suffix(".json").is_file()]
            if not files:
                raise CommandError(
                    f"{path} holds no checkpoints (*.safetensors with a .json beside them)."
                )
            return [self._file_candidate(f) for f in files]
        if path.suffix == ".safetensors" or os.sep in name:
            if not path.is_file():
                raise CommandError(f"{path}: no such checkpoint file.")
            return [self._file_candidate(path)]
        try:
            card = registry.get_card(name, options["generators_dir"])
        except registry.RegistryError as exc:
            raise CommandError(
                f'"{name}" is not a checkpoint file, a run folder or an installed generator. {exc}'
            ) from exc
        return [(card.name, lambda: registry.load_generator(card))]

    def _file_candidate(self, path: Path) -> tuple[str, Loader]:
        card_path = path.with_suffix(".json")
        if not card_path.is_file():
            raise CommandError(f"{path} has no {card_path.name} beside it (its architecture).")
        try:
            document = json.loads(card_path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise CommandError(f"{card_path}: unreadable ({exc})") from exc
        if (
            isinstance(document, dict)
            and document.get("name") == path.stem
            and "sha256" in document
        ):
            # A registry pair copied elsewhere: load it the registry's way (hash-checked).
            try:
                card = registry.parse_card(card_path)
            except registry.RegistryError as exc:
                raise CommandError(str(exc)) from exc
            return card.name, lambda: registry.load_generator(card)
        from inference.pix2pix.checkpoints import load_generator

        label = (
            f"{path.parent.parent.name}/{path.stem}"
            if path.parent.name == "checkpoints"
            else path.stem
        )
        return label, lambda: load_generator(path)


def _card_metrics(path: Path | None) -> dict[str, Any] | None:
    """The classifier card's own accuracy figures (on real pictures), for the report."""
    if path is None:
        return None
    try:
        return json.loads(path.with_suffix(".json").read_text(encoding="utf-8")).get("metrics")
    except (OSError, json.JSONDecodeError, AttributeError):
        return None


def _percent(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:.0%}"
