"""Install a palette painter as a generator: fp16 safetensors + its model card, in a directory.

The card is the registry's (:mod:`inference.serving.registry`): name, categories, the architecture
with ``type: palette-unet``, the weights' sha256, and — what this kind needs besides — its palette.
Provenance (sources and licences, epochs, metrics) goes in beside; promotion fills it in.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import save_file

from inference.serving.architectures import PALETTE
from inference.serving.palette.colours import Palette
from inference.serving.palette.network import PaletteUnet
from inference.serving.palette.regions import REGIONS_PREFIX, RegionScorer
from inference.serving.registry import (
    CARD_SUFFIX,
    WEIGHTS_SUFFIX,
    GeneratorCard,
    file_sha256,
    parse_card,
)


def install_painter(
    net: PaletteUnet,
    palette: Palette,
    directory: Path,
    *,
    name: str,
    categories: Iterable[Mapping[str, str]],
    priority: int = 0,
    extra: Mapping[str, Any] | None = None,
    regions: RegionScorer | None = None,
) -> GeneratorCard:
    """Write ``<name>.safetensors`` (float16; the region model's tensors, when there is one,
    beside the network's as ``regions.*``) and ``<name>.json`` into ``directory``; return the
    parsed card (so a card the registry would refuse is never left looking installed)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    weights = directory / f"{name}{WEIGHTS_SUFFIX}"
    tensors = dict(net.state_dict())
    if regions is not None:
        tensors |= {REGIONS_PREFIX + k: torch.from_numpy(v) for k, v in regions.state.items()}
    state = {k: v.detach().to(torch.float16).contiguous() for k, v in tensors.items()}
    save_file(state, str(weights), metadata={"format": "pt", "name": name})
    card = {
        "name": name,
        "categories": [dict(c) for c in categories],
        "architecture": {"type": PALETTE, **net.config.to_dict()},
        "palette": palette.to_dict(),
        **({"regions": regions.config.to_dict()} if regions is not None else {}),
        "weights": weights.name,
        "sha256": file_sha256(weights),
        "dtype": "float16",
        "priority": priority,
        **(extra or {}),
    }
    card_path = directory / f"{name}{CARD_SUFFIX}"
    card_path.write_text(json.dumps(card, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return parse_card(card_path, check_architecture=True)
