"""The pix2pix objective and one update: D on real and generated pairs, then G to fool D and
stay close to the picture (GAN + λ·L1), fp16 autocast with loss scaling on CUDA.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch
import torch.nn.functional as F

from inference.lab.pix2pix.training.config import TrainConfig
from inference.serving.pix2pix.conditioning import with_condition
from inference.serving.pix2pix.hints import split_sketch

if TYPE_CHECKING:
    from inference.lab.pix2pix.training.checkpoints import Nets


def gan_loss(logits: torch.Tensor, real: bool, mode: str) -> torch.Tensor:
    """The paper's adversarial loss (``vanilla``) or least squares (``lsgan``)."""
    target = torch.full_like(logits, 1.0 if real else 0.0)
    if mode == "lsgan":
        return F.mse_loss(logits, target)
    return F.binary_cross_entropy_with_logits(logits, target)


def fit_batch(
    cfg: TrainConfig,
    nets: Nets,
    plain: torch.Tensor,
    target: torch.Tensor,
    labels: torch.Tensor,
) -> tuple[torch.Tensor, int]:
    """One loader batch (RGB sketches, pictures, labels) through :func:`train_step`; returns its
    losses and how many pictures it held.

    With colour hints the generator reads line and hint planes (and embeds the labels itself)
    while D sees those planes with one-hot labels; otherwise both read the RGB sketch followed
    by the one-hot condition planes."""
    if cfg.colour_hints:
        planes, picture = nets.inputs(split_sketch(plain), target)
        seen_by_d = with_condition(planes, labels, cfg.planes)
        losses = train_step(cfg, nets, planes, picture, labels=labels, seen_by_d=seen_by_d)
    else:
        sketch, picture = nets.inputs(with_condition(plain, labels, cfg.planes), target)
        losses = train_step(cfg, nets, sketch, picture)
    return losses, len(picture)


def train_step(
    cfg: TrainConfig,
    nets: Nets,
    sketch: torch.Tensor,
    picture: torch.Tensor,
    *,
    labels: torch.Tensor | None = None,
    seen_by_d: torch.Tensor | None = None,
) -> torch.Tensor:
    """One pix2pix update of D then G; returns ``[loss_D, loss_G_gan, loss_G_L1]`` as a
    detached tensor on the device (reading it is left to the log interval).

    ``sketch`` is the generator's input (with ``labels`` for a generator that embeds them);
    D sees ``seen_by_d`` (the sketch planes and one-hot labels) beside a picture, or
    ``sketch`` when that is not given."""
    net_g, net_d, opt_g, opt_d, scaler = nets.net_g, nets.net_d, nets.opt_g, nets.opt_d, nets.scaler
    condition = sketch if seen_by_d is None else seen_by_d
    autocast = torch.autocast("cuda", dtype=torch.float16, enabled=scaler is not None)
    with autocast:
        fake = net_g(sketch) if labels is None else net_g(sketch, labels)
        # D: real pairs up, generated pairs down
        loss_d = 0.5 * (
            gan_loss(net_d(torch.cat([condition, fake.detach()], 1)), False, cfg.gan_mode)
            + gan_loss(net_d(torch.cat([condition, picture], 1)), True, cfg.gan_mode)
        )
    opt_d.zero_grad(set_to_none=True)
    _step(loss_d, opt_d, scaler)
    net_d.requires_grad_(False)  # G's step needs no gradients for D's weights
    with autocast:  # G: fool D and stay close to the picture
        loss_g_gan = gan_loss(net_d(torch.cat([condition, fake], 1)), True, cfg.gan_mode)
        loss_g_l1 = F.l1_loss(fake.float(), picture)
    opt_g.zero_grad(set_to_none=True)
    _step(loss_g_gan + cfg.lambda_L1 * loss_g_l1, opt_g, scaler)
    net_d.requires_grad_(True)
    if scaler is not None:
        scaler.update()
    return torch.stack([loss_d, loss_g_gan, loss_g_l1]).detach().float()


def _step(loss: torch.Tensor, opt: torch.optim.Optimizer, scaler: torch.amp.GradScaler | None):
    if scaler is None:
        loss.backward()
        opt.step()
    else:
        scaler.scale(loss).backward()
        scaler.step(opt)
