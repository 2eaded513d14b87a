"""The generators the judging commands (``evaluate_generators``, ``judge_pictures``) name.

A candidate on the command line is a training run folder (all its
``checkpoints/epoch-*.safetensors``), one checkpoint file, a folder of checkpoints, or the name
of an installed generator: :func:`resolve` turns it into ``(display name, loader)`` pairs, the
loader giving the bare network. :func:`installed_drawer` and :func:`palette_drawer` instead
draw a dev set the way a child would see it: an installed generator as served, a palette
painter from its checkpoint.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from django.core.management.base import CommandError
from PIL import Image

from inference.serving import registry

if TYPE_CHECKING:
    import torch

Loader = Callable[[], "torch.nn.Module"]
# Sketches and things in, pictures out (RGB arrays), for a whole dev set.
Drawer = Callable[[list[np.ndarray], list[str]], list[np.ndarray]]

# Sketches drawn per call when a dev set is drawn.
CHUNK = 8


def resolve(name: str, generators_dir: Path | None = None) -> list[tuple[str, Loader]]:
    """``(display name, loader)`` pairs for one command-line candidate."""
    path = Path(name)
    if path.is_dir():
        folder = path / "checkpoints" if (path / "checkpoints").is_dir() else path
        files = sorted(folder.glob("*.safetensors"))
        files = [f for f in files if f.with_suffix(".json").is_file()]
        if not files:
            raise CommandError(
                f"{path} holds no checkpoints (*.safetensors with a .json beside them)."
            )
        return [file_candidate(f) for f in files]
    if path.suffix == ".safetensors" or os.sep in name:
        if not path.is_file():
            raise CommandError(f"{path}: no such checkpoint file.")
        return [file_candidate(path)]
    try:
        card = registry.get_card(name, generators_dir)
    except registry.RegistryError as exc:
        raise CommandError(
            f'"{name}" is not a checkpoint file, a run folder or an installed generator. {exc}'
        ) from exc
    return [(card.name, lambda: registry.load_generator(card))]


def file_candidate(path: Path) -> tuple[str, Loader]:
    """A checkpoint file with its card beside it: a registry pair loads the registry's way."""
    card_path = path.with_suffix(".json")
    if not card_path.is_file():
        raise CommandError(f"{path} has no {card_path.name} beside it (its architecture).")
    try:
        document = json.loads(card_path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise CommandError(f"{card_path}: unreadable ({exc})") from exc
    if isinstance(document, dict) and document.get("name") == path.stem and "sha256" in document:
        # A registry pair copied elsewhere: load it the registry's way (hash-checked).
        try:
            card = registry.parse_card(card_path)
        except registry.RegistryError as exc:
            raise CommandError(str(exc)) from exc
        return card.name, lambda: registry.load_generator(card)
    from inference.serving.pix2pix.checkpoints import load_generator

    label = (
        f"{path.parent.parent.name}/{path.stem}" if path.parent.name == "checkpoints" else path.stem
    )
    return label, lambda: load_generator(path)


def in_chunks(
    draw_chunk: Callable[[list[np.ndarray], list[str]], Sequence[np.ndarray]],
) -> Drawer:
    """A drawer that draws :data:`CHUNK` sketches at a time with ``draw_chunk``."""

    def draw(sketches: list[np.ndarray], things: list[str]) -> list[np.ndarray]:
        pictures: list[np.ndarray] = []
        for start in range(0, len(sketches), CHUNK):
            pictures += draw_chunk(sketches[start : start + CHUNK], things[start : start + CHUNK])
        return pictures

    return draw


def installed_drawer(name: str) -> Drawer:
    """The installed generator ``name`` drawing as served (exact path, at the served size)."""
    from inference.serving.loaded_generator import SKETCH_SIZE
    from inference.serving.runtime import get_runtime

    loaded = get_runtime().generator(name)

    def draw_chunk(sketches: list[np.ndarray], things: list[str]) -> list[np.ndarray]:
        chunk = [
            Image.fromarray(s).resize((SKETCH_SIZE, SKETCH_SIZE), Image.Resampling.LANCZOS)
            for s in sketches
        ]
        return [np.asarray(p.convert("RGB")) for p in loaded.draw(chunk, things, exact=True)]

    return in_chunks(draw_chunk)


def palette_drawer(checkpoint: Path, regions: Path | None = None) -> Drawer:
    """A palette painter's checkpoint painting (with a region model when ``regions`` is given)."""
    from inference.serving.palette.painter import PalettePainter

    painter = PalettePainter.load(checkpoint)
    if regions is not None:
        painter = painter.with_regions(regions)
    return in_chunks(painter.paint)
