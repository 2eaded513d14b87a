"""The raw generator, timed in this process on the very call the worker makes
(``drawings/worker/pictures.py``), and the serving efficiency it gives.
"""

from __future__ import annotations

import functools
import statistics
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from PIL import Image

SERVED_PATH = "runtime"


def drawers(
    category: str, *, compile_fast: bool, names: Sequence[str]
) -> tuple[str, dict[str, Callable[..., Any]]]:
    """The generator serving ``category`` and, for each of ``names``, a function that draws a
    batch of PIL sketches in one call, uint8 pictures out:

    * ``runtime``: ``get_runtime().generator(name).draw(sketches, categories)``, the very call
      the worker makes (``drawings/worker/pictures.py``), whichever path and engine the runtime
      serves (ONNX Runtime for a generator with an exported graph): the serving efficiency is
      measured against this one;
    * ``fast``: ``inference.serving.pix2pix.fast.fast_copy`` of the same weights (bf16 where the CPU
      has it, channels_last, stock kernels; ``torch.compile`` with ``--compile-fast``);
    * ``exact``: the exact fp32 module through ``draw_chunks``, whatever the runtime serves.
    """
    import torch

    from inference.serving.loaded_generator import SKETCH_SIZE
    from inference.serving.pix2pix.conditioning import condition_labels
    from inference.serving.pix2pix.drawing import draw_chunks
    from inference.serving.pix2pix.fast import fast_copy
    from inference.serving.pix2pix.imaging import batch_to_images, images_to_batch
    from inference.serving.runtime import get_runtime

    runtime = get_runtime()
    card = runtime.active_card_for(category)
    loaded = runtime.generator(card.name)  # as the worker: loaded once, INFERENCE_THREADS applied

    def on(module: Any, sketches: Sequence[Image.Image], cats: Sequence[str]) -> list[Any]:
        labels = condition_labels(loaded.module, cats, strict=True)
        inputs = images_to_batch(list(sketches), size=SKETCH_SIZE)
        chunks = draw_chunks(module, inputs, labels, batch=None, device=loaded.device)
        return batch_to_images(torch.cat(chunks).float().cpu())

    paths: dict[str, Callable[..., Any]] = {}
    painter = getattr(loaded.module, "with_sure_areas", None)  # a palette painter (kids3)
    for path in names:
        if path == "runtime":
            paths[path] = loaded.draw
        elif painter is not None and path == "exact":
            # The exact painter with its network's sure areas (it runs the U-Net even where
            # the card turns them off), as benchmark_generator's reference.
            paths[path] = functools.partial(_paint_exactly, painter(True))
        elif painter is not None:
            raise ValueError(f"{card.name} is a palette painter: raw paths runtime and exact")
        elif path == "fast":
            fast = fast_copy(loaded.module, compile=compile_fast)
            paths[path] = functools.partial(on, fast)
        elif path == "exact":
            paths[path] = functools.partial(on, loaded.module)
        else:
            raise ValueError(f"unknown raw path {path!r} (runtime, fast, exact)")
    return card.name, paths


def _paint_exactly(painter: Any, sketches: Sequence[Image.Image], cats: Sequence[str]) -> Any:
    import numpy as np

    pictures = painter.paint([np.asarray(s.convert("RGB")) for s in sketches], list(cats))
    return [Image.fromarray(picture) for picture in pictures]  # as the other paths give them


def as_the_worker_reads(category: str, sketches: Sequence[bytes]) -> list[Image.Image]:
    """The sketches as the worker hands them to the generator of ``category``: read back like a
    stored sketch and brought to the side it draws at (``drawings.worker.pictures.sketch_for``),
    outside the timed call, as the worker does before it."""
    from drawings.worker.pictures import sketch_for
    from inference.serving.runtime import get_runtime
    from inference.serving.sketch_files import normalise_sketch

    runtime = get_runtime()
    loaded = runtime.generator(runtime.active_card_for(category).name)
    return [sketch_for(loaded, normalise_sketch(data, size=None)) for data in sketches]


def served_by_one_generator(categories: Sequence[str]) -> list[str]:
    """The categories the generator of the first one also draws, in order: the raw figure is
    one generator's, so the load draws only what that generator serves."""
    from inference.serving.runtime import get_runtime

    card = get_runtime().active_card_for(categories[0])
    return [c for c in categories if get_runtime().active_card_for(c).name == card.name]


def raw_rates(
    paths: dict[str, Callable[..., Any]],
    sketches: Sequence[Image.Image],
    categories: Sequence[str],
    sizes: Sequence[int],
    *,
    rounds: int,
    seconds: float,
    cpu_ms: dict[str, dict[int, float]] | None = None,
) -> dict[str, dict[int, float]]:
    """Images/s of each path at each batch size: the median over rounds of one timed call per
    size and path (after a warm-up call each, for the kernels each shape picks), sizes and
    paths taking turns so a slow spell on a shared machine hits them all alike. At least
    ``rounds`` rounds and ``seconds`` seconds. ``cpu_ms``, when given, receives each path's
    CPU milliseconds a picture at each size (this process's CPU time, all its threads: the
    generator's whole cost, since nothing else runs here meanwhile)."""
    batches = {
        size: (
            [sketches[i % len(sketches)] for i in range(size)],
            [categories[i % len(categories)] for i in range(size)],
        )
        for size in sizes
    }
    for batch, cats in batches.values():
        for fn in paths.values():
            fn(batch, cats)
    times: dict[tuple[str, int], list[float]] = defaultdict(list)
    cpu: dict[tuple[str, int], list[float]] = defaultdict(list)
    started = time.perf_counter()
    done = 0
    while done < rounds or time.perf_counter() - started < seconds:
        for size, (batch, cats) in batches.items():
            for name, fn in paths.items():
                t0, c0 = time.perf_counter(), time.process_time()
                fn(batch, cats)
                times[(name, size)].append(time.perf_counter() - t0)
                cpu[(name, size)].append(time.process_time() - c0)
        done += 1
    rates: dict[str, dict[int, float]] = defaultdict(dict)
    for (name, size), spent in times.items():
        rates[name][size] = size / statistics.median(spent)
        if cpu_ms is not None:
            cpu_ms.setdefault(name, {})[size] = 1000 * statistics.median(cpu[(name, size)]) / size
    return dict(rates)


def cpu_ms_at_batches(cpu_ms: dict[int, float], batch_sizes: Sequence[int]) -> float | None:
    """CPU ms a picture for the batches formed (each size's measured cost, the nearest size
    measured for one that was not)."""
    if not batch_sizes or not cpu_ms:
        return None
    known = sorted(cpu_ms)

    def at(size: int) -> float:
        return cpu_ms[min(known, key=lambda k: (abs(k - size), k))]

    return sum(size * at(size) for size in batch_sizes) / sum(batch_sizes)


def rate_at(rates: dict[int, float], size: int) -> float:
    """Images/s at ``size``, interpolating the per-image time between the sizes measured."""
    known = sorted(rates)
    if size in rates:
        return rates[size]
    if size <= known[0]:
        return rates[known[0]]
    if size >= known[-1]:
        return rates[known[-1]]
    lo = max(k for k in known if k < size)
    hi = min(k for k in known if k > size)
    t_lo, t_hi = 1 / rates[lo], 1 / rates[hi]
    t = t_lo + (t_hi - t_lo) * (size - lo) / (hi - lo)
    return 1 / t


def rate_at_batches(rates: dict[int, float], batch_sizes: Sequence[int]) -> float | None:
    """Raw images/s for the batches formed: their images over the time the raw path needs for
    exactly those batches."""
    if not batch_sizes:
        return None
    images = sum(batch_sizes)
    seconds = sum(size / rate_at(rates, size) for size in batch_sizes)
    return images / seconds


def raw_report(
    paths: Iterable[str],
    before: dict[str, dict[int, float]],
    after: dict[str, dict[int, float]],
    claim_sizes: Sequence[int],
    drawings_per_s: float,
) -> dict[str, Any]:
    """Per raw path: its images/s before and after the load, at the batch sizes the workers
    formed, and the serving efficiency against it."""
    raw: dict[str, Any] = {}
    for path in paths:
        at_before = rate_at_batches(before[path], claim_sizes)
        at_after = rate_at_batches(after[path], claim_sizes)
        mean = (at_before + at_after) / 2 if at_before and at_after else None
        raw[path] = {
            "before_images_per_s": {str(k): round(v, 1) for k, v in before[path].items()},
            "after_images_per_s": {str(k): round(v, 1) for k, v in after[path].items()},
            "at_batches_formed_before": round(at_before, 2) if at_before else None,
            "at_batches_formed_after": round(at_after, 2) if at_after else None,
            "at_batches_formed": round(mean, 2) if mean else None,
            "serving_efficiency": round(drawings_per_s / mean, 3) if mean else None,
            # Against the faster of the two timings: the cautious figure on a noisy machine.
            "serving_efficiency_vs_best": (
                round(drawings_per_s / max(at_before, at_after), 3)
                if at_before and at_after
                else None
            ),
        }
    return raw


def fast_path_setting() -> Any:
    from django.conf import settings

    return getattr(settings, "INFERENCE_PATH", getattr(settings, "INFERENCE_FAST_PATH", None))


def torch_threads() -> int:
    import torch

    return int(torch.get_num_threads())
