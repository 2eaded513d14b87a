"""pix2pix networks: the U-Net generator and the PatchGAN discriminator.

Plain torch, no Django: this module is copied to GPU boxes for training.

The layout follows Isola et al., "Image-to-Image Translation with Conditional Adversarial
Networks" (2017), and the layer recipe of the reference implementation
(junyanz/pytorch-CycleGAN-and-pix2pix), written out as an explicit encoder/decoder instead of
nested blocks so the skip connections are visible. One deliberate difference: the reference
applies ``LeakyReLU(inplace=True)`` to a tensor that is later reused as a skip connection, so its
skips silently carry the activated values; here no activation runs in place and each skip carries
exactly what the encoder level produced.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

NORMS = ("instance", "batch", "none")
# What the generator reads from the child's sketch: the RGB sketch as it is, or its split into
# a line plane and colour-hint planes (``inference.pix2pix.hints.split_sketch``).
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
    # lines close is pulled toward the shape's own colour by this much (inference.pix2pix.fills,
    # applied by inference.pix2pix.drawing.draw); 0: the pixels as the network made them.
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


class BatchInvariantConvTranspose2d(nn.ConvTranspose2d):
    """``nn.ConvTranspose2d`` whose CPU float32 result for a sample never depends on its batch.

    oneDNN (the default CPU backend) picks its transposed-convolution kernel and thread split
    from the batch size, so with two or more threads a sample's activations differ by ~1e-6
    between, say, a batch of 1 and a batch of 5; after the final rounding to uint8 that flips
    pixels. ATen's native ``slow_conv_transpose2d`` runs one GEMM of the same shape per sample,
    so the result is identical at every batch size and batch position (measured for 1-16
    threads), at about the same speed for this network. Forward ``Conv2d`` layers need no such
    care: with 4x4 kernels PyTorch always routes them to oneDNN, whose forward kernels were
    batch-invariant in the same measurements. Same parameters, same state-dict keys, and
    autograd works, so training and serving share the module. Other devices and dtypes use the
    stock implementation.
    """

    def forward(self, input: torch.Tensor, output_size: list[int] | None = None) -> torch.Tensor:
        """Transposed convolution, routed to the batch-invariant kernel on CPU float32."""
        if input.device.type != "cpu" or input.dtype != torch.float32 or output_size is not None:
            return super().forward(input, output_size)
        return torch.ops.aten.slow_conv_transpose2d(
            input,
            self.weight,
            list(self.kernel_size),
            self.bias,
            list(self.stride),
            list(self.padding),
            list(self.output_padding),
            list(self.dilation),
        )


def _norm_layer(norm: str, channels: int) -> nn.Module:
    if norm == "instance":
        # No affine parameters and no running statistics: every sample is normalised with its
        # own statistics in training and at inference alike, so a picture never depends on the
        # other sketches in its batch.
        return nn.InstanceNorm2d(channels, affine=False, track_running_stats=False)
    if norm == "batch":
        return nn.BatchNorm2d(channels)
    return nn.Identity()


def _conv_bias(norm: str) -> bool:
    # Batch norm brings its own shift, so a conv bias before it would be redundant.
    return norm != "batch"


class UnetGenerator(nn.Module):
    """U-Net generator: ``num_downs`` encoder levels mirrored by decoder levels with skips.

    Encoder level ``i`` outputs ``ngf * min(2**i, 8)`` channels at half the resolution of its
    input. Decoder level ``i`` takes the concatenation of encoder level ``i``'s output and the
    decoder output from level ``i + 1`` (the innermost level takes the bottleneck alone).
    """

    def __init__(self, config: GeneratorConfig) -> None:
        super().__init__()
        self.config = config
        n, ngf, norm = config.num_downs, config.ngf, config.norm
        bias = _conv_bias(norm)
        channels = [ngf * min(2**i, 8) for i in range(n)]

        downs: list[nn.Module] = []
        for i in range(n):
            if i == 0:
                downs.append(nn.Conv2d(config.input_nc, channels[0], 4, 2, 1, bias=bias))
                continue
            layers: list[nn.Module] = [
                nn.LeakyReLU(0.2),
                nn.Conv2d(channels[i - 1], channels[i], 4, 2, 1, bias=bias),
            ]
            # The bottleneck is 1x1 at the default depth; normalising a single value per
            # channel would zero it, so the innermost level has no norm (as in the paper).
            if i < n - 1:
                layers.append(_norm_layer(norm, channels[i]))
            downs.append(nn.Sequential(*layers))

        ups: list[nn.Module] = []
        for i in range(n):
            in_ch = channels[i] if i == n - 1 else channels[i] * 2
            if i == 0:
                ups.append(
                    nn.Sequential(
                        nn.ReLU(),
                        BatchInvariantConvTranspose2d(in_ch, config.output_nc, 4, 2, 1),
                        nn.Tanh(),
                    )
                )
                continue
            layers = [
                nn.ReLU(),
                BatchInvariantConvTranspose2d(in_ch, channels[i - 1], 4, 2, 1, bias=bias),
                _norm_layer(norm, channels[i - 1]),
            ]
            # Dropout is the paper's noise source, only in the deep 8*ngf levels; eval()
            # turns it off, which is what keeps inference deterministic.
            if config.use_dropout and 4 <= i < n - 1:
                layers.append(nn.Dropout(0.5))
            ups.append(nn.Sequential(*layers))

        self.downs = nn.ModuleList(downs)
        self.ups = nn.ModuleList(ups)
        if config.embed_dim:
            # Row 0 is "no label". The input planes start random with zero first-layer weights
            # (grown from an older generator) or random ones (fresh); the bottleneck shift starts
            # at zero, so a grown generator starts exactly where it was.
            labels = len(config.condition) + 1
            self.label_planes = nn.Embedding(labels, config.embed_dim)
            self.label_shift = nn.Embedding(labels, channels[-1])
            nn.init.zeros_(self.label_shift.weight)

    def forward(self, x: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        """Map an NCHW batch in [-1, 1] to an NCHW batch in [-1, 1].

        A conditioned generator takes either its full input (sketch and condition planes, as
        in training) or an RGB sketch plus ``labels``, each sample's index into
        ``config.condition`` (see :meth:`GeneratorConfig.labels_for`); without labels the
        planes stay zero, the "any category" input that training also shows it.
        """
        config = self.config
        side = config.min_input_size
        if x.shape[-1] % side or x.shape[-2] % side:
            raise ValueError(
                f"input of {tuple(x.shape[-2:])} pixels: both sides must be multiples of {side}"
            )
        # Serving and export hand over the planes already (network_input, outside the
        # network); an RGB sketch given here directly goes through the same function.
        x = network_input(config, x)
        planes = config.condition_planes
        if planes and x.shape[1] == config.input_nc - planes:
            if labels is None:
                labels = torch.full((x.shape[0],), -1, dtype=torch.long)
            labels = labels.to(x.device)
            if config.embed_dim:
                vectors = self.label_planes(labels.clamp(min=-1) + 1).to(x.dtype)
                grid = vectors[:, :, None, None].expand(-1, -1, x.shape[-2], x.shape[-1])
                x = torch.cat([x, grid], 1).contiguous(memory_format=_memory_format(x))
            else:
                x = with_condition(x, labels, planes)
        elif labels is not None:
            raise ValueError("labels are only for a sketch given to a conditioned generator")
        elif config.embed_dim:
            raise ValueError("a generator with label embeddings takes the sketch and its labels")
        skips: list[torch.Tensor] = []
        h = x
        for down in self.downs:
            h = down(h)
            skips.append(h)
        if config.embed_dim and labels is not None:
            shift = self.label_shift(labels.clamp(min=-1) + 1).to(h.dtype)
            skips[-1] = skips[-1] + shift[:, :, None, None]
        h = self.ups[-1](skips[-1])
        for i in range(len(self.ups) - 2, -1, -1):
            h = self.ups[i](torch.cat([skips[i], h], dim=1))
        return h


def network_input(config: GeneratorConfig, sketches: torch.Tensor) -> torch.Tensor:
    """What the network reads of an N x 3 x H x W RGB batch in [-1, 1]: the sketch itself, or
    its line and colour-hint planes (:func:`inference.pix2pix.hints.split_sketch`). The one
    pre-processing for training, serving and export alike, kept outside the network so the
    network exports as a plain graph (the split sizes its filters with Python ``round()``).
    A batch that already has the network's planes is returned as it is."""
    if config.sketch_input == "hints" and sketches.shape[1] == 3:
        from inference.pix2pix.hints import split_sketch

        return split_sketch(sketches)
    return sketches


def condition_labels(
    module: object, categories: Sequence[str | None] | None, *, strict: bool = False
) -> torch.Tensor | None:
    """Plane indices for drawing ``categories`` with ``module``, or None when it is not
    conditioned (or no categories are given). A category it was not trained on becomes "any
    category" (-1), as for a dev sketch of a category the generator does not serve; with
    ``strict`` it is a ``ValueError`` instead (serving never guesses)."""
    config = getattr(module, "config", None)
    if not isinstance(config, GeneratorConfig) or not config.condition or categories is None:
        return None
    if strict:
        return config.labels_for(list(categories))
    return config.labels_for([c if c in config.condition else None for c in categories])


def with_condition(sketch: torch.Tensor, labels: torch.Tensor, planes: int) -> torch.Tensor:
    """``sketch`` (N x C x H x W) followed by ``planes`` constant one-hot planes per sample.

    ``labels`` holds each sample's plane index; -1 gives all-zero planes (no category). Each
    sample's planes depend on its own label only, so batching stays invariant.
    """
    if planes == 0:
        return sketch
    labels = labels.to(sketch.device)
    onehot = F.one_hot(labels.clamp(min=0), planes) * (labels >= 0).unsqueeze(1)
    n, _, height, width = sketch.shape
    grid = onehot.to(sketch.dtype)[:, :, None, None].expand(n, planes, height, width)
    return torch.cat([sketch, grid], dim=1).contiguous(memory_format=_memory_format(sketch))


def _memory_format(tensor: torch.Tensor) -> torch.memory_format:
    channels_last = tensor.dim() == 4 and tensor.is_contiguous(memory_format=torch.channels_last)
    if channels_last and not tensor.is_contiguous():
        return torch.channels_last
    return torch.contiguous_format


def build_generator(config: GeneratorConfig | None = None) -> UnetGenerator:
    """Build an (uninitialised) U-Net generator for ``config`` (defaults when omitted)."""
    return UnetGenerator(config or GeneratorConfig())


class NLayerDiscriminator(nn.Module):
    """PatchGAN discriminator: classifies overlapping patches as real or fake.

    With ``n_layers=3`` each output logit sees a 70x70 patch of the input. For pix2pix the
    input is the sketch and the picture concatenated, so ``input_nc`` is usually 6.
    """

    def __init__(
        self, input_nc: int = 6, ndf: int = 64, n_layers: int = 3, norm: str = "batch"
    ) -> None:
        super().__init__()
        if n_layers < 1:
            raise ValueError(f"n_layers must be at least 1, not {n_layers}")
        if norm not in NORMS:
            raise ValueError(f"norm must be one of {', '.join(NORMS)}, not {norm!r}")
        bias = _conv_bias(norm)
        layers: list[nn.Module] = [nn.Conv2d(input_nc, ndf, 4, 2, 1), nn.LeakyReLU(0.2)]
        mult = 1
        for n in range(1, n_layers):
            prev, mult = mult, min(2**n, 8)
            layers += [
                nn.Conv2d(ndf * prev, ndf * mult, 4, 2, 1, bias=bias),
                _norm_layer(norm, ndf * mult),
                nn.LeakyReLU(0.2),
            ]
        prev, mult = mult, min(2**n_layers, 8)
        layers += [
            nn.Conv2d(ndf * prev, ndf * mult, 4, 1, 1, bias=bias),
            _norm_layer(norm, ndf * mult),
            nn.LeakyReLU(0.2),
            nn.Conv2d(ndf * mult, 1, 4, 1, 1),
        ]
        self.model = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Return one logit per patch (N x 1 x H' x W')."""
        return self.model(x)


def init_weights(
    net: nn.Module, gain: float = 0.02, generator: torch.Generator | None = None
) -> nn.Module:
    """Initialise ``net`` in place as in pix2pix: conv weights ~ N(0, gain), biases 0.

    Batch-norm scales get N(1, gain). Pass a seeded ``torch.Generator`` for reproducible
    weights without touching the global RNG. Returns ``net`` for chaining.
    """
    for module in net.modules():
        if isinstance(module, nn.Conv2d | nn.ConvTranspose2d | nn.Linear):
            nn.init.normal_(module.weight, 0.0, gain, generator=generator)
            if module.bias is not None:
                nn.init.zeros_(module.bias)
        elif isinstance(module, nn.BatchNorm2d):
            nn.init.normal_(module.weight, 1.0, gain, generator=generator)
            nn.init.zeros_(module.bias)
    return net
