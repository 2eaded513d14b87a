"""``manage.py benchmark_generator``: the served path against the exact one, on the same weights."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from inference.serving import registry


class Command(BaseCommand):
    """Time an installed generator on the held-out child-like doodles: the exact reference
    against what serves it.

    The reference is float32 torch, one sketch at a time, batch-invariant transposed
    convolutions (``INFERENCE_PATH=exact``). The served path is the generator's exported ONNX
    graph in ONNX Runtime (``--engine onnx``, the default where the card has one), or the fast
    torch copy (``--engine torch``: channels_last, bfloat16 where the CPU computes it natively,
    ``torch.compile`` with ``--compile``), timed at each of ``--batches``. The paths are timed
    in turns (median of ``--repeats``); ``psnr_db`` says how far the served pictures are from
    the reference's (8-bit, as a child would get them).

        python manage.py benchmark_generator --json
        python manage.py benchmark_generator --model kids2p --engine torch --batches 1,4,8
    """

    help = "Benchmark a generator: exact fp32 batch-1 torch against the served path (ms, PSNR)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--model", help="Generator name (default: the one serving the most categories)."
        )
        parser.add_argument(
            "--batches", default="1,4", help="Served batch sizes, comma-separated (1,4)."
        )
        parser.add_argument("--repeats", type=int, default=5, help="Timed runs (median).")
        parser.add_argument(
            "--threads", type=int, default=2, help="Threads of torch and of ONNX Runtime."
        )
        parser.add_argument(
            "--engine",
            choices=("onnx", "torch"),
            help="What serves: onnx (default where the card has an exported graph) or torch.",
        )
        parser.add_argument("--fp32", action="store_true", help="torch: no bfloat16.")
        parser.add_argument(
            "--compile",
            action="store_true",
            help="torch: torch.compile the fast copy (eager again, with one log line, if it "
            "fails on this CPU).",
        )
        parser.add_argument(
            "--device",
            default="cpu",
            help="cpu (default), or cuda / cuda:N: the fast torch copy against the exact module "
            "on the GPU (float16, CUDA graphs with --compile; "
            "inference.serving.pix2pix.fast.benchmark).",
        )
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")

    def handle(self, *args: Any, **options: Any) -> None:
        import torch

        from inference.lab.benchmark import benchmark_served
        from inference.lab.pix2pix.evaluation.devset import doodle_items
        from inference.serving.pix2pix import fast

        try:
            batches = sorted({int(b) for b in options["batches"].split(",") if b.strip()})
        except ValueError as exc:
            raise CommandError(f"--batches: {exc}") from exc
        if not batches or min(batches) < 1 or options["repeats"] < 1 or options["threads"] < 1:
            raise CommandError("--batches, --repeats and --threads must be at least 1.")
        torch.set_num_threads(options["threads"])
        card = self._card(options["model"])
        device = options["device"]
        if device.startswith("cuda") and not torch.cuda.is_available():
            raise CommandError(f"--device {device}: this machine has no CUDA GPU.")
        try:
            module = registry.load_generator(card, device=device)
        except registry.RegistryError as exc:
            raise CommandError(str(exc)) from exc
        except RuntimeError as exc:  # torch: an unknown or unusable device
            raise CommandError(f"--device {device}: {exc}") from exc
        items = doodle_items(categories=card.category_slugs)
        if device != "cpu":
            gpu = fast.benchmark(
                module,
                [item.sketch for item in items],
                categories=[item.category for item in items],
                batch=max(batches),
                repeats=options["repeats"],
                compile=options["compile"],
            )
            self.stdout.write(json.dumps({"model": card.name, "engine": "torch", **gpu}))
            return
        chosen = options["engine"] or ("onnx" if card.onnx_path is not None else "torch")
        if card.architecture_kind.makes_variants:  # a palette painter
            self._painter(card, module, chosen, items, options)
            return
        served, served_as = self._served(card, module, chosen, batches, options)
        result = benchmark_served(
            module,
            served,
            [item.sketch for item in items],
            categories=[item.category for item in items],
            batches=batches,
            repeats=options["repeats"],
            served_as=served_as,
        )
        result = {"model": card.name, "engine": chosen, **result}
        if options["json"]:
            self.stdout.write(json.dumps(result))
            return
        self._print(card.name, chosen, result)

    def _served(
        self,
        card: registry.GeneratorCard,
        module: Any,
        chosen: str,
        batches: list[int],
        options: dict[str, Any],
    ) -> tuple[Any, str]:
        """What serves in the benchmark, and how it is described."""
        from inference.serving import engine
        from inference.serving.pix2pix import fast

        served: Any
        if chosen == "onnx":
            served = _on_engine(card, engine.open_generator, config=module.config,
                                threads=options["threads"])  # fmt: skip
        else:
            served = fast.fast_copy(
                module, bf16=False if options["fp32"] else None, compile=options["compile"]
            )
        served_as = f"{served.precision}, batches {', '.join(map(str, batches))}"
        if chosen == "torch":
            served_as += ", channels_last, stock transposed convolutions"
            served_as += ", torch.compile" if options["compile"] else ""
        return served, served_as

    def _painter(
        self,
        card: registry.GeneratorCard,
        painter: Any,
        chosen: str,
        items: Any,
        options: dict[str, Any],
    ) -> None:
        """A palette painter: the exact torch painter against it on the engine, batch 1."""
        from inference.lab.benchmark import benchmark_painter
        from inference.serving import engine

        served = painter
        if chosen == "onnx":
            served = painter.with_engine(
                _on_engine(card, engine.open_palette_net, threads=options["threads"])
            )
        # The reference is the exact painter with the network's sure areas painted (so it runs
        # the network) even where the card turns them off: the figures show what that saves.
        served_as = "batch 1, painting in numpy/OpenCV"
        if served.uses_network:
            served_as = f"{served.precision}, {served_as}"
        else:
            served_as = f"no network (sure areas off: the region model chooses), {served_as}"
        result = benchmark_painter(
            painter.with_sure_areas(True),
            served,
            [item.sketch for item in items],
            categories=[item.category for item in items],
            repeats=options["repeats"],
            served_as=served_as,
        )
        result = {"model": card.name, "engine": chosen, **result}
        if options["json"]:
            self.stdout.write(json.dumps(result))
            return
        figures = result["served"]["1"]
        self.stdout.write(
            f"{card.name} on {result['images']} doodles, {result['cpu']}, "
            f"{result['threads']} threads:\n"
            f"  reference ({result['reference']}): {result['reference_ms_per_img']:.1f} ms/image "
            f"(network {result['reference_network_ms_per_img']:.1f}, painting "
            f"{result['reference_painting_ms_per_img']:.1f})\n"
            f"  served ({chosen}, batch 1): {figures['ms_per_img']:.1f} ms/image (network "
            f"{figures['network_ms_per_img']:.1f}, painting {figures['painting_ms_per_img']:.1f}),"
            f" {figures['speedup']:.2f}x, PSNR {figures['psnr_db']:.1f} dB, at most "
            f"{figures['max_levels_from_exact']} levels from the exact picture"
        )

    def _print(self, card_name: str, chosen: str, result: dict[str, Any]) -> None:
        self.stdout.write(
            f"{card_name} on {result['images']} doodles, {result['cpu']}, "
            f"{result['threads']} threads:\n"
            f"  reference ({result['reference']}): {result['reference_ms_per_img']:.1f} ms/image"
        )
        for size, figures in result["served"].items():
            self.stdout.write(
                f"  served ({chosen}, batch {size}): {figures['ms_per_img']:.1f} ms/image, "
                f"{figures['speedup']:.2f}x, PSNR {figures['psnr_db']:.1f} dB"
            )
        self.stdout.write(
            f"  a picture alone and in a batch differ by at most "
            f"{result['batch_invariance_max_levels']} levels"
        )
        if "clean_fills_ms_per_img" in result:
            self.stdout.write(
                f"  clean fills (strength {result['clean_fills']:g}): "
                f"{result['clean_fills_ms_per_img']:.1f} ms/image after either path"
            )

    def _card(self, name: str | None) -> registry.GeneratorCard:
        cards = registry.discover()
        if not cards:
            raise CommandError("No generators are installed: nothing to benchmark.")
        if name:
            matching = [card for card in cards if card.name == name]
            if not matching:
                names = ", ".join(card.name for card in cards)
                raise CommandError(f'No generator "{name}" (installed: {names}).')
            return matching[0]
        active = registry.active_map(cards)
        return max(cards, key=lambda c: sum(active[s] is c for s in c.category_slugs))


def _on_engine(card: registry.GeneratorCard, opener: Any, **options: Any) -> Any:
    """``opener`` (an :mod:`inference.serving.engine` opener) on the card's checked graph; a command
    error that says what to do when there is none or it cannot be opened."""
    from inference.serving import engine

    if card.onnx_path is None or card.onnx_sha256 is None:
        raise CommandError(
            f"{card.name} has no exported graph: manage.py export_generator {card.name}"
        )
    try:
        return opener(card.onnx_path, sha256=card.onnx_sha256, **options)
    except (engine.EngineUnavailable, engine.GraphMismatch) as exc:
        raise CommandError(str(exc)) from exc
