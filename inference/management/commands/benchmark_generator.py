"""``manage.py benchmark_generator``: exact serving against the fast path, on the same weights."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from inference import registry


class Command(BaseCommand):
    """Time an installed generator two ways on the held-out child-like doodles.

    The reference is what the worker does today: float32, one sketch at a time, batch-invariant
    transposed convolutions. The fast path (``inference/pix2pix/fast.py``) batches, uses
    ``channels_last``, the stock oneDNN kernels, bfloat16 where the CPU has it and
    ``torch.compile``. The two are timed in turns (median of ``--repeats``). ``psnr_db``
    says how far its pictures are from the reference's (8-bit, as a child would get them).

        python manage.py benchmark_generator --json
        python manage.py benchmark_generator --model starter --batch 16 --threads 2
    """

    help = "Benchmark a generator: exact fp32 batch-1 against the fast batched path (ms, PSNR)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--model", help="Generator name (default: the one serving the most categories)."
        )
        parser.add_argument("--batch", type=int, default=8, help="Fast path batch size.")
        parser.add_argument("--repeats", type=int, default=5, help="Timed runs (median).")
        parser.add_argument("--threads", type=int, default=2, help="torch.set_num_threads.")
        parser.add_argument("--fp32", action="store_true", help="No bfloat16 on the fast path.")
        parser.add_argument(
            "--no-compile",
            action="store_true",
            help="Skip torch.compile on the fast path (it takes ~40 s on 2 cores the first time).",
        )
        parser.add_argument(
            "--device",
            default="cpu",
            help="cpu (default) or cuda / cuda:N: the fast path then runs float16, compiled "
            "with CUDA graphs unless --no-compile.",
        )
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")

    def handle(self, *args: Any, **options: Any) -> None:
        import torch

        from inference.pix2pix import fast
        from inference.pix2pix.evaluation.devset import doodle_items

        if options["batch"] < 1 or options["repeats"] < 1 or options["threads"] < 1:
            raise CommandError("--batch, --repeats and --threads must be at least 1.")
        torch.set_num_threads(options["threads"])
        cards = registry.discover()
        if not cards:
            raise CommandError("No generators are installed: nothing to benchmark.")
        if options["model"]:
            matching = [card for card in cards if card.name == options["model"]]
            if not matching:
                names = ", ".join(card.name for card in cards)
                raise CommandError(f'No generator "{options["model"]}" (installed: {names}).')
            card = matching[0]
        else:
            active = registry.active_map(cards)
            card = max(cards, key=lambda c: sum(active[s] is c for s in c.category_slugs))
        if options["device"].startswith("cuda") and not torch.cuda.is_available():
            raise CommandError(f"--device {options['device']}: this machine has no CUDA GPU.")
        try:
            module = registry.load_generator(card, device=options["device"])
        except registry.RegistryError as exc:
            raise CommandError(str(exc)) from exc
        except RuntimeError as exc:  # torch: an unknown or unusable device
            raise CommandError(f"--device {options['device']}: {exc}") from exc
        items = doodle_items(categories=card.category_slugs)
        result = fast.benchmark(
            module,
            [item.sketch for item in items],
            categories=[item.category for item in items],
            batch=options["batch"],
            repeats=options["repeats"],
            bf16=False if options["fp32"] else None,
            compile=not options["no_compile"],
        )
        result = {"model": card.name, **result}
        if options["json"]:
            self.stdout.write(json.dumps(result))
            return
        self.stdout.write(
            f"{card.name} on {result['images']} doodles, {result['device']}, "
            f"{result['threads']} threads:\n"
            f"  reference ({result['reference']}): {result['reference_ms_per_img']:.1f} ms/image\n"
            f"  fast ({result['fast']}): {result['ms_per_img']:.1f} ms/image\n"
            f"  speedup {result['speedup']:.2f}x, PSNR {result['psnr_db']:.1f} dB against the "
            "reference pictures"
        )
        if "clean_fills_ms_per_img" in result:
            fills = result["clean_fills_ms_per_img"]
            self.stdout.write(
                f"  clean fills (strength {result['clean_fills']:g}): {fills:.1f} ms/image after "
                f"either path; exact path with it: {result['reference_ms_per_img'] + fills:.1f} "
                f"ms/image, fast path with it: {result['ms_per_img'] + fills:.1f} ms/image"
            )
