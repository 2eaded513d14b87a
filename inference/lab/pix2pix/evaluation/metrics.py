"""What is measured on one picture drawn from one child's sketch.

* **line following** — :func:`line_following`: recall is the share of the child's stroke
  pixels that lie within ``tolerance`` px of an edge or a dark line in the picture, precision
  the share of the picture's edges that lie within ``tolerance`` px of a stroke (Chamfer-style,
  with Sobel edges); :func:`lines_dark`, the stricter "the line is still a line";
* **fill** — :func:`fill_fraction`: the share of the area inside the sketch's outline that is
  not left paper-white;
* **colourfulness** — :func:`colourfulness` (Hasler & Süsstrunk 2003);
* **paired L1, PSNR, SSIM** against the target picture where one exists.

The thresholds are the constants below; the report's metric descriptions are built from them.
"""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

INK_LEVEL = 128  # luminance (0..255) below which a sketch pixel is a stroke
WHITE_LEVEL = 200  # every channel above this: paper-white (or the faintest cream tint)
EDGE_GRADIENT = 0.1  # Sobel magnitude (on 0..1 images) of an edge; a clean black/white step is 0.5
LINE_TOLERANCE_PX = 3
GAP_CLOSING_PX = 6  # children's outlines have gaps up to ~10 px; close them to find the inside
PSNR_CAP_DB = 100.0  # identical pictures: a large finite number keeps means and JSON sane
SSIM_WINDOW = 11  # Wang et al.'s reference settings: an 11x11 Gaussian window, σ 1.5
SSIM_SIGMA = 1.5


def _rgb01(image: Image.Image) -> torch.Tensor:
    """3 x H x W float tensor in [0, 1]."""
    array = np.asarray(image.convert("RGB"), dtype=np.float32) / 255.0
    return torch.from_numpy(array.copy()).permute(2, 0, 1)


def _luma(image: Image.Image) -> np.ndarray:
    return np.asarray(image.convert("L"), dtype=np.float32)


def near(mask: np.ndarray, radius: int) -> np.ndarray:
    """Pixels within ``radius`` px (a square neighbourhood) of any ``True`` pixel of ``mask``."""
    if radius <= 0:
        return mask.astype(bool)
    tensor = torch.from_numpy(mask.astype(np.float32))[None, None]
    grown = F.max_pool2d(tensor, 2 * radius + 1, stride=1, padding=radius)
    return grown[0, 0].numpy() > 0


def stroke_mask(sketch: Image.Image, level: int = INK_LEVEL) -> np.ndarray:
    """The child's strokes: pixels darker than ``level`` (pencil grey and dark crayons count)."""
    return _luma(sketch) < level


def edge_mask(picture: Image.Image, gradient: float = EDGE_GRADIENT) -> np.ndarray:
    """Boundaries in a picture: the Sobel gradient of any RGB channel exceeds ``gradient``.

    Working per channel finds colour boundaries that keep the same brightness (red next to
    green), which a luminance-only detector misses. Borders are replicated, so the frame of
    the image is never an edge.
    """
    rgb = _rgb01(picture)[:, None]  # 3 x 1 x H x W: each channel through the same kernels
    kx = torch.tensor([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]]) / 8.0
    kernels = torch.stack([kx, kx.T])[:, None]  # 2 x 1 x 3 x 3
    grads = F.conv2d(F.pad(rgb, (1, 1, 1, 1), mode="replicate"), kernels)
    magnitude = grads.pow(2).sum(dim=1).sqrt().amax(dim=0)
    return (magnitude > gradient).numpy()


def line_following(
    sketch: Image.Image, picture: Image.Image, tolerance: int = LINE_TOLERANCE_PX
) -> tuple[float, float]:
    """``(recall, precision)`` of the picture's lines against the child's strokes, 0..1 each.

    * recall: the share of stroke pixels within ``tolerance`` px of an edge of the picture or
      of a dark (stroke-like) pixel — the child's line is still there, as a line or a border;
    * precision: the share of the picture's edge pixels within ``tolerance`` px of a stroke —
      edges the child did not draw (smudges, invented detail) lower it.

    A picture with no edges has precision 0; a sketch with no strokes gives recall 1.
    """
    strokes = stroke_mask(sketch)
    edges = edge_mask(picture)
    lines = edges | stroke_mask(picture)
    recall = float(near(lines, tolerance)[strokes].mean()) if strokes.any() else 1.0
    precision = float(near(strokes, tolerance)[edges].mean()) if edges.any() else 0.0
    return recall, precision


def lines_dark(sketch: Image.Image, picture: Image.Image, level: int = INK_LEVEL) -> float:
    """Share of the child's stroke pixels that are still dark (ink) in the picture.

    Stricter than :func:`line_following`'s recall, which also accepts a colour border where
    the stroke was: a child expects the line they drew to stay a line. 1.0 without strokes.
    """
    strokes = stroke_mask(sketch)
    if not strokes.any():
        return 1.0
    return float((_luma(picture)[strokes] < level).mean())


def f1(recall: float, precision: float) -> float:
    """Harmonic mean of recall and precision (0 when both are 0)."""
    return 0.0 if recall + precision == 0 else 2 * recall * precision / (recall + precision)


def interior_mask(sketch: Image.Image, closing: int = GAP_CLOSING_PX) -> np.ndarray:
    """The area inside the sketch's outline, not counting the strokes and a margin around them.

    Children leave gaps, so strokes are first thickened by ``closing`` px; paper that cannot
    be reached from the border of the page through those walls is inside. Thin open strokes
    (a single line, a stick figure) enclose nothing and give an empty mask.
    """
    walls = near(stroke_mask(sketch), closing)
    return ~_reachable_from_border(~walls) & ~walls


def _reachable_from_border(open_area: np.ndarray) -> np.ndarray:
    """Pixels of ``open_area`` connected (8-neighbourhood) to the image border through it.

    A flood fill by repeated 3x3 dilation inside ``open_area``, checked for convergence every
    few steps; fast in torch where a pixel-by-pixel fill in Python is not.
    """
    allowed = torch.from_numpy(open_area.astype(np.float32))[None, None]
    seed = torch.zeros_like(allowed)
    seed[..., 0, :] = seed[..., -1, :] = 1
    seed[..., :, 0] = seed[..., :, -1] = 1
    reached = seed * allowed
    while True:
        before = reached
        for _ in range(16):
            reached = F.max_pool2d(reached, 3, stride=1, padding=1) * allowed
        if torch.equal(reached, before):
            return reached[0, 0].numpy() > 0


def paper_white(picture: Image.Image, level: int = WHITE_LEVEL) -> np.ndarray:
    """Pixels that are still paper: every channel brighter than ``level``."""
    return np.asarray(picture.convert("RGB")).min(axis=2) > level


def fill_fraction(picture: Image.Image, interior: np.ndarray) -> float:
    """Share of ``interior`` (see :func:`interior_mask`) that the picture did not leave white.

    ``nan`` when the interior is empty, so open doodles do not count for or against.
    """
    if not interior.any():
        return math.nan
    return float((~paper_white(picture))[interior].mean())


def colourfulness(picture: Image.Image) -> float:
    """Hasler & Süsstrunk's colourfulness M of the whole picture (0 for greys; ~59 "quite").

    ``rg = R - G``, ``yb = (R + G) / 2 - B`` on 0..255 values;
    ``M = sqrt(σ_rg² + σ_yb²) + 0.3 · sqrt(μ_rg² + μ_yb²)``.
    """
    rgb = np.asarray(picture.convert("RGB"), dtype=np.float64)
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    rg, yb = r - g, 0.5 * (r + g) - b
    spread = math.hypot(float(rg.std()), float(yb.std()))
    mean = math.hypot(float(rg.mean()), float(yb.mean()))
    return spread + 0.3 * mean


def l1_error(picture: Image.Image, target: Image.Image) -> float:
    """Mean absolute difference on 0..1 RGB values (half the training log's [-1, 1] L1)."""
    return float((_rgb01(picture) - _rgb01(target)).abs().mean())


def psnr(picture: Image.Image, target: Image.Image) -> float:
    """Peak signal-to-noise ratio in dB (peak 1.0), capped at :data:`PSNR_CAP_DB` for copies."""
    mse = float((_rgb01(picture) - _rgb01(target)).pow(2).mean())
    return PSNR_CAP_DB if mse <= 10 ** (-PSNR_CAP_DB / 10) else -10.0 * math.log10(mse)


def ssim(
    picture: Image.Image,
    target: Image.Image,
    window: int = SSIM_WINDOW,
    sigma: float = SSIM_SIGMA,
) -> float:
    """Structural similarity (Wang et al. 2004), mean over RGB channels and valid windows.

    The reference settings: an 11x11 Gaussian window (σ 1.5), K1 0.01, K2 0.03, data range 1.
    1 for identical pictures, near 0 for unrelated ones.
    """
    x, y = _rgb01(picture)[:, None], _rgb01(target)[:, None]
    coords = torch.arange(window, dtype=torch.float32) - (window - 1) / 2
    g = torch.exp(-(coords**2) / (2 * sigma**2))
    g = g / g.sum()

    def blur(t: torch.Tensor) -> torch.Tensor:  # separable Gaussian, valid windows only
        return F.conv2d(F.conv2d(t, g.view(1, 1, 1, -1)), g.view(1, 1, -1, 1))

    mu_x, mu_y = blur(x), blur(y)
    var_x = blur(x * x) - mu_x**2
    var_y = blur(y * y) - mu_y**2
    cov = blur(x * y) - mu_x * mu_y
    c1, c2 = 0.01**2, 0.03**2
    index = ((2 * mu_x * mu_y + c1) * (2 * cov + c2)) / (
        (mu_x**2 + mu_y**2 + c1) * (var_x + var_y + c2)
    )
    return float(index.mean())
