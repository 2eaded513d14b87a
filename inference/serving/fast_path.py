"""What serves a generator on the fast path (``INFERENCE_PATH=fast``).

With ``INFERENCE_ENGINE=onnx`` a generator whose card records an exported graph is served by
that graph in an ONNX Runtime session (:mod:`inference.serving.engine`); a palette painter gets its
network's session and paints with the same numpy as on the exact path. Otherwise (the torch
engine, no exported graph, no onnxruntime in this process) a pix2pix generator is served by a
copy of its weights prepared for throughput (:mod:`inference.serving.pix2pix.fast`). A graph that is
missing or is not the one its card describes is refused: its weights passed their own check,
so they serve on the exact path.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from inference.serving.registry import GeneratorCard, WeightsMismatch

if TYPE_CHECKING:
    import torch

    from inference.serving.engine import OnnxGenerator
    from inference.serving.palette.painter import PalettePainter
    from inference.serving.pix2pix.fast import FastGenerator

logger = logging.getLogger(__name__)


def fast_server(
    card: GeneratorCard,
    module: Any,
    *,
    engine: str,
    threads: int,
    device: torch.device,
    compile: bool,
) -> FastGenerator | OnnxGenerator | PalettePainter | None:
    """What draws ``card``'s generator (``module``, loaded on ``device``) on the fast path, or
    None where it is served exactly (its graph refused, or no fast form on this engine)."""
    if engine == "onnx":
        try:
            session = _onnx_session(card, module, threads=threads, device=device)
        except WeightsMismatch as exc:
            logger.error("%s Refused the ONNX graph; serving the exact torch path.", exc)
            return None
        if session is not None:
            return session
    if card.architecture_kind.has_fast_copy:
        return _fast_copy(module, compile=compile, device=device)
    return None  # a palette painter has no fast copy: its fast path is its network's graph


def _onnx_session(
    card: GeneratorCard, module: Any, *, threads: int, device: torch.device
) -> OnnxGenerator | PalettePainter | None:
    """The card's exported graph in an ONNX Runtime session, or None (logged once) when this
    process cannot have it; ``WeightsMismatch`` when the file is missing or changed. For a
    palette painter (``module``), the painter with the session computing its
    probabilities."""
    from inference.serving import engine

    if card.architecture_kind.makes_variants and not module.uses_network:
        return module  # it paints without its network (sure areas off): no session to open
    if card.onnx_path is None or card.onnx_sha256 is None:
        return None
    try:
        if card.architecture_kind.makes_variants:  # the palette painter
            session = engine.open_palette_net(
                card.onnx_path,
                sha256=card.onnx_sha256,
                threads=threads,
                device_type=device.type,
            )
            return module.with_engine(session)
        return engine.open_generator(
            card.onnx_path,
            sha256=card.onnx_sha256,
            config=card.config,
            threads=threads,
            device_type=device.type,
        )
    except engine.EngineUnavailable:
        logger.warning("onnxruntime is not installed: generator %s is served by torch.", card.name)
        return None
    except engine.GraphMismatch as exc:
        raise WeightsMismatch(f"Generator {card.name}: {exc}") from exc


def _fast_copy(module: torch.nn.Module, *, compile: bool, device: torch.device) -> FastGenerator:
    from inference.serving.pix2pix.fast import fast_copy

    # On a GPU, compiled graphs are replayed as CUDA graphs (launch overhead gone).
    mode = "reduce-overhead" if compile and device.type == "cuda" else None
    return fast_copy(module, compile=compile, compile_mode=mode)
