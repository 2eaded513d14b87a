"""How much faster the served generator draws than the exact torch reference, and how close.

``manage.py benchmark_generator`` prints what :func:`benchmark_served` returns. The reference is
the exact path (float32, one sketch a call, batch-invariant transposed convolutions); the
served path is what the runtime serves (ONNX Runtime, or the fast torch copy), timed at each
batch size asked for. Both include the pre-processing (lines and colour hints) and leave out
the fill cleaning, which every path runs alike after the network (reported on its own). Timed
in turns on the same sketches (median of ``repeats``), so a slow spell hits all alike.
"""

from __future__ import annotations

import platform
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import torch
from PIL import Image

from inference.lab.exporting import max_level_difference
from inference.serving.pix2pix.conditioning import condition_labels
from inference.serving.pix2pix.drawing import draw_chunks
from inference.serving.pix2pix.fast import _fill_cleaning_ms, _interleaved_ms, psnr_uint8
from inference.serving.pix2pix.imaging import batch_to_images, images_to_batch

Generator = Callable[..., torch.Tensor]


def benchmark_served(
    module: torch.nn.Module,
    served: Generator,
    sketches: Sequence[Image.Image],
    *,
    categories: Sequence[str | None] | None = None,
    batches: Sequence[int] = (1, 4),
    repeats: int = 5,
    served_as: str = "",
) -> dict[str, Any]:
    """Exact batch-1 against ``served`` at each of ``batches``, on ``sketches`` (CPU).

    Returns the contract's ``reference_ms_per_img``, ``ms_per_img``, ``speedup``, ``psnr_db``
    and ``batch`` (the served batch size that drew fastest), each batch size's own figures under
    ``served``, and ``batch_invariance_max_levels``: the largest difference between a picture
    drawn alone and in a batch (8-bit levels).
    """
    if not sketches:
        raise ValueError("benchmark needs at least one sketch")
    module.eval()
    labels = condition_labels(module, categories)
    inputs = images_to_batch(list(sketches))

    def exact() -> list[torch.Tensor]:
        return draw_chunks(module, inputs, labels, batch=1)

    def served_at(batch: int) -> Callable[[], list[torch.Tensor]]:
        return lambda: draw_chunks(served, inputs, labels, batch=batch)

    reference = torch.cat(exact())
    references = batch_to_images(reference)
    sizes = sorted(set(batches))
    outputs = {size: torch.cat(served_at(size)()) for size in sizes}
    times = _interleaved_ms([exact] + [served_at(s) for s in sizes], len(inputs), repeats)
    reference_ms, served_ms = times[0], dict(zip(sizes, times[1:], strict=True))
    per_batch = {
        str(size): {
            "ms_per_img": round(served_ms[size], 3),
            "speedup": round(reference_ms / served_ms[size], 3),
            "psnr_db": round(psnr_uint8(batch_to_images(outputs[size]), references), 2),
            "max_levels_from_exact": max_level_difference(outputs[size], reference),
        }
        for size in sizes
    }
    best = min(sizes, key=lambda size: served_ms[size])
    alone = outputs[1] if 1 in outputs else torch.cat(served_at(1)())
    invariance = max(max_level_difference(alone, outputs[size]) for size in sizes)
    return {
        **_fill_cleaning_ms(module, inputs, references, repeats),
        "reference_ms_per_img": round(reference_ms, 3),
        "ms_per_img": per_batch[str(best)]["ms_per_img"],
        "speedup": per_batch[str(best)]["speedup"],
        "psnr_db": per_batch[str(best)]["psnr_db"],
        "batch": best,
        "served": per_batch,
        "batch_invariance_max_levels": invariance,
        "images": len(inputs),
        "repeats": repeats,
        "reference": "torch float32, batch 1, batch-invariant transposed convolutions "
        "(INFERENCE_PATH=exact, for audits)",
        "served_as": served_as,
        "threads": torch.get_num_threads(),
        "cpu": _cpu_name(),
        "cpu_features": _cpu_features(),
        "torch": torch.__version__,
    }


def benchmark_painter(
    painter: Any,
    served: Any,
    sketches: Sequence[Image.Image],
    *,
    categories: Sequence[str | None],
    repeats: int = 5,
    served_as: str = "",
) -> dict[str, Any]:
    """A palette painter (``kids3``): the exact torch painter against ``served`` (the painter
    with its network on the engine), one sketch a call (what a lone child waits for), whole
    pictures and the network alone; the painting after the network is the same code on both.

    Returns the same contract keys as :func:`benchmark_served` (``reference_ms_per_img``,
    ``ms_per_img``, ``speedup``, ``psnr_db``, ``batch``) plus the network's and the painting's
    own ms a picture on each path and the largest level difference between the two pictures.
    """
    import numpy as np

    from inference.serving.palette.painter import split_planes, work_sketches

    if not sketches:
        raise ValueError("benchmark needs at least one sketch")
    arrays = [np.asarray(s.convert("RGB")) for s in sketches]
    things = list(categories)
    planes = [split_planes(work_sketches([a])) for a in arrays]

    def pictures(p: Any) -> Callable[[], list[Any]]:
        return lambda: [p.paint([a], [t])[0] for a, t in zip(arrays, things, strict=True)]

    def network(p: Any) -> Callable[[], list[Any]]:
        # A painter that does not need its network (sure areas off) does not run it.
        return lambda: [p.probabilities(x, [t]) if p.uses_network else None
                        for x, t in zip(planes, things, strict=True)]  # fmt: skip

    exact_ms, served_ms, exact_net_ms, served_net_ms = _interleaved_ms(
        [pictures(painter), pictures(served), network(painter), network(served)],
        len(arrays),
        repeats,
    )
    references = [Image.fromarray(p) for p in pictures(painter)()]
    drawn = [Image.fromarray(p) for p in pictures(served)()]
    levels = max(
        int(np.abs(np.asarray(a, int) - np.asarray(b, int)).max())
        for a, b in zip(references, drawn, strict=True)
    )
    served_figures = {
        "ms_per_img": round(served_ms, 3),
        "speedup": round(exact_ms / served_ms, 3),
        "psnr_db": round(psnr_uint8(drawn, references), 2),
        "max_levels_from_exact": levels,
        "network_ms_per_img": round(served_net_ms, 3),
        "painting_ms_per_img": round(served_ms - served_net_ms, 3),
    }
    return {
        "reference_ms_per_img": round(exact_ms, 3),
        "reference_network_ms_per_img": round(exact_net_ms, 3),
        "reference_painting_ms_per_img": round(exact_ms - exact_net_ms, 3),
        "ms_per_img": served_figures["ms_per_img"],
        "speedup": served_figures["speedup"],
        "psnr_db": served_figures["psnr_db"],
        "batch": 1,
        "served": {"1": served_figures},
        "batch_invariance_max_levels": 0,  # the network runs per sketch; painting is per picture
        "images": len(arrays),
        "repeats": repeats,
        "reference": "the painter with its torch float32 network (INFERENCE_PATH=exact)",
        "served_as": served_as,
        "threads": torch.get_num_threads(),
        "cpu": _cpu_name(),
        "cpu_features": _cpu_features(),
        "torch": torch.__version__,
    }


def _cpu_name() -> str:
    try:
        lines = Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines()
    except OSError:
        lines = []
    for line in lines:
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def _cpu_features() -> list[str]:
    """The instruction sets the figures depend on (AVX2, AVX-512, bf16, AMX)."""
    probes = {
        "avx2": "_is_avx2_supported",
        "avx512": "_is_avx512_supported",
        "avx512_bf16": "_is_avx512_bf16_supported",
        "amx": "_is_amx_tile_supported",
    }
    return [name for name, probe in probes.items() if getattr(torch.cpu, probe, lambda: False)()]
