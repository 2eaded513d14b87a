"""pix2pix networks: the U-Net generator and the PatchGAN discriminator.

Their configuration is :mod:`inference.serving.pix2pix.generator_config`; what they read besides the
sketch (input planes, condition labels) is :mod:`inference.serving.pix2pix.conditioning`.

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

import torch
from torch import nn

from inference.serving.pix2pix.conditioning import memory_format, network_input, with_condition
from inference.serving.pix2pix.generator_config import NORMS, GeneratorConfig


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
                x = torch.cat([x, grid], 1).contiguous(memory_format=memory_format(x))
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
