"""A faster way to run a trained generator, and the benchmark that compares it with the exact one.

Serving draws with the exact module: float32, batch-invariant transposed convolutions
(:class:`~inference.serving.pix2pix.networks.BatchInvariantConvTranspose2d`), so a sketch gives the
same pixels alone or in a batch. :func:`fast_copy` trades that guarantee for speed on the CPU:

* the stock ``ConvTranspose2d`` (oneDNN picks its kernel per batch size again);
* ``channels_last`` tensors, which oneDNN's convolutions prefer;
* bfloat16 autocast where the CPU computes bf16 natively (AVX-512 BF16 / AMX); float32 elsewhere;
* batches (``batch``) instead of one sketch at a time.

:func:`benchmark` times both on the same sketches and weights and measures how far the fast
pictures are from the exact ones (PSNR on the uint8 pictures a child would get). Plain torch.
"""

from __future__ import annotations

import copy
import logging
import math
import platform
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from PIL import Image

from inference.serving.pix2pix.conditioning import condition_labels
from inference.serving.pix2pix.drawing import batch_to_arrays, clean_fills_of, draw_chunks
from inference.serving.pix2pix.fills import clean_fills
from inference.serving.pix2pix.imaging import batch_to_images, images_to_batch
from inference.serving.pix2pix.networks import BatchInvariantConvTranspose2d

logger = logging.getLogger(__name__)


def bf16_supported() -> bool:
    """Whether this CPU computes bfloat16 natively (AVX-512 BF16 or AMX) and oneDNN runs it.

    oneDNN's own check also says yes on plain AVX-512 (Skylake), where bf16 is converted in
    software and slower than float32, so the instructions themselves are asked for too."""
    check = getattr(torch.ops.mkldnn, "_is_mkldnn_bf16_supported", None)
    try:
        onednn = bool(check()) if check is not None else False
    except RuntimeError:
        return False
    native = False
    for name in ("_is_avx512_bf16_supported", "_is_amx_tile_supported"):
        probe = getattr(torch.cpu, name, None)
        native = native or bool(probe is not None and probe())
    return onednn and native


@dataclass
class FastGenerator:
    """A copy of a generator prepared for throughput; call it like the module.

    On the CPU it autocasts to bfloat16 when ``bf16`` is set; on CUDA to ``cuda_dtype``
    (float16 by default: every CUDA GPU has it; bfloat16 on Ampere and newer is as good).
    """

    module: torch.nn.Module
    bf16: bool
    device_type: str = "cpu"
    cuda_dtype: torch.dtype = torch.float16
    # The original's GeneratorConfig, so its category labels are found as for the module.
    config: Any = None
    # The uncompiled copy while ``module`` is a torch.compile wrapper: drawn instead, for good,
    # the first time compiling fails (Inductor's C++ does not build on every CPU and compiler).
    eager: torch.nn.Module | None = None

    @property
    def precision(self) -> str:
        """The dtype the convolutions run in, in words (for logs and benchmarks)."""
        if self.device_type == "cuda":
            return str(self.cuda_dtype).removeprefix("torch.")
        return "bfloat16" if self.bf16 else "float32"

    @torch.inference_mode()
    def __call__(self, sketches: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        """Pictures in [-1, 1] as float32, NCHW."""
        batch = sketches.contiguous(memory_format=torch.channels_last)
        if self.device_type == "cuda":
            autocast = torch.autocast("cuda", dtype=self.cuda_dtype)
        else:
            autocast = torch.autocast("cpu", dtype=torch.bfloat16, enabled=self.bf16)
        try:
            with autocast:
                out = self.module(batch, labels)
        except Exception as exc:  # whatever Inductor raises: draw eagerly instead
            if self.eager is None:
                raise
            first_line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            logger.warning(
                "torch.compile failed on this machine (%s: %s); drawing eagerly.",
                type(exc).__name__,
                first_line[:200],
            )
            self.module, self.eager = self.eager, None
            with autocast:
                out = self.module(batch, labels)
        return out.float().contiguous()


def fast_copy(
    module: torch.nn.Module,
    *,
    bf16: bool | None = None,
    compile: bool = False,
    compile_mode: str | None = None,
    cuda_dtype: torch.dtype = torch.float16,
) -> FastGenerator:
    """A throughput-tuned copy of ``module`` (which is left untouched), on the module's device.

    ``compile`` also runs it through ``torch.compile`` (Inductor: fused kernels, built on first
    use; ``compile_mode="reduce-overhead"`` adds CUDA graphs on a GPU). ``bf16`` None: bfloat16
    where this CPU computes it natively.
    """
    fast = stock_copy(module).to(memory_format=torch.channels_last)
    runner: torch.nn.Module = (
        torch.compile(fast, mode=compile_mode)  # type: ignore[assignment]
        if compile
        else fast
    )
    parameter = next(module.parameters(), None)
    device_type = parameter.device.type if parameter is not None else "cpu"
    return FastGenerator(
        runner,
        bf16_supported() if bf16 is None else bf16,
        device_type=device_type,
        cuda_dtype=cuda_dtype,
        config=getattr(module, "config", None),
        eager=fast if compile else None,
    )


def stock_copy(module: torch.nn.Module) -> torch.nn.Module:
    """An eval-mode copy of ``module`` (left untouched) with the stock transposed convolution
    instead of the batch-invariant CPU one: what the fast path runs and the ONNX export
    traces (an exported graph has its own kernels)."""
    stock = copy.deepcopy(module).eval()
    for layer in stock.modules():
        if isinstance(layer, BatchInvariantConvTranspose2d):
            layer.__class__ = torch.nn.ConvTranspose2d  # type: ignore[assignment]  # stock kernel
    return stock


def psnr_uint8(pictures: Sequence[Image.Image], references: Sequence[Image.Image]) -> float:
    """PSNR in dB between two lists of 8-bit pictures (peak 255); 100 when identical."""
    errors = []
    for picture, reference in zip(pictures, references, strict=True):
        a = np.asarray(picture.convert("RGB"), dtype=np.float64)
        b = np.asarray(reference.convert("RGB"), dtype=np.float64)
        errors.append(float(((a - b) ** 2).mean()))
    mse = statistics.fmean(errors)
    return 100.0 if mse == 0 else 10 * math.log10(255.0**2 / mse)


def _interleaved_ms(runs: Sequence[Callable[[], Any]], images: int, repeats: int) -> list[float]:
    """Median milliseconds per image of each of ``runs``, timed in turns (one warm-up each), so
    a slow spell on a shared machine hits them alike."""
    for run in runs:
        run()
    times: list[list[float]] = [[] for _ in runs]
    for _ in range(repeats):
        for run, spent in zip(runs, times, strict=True):
            start = time.perf_counter()
            run()
            spent.append(time.perf_counter() - start)
    return [statistics.median(spent) * 1000 / images for spent in times]


def _fill_cleaning_ms(
    module: torch.nn.Module,
    inputs: torch.Tensor,
    pictures: Sequence[Image.Image],
    repeats: int,
) -> dict[str, Any]:
    """For a generator that cleans its fills (``config.clean_fills``): the cleaning's own
    ms per picture (median of ``repeats`` passes over ``pictures``), which every path adds
    after the network."""
    strength = clean_fills_of(module)
    if not strength:
        return {}
    sketches = batch_to_arrays(inputs)
    arrays = [np.asarray(p) for p in pictures]
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        for picture, sketch in zip(arrays, sketches, strict=True):
            clean_fills(picture, sketch, strength)
        times.append((time.perf_counter() - started) * 1000 / len(arrays))
    return {"clean_fills": strength, "clean_fills_ms_per_img": round(statistics.median(times), 3)}


def benchmark(
    module: torch.nn.Module,
    sketches: Sequence[Image.Image],
    *,
    categories: Sequence[str | None] | None = None,
    batch: int = 8,
    repeats: int = 5,
    bf16: bool | None = None,
    compile: bool = False,
) -> dict[str, Any]:
    """Exact float32 batch-1 drawing against the fast copy at ``batch``, on ``sketches``, on
    the device ``module`` is on (the CPU, or a CUDA GPU: then float16 and, with ``compile``,
    CUDA graphs).

    Returns the contract's ``reference_ms_per_img``, ``ms_per_img``, ``speedup``, ``psnr_db``
    and ``batch``, plus what the numbers depend on (threads, dtype, device, torch).
    """
    if not sketches:
        raise ValueError("benchmark needs at least one sketch")
    device = next(module.parameters()).device
    cuda = device.type == "cuda"
    labels = condition_labels(module, categories)
    inputs = images_to_batch(list(sketches)).to(device)
    if labels is not None:
        labels = labels.to(device)
    module.eval()

    def finished(outputs: list[torch.Tensor]) -> list[torch.Tensor]:
        if cuda:  # kernels run asynchronously: time them to the end
            torch.cuda.synchronize(device)
        return outputs

    def exact() -> list[torch.Tensor]:  # the reference: one sketch per call
        return finished(draw_chunks(module, inputs, labels, batch=1))

    references = batch_to_images(torch.cat(exact()))
    started = time.perf_counter()
    fast = fast_copy(
        module, bf16=bf16, compile=compile, compile_mode="reduce-overhead" if cuda else None
    )

    def fast_all() -> list[torch.Tensor]:
        return finished(draw_chunks(fast, inputs, labels, batch=batch))

    pictures = batch_to_images(torch.cat(fast_all()))  # the first call compiles, if asked
    prepare_s = time.perf_counter() - started
    reference_ms, fast_ms = _interleaved_ms([exact, fast_all], len(inputs), repeats)
    fills = _fill_cleaning_ms(module, inputs, references, repeats)
    return {
        **fills,
        "reference_ms_per_img": round(reference_ms, 3),
        "ms_per_img": round(fast_ms, 3),
        "speedup": round(reference_ms / fast_ms, 3),
        "psnr_db": round(psnr_uint8(pictures, references), 2),
        "batch": batch,
        "images": len(inputs),
        "repeats": repeats,
        "reference": "float32, batch 1, batch-invariant transposed convolutions "
        "(INFERENCE_PATH=exact, for audits)",
        "fast": f"{fast.precision} autocast, batch {batch}, channels_last, stock transposed "
        "convolutions" + (", torch.compile" if compile else "") + " (what the worker serves)",
        "device": str(device) + (f" ({torch.cuda.get_device_name(device)})" if cuda else ""),
        "fast_prepare_seconds": round(prepare_s, 1),
        "threads": torch.get_num_threads(),
        "cpu": platform.processor() or platform.machine(),
        "torch": torch.__version__,
    }
