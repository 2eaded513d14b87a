"""The architecture of a pix2pix U-Net generator, as stored in every model card.

Plain torch, no Django: the card's ``architecture`` read and checked, before any network is
built from it (:mod:`inference.serving.pix2pix.networks`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch

NORMS = ("instance", "batch", "none")
# What the generator reads from the child's sketch: the RGB sketch as it is, or its split into
# a line plane and colour-hint planes (``inference.serving.pix2pix.hints.split_sketch``).
SKETCH_INPUTS = {"rgb": 3, "hints": 5}


def _check_strength(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0.0 <= value <= 1.0:
        raise ValueError(f"{name} must be a number from 0 to 1, not {value!r}")


@dataclass(frozen=True)
class GeneratorConfig:
    """Architecture of a pix2pix U-Net generator; stored in every model card.

    ``num_downs`` is the number of stride-2 downsamplings: 8 takes a 256x256 image to 1x1 at
    the bottleneck, so inputs must be square with a side divisible by ``2 ** num_downs``.
    """

    input_nc: int = 3
    output_nc: int = 3
    num_downs: int = 8
    ngf: int = 64
    norm: str = "instance"
    use_dropout: bool = False
    # Category slugs the generator is conditioned on, in plane order: the input is the RGB
    # sketch plus one constant plane per category (1 for the chosen one, 0 elsewhere), so
    # ``input_nc`` is 3 + len(condition). Empty: an unconditional generator.
    condition: tuple[str, ...] = ()
    # "rgb": the sketch's three channels; "hints": its line and colour-hint planes, split from
    # the RGB sketch by ``network_input`` before the network (drawing does it for every caller).
    sketch_input: str = "rgb"
    # > 0: each condition label is a learned vector of this size, given as constant input
    # planes and added at the bottleneck (instead of one one-hot plane per label).
    embed_dim: int = 0
    # 0-1: after the forward pass, colour that wanders a little inside each shape the child's
    # lines close is pulled toward the shape's own colour by this much
    # (inference.serving.pix2pix.fills, applied by inference.serving.pix2pix.drawing.draw); 0: the
    # pixels as the network made them.
    clean_fills: float = 0.0

    def __post_init__(self) -> None:
        if isinstance(self.condition, list):  # from JSON
            object.__setattr__(self, "condition", tuple(self.condition))
        if not all(isinstance(slug, str) and slug for slug in self.condition):
            raise ValueError(f"condition must be a list of category slugs, not {self.condition!r}")
        if len(set(self.condition)) != len(self.condition):
            raise ValueError(f"condition lists a category twice: {list(self.condition)}")
        if self.sketch_input not in SKETCH_INPUTS:
            raise ValueError(
                f"sketch_input must be one of {', '.join(SKETCH_INPUTS)}, not {self.sketch_input!r}"
            )
        if isinstance(self.embed_dim, bool) or not isinstance(self.embed_dim, int):
            raise ValueError(f"embed_dim must be a whole number, not {self.embed_dim!r}")
        if self.embed_dim < 0 or (self.embed_dim and not self.condition):
            raise ValueError("embed_dim needs a condition list and must not be negative")
        conditioned = self.condition or self.sketch_input != "rgb"
        if conditioned and self.input_nc != self.sketch_planes + self.condition_planes:
            raise ValueError(
                f"input_nc must be {self.sketch_planes} sketch planes + {self.condition_planes} "
                f"condition planes, not {self.input_nc}"
            )
        for field_name in ("input_nc", "output_nc", "num_downs", "ngf"):
            value = getattr(self, field_name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{field_name} must be a positive integer, not {value!r}")
        if self.num_downs < 2:
            raise ValueError(f"num_downs must be at least 2, not {self.num_downs}")
        if self.norm not in NORMS:
            raise ValueError(f"norm must be one of {', '.join(NORMS)}, not {self.norm!r}")
        if not isinstance(self.use_dropout, bool):
            raise ValueError(f"use_dropout must be true or false, not {self.use_dropout!r}")
        _check_strength("clean_fills", self.clean_fills)

    @property
    def sketch_planes(self) -> int:
        """Planes the sketch becomes: 3 (RGB) or 5 (line + hint colour + hint mask)."""
        return SKETCH_INPUTS[self.sketch_input]

    @property
    def condition_planes(self) -> int:
        """Constant planes after the sketch: one per label, or ``embed_dim`` learned ones."""
        if not self.condition:
            return 0
        return self.embed_dim or len(self.condition)

    @property
    def min_input_size(self) -> int:
        """Smallest square input side the generator accepts (also its required divisor)."""
        return 2**self.num_downs

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict of the fields."""
        data = dataclasses.asdict(self)
        data["condition"] = list(self.condition)
        return data

    def labels_for(self, slugs: Sequence[str | None]) -> torch.Tensor:
        """Plane indices for category slugs (-1: no condition); ``ValueError`` for a slug the
        generator was not trained on."""
        index = {slug: i for i, slug in enumerate(self.condition)}
        unknown = sorted({s for s in slugs if s is not None and s not in index})
        if unknown:
            raise ValueError(
                f"this generator is conditioned on {', '.join(self.condition)}; "
                f"not on {', '.join(unknown)}"
            )
        return torch.tensor([-1 if s is None else index[s] for s in slugs], dtype=torch.long)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GeneratorConfig:
        """Build a config from a card's dict; unknown keys are an error, missing ones default.

        Raises ``ValueError`` with a readable message for anything malformed.
        """
        if not isinstance(data, dict):
            raise ValueError(f"architecture must be an object, not {type(data).__name__}")
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown architecture field(s): {', '.join(unknown)}")
        return cls(**data)
