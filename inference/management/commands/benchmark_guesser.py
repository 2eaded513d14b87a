"""``manage.py benchmark_guesser``: ms per "What did you draw?" guess, torch and ONNX Runtime."""

from __future__ import annotations

import json
import os
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    """Time the installed sketch classifier one sketch at a time (batch 1, as the canvas asks)
    on the held-out child-like doodles: its torch module against its exported graph on ONNX
    Runtime. Each guess is timed as served: the PNG's pixels to a tensor, the pre-processing
    (line and hint split, shrink), the network, the ranking. The two are timed in turns (median
    of ``--repeats``); the load average is printed beside the figures, since a shared machine's
    load moves them.

        python manage.py benchmark_guesser
        python manage.py benchmark_guesser --json --threads 1
    """

    help = "Benchmark the sketch classifier: ms per guess at batch 1, torch against ONNX Runtime."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--repeats", type=int, default=5, help="Timed passes (median).")
        parser.add_argument("--sketches", type=int, default=24, help="Doodles per pass.")
        parser.add_argument(
            "--threads", type=int, default=2, help="Threads of torch and of ONNX Runtime."
        )
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")

    def handle(self, *args: Any, **options: Any) -> None:
        import torch

        from inference.lab.benchmark import _cpu_name
        from inference.lab.pix2pix.evaluation.devset import doodle_items
        from inference.serving.pix2pix.fast import _interleaved_ms
        from inference.serving.suggestions import SuggestionsUnavailable, find_classifier, load

        if min(options["repeats"], options["sketches"], options["threads"]) < 1:
            raise CommandError("--repeats, --sketches and --threads must be at least 1.")
        card = find_classifier(settings.GENERATORS_DIR)
        if card is None:
            raise CommandError("No sketch classifier is installed: nothing to benchmark.")
        if card.onnx_sha256 is None:
            raise CommandError(f"{card.name} has no exported graph: manage.py export_classifier")
        torch.set_num_threads(options["threads"])
        try:
            loaded = load(card, engine="onnx", threads=options["threads"])
        except SuggestionsUnavailable as exc:
            raise CommandError(f"{card.name} cannot be loaded (see the log above).") from exc
        if loaded.graph is None:
            raise CommandError(f"{card.name}'s graph cannot serve here (see the log above).")
        sketches = [item.sketch for item in doodle_items()][: options["sketches"]]

        def one_at_a_time(exact: bool) -> list[list[tuple[str, float]]]:
            return [loaded.rank([sketch], exact=exact)[0] for sketch in sketches]

        before = os.getloadavg()
        torch_ms, onnx_ms = _interleaved_ms(
            [lambda: one_at_a_time(True), lambda: one_at_a_time(False)],
            len(sketches),
            options["repeats"],
        )
        module, graph = one_at_a_time(True), one_at_a_time(False)
        difference = max(
            abs(p - dict(mine)[slug]) for mine, other in zip(module, graph, strict=True)
            for slug, p in other
        )  # fmt: skip
        same = sum(
            [s for s, _ in mine[:3]] == [s for s, _ in other[:3]]
            for mine, other in zip(module, graph, strict=True)
        )
        result = {
            "classifier": card.name,
            "sketches": len(sketches),
            "batch": 1,
            "threads": options["threads"],
            "cpu": _cpu_name(),
            "torch_ms_per_guess": round(torch_ms, 3),
            "onnxruntime_ms_per_guess": round(onnx_ms, 3),
            "speedup": round(torch_ms / onnx_ms, 2),
            "onnxruntime": loaded.graph.precision,
            "max_probability_difference": difference,
            "same_top3": same / len(sketches),
            # The 1-minute load average before and after the timing.
            "load_average": [round(before[0], 2), round(os.getloadavg()[0], 2)],
        }
        if options["json"]:
            self.stdout.write(json.dumps(result))
            return
        self.stdout.write(
            f"{card.name} on {len(sketches)} doodles, batch 1, {result['cpu']}, "
            f"{options['threads']} threads (1-minute load average {result['load_average'][0]} "
            f"before, {result['load_average'][1]} after):\n"
            f"  torch:       {torch_ms:.2f} ms per guess\n"
            f"  onnxruntime: {onnx_ms:.2f} ms per guess ({result['speedup']:.2f}x; "
            f"{loaded.graph.precision})\n"
            f"  probabilities at most {difference:.1e} apart, the same top 3 for "
            f"{same} of {len(sketches)}"
        )
