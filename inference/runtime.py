"""The process-wide generator runtime: each generator is loaded once and kept loaded.

Web processes, the embedded worker and ``manage.py`` commands all draw through
``get_runtime()``, so a generator's weights are read, hash-checked and placed on the device at
most once per process (until ``reset()``).

Two paths draw (``INFERENCE_PATH``). **fast** (the default, what serves), on the engine
``INFERENCE_ENGINE`` names: **onnx** (the default) serves a generator whose card records an
exported graph with ONNX Runtime (:mod:`inference.engine`: CPU execution provider, or CUDA's on
a GPU); **torch**, or a generator without an exported graph, or a machine without onnxruntime,
serves a copy of the weights prepared for throughput (``inference.pix2pix.fast``: channels_last,
bfloat16 where the CPU computes it natively, float16 on CUDA, ``torch.compile`` with
``INFERENCE_COMPILE``, eager again if compiling fails). Either is warmed at start-up at every
batch size the worker forms, so no child waits for kernels to be built. A sketch drawn alone and
inside any batch differs by at most 2 levels in any channel of any pixel (instance norm without
running statistics, no dropout at inference; tested through the worker). **exact**: float32
with a batch-invariant transposed convolution
(``inference.pix2pix.networks.BatchInvariantConvTranspose2d``), bit-identical alone or in any
batch on the CPU — for audits and evaluation, and what a generator falls back to when its
exported graph is missing or is not the one its card describes. A palette painter (``kids3``)
has no fast copy: on the fast path with onnx its network runs exported on ONNX Runtime and the
painting after it is the same numpy as on the exact path.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from inference.registry import (
    Category,
    GeneratorCard,
    GeneratorNotFound,
    RegistryError,
    UnknownCategory,
    WeightsMismatch,
    active_map,
    categories_of,
    discover,
    load_generator,
    pick_active,
)
from inference.suggestions import (
    ClassifierCard,
    LoadedClassifier,
    SuggestionsUnavailable,
    find_classifier,
)
from inference.suggestions import load as load_classifier

if TYPE_CHECKING:
    import torch
    from PIL import Image

    from inference.engine import OnnxGenerator
    from inference.palette.painter import PalettePainter
    from inference.pix2pix.fast import FastGenerator

logger = logging.getLogger(__name__)

SKETCH_SIZE = 256
PATHS = ("fast", "exact")
ENGINES = ("onnx", "torch")
# Batch sizes a worker may form, tried at start-up when INFERENCE_BATCH_SIZE is 0 (measure).
BATCH_CANDIDATES = (1, 2, 4, 8)
UNMEASURED_BATCH = 4  # the batch a CPU worker forms when it has not measured (no warm-up)

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


@dataclass(frozen=True)
class LoadedGenerator:
    """A generator loaded on its device, ready to draw: the exact module and, when the runtime
    serves the fast path, what serves it (an ONNX Runtime session or a fast torch copy)."""

    card: GeneratorCard
    module: Any  # a torch module (pix2pix) or a painter (palette): inference.architectures
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
        from inference.pix2pix.drawing import draw

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


class GeneratorRuntime:
    """Loads generators lazily (once, thread-safely) and keeps them for the process's life.

    ``directory``, ``device``, ``threads``, ``path``, ``compile`` and ``engine`` default to
    ``settings.GENERATORS_DIR``, ``INFERENCE_DEVICE``, ``INFERENCE_THREADS``, ``INFERENCE_PATH``,
    ``INFERENCE_COMPILE`` and ``INFERENCE_ENGINE``, read when first needed so tests can change
    settings and call ``reset()``.
    """

    def __init__(
        self,
        directory: Path | str | None = None,
        *,
        device: str | None = None,
        threads: int | None = None,
        path: str | None = None,
        compile: bool | None = None,
        engine: str | None = None,
    ) -> None:
        self._engine = engine
        self._directory = Path(directory) if directory is not None else None
        self._device_name = device
        self._threads = threads
        self._path = path
        self._compile = compile
        # A re-entrant lock: loading a generator reads the card list under the same lock.
        self._lock = threading.RLock()
        self._cards: dict[str, GeneratorCard] | None = None
        self._loaded: dict[str, LoadedGenerator] = {}
        self._device: torch.device | None = None
        self._classifier: LoadedClassifier | None = None

    @property
    def directory(self) -> Path:
        """The directory generators are read from."""
        if self._directory is not None:
            return self._directory
        from django.conf import settings

        return Path(settings.GENERATORS_DIR)

    @property
    def device(self) -> torch.device:
        """The device generators run on (resolved once, with the CUDA fallback)."""
        with self._lock:
            if self._device is None:
                requested = self._device_name
                if requested is None:
                    from django.conf import settings

                    requested = getattr(settings, "INFERENCE_DEVICE", "cpu")
                self._device = resolve_device(requested)
            return self._device

    @property
    def path(self) -> str:
        """The path generators serve on: "fast" (default) or "exact" (``INFERENCE_PATH``)."""
        path = self._path
        if path is None:
            from django.conf import settings

            path = getattr(settings, "INFERENCE_PATH", "fast")
        if path not in PATHS:
            raise ValueError(f"INFERENCE_PATH={path!r}: choose one of {', '.join(PATHS)}")
        return path

    @property
    def engine(self) -> str:
        """The engine the fast path serves on: "onnx" (default) or "torch" (INFERENCE_ENGINE)."""
        engine = self._engine
        if engine is None:
            from django.conf import settings

            engine = getattr(settings, "INFERENCE_ENGINE", "onnx")
        if engine not in ENGINES:
            raise ValueError(f"INFERENCE_ENGINE={engine!r}: choose one of {', '.join(ENGINES)}")
        return engine

    def _onnx_session(self, card: GeneratorCard, threads: int, module: Any) -> Any:
        """The card's exported graph in an ONNX Runtime session, or None (logged once) when this
        process cannot have it; ``WeightsMismatch`` when the file is missing or changed. For a
        palette painter (``module``), the painter with the session computing its
        probabilities."""
        from inference import engine

        if card.onnx_path is None or card.onnx_sha256 is None:
            return None
        try:
            if card.architecture_kind.makes_variants:  # the palette painter
                session = engine.open_palette_net(
                    card.onnx_path,
                    sha256=card.onnx_sha256,
                    threads=threads,
                    device_type=self.device.type,
                )
                return module.with_engine(session)
            return engine.open_generator(
                card.onnx_path,
                sha256=card.onnx_sha256,
                config=card.config,
                threads=threads,
                device_type=self.device.type,
            )
        except engine.EngineUnavailable:
            logger.warning(
                "onnxruntime is not installed: generator %s is served by torch.", card.name
            )
            return None
        except engine.GraphMismatch as exc:
            raise WeightsMismatch(f"Generator {card.name}: {exc}") from exc

    def _fast_copy(self, module: torch.nn.Module) -> FastGenerator:
        from inference.pix2pix.fast import fast_copy

        compile = self._compile
        if compile is None:
            from django.conf import settings

            compile = bool(getattr(settings, "INFERENCE_COMPILE", False))
        # On a GPU, compiled graphs are replayed as CUDA graphs (launch overhead gone).
        mode = "reduce-overhead" if compile and self.device.type == "cuda" else None
        return fast_copy(module, compile=compile, compile_mode=mode)

    def cards(self, *, refresh: bool = False) -> list[GeneratorCard]:
        """Installed generators (read once; ``refresh`` re-reads the directory)."""
        with self._lock:
            if self._cards is None or refresh:
                self._cards = {card.name: card for card in discover(self.directory)}
            return list(self._cards.values())

    def categories(self, *, refresh: bool = False) -> list[Category]:
        """What can be drawn now: the categories of the cards read once (``refresh`` re-reads)."""
        return categories_of(self.cards(refresh=refresh))

    def card(self, name: str) -> GeneratorCard:
        """The card of generator ``name``; re-reads the directory once before giving up."""
        with self._lock:
            for refresh in (False, True):
                cards = {card.name: card for card in self.cards(refresh=refresh)}
                if name in cards:
                    return cards[name]
        installed = ", ".join(sorted(cards)) or "none"
        raise GeneratorNotFound(
            f'No generator named "{name}" is installed (installed: {installed}).'
        )

    def active_card_for(self, category_slug: str) -> GeneratorCard:
        """The generator serving ``category_slug``; re-reads the directory once if unknown."""
        with self._lock:
            try:
                return pick_active(self.cards(), category_slug)
            except UnknownCategory:
                return pick_active(self.cards(refresh=True), category_slug)

    def generator(self, name: str) -> LoadedGenerator:
        """Generator ``name``, loaded on first use and kept; raises ``RegistryError``."""
        loaded = self._loaded.get(name)
        if loaded is not None:
            return loaded
        with self._lock:
            # Another thread may have finished loading while this one waited for the lock.
            loaded = self._loaded.get(name)
            if loaded is not None:
                return loaded
            threads = self._threads
            if threads is None:
                from django.conf import settings

                threads = int(getattr(settings, "INFERENCE_THREADS", 0))
            configure_threads(threads)
            card = self.card(name)
            module = load_generator(card, device=self.device)
            kind = card.architecture_kind
            # A palette painter has no fast copy: its fast path is its network on the engine.
            fast_path = self.path == "fast" and (kind.has_fast_copy or self.engine == "onnx")
            fast: Any = None
            if fast_path and self.engine == "onnx":
                try:
                    fast = self._onnx_session(card, threads, module)
                except WeightsMismatch as exc:
                    # Its weights passed their check: serve them exactly, refuse the graph.
                    logger.error("%s Refused the ONNX graph; serving the exact torch path.", exc)
                    fast_path = False
            if fast_path and fast is None and kind.has_fast_copy:
                fast = self._fast_copy(module)
            loaded = LoadedGenerator(card=card, module=module, device=self.device, fast=fast)
            self._loaded[name] = loaded
            logger.info(
                "Loaded generator %s on %s (%s path, %s%s).",
                name,
                self.device,
                loaded.path,
                loaded.engine,
                f", {fast.precision}" if fast is not None else "",
            )
            return loaded

    def load_all(self) -> list[LoadedGenerator]:
        """Load every generator that serves some category now (a worker does at start-up, so
        its first child does not wait for weights to be read and placed on the GPU); one that
        another outranks everywhere is left on disk."""
        serving = {card.name: card for card in active_map(self.cards(refresh=True)).values()}
        loaded = []
        for card in sorted(serving.values(), key=lambda c: c.name):
            try:
                loaded.append(self.generator(card.name))
            except RegistryError:
                logger.exception("could not load generator %s", card.name)
        return loaded

    def draw_category(
        self,
        category_slug: str,
        sketches: Sequence[Image.Image],
        model_name: str | None = None,
    ) -> tuple[GeneratorCard, list[Image.Image]]:
        """Draw ``sketches`` with the category's active generator (or ``model_name``).

        Raises ``UnknownCategory`` when no generator draws the category, or when the named
        model does not draw it; ``GeneratorNotFound`` for an unknown model name.
        """
        if model_name is None:
            card = self.active_card_for(category_slug)
        else:
            card = self.card(model_name)
            if not card.serves(category_slug):
                raws = ", ".join(card.category_slugs)
                raise UnknownCategory(
                    f'Generator "{model_name}" does not draw the category "{category_slug}" '
                    f"(it draws: {raws})."
                )
        loaded = self.generator(card.name)
        return loaded.card, loaded.draw(sketches, [category_slug] * len(sketches))

    def classifier_card(self) -> ClassifierCard | None:
        """The installed "What did you draw?" classifier (its card only: no torch), or None."""
        loaded = self._classifier
        return loaded.card if loaded is not None else find_classifier(self.directory)

    def classifier(self) -> LoadedClassifier:
        """The sketch classifier, loaded on first use (on the CPU: it is tiny) and kept.

        Raises ``SuggestionsUnavailable`` when none is installed or it cannot be loaded; the
        directory is looked at again on the next call, so one installed later is found.
        """
        loaded = self._classifier
        if loaded is not None:
            return loaded
        with self._lock:
            if self._classifier is None:
                card = find_classifier(self.directory)
                if card is None:
                    raise SuggestionsUnavailable()
                self._classifier = load_classifier(card)
                logger.info("Loaded sketch classifier %s.", card.name)
            return self._classifier

    def reset(self) -> None:
        """Forget loaded generators, the classifier, the card list and the device (for tests
        and reloads)."""
        with self._lock:
            self._cards = None
            self._loaded = {}
            self._device = None
            self._classifier = None


_runtime = GeneratorRuntime()


def get_runtime() -> GeneratorRuntime:
    """The process-wide runtime."""
    return _runtime


def draw_category(
    category_slug: str, sketches: Sequence[Image.Image], model_name: str | None = None
) -> tuple[GeneratorCard, list[Image.Image]]:
    """Shortcut for ``get_runtime().draw_category(...)``."""
    return _runtime.draw_category(category_slug, sketches, model_name)
