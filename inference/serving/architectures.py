"""The kinds of generator the engine can serve: each owns its config, its loading and its drawing.

A model card's ``architecture.type`` names one. The registry reads cards without torch and asks
the kind only which card key lists the labels the network is told; the runtime asks it to build
the config, load the checked weights and draw. Adding a kind is adding an entry here, not a
flag inside a network's constructor.

* ``pix2pix-unet`` — the pix2pix generators (``kids7``, ``kids2``, ``kids2p``): a 256 px sketch in,
  a 256 px picture out, fill cleaning after the network; served through a fast copy.
* ``palette-unet`` — the palette painter (``kids3``, :mod:`inference.serving.palette`): a colour per
  shape from a palette, the child's lines laid over at full size; pictures of at least 512 px, and
  ``variants`` for "New colours".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import torch
    from PIL import Image

PIX2PIX = "pix2pix-unet"
PALETTE = "palette-unet"


@dataclass(frozen=True)
class Architecture:
    """What the engine needs to know of one kind of generator."""

    type: str
    labels_key: str  # the architecture key listing the labels the network is told
    has_fast_copy: bool  # whether the runtime's fast path (bf16 copy, compile) applies
    makes_variants: bool  # whether it can redraw a picture in other colours ("New colours")

    def config(self, data: Mapping[str, Any]) -> Any:
        """The network's config from the card's architecture (less ``type``)."""
        if self.type == PALETTE:
            from inference.serving.palette.network import PaletteNetConfig

            return PaletteNetConfig.from_dict(dict(data))
        from inference.serving.pix2pix.generator_config import GeneratorConfig

        return GeneratorConfig.from_dict(dict(data))

    def load(
        self,
        weights: Path,
        config: Any,
        *,
        sha256: str,
        device: str | torch.device,
        card: Mapping[str, Any],
    ) -> Any:
        """The drawable: a torch module (pix2pix) or a painter (palette), weights hash-checked.
        Raises :class:`inference.serving.pix2pix.checkpoints.CheckpointError`."""
        from inference.serving.pix2pix import checkpoints

        if self.type == PALETTE:
            from inference.serving.palette.colours import Palette
            from inference.serving.palette.painter import PalettePainter

            if "palette" not in card:
                raise checkpoints.CheckpointError("the card has no palette")
            return PalettePainter.from_weights(
                checkpoints.read_weights(weights, sha256=sha256),
                config,
                Palette.from_dict(card["palette"]),
                card=dict(card),
            )
        return checkpoints.load_generator(weights, config, sha256=sha256, device=device)

    def draw(
        self,
        loaded: Any,
        sketches: Sequence[Image.Image],
        categories: Sequence[str] | None,
        *,
        variants: Sequence[int] | None = None,
    ) -> list[Image.Image]:
        """Pictures for ``sketches`` with a palette painter (pix2pix draws through the
        runtime's own path, with its fast copy)."""
        import numpy as np
        from PIL import Image

        arrays = [np.asarray(s.convert("RGB")) for s in sketches]
        things = list(categories) if categories is not None else [None] * len(arrays)
        pictures = loaded.paint(arrays, things, variants=variants)
        return [Image.fromarray(p) for p in pictures]


ARCHITECTURES: dict[str, Architecture] = {
    PIX2PIX: Architecture(PIX2PIX, "condition", has_fast_copy=True, makes_variants=False),
    PALETTE: Architecture(PALETTE, "labels", has_fast_copy=False, makes_variants=True),
}


def architecture(type_name: str) -> Architecture:
    """The kind named ``type_name``; ``ValueError`` naming the known ones otherwise."""
    try:
        return ARCHITECTURES[type_name]
    except KeyError:
        known = ", ".join(f'"{t}"' for t in ARCHITECTURES)
        raise ValueError(f'architecture "type" must be one of {known}, not {type_name!r}') from None
