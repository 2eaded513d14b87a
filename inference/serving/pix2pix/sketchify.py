"""Make clean line art look like a child drew it.

The seed project's warning: a generator trained on tidy outlines meets wobbly, gappy, unevenly
thick strokes at serving time. Each training sketch is therefore pushed toward children's
strokes, and checkpoints are judged on child-like sketches.

Two kinds of change, kept apart on purpose:

* geometry shared by sketch and picture (placement, size, rotation, a slow wobble), so the
  picture still sits exactly under the lines and the generator learns to *follow* the strokes;
* stroke damage on the sketch alone (tremor, uneven width, gaps, ink colour), so the generator
  learns to ignore it.

Plain torch + numpy; every random choice comes from the ``numpy.random.Generator`` passed in,
so a seed reproduces a sketch exactly. Tensors are 3 x H x W in [-1, 1] like the generator's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F


@dataclass(frozen=True)
class SketchStyle:
    """How far :func:`sketchify_pair` may push a drawing (all distances in pixels at 256)."""

    scale_range: tuple[float, float] = (0.6, 1.1)  # children draw small, or fill the page
    shift_fraction: float = 0.15  # off-centre placement, as a fraction of the side
    rotate_degrees: float = 10.0
    shear: float = 0.08
    wobble_px: float = 8.0  # slow bend of whole strokes (shared with the picture)
    tremor_px: float = 1.2  # fast shake of the hand (sketch only)
    width_px: int = 2  # scale of the uneven thinning/thickening (blur sigma of the re-cut)
    max_gaps: int = 8
    gap_radius_px: tuple[float, float] = (2.0, 5.0)
    coloured_ink_probability: float = 0.2
    clean_probability: float = 0.1  # sometimes keep the tidy line art, which is a sketch too


def _smooth_field(
    rng: np.random.Generator, size: int, cells: int, amplitude: float, channels: int = 2
) -> torch.Tensor:
    """A smooth random field (channels x size x size): noise on a coarse grid, upsampled."""
    coarse = torch.from_numpy(rng.standard_normal((1, channels, cells, cells)).astype(np.float32))
    field = F.interpolate(coarse, size=(size, size), mode="bicubic", align_corners=True)
    return field[0] * amplitude


def _sampling_grid(
    rng: np.random.Generator, size: int, style: SketchStyle, *, shared: bool
) -> torch.Tensor:
    """1 x H x W x 2 grid for ``grid_sample``: an affine placement plus smooth displacement."""
    if shared:
        scale = rng.uniform(*style.scale_range)
        angle = np.deg2rad(rng.uniform(-style.rotate_degrees, style.rotate_degrees))
        shear = rng.uniform(-style.shear, style.shear)
        tx, ty = rng.uniform(-style.shift_fraction, style.shift_fraction, size=2) * 2
        cos, sin = np.cos(angle) / scale, np.sin(angle) / scale
        # affine_grid maps *output* coordinates to input ones, hence the inverse scale.
        theta = torch.tensor([[[cos, -sin + shear, tx], [sin, cos, ty]]], dtype=torch.float32)
        grid = F.affine_grid(theta, [1, 1, size, size], align_corners=False)
        flow = _smooth_field(rng, size, int(rng.integers(3, 6)), style.wobble_px / 2)
    else:
        grid = F.affine_grid(torch.eye(2, 3)[None], [1, 1, size, size], align_corners=False)
        flow = _smooth_field(rng, size, int(rng.integers(12, 24)), style.tremor_px / 2)
    # Displacement in pixels to grid units (the grid spans 2 units over ``size`` pixels).
    return grid + flow.permute(1, 2, 0)[None] * (2.0 / size)


def _warp(ink: torch.Tensor, grid: torch.Tensor) -> torch.Tensor:
    # Warping "ink" (1 - paper) lets zero padding mean white paper outside the drawing.
    return F.grid_sample(
        ink[None], grid, mode="bilinear", padding_mode="zeros", align_corners=False
    )[0]


def _dilate(mask: torch.Tensor, radius: int) -> torch.Tensor:
    return F.max_pool2d(mask[None], 2 * radius + 1, stride=1, padding=radius)[0]


def _blur(mask: torch.Tensor, sigma: float) -> torch.Tensor:
    radius = max(1, round(3 * sigma))
    x = torch.arange(-radius, radius + 1, dtype=torch.float32)
    kernel = torch.exp(-(x**2) / (2 * sigma**2))
    kernel = kernel / kernel.sum()
    out = F.conv2d(mask[None], kernel.view(1, 1, 1, -1), padding=(0, radius))
    return F.conv2d(out, kernel.view(1, 1, -1, 1), padding=(radius, 0))[0]


def _uneven_width(mask: torch.Tensor, rng: np.random.Generator, style: SketchStyle) -> torch.Tensor:
    """Thin strokes in some places and thicken them in others (1 x H x W mask in [0, 1]).

    A blurred stroke is a soft ridge; cutting it at a lower level gives a wider line and at a
    higher level a thinner one. Letting the level drift slowly across the page makes the width
    change along a stroke the way a pressed or lifted crayon does, and the cut stays crisp.
    """
    if style.width_px < 1:
        return mask
    size = mask.shape[-1]
    ridge = _blur(mask, sigma=style.width_px)
    # Normalise by the local peak so thin strokes and filled areas get the same treatment.
    local_peak = _dilate(ridge, 3 * style.width_px + 1).clamp_min(0.05)
    ridge = ridge / local_peak
    bias = rng.uniform(-0.15, 0.25)  # most sketch pens are thinner than OpenMoji's 7 px lines
    drift = _smooth_field(rng, size, int(rng.integers(3, 8)), 0.15, channels=1)
    level = (0.45 + bias + drift).clamp(0.15, 0.8)
    return torch.sigmoid((ridge - level) * 25.0)


def _gaps(mask: torch.Tensor, rng: np.random.Generator, style: SketchStyle) -> torch.Tensor:
    """Lift the pen: erase a few short bits of stroke."""
    count = int(rng.integers(0, style.max_gaps + 1))
    ys, xs = torch.nonzero(mask[0] > 0.5, as_tuple=True)
    if count == 0 or len(ys) == 0:
        return mask
    size = mask.shape[-1]
    yy, xx = torch.meshgrid(torch.arange(size), torch.arange(size), indexing="ij")
    keep = torch.ones_like(mask[0])
    for index in rng.integers(0, len(ys), size=count):
        radius = rng.uniform(*style.gap_radius_px)
        dist2 = (yy - ys[index]).float() ** 2 + (xx - xs[index]).float() ** 2
        keep = keep * (dist2 > radius**2).float()
    return mask * keep


def _ink_colour(rng: np.random.Generator, style: SketchStyle) -> torch.Tensor:
    if rng.random() < style.coloured_ink_probability:
        colour = rng.uniform(0.0, 0.45, size=3)  # a dark crayon or a pencil grey
    else:
        colour = np.full(3, rng.uniform(0.0, 0.15))
    return torch.tensor(colour, dtype=torch.float32).view(3, 1, 1)


def sketchify_pair(
    sketch: torch.Tensor,
    picture: torch.Tensor,
    rng: np.random.Generator,
    style: SketchStyle | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Return ``(child-like sketch, picture)`` for a clean ``(line art, picture)`` pair.

    Both are 3 x S x S tensors in [-1, 1]; the picture only gets the shared geometry.
    """
    style = style or SketchStyle()
    size = sketch.shape[-1]
    grid = _sampling_grid(rng, size, style, shared=True)
    picture_ink = _warp((1.0 - picture) / 2.0, grid)
    new_picture = 1.0 - 2.0 * picture_ink
    if rng.random() < style.clean_probability:
        return 1.0 - 2.0 * _warp((1.0 - sketch) / 2.0, grid), new_picture

    # Strokes as a single ink mask: line art is black on white, so darkness is the stroke.
    mask = ((1.0 - sketch) / 2.0).mean(dim=0, keepdim=True)
    mask = _warp(mask, grid)
    mask = _warp(mask, _sampling_grid(rng, size, style, shared=False))
    mask = _uneven_width(mask, rng, style)
    mask = _gaps(mask, rng, style).clamp(0.0, 1.0)
    ink = _ink_colour(rng, style)
    paper = 1.0 - mask * (1.0 - ink)  # ink over white paper, in [0, 1]
    return paper * 2.0 - 1.0, new_picture


def sketchify(sketch: torch.Tensor, seed: int, style: SketchStyle | None = None) -> torch.Tensor:
    """A child-like version of one line-art tensor (3 x S x S in [-1, 1]); same seed, same look."""
    rng = np.random.default_rng(seed)
    return sketchify_pair(sketch, torch.ones_like(sketch), rng, style)[0]
