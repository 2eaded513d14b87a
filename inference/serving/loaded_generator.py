"""A generator loaded on its device, ready to draw a batch of sketches, and the batch sizes a
worker measures it at (:class:`LoadedGenerator`; :mod:`inference.serving.runtime` loads and keeps
them)."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from inference.serving.registry import GeneratorCard

if TYPE_CHECKING:
    import torch
    from PIL import Image

    from inference.serving.engine import OnnxGenerator
    from inference.serving.palette.painter import PalettePainter
    from inference.serving.pix2pix.fast import FastGenerator

logger = logging.getLogger(__name__)

SKETCH_SIZE = 256
# Batch sizes a worker may form, tried at start-up when INFERENCE_BATCH_SIZE is 0 (measure).
BATCH_CANDIDATES = (1, 2, 4, 8)
UNMEASURED_BATCH = 4  # the batch a CPU worker forms when it has not measured (no warm-up)


@dataclass(frozen=True)
class LoadedGenerator:
    """A generator loaded on its device, ready to draw: the exact module and, when the runtime
    serves the fast path, what serves it (an ONNX Runtime session or a fast torch copy)."""

    card: GeneratorCard
    module: Any  # a torch module (pix2pix) or a painter (palette): inference.serving.architectures
    device: torch.device
    # The fast path: a fast copy or an exported graph (pix2pix), the painter on the engine.
    fast: FastGenerator | OnnxGenerator | PalettePainter | None = None

    @property
    def path(self) -> str:
        """Which path :meth:`draw` takes: "fast" or "exact"."""
        return "exact" if self.fast is None else "fast"

    @property
    def engine(self) -> str:
        """What draws: "onnxruntime" or "torch"."""
        return str(getattr(self.fast, "engine_name", "torch"))

    def draw(
        self,
        sketches: Sequence[Image.Image],
        categories: Sequence[str] | None = None,
        *,
        exact: bool = False,
        variants: Sequence[int] | None = None,
    ) -> list[Image.Image]:
        """Turn sketches into pictures, one call for the whole batch, in input order.

        ``categories`` gives each sketch's category slug; a category-conditioned generator
        draws each sketch as its category (an unconditional one ignores them; without them a
        conditioned one draws "any category"), so one call serves a batch of mixed categories.
        Sketches should already be 256x256 RGB (the drawings app normalises uploads); other
        modes and sizes are converted and resized rather than refused. The fast copy draws
        unless ``exact`` (or the runtime serves the exact path); either way a sketch's picture
        does not depend on the rest of the batch (within 2 levels on the fast path).

        A palette painter (``kids3``) takes sketches of any size and draws pictures of at
        least 512 px; ``variants`` (one per sketch, 0 the first colours) redraw the colours the
        child left to it ("New colours"). Other kinds have one picture per sketch.
        """
        from inference.serving.pix2pix.drawing import draw

        if not sketches:
            return []
        if categories is not None and len(categories) != len(sketches):
            raise ValueError(f"{len(sketches)} sketches but {len(categories)} categories")
        kind = self.card.architecture_kind
        if kind.makes_variants:
            painter = self.module if exact or self.fast is None else self.fast
            return kind.draw(painter, sketches, categories, variants=variants)
        if variants and any(variants):
            raise ValueError(f"Generator {self.card.name} draws one picture a sketch.")
        # Painters drew above: what is left is a torch module, a fast copy or a graph.
        generator = cast(
            "torch.nn.Module | FastGenerator | OnnxGenerator",
            self.module if exact or self.fast is None else self.fast,
        )
        return draw(
            generator,
            sketches,
            categories,
            batch=None,
            size=SKETCH_SIZE,
            strict=True,
            device=self.device,
        )

    def best_batch(self, candidates: Sequence[int] = BATCH_CANDIDATES, repeats: int = 3) -> int:
        """The batch size that draws the most pictures a second on this machine, measured now
        on blank sketches (the network's cost does not depend on what is drawn): the smallest
        within 5 % of the best, since a bigger batch makes the first child in it wait longer."""
        from PIL import Image

        blank = Image.new("RGB", (SKETCH_SIZE, SKETCH_SIZE), "white")
        seconds_per_picture = {}
        for size in sorted(set(candidates)):
            self.draw([blank] * size)  # kernels built before timing
            times = []
            for _ in range(repeats):
                started = time.perf_counter()
                self.draw([blank] * size)
                times.append(time.perf_counter() - started)
            seconds_per_picture[size] = min(times) / size
        best = min(seconds_per_picture.values())
        chosen = min(s for s, spent in seconds_per_picture.items() if spent <= best * 1.05)
        logger.info(
            "%s: batch %d chosen (ms a picture: %s).",
            self.card.name,
            chosen,
            ", ".join(f"{s}: {spent * 1000:.1f}" for s, spent in seconds_per_picture.items()),
        )
        return chosen

    def warm_up(self, batch_sizes: Sequence[int]) -> float:
        """Draw blank sketches once at each batch size, so the kernels (and compiled graphs)
        for those shapes exist before a child's sketch arrives; returns the seconds it took."""
        from PIL import Image

        started = time.perf_counter()
        blank = Image.new("RGB", (SKETCH_SIZE, SKETCH_SIZE), "white")
        for size in sorted(set(batch_sizes)):
            self.draw([blank] * size)
        return time.perf_counter() - started
