"""The palette U-Net: line and hint planes plus a thing's label in, palette-colour logits out.

An encoder of stride-2 4x4 convolutions (pix2pix's), a decoder that upsamples by nearest
neighbour and then convolves (resize-convolution: no transposed-convolution checkerboard, Odena
et al. 2016), instance norm (each picture normalised on its own, so batching never changes an
answer) and no dropout. The thing the child picked is a learned vector, added to the first
layer's output and at the bottleneck. Output: logits over the palette at half the input's
side, which :mod:`inference.serving.palette.painting` turns into one colour per shape. Plain torch.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, cast

import torch
from torch import nn

from inference.serving.pix2pix.hints import PLANES


@dataclass(frozen=True)
class PaletteNetConfig:
    """Everything that shapes the network; the model card stores it as ``architecture``."""

    colours: int = 64  # palette size: the number of output logits
    labels: tuple[str, ...] = ()  # the things and themes it is told, in embedding order
    embed_dim: int = 16
    ngf: int = 32
    max_channels: int = 256
    downs: int = 8  # 256 px in: down to 1 x 1

    @property
    def input_planes(self) -> int:
        return PLANES

    @property
    def min_input_size(self) -> int:
        return 2**self.downs

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["labels"] = list(self.labels)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PaletteNetConfig:
        # "kind" named the architecture in the cards of kids3's first epochs; the card's
        # architecture "type" says it now.
        known = {k: v for k, v in data.items() if k != "kind"}
        known["labels"] = tuple(known.get("labels", ()))
        return cls(**known)

    def label_indices(self, slugs: Sequence[str | None]) -> torch.Tensor:
        """Embedding rows for each slug: 0 for none or an unknown one, 1 + its index else."""
        index = {slug: i + 1 for i, slug in enumerate(self.labels)}
        return torch.tensor([index.get(s or "", 0) for s in slugs], dtype=torch.long)


def _down(cin: int, cout: int, *, norm: bool) -> nn.Sequential:
    layers: list[nn.Module] = [nn.Conv2d(cin, cout, 4, stride=2, padding=1, bias=not norm)]
    if norm:
        layers.append(nn.InstanceNorm2d(cout, affine=True))
    layers.append(nn.LeakyReLU(0.2, inplace=True))
    return nn.Sequential(*layers)


def _up(cin: int, cout: int, *, norm: bool) -> nn.Sequential:
    layers: list[nn.Module] = [
        nn.Upsample(scale_factor=2, mode="nearest"),
        nn.Conv2d(cin, cout, 3, padding=1, bias=not norm),
    ]
    if norm:
        layers.append(nn.InstanceNorm2d(cout, affine=True))
    layers.append(nn.ReLU(inplace=True))
    return nn.Sequential(*layers)


class PaletteUnet(nn.Module):
    """``forward(planes, labels)``: ``N x 5 x S x S`` split planes and ``N`` embedding rows
    (:meth:`PaletteNetConfig.label_indices`) to ``N x K x S/2 x S/2`` palette logits."""

    def __init__(self, config: PaletteNetConfig) -> None:
        super().__init__()
        self.config = config
        widths = [min(config.ngf * 2**i, config.max_channels) for i in range(config.downs)]
        self.widths = widths
        self.embedding = nn.Embedding(len(config.labels) + 1, config.embed_dim)
        # The label enters as a shift of the first layer's output (what constant input planes
        # would add, without convolving them) and again at the bottleneck.
        self.to_first = nn.Linear(config.embed_dim, widths[0])
        self.to_bottleneck = nn.Linear(config.embed_dim, widths[-1])
        downs = []
        cin = config.input_planes
        for i, width in enumerate(widths):
            # No norm on the first layer (pix2pix) nor where the map is 1 x 1 or 2 x 2.
            downs.append(_down(cin, width, norm=0 < i < config.downs - 2))
            cin = width
        self.downs = nn.ModuleList(downs)
        ups = []
        for i in range(config.downs - 1, 0, -1):
            skip = widths[i - 1]
            # Half the skip's width coming up: the decoder only has to place colours.
            cout = max(config.ngf, skip // 2) if i < config.downs - 1 else widths[i]
            ups.append(_up(cin, cout, norm=i < config.downs - 2))
            cin = cout + skip
        self.ups = nn.ModuleList(ups)
        self.head = nn.Sequential(
            nn.Conv2d(cin, config.ngf, 3, padding=1),
            nn.ReLU(inplace=True),
            nn.Conv2d(config.ngf, config.colours, 1),
        )

    def forward(self, planes: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        vectors = self.embedding(labels)
        x = planes
        skips = []
        for i, down in enumerate(self.downs):
            if i == 0:
                layers = cast("nn.Sequential", down)
                first = layers[0](x) + self.to_first(vectors)[:, :, None, None].to(x.dtype)
                x = layers[1:](first)
            else:
                x = down(x)
            skips.append(x)
        x = x + self.to_bottleneck(vectors)[:, :, None, None].to(x.dtype)
        for up, skip in zip(self.ups, reversed(skips[:-1]), strict=True):
            x = torch.cat([up(x), skip], dim=1)
        return self.head(x)


def build_palette_net(config: PaletteNetConfig) -> PaletteUnet:
    """A freshly initialised network (normal(0, 0.02) convolutions, as pix2pix)."""
    net = PaletteUnet(config)
    for module in net.modules():
        if isinstance(module, nn.Conv2d):
            nn.init.normal_(module.weight, 0.0, 0.02)
            if module.bias is not None:
                nn.init.zeros_(module.bias)
        elif isinstance(module, nn.InstanceNorm2d) and module.weight is not None:
            nn.init.normal_(module.weight, 1.0, 0.02)
            nn.init.zeros_(module.bias)
    return net
