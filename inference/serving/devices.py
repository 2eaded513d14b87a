"""Where a process draws: the torch device ``INFERENCE_DEVICE`` names (with its CPU fallback)
and the thread counts ``INFERENCE_THREADS`` sets once per process."""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import torch

logger = logging.getLogger(__name__)


_threads_lock = threading.Lock()
_threads_configured = False


def configure_threads(threads: int) -> None:
    """Apply ``INFERENCE_THREADS`` once per process (0 keeps torch's default).

    Torch's intra-op thread count is process-global, so it is set once rather than per call:
    changing it between batches would also change which kernels run. OpenCV (the fill
    cleaning after each picture) gets one thread: its own pool would fight torch's for the
    same cores, and was 2-7x slower for it on this 2-core machine under load.
    """
    global _threads_configured  # noqa: PLW0603 - a process-wide, set-once switch
    with _threads_lock:
        if _threads_configured:
            return
        _threads_configured = True
        import cv2

        cv2.setNumThreads(1)
        if threads > 0:
            import torch

            torch.set_num_threads(threads)


def resolve_device(requested: str) -> torch.device:
    """The torch device for ``INFERENCE_DEVICE``; CUDA falls back to CPU with a warning."""
    import torch

    try:
        device = torch.device(requested or "cpu")
    except RuntimeError as exc:
        raise ValueError(f"INFERENCE_DEVICE={requested!r} is not a torch device ({exc})") from exc
    if device.type == "cuda" and not torch.cuda.is_available():
        logger.warning("INFERENCE_DEVICE=%s but CUDA is not available; using the CPU.", requested)
        return torch.device("cpu")
    if device.type not in ("cpu", "cuda"):
        logger.warning("INFERENCE_DEVICE=%s is not supported; using the CPU.", requested)
        return torch.device("cpu")
    return device
