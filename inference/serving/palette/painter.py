"""A loaded palette painter: sketch (any side) + the thing picked → a picture of at least 512 px.

:class:`PalettePainter` holds the network, its palette and its card, and paints one sketch at a
time or a batch (the network runs on the batch, the painting per picture, so a picture does not
depend on its batch). With no ``engine`` it is the exact torch path: training checkpoints,
evaluation and audits use it. Serving gives it an ``engine`` (:meth:`PalettePainter.with_engine`:
the same network exported to ONNX and run by ONNX Runtime, :mod:`inference.serving.engine`) that
computes the palette probabilities in its place; the painting after them is the same code.
"""

from __future__ import annotations

import dataclasses
import json
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import torch

from inference.serving.palette.colours import Palette
from inference.serving.palette.network import PaletteNetConfig, PaletteUnet, build_palette_net
from inference.serving.palette.painting import (
    OUTPUT_MIN_SIDE,
    UNET_WEIGHT,
    WORK_SIDE,
    Shapes,
    colouring_areas,
    lay_lines,
    paint_fills,
)
from inference.serving.palette.regions import (
    REGIONS_PREFIX,
    RegionConfig,
    RegionScorer,
    shape_features,
    share_twins,
)
from inference.serving.pix2pix.checkpoints import read_weights
from inference.serving.pix2pix.hints import split_sketch
from inference.serving.things import theme_of


def work_sketches(sketches: Sequence[np.ndarray]) -> np.ndarray:
    """RGB uint8 sketches of any side at the work side (area averaging), ``N x S x S x 3``."""
    side = WORK_SIDE
    return np.stack([
        s if s.shape[0] == side else cv2.resize(s, (side, side), interpolation=cv2.INTER_AREA)
        for s in sketches
    ])  # fmt: skip


def split_planes(work: np.ndarray) -> torch.Tensor:
    """The split planes (``N x 5 x S x S``) of work-size sketches: lines and colour hints."""
    return split_sketch(torch.from_numpy(work).permute(0, 3, 1, 2).float() / 127.5 - 1.0)


def output_sketch(sketch: np.ndarray) -> np.ndarray:
    """The sketch at the output side: as drawn when it is at least 512 px, else scaled up."""
    if sketch.shape[0] >= OUTPUT_MIN_SIDE:
        return sketch
    side = OUTPUT_MIN_SIDE
    return cv2.resize(sketch, (side, side), interpolation=cv2.INTER_CUBIC)


class PaletteNetwork:
    """A painter's U-Net: its config at once, the torch module when it is first needed. A
    painter that paints without its network (a region model, the card's sure areas off) is
    served without ever building it; its exact reference (``with_sure_areas(True)``) builds it
    from the weights it was loaded with, once, for every painter that shares it."""

    def __init__(
        self,
        config: PaletteNetConfig,
        *,
        module: PaletteUnet | None = None,
        weights: Mapping[str, torch.Tensor] | None = None,
    ) -> None:
        if module is None and weights is None:
            raise ValueError("a palette network needs its module or its weights")
        self.config = config
        self._module = module
        self._weights = weights
        self._lock = threading.Lock()

    @classmethod
    def of(cls, net: PaletteUnet) -> PaletteNetwork:
        """A network already built (in the mode it is in)."""
        return cls(net.config, module=net)

    @property
    def built(self) -> bool:
        return self._module is not None

    def module(self) -> PaletteUnet:
        """The U-Net in eval mode, gradients off: built from the weights on the first call."""
        if self._module is None:
            with self._lock:
                if self._module is None:
                    assert self._weights is not None  # set whenever no module is
                    net = build_palette_net(self.config)
                    net.load_state_dict({k: v.float() for k, v in self._weights.items()})
                    net.eval()
                    net.requires_grad_(False)
                    self._module, self._weights = net, None
        return self._module


@dataclass
class PalettePainter:
    """A palette U-Net in eval mode with its palette; :meth:`paint` draws pictures."""

    network: PaletteNetwork
    palette: Palette
    card: dict[str, Any]
    regions: RegionScorer | None = None
    # Computes the palette probabilities instead of ``net`` (the served path): split planes and
    # label rows in, ``N x K x 128 x 128`` probabilities out.
    engine: Callable[[torch.Tensor, torch.Tensor], Any] | None = None

    @property
    def net(self) -> PaletteUnet:
        """The torch U-Net (the exact path, export, audits): built when first asked for."""
        return self.network.module()

    @property
    def engine_name(self) -> str:
        """What computes the probabilities: "onnxruntime" or "torch"."""
        return str(getattr(self.engine, "engine_name", "torch")) if self.engine else "torch"

    @property
    def precision(self) -> str:
        """What runs, in words (for logs and benchmarks)."""
        precision = getattr(self.engine, "precision", None)
        return str(precision) if precision else "float32, torch"

    @property
    def uses_network(self) -> bool:
        """Whether a picture needs the U-Net: without a region model it chooses every colour;
        with one, its evidence is weighed in (``UNET_WEIGHT``) or it paints the paper where it
        is sure (a leaky outline), unless the card turns that off (``painting.sure_areas``:
        false, when the judge found it changed no picture). When False, :meth:`paint` does not
        run the network at all."""
        if self.regions is None or UNET_WEIGHT:
            return True
        return bool(self.card.get("painting", {}).get("sure_areas", True))

    def with_sure_areas(self, on: bool) -> PalettePainter:
        """This painter with the network's sure areas painted or not (``painting.sure_areas``
        on its card): the benchmark's reference keeps them, to show what they cost."""
        painting = {**self.card.get("painting", {}), "sure_areas": on}
        return dataclasses.replace(self, card={**self.card, "painting": painting})

    def with_engine(self, engine: Callable[[torch.Tensor, torch.Tensor], Any]) -> PalettePainter:
        """This painter with its probabilities computed by ``engine`` (an exported network)."""
        return dataclasses.replace(self, engine=engine)

    @classmethod
    def load(cls, weights: Path | str, card: Path | str | None = None) -> PalettePainter:
        """From a training checkpoint's ``.safetensors`` file and its JSON card (beside it by
        default). Installed generators load through :mod:`inference.serving.architectures`."""
        weights = Path(weights)
        card_path = Path(card) if card else weights.with_suffix(".json")
        data = json.loads(card_path.read_text(encoding="utf-8"))
        architecture = {k: v for k, v in data["architecture"].items() if k != "type"}
        return cls.from_weights(
            read_weights(weights),
            PaletteNetConfig.from_dict(architecture),
            Palette.from_dict(data["palette"]),
            card=data,
        )

    def with_regions(self, weights: Path | str, card: Path | str | None = None) -> PalettePainter:
        """This painter with a region model from its own files (``train_region_colours``)."""
        weights = Path(weights)
        card_path = Path(card) if card else weights.with_suffix(".json")
        data = json.loads(card_path.read_text(encoding="utf-8"))
        model = RegionScorer.from_state(
            RegionConfig.from_dict(data["regions"]), read_weights(weights)
        )
        merged = {**self.card, "regions": data["regions"]}
        return dataclasses.replace(self, card=merged, regions=model)

    @classmethod
    def from_weights(
        cls,
        weights: Mapping[str, torch.Tensor],
        config: PaletteNetConfig,
        palette: Palette,
        *,
        card: dict[str, Any],
    ) -> PalettePainter:
        """A painter from its network's weights (any float dtype: fp16 is a storage format);
        the region model's (``regions.*``, its config the card's ``regions``) when it has one.
        The U-Net is built now when pictures need it, else only when first asked for
        (:class:`PaletteNetwork`)."""
        network = PaletteNetwork(
            config,
            weights={k: v for k, v in weights.items() if not k.startswith(REGIONS_PREFIX)},
        )
        regions = None
        if "regions" in card:
            regions = RegionScorer.from_state(
                RegionConfig.from_dict(card["regions"]),
                {k.removeprefix(REGIONS_PREFIX): v for k, v in weights.items()
                 if k.startswith(REGIONS_PREFIX)},
            )  # fmt: skip
        painter = cls(network=network, palette=palette, card=card, regions=regions)
        if painter.uses_network:
            network.module()  # a bad checkpoint fails at load, as before
        return painter

    @torch.no_grad()
    def probabilities(self, planes: torch.Tensor, labels: Sequence[str | None]) -> np.ndarray:
        """``N x K x 128 x 128`` palette probabilities for split planes and things."""
        rows = self.network.config.label_indices(labels)
        if self.engine is not None:
            return np.asarray(self.engine(planes, rows), dtype=np.float32)
        return torch.softmax(self.net(planes, rows).float(), dim=1).numpy()

    def paint(
        self,
        sketches: Sequence[np.ndarray],
        labels: Sequence[str | None],
        *,
        variants: Sequence[int] | None = None,
    ) -> list[np.ndarray]:
        """Pictures (``H x W x 3`` uint8, H = max(512, the sketch's side)) for RGB sketches."""
        work = work_sketches(sketches)
        probs = self.probabilities(split_planes(work), labels) if self.uses_network else None
        pictures = []
        for i, sketch in enumerate(sketches):
            variant = variants[i] if variants else 0
            areas = colouring_areas(work[i])
            fills = paint_fills(
                work[i],
                None if probs is None else probs[i],
                self.palette,
                colouring=areas,
                variant=variant,
                regions=self._region_probabilities(labels[i]),
                brighten=theme_of(labels[i] or "") != "face",
            )
            pictures.append(lay_lines(fills, output_sketch(sketch), areas))
        return pictures

    def _region_probabilities(self, label: str | None) -> Any:
        if self.regions is None:
            return None
        regions = self.regions

        def probabilities(shapes: Shapes) -> np.ndarray:
            features = shape_features(shapes.labels, shapes.paper, shapes.areas)
            return share_twins(features, regions.probabilities(features, label))

        return probabilities
