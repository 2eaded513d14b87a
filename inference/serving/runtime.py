"""The process-wide generator runtime: each generator is loaded once and kept loaded.

Web processes, the embedded worker and ``manage.py`` commands all draw through
``get_runtime()``, so a generator's weights are read, hash-checked and placed on the device at
most once per process (until ``reset()``).

Two paths draw (``INFERENCE_PATH``). **fast** (the default, what serves), on the engine
``INFERENCE_ENGINE`` names: **onnx** (the default) serves a generator whose card records an
exported graph with ONNX Runtime (:mod:`inference.serving.engine`: CPU execution provider, or CUDA's
on a GPU); **torch**, or a generator without an exported graph, or a machine without onnxruntime,
serves a copy of the weights prepared for throughput (``inference.serving.pix2pix.fast``:
channels_last, bfloat16 where the CPU computes it natively, float16 on CUDA, ``torch.compile`` with
``INFERENCE_COMPILE``, eager again if compiling fails). Either is warmed at start-up at every
batch size the worker forms, so no child waits for kernels to be built. A sketch drawn alone and
inside any batch differs by at most 2 levels in any channel of any pixel (instance norm without
running statistics, no dropout at inference; tested through the worker). **exact**: float32
with a batch-invariant transposed convolution
(``inference.serving.pix2pix.networks.BatchInvariantConvTranspose2d``), bit-identical alone or in
any batch on the CPU — for audits and evaluation, and what a generator falls back to when its
exported graph is missing or is not the one its card describes. A palette painter (``kids3``)
has no fast copy: on the fast path with onnx its network runs exported on ONNX Runtime and the
painting after it is the same numpy as on the exact path.

What a loaded generator is and how it draws a batch: :mod:`inference.serving.loaded_generator`; what
serves the fast path: :mod:`inference.serving.fast_path`; the device and thread counts:
:mod:`inference.serving.devices`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from inference.serving.devices import configure_threads, resolve_device
from inference.serving.fast_path import fast_server
from inference.serving.loaded_generator import LoadedGenerator
from inference.serving.registry import (
    Category,
    GeneratorCard,
    GeneratorNotFound,
    RegistryError,
    UnknownCategory,
    active_map,
    categories_of,
    discover,
    load_generator,
    pick_active,
)
from inference.serving.suggestions import (
    ClassifierCard,
    LoadedClassifier,
    SuggestionsUnavailable,
    find_classifier,
)
from inference.serving.suggestions import load as load_classifier

if TYPE_CHECKING:
    import torch
    from PIL import Image

logger = logging.getLogger(__name__)

PATHS = ("fast", "exact")
ENGINES = ("onnx", "torch")


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

    @property
    def threads(self) -> int:
        """Intra-op threads of torch and of each ONNX Runtime session (``INFERENCE_THREADS``;
        0: the library's default, one per core)."""
        if self._threads is not None:
            return self._threads
        from django.conf import settings

        return int(getattr(settings, "INFERENCE_THREADS", 0))

    @property
    def compile(self) -> bool:
        """Whether a fast torch copy is compiled (``INFERENCE_COMPILE``)."""
        if self._compile is not None:
            return self._compile
        from django.conf import settings

        return bool(getattr(settings, "INFERENCE_COMPILE", False))

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
            threads = self.threads
            configure_threads(threads)
            card = self.card(name)
            module = load_generator(card, device=self.device)
            fast = None
            if self.path == "fast":
                fast = fast_server(
                    card,
                    module,
                    engine=self.engine,
                    threads=threads,
                    device=self.device,
                    compile=self.compile,
                )
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
        """The sketch classifier, loaded on first use (on the CPU: it is tiny) and kept; on
        the fast path with the onnx engine its exported graph guesses (ONNX Runtime, the
        generators' session options and ``INFERENCE_THREADS``), otherwise the torch module.

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
                engine = self.engine if self.path == "fast" else "torch"
                self._classifier = load_classifier(card, engine=engine, threads=self.threads)
                logger.info("Loaded sketch classifier %s (%s).", card.name, self._classifier.engine)
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
