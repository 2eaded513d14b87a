"""Split a child's RGB sketch into lines and colour hints: one function for training and serving.

A child draws outlines (thin strokes, in any crayon) and colours things in (scribbles or filled
areas). A generator that takes the colours as hints needs the two apart:

* **lines**: every dark stroke, and every thin stroke in any colour. A sky-blue outline is a
  line like a black one, so a sketch in any crayon looks the same to the generator.
* **hints**: coloured ink that covers an area: scribbles whose strokes lie close together, or
  a filled patch. Gaps between scribble strokes are closed (``SCRIBBLE_GAP_PX``), then
  anything narrower than ``LINE_MAX_PX`` is dropped (a thin coloured stroke is a line, not
  colour). The hint's colour is the mean crayon colour around each pixel of the area.
* dark neutral ink (black, a dark pencil) is always a line, even a filled black patch: the
  generator keeps lines dark, so it comes back black either way.

:func:`split_sketch` works on a batch of ``[-1, 1]`` RGB tensors and returns five planes per
sketch, ``[line, hint_r, hint_g, hint_b, hint_mask]``: the line plane is grey paper (1 paper,
-1 ink), the hint colour is in [-1, 1] where the mask is 1 and 0 elsewhere. It is plain torch
(separable max/avg pooling), computed in float32 whatever the caller's dtype, per sample (so
batching never changes a result), and fast enough to run inside the generator's forward pass:
that is where it runs, for training, evaluation and serving alike.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

PLANES = 5  # line, hint r, g, b, hint mask
REFERENCE_SIDE = 256  # the sizes below are pixels at this side and scale with the sketch
SCRIBBLE_GAP_PX = (
    4  # closing radius: gaps up to ~2x this + 1 px between scribble strokes are filled
)
LINE_MAX_PX = 6  # opening radius: coloured ink narrower than ~2x this + 1 px is a line
# Ink: how far a pixel is from white paper (1 - its darkest channel), 0 below PAPER_NOISE.
PAPER_NOISE = 0.08
INK_FULL = 0.40
# Dark neutral ink (black, dark pencil) is always a line: low luminance and low chroma.
DARK_LUMINANCE = 0.38
NEUTRAL_CHROMA = 0.18
OTHER_CRAYON = 0.3  # colour distance (largest channel difference) of another crayon
RESIDUE_REACH_PX = 24  # how far a scribble's loose ends reach out of its closed area
COVERAGE = 0.6  # share of the nearby full-strength ink that counts a pixel as covered


def _shift_max(x: torch.Tensor, radius: int, dim: int) -> torch.Tensor:
    # Max over a window of 2r+1 along ``dim``, same size out, outside the picture ignored:
    # r element-wise maxima of shifted views (stride-1 max_pool2d is ~30x slower on CPU).
    # A bool mask takes "or" (a byte a pixel instead of four: the masks below are binary).
    combine = torch.logical_or if x.dtype == torch.bool else torch.maximum
    size = int(x.shape[dim])
    out = x.clone()
    for d in range(1, min(radius, size - 1) + 1):
        ahead, behind = x.narrow(dim, d, size - d), x.narrow(dim, 0, size - d)
        out.narrow(dim, 0, size - d).copy_(combine(out.narrow(dim, 0, size - d), ahead))
        out.narrow(dim, d, size - d).copy_(combine(out.narrow(dim, d, size - d), behind))
    return out


def _pooled_max(x: torch.Tensor, radius: int) -> torch.Tensor:
    # The same maxima as _shift_max twice, as ONNX's MaxPool (stride 1; the padding counts as
    # minus infinity, so outside the picture is ignored): what an export traces, since in-place
    # writes into views do not export and ONNX Runtime's pooling is ~3x faster than shifts.
    binary = x.dtype == torch.bool
    y = x.float() if binary else x
    y = F.max_pool2d(y, (1, 2 * radius + 1), stride=1, padding=(0, radius))
    y = F.max_pool2d(y, (2 * radius + 1, 1), stride=1, padding=(radius, 0))
    return y > 0.5 if binary else y


def _max_pool(x: torch.Tensor, radius: int) -> torch.Tensor:
    """Square (2r+1)^2 max filter, separable; the same size out."""
    if radius <= 0:
        return x
    if torch.onnx.is_in_onnx_export():
        return _pooled_max(x, radius)
    return _shift_max(_shift_max(x, radius, -1), radius, -2)


def _dilate(mask: torch.Tensor, radius: int) -> torch.Tensor:
    return _max_pool(mask, radius)


def _erode(mask: torch.Tensor, radius: int) -> torch.Tensor:
    # Outside the picture is ignored, so an area at the border is not eaten from outside.
    return ~_max_pool(~mask, radius)


def _grow_within(seed: torch.Tensor, within: torch.Tensor, reach: int) -> torch.Tensor:
    """The pixels of ``within`` joined to ``seed`` through ``within`` within about ``reach``
    px (a geodesic dilation in 2 px steps, so a 1 px break still joins), without ``seed``;
    bool masks in and out."""
    grown = seed
    for _ in range(max(1, reach // 2)):
        grown = grown | (_dilate(grown, 2) & within)
    return grown & within & ~seed


def _local_mean_colour(
    rgb01: torch.Tensor, coloured: torch.Tensor, reach: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean colour of the ``coloured`` pixels within about ``reach`` px, and whether there are
    any, computed on a 4x coarser grid (a hint's colour is smooth by nature) and brought back
    to full size."""
    cells = 4
    side = int(rgb01.shape[-1])
    if side % cells:
        cells = 1
    ink = F.avg_pool2d(coloured, cells)
    paint = F.avg_pool2d(rgb01 * coloured, cells)
    radius = max(1, round(reach / cells))
    k = 2 * radius + 1
    ink = F.avg_pool2d(ink, k, stride=1, padding=radius, count_include_pad=False)
    paint = F.avg_pool2d(paint, k, stride=1, padding=radius, count_include_pad=False)
    colour = paint / ink.clamp(min=1e-4)
    if cells > 1:
        colour = F.interpolate(colour, scale_factor=cells, mode="bilinear", align_corners=False)
        ink = F.interpolate(ink, scale_factor=cells, mode="nearest")
    return colour, ink > 0


def _scaled(pixels: int, side: int) -> int:
    return max(1, round(pixels * side / REFERENCE_SIDE))


def ink_and_darkness(rgb01: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Per pixel: how much ink (0 paper .. 1 full crayon) and how far it is dark neutral ink
    (0 coloured .. 1 black), for an N x 3 x H x W batch in [0, 1]."""
    low = rgb01.amin(dim=1, keepdim=True)
    high = rgb01.amax(dim=1, keepdim=True)
    ink = ((1.0 - low - PAPER_NOISE) / (INK_FULL - PAPER_NOISE)).clamp(0.0, 1.0)
    r, g, b = rgb01[:, 0:1], rgb01[:, 1:2], rgb01[:, 2:3]
    luminance = 0.299 * r + 0.587 * g + 0.114 * b
    dark = ((DARK_LUMINANCE + 0.1 - luminance) / 0.1).clamp(0.0, 1.0)
    neutral = ((NEUTRAL_CHROMA + 0.06 - (high - low)) / 0.06).clamp(0.0, 1.0)
    return ink, dark * neutral


def split_sketch(sketch: torch.Tensor) -> torch.Tensor:
    """``[line, hint_r, hint_g, hint_b, hint_mask]`` planes for an N x 3 x H x W RGB batch in
    [-1, 1] (see the module's docstring); the result has the input's dtype and device."""
    if sketch.dim() != 4 or sketch.shape[1] != 3:
        raise ValueError(f"split_sketch takes an N x 3 x H x W batch, not {tuple(sketch.shape)}")
    dtype = sketch.dtype
    rgb01 = ((sketch.float() + 1.0) * 0.5).clamp(0.0, 1.0).contiguous()
    side = int(rgb01.shape[-1])  # a plain number, also while an export traces it
    gap, line_max = _scaled(SCRIBBLE_GAP_PX, side), _scaled(LINE_MAX_PX, side)
    ink, dark = ink_and_darkness(rgb01)
    # Covered by a crayon: at least half as strong as the strongest ink next to it, so the
    # soft (anti-aliased) rim of a stroke does not make it look wider than it is.
    strength = 1.0 - rgb01.amin(dim=1, keepdim=True)
    covered = strength > COVERAGE * _max_pool(strength, 2)
    # The masks are bool (binary by nature): morphology on them is "or" over bytes.
    coloured = (ink * (1.0 - dark) > 0.5) & covered
    closed = _erode(_dilate(coloured, gap), gap)
    area = _dilate(_erode(closed, line_max), line_max) & closed
    # Mean crayon colour of the coloured ink within reach of each pixel of the area.
    colour, _ = _local_mean_colour(rgb01, coloured.float(), 2 * gap)
    # An outline in another crayon touching the colouring (a blue ring round a red scribble)
    # is still a line: at the rim of an area, ink unlike the colour around it is left out of
    # the colour and kept as a line.
    unlike = (rgb01 - colour).abs().amax(dim=1, keepdim=True) > OTHER_CRAYON
    rim = area & ~_erode(area, gap)
    odd = coloured & rim & unlike
    colour, reached = _local_mean_colour(rgb01, (coloured & ~odd).float(), 2 * gap)
    mask = area & reached & ~odd
    # The loose ends of a scribble (the turns of a zigzag, a dab past the rest) are too thin
    # to survive the opening, yet they are colouring-in, not lines: crayon ink of the area's
    # colour joined to it within ``RESIDUE_REACH_PX`` joins the hint.
    like = coloured & ~unlike
    mask = mask | _grow_within(mask, like, _scaled(RESIDUE_REACH_PX, side))
    hint = (colour * 2.0 - 1.0).clamp(-1.0, 1.0) * mask
    # Lines: dark ink anywhere; other ink where it is not colouring-in (nor its ragged rim).
    near = _dilate(mask, gap // 2 + 1).float()
    line_alpha = ink * torch.maximum(torch.maximum(dark, 1.0 - near), odd.float())
    line = 1.0 - 2.0 * line_alpha
    mask = mask.float()
    planes = torch.cat([line, hint, mask], dim=1)
    return planes.to(dtype).contiguous(memory_format=_memory_format_of(sketch))


def _memory_format_of(tensor: torch.Tensor) -> torch.memory_format:
    if tensor.is_contiguous(memory_format=torch.channels_last) and not tensor.is_contiguous():
        return torch.channels_last
    return torch.contiguous_format


def planes_to_rgb(planes: torch.Tensor) -> torch.Tensor:
    """The split drawn back as one RGB picture (lines in black over hint colours on white):
    what the generator is given, for contact sheets and tests. ``planes`` is N x 5 x H x W."""
    line01 = (planes[:, 0:1] + 1.0) * 0.5  # 1 paper, 0 ink
    mask = planes[:, 4:5]
    hint01 = (planes[:, 1:4] + 1.0) * 0.5
    paper = mask * hint01 + (1.0 - mask)
    return (paper * line01) * 2.0 - 1.0
