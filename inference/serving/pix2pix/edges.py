"""Sketches from pictures: XDoG, Canny or HED edges, cleaned up like the pix2pix authors' HED.

The pix2pix datasets (edges2shoes, edges2handbags) were made by running HED on each photo and
then post-processing its soft edge map (``scripts/edges/PostprocessHED.m`` in the pix2pix
repository): threshold, thin to 1-pixel strokes, drop small connected components. We apply
the same clean-up to every detector here and then re-thicken the strokes with a dilation, so a
sketch extracted from any picture is clean black strokes of one width on white paper.

XDoG and Canny need nothing but OpenCV and scikit-image. HED needs weights we cannot download
here; the user brings them (see :class:`HedWeightsMissing` for what file goes where).

Plain numpy + OpenCV + scikit-image (+ torch for the HED network); no Django.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import cv2
import numpy as np
import torch
from PIL import Image
from skimage.morphology import thin
from torch import nn
from torch.nn import functional as F

EdgeMethod = Literal["xdog", "canny", "hed"]
METHODS: tuple[EdgeMethod, ...] = ("xdog", "canny", "hed")

# Where ``extract_sketch(method="hed")`` looks when no weights path is given.
DEFAULT_HED_DIR = Path(__file__).resolve().parents[3] / "data" / "models" / "hed"
HED_CAFFEMODEL = "hed_pretrained_bsds.caffemodel"
HED_PROTOTXT = "deploy.prototxt"
HED_SAFETENSORS = "hed.safetensors"
# The BGR mean the HED authors subtracted when training on BSDS500.
HED_BGR_MEAN = (104.00698793, 116.66876762, 122.67891434)

# Sizes below are in pixels for a 256-pixel picture and scale with the picture's longer side.
REFERENCE_SIDE = 256


@dataclass(frozen=True)
class CleanUp:
    """The HED post-processing of pix2pix, plus stroke re-thickening."""

    threshold: float = 25 / 255  # PostprocessHED.m's threshold on the soft edge map
    min_component_px: int = 10  # PostprocessHED.m drops components under 5 px at its scale
    stroke_px: int = 3  # width of the re-thickened strokes


class HedWeightsMissing(FileNotFoundError):
    """HED was asked for but no weights file is where we looked."""

    def __init__(self, looked_at: Path) -> None:
        super().__init__(
            f"HED edge extraction needs weights, and none were found at {looked_at}. "
            "Nothing is downloaded here, so supply one of:\n"
            f"  * the HED authors' Caffe model: put {HED_CAFFEMODEL} and {HED_PROTOTXT} "
            "(from the s9xie/hed project) together in one folder and pass the .caffemodel "
            f"path (or put them in {DEFAULT_HED_DIR});\n"
            "  * a safetensors state dict of inference.serving.pix2pix.edges.HedNetwork "
            f"({HED_SAFETENSORS}; weights of the sniklaus/pytorch-hed port load as they "
            "are once saved as safetensors).\n"
            "Or use method 'xdog' or 'canny', which need no weights."
        )
        self.looked_at = looked_at


def _scaled(pixels: float, shape: tuple[int, ...]) -> float:
    return pixels * max(shape[0], shape[1]) / REFERENCE_SIDE


def _as_rgb_array(image: Image.Image | np.ndarray) -> np.ndarray:
    """An H x W x 3 uint8 RGB array; transparent pixels are put on white paper."""
    if isinstance(image, np.ndarray):
        array = image
        if array.ndim == 2:
            array = np.repeat(array[:, :, None], 3, axis=2)
        if array.shape[2] == 4:
            image = Image.fromarray(array.astype(np.uint8), "RGBA")
        else:
            return np.ascontiguousarray(array[:, :, :3].astype(np.uint8))
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        paper = Image.new("RGBA", image.size, "white")
        image = Image.alpha_composite(paper, image.convert("RGBA"))
    return np.asarray(image.convert("RGB"), dtype=np.uint8)


def xdog_edges(
    rgb: np.ndarray,
    *,
    sigma: float = 0.9,
    k: float = 1.6,
    tau: float = 1.0,
    epsilon: float = -0.01,
    phi: float = 200.0,
) -> np.ndarray:
    """Soft XDoG line map in [0, 1] (1 = ink), after Winnemöller et al. 2012.

    ``D = G_sigma - tau * G_{k sigma}`` on each RGB channel in [0, 1], ink where ``D`` falls
    below ``epsilon`` with a ``tanh`` ramp of steepness ``phi``. Taking the darkest response of
    the three channels finds colour edges of equal brightness (red fur on green grass), which
    a grey-level XDoG misses. ``tau = 1`` keeps flat dark areas unfilled: we want outlines.
    """
    values = rgb.astype(np.float32) / 255.0
    s = _scaled(sigma, rgb.shape)
    fine = cv2.GaussianBlur(values, (0, 0), s)
    coarse = cv2.GaussianBlur(values, (0, 0), s * k)
    difference = (fine - tau * coarse).min(axis=2)
    paper = np.where(difference >= epsilon, 1.0, 1.0 + np.tanh(phi * (difference - epsilon)))
    return np.clip(1.0 - paper, 0.0, 1.0).astype(np.float32)


def canny_edges(
    rgb: np.ndarray, *, low: int = 50, high: int = 150, blur_sigma: float = 1.0
) -> np.ndarray:
    """Canny edges (float32, 1 = edge) on the colour image, after a light Gaussian blur."""
    blurred = cv2.GaussianBlur(rgb, (0, 0), _scaled(blur_sigma, rgb.shape))
    # OpenCV's Canny takes the strongest gradient over the three channels.
    edges = cv2.Canny(blurred, low, high, L2gradient=True)
    return (edges > 0).astype(np.float32)


class HedNetwork(nn.Module):
    """Holistically-nested edge detection (Xie & Tu 2015): VGG16 with five side outputs.

    Layer names follow the sniklaus/pytorch-hed port so its converted weights load as they are.
    Input: RGB in [0, 255]; output: soft edge map in [0, 1] of the input size.
    """

    def __init__(self) -> None:
        super().__init__()

        def stage(in_ch: int, out_ch: int, convs: int, pool: bool) -> nn.Sequential:
            layers: list[nn.Module] = [nn.MaxPool2d(2, 2)] if pool else []
            for i in range(convs):
                layers += [nn.Conv2d(in_ch if i == 0 else out_ch, out_ch, 3, padding=1), nn.ReLU()]
            return nn.Sequential(*layers)

        self.netVggOne = stage(3, 64, 2, pool=False)
        self.netVggTwo = stage(64, 128, 2, pool=True)
        self.netVggThr = stage(128, 256, 3, pool=True)
        self.netVggFou = stage(256, 512, 3, pool=True)
        self.netVggFiv = stage(512, 512, 3, pool=True)
        self.netScoreOne = nn.Conv2d(64, 1, 1)
        self.netScoreTwo = nn.Conv2d(128, 1, 1)
        self.netScoreThr = nn.Conv2d(256, 1, 1)
        self.netScoreFou = nn.Conv2d(512, 1, 1)
        self.netScoreFiv = nn.Conv2d(512, 1, 1)
        self.netCombine = nn.Sequential(nn.Conv2d(5, 1, 1), nn.Sigmoid())

    def forward(self, rgb: torch.Tensor) -> torch.Tensor:
        height, width = rgb.shape[2:]
        mean = torch.tensor(HED_BGR_MEAN, dtype=rgb.dtype, device=rgb.device).view(1, 3, 1, 1)
        x = rgb.flip(1) - mean  # trained on BGR
        sides = []
        for vgg, score in (
            (self.netVggOne, self.netScoreOne),
            (self.netVggTwo, self.netScoreTwo),
            (self.netVggThr, self.netScoreThr),
            (self.netVggFou, self.netScoreFou),
            (self.netVggFiv, self.netScoreFiv),
        ):
            x = vgg(x)
            side = score(x)
            sides.append(F.interpolate(side, size=(height, width), mode="bilinear"))
        return self.netCombine(torch.cat(sides, dim=1))


def _load_hed_network(path: Path) -> HedNetwork:
    from safetensors.torch import load_file

    state = {key.replace("module", "net"): value for key, value in load_file(str(path)).items()}
    network = HedNetwork()
    network.load_state_dict(state)
    return network.eval()


class _CaffeCrop:
    """The Caffe ``Crop`` layer HED's prototxt uses, which OpenCV's dnn lacks (from its sample)."""

    def __init__(self, params: object, blobs: object) -> None:
        self.y0 = self.x0 = self.y1 = self.x1 = 0

    def getMemoryShapes(self, inputs: list[list[int]]) -> list[list[int]]:  # noqa: N802
        (batch, channels, height, width), target = inputs[0], inputs[1]
        self.y0 = (height - target[2]) // 2
        self.x0 = (width - target[3]) // 2
        self.y1, self.x1 = self.y0 + target[2], self.x0 + target[3]
        return [[batch, channels, target[2], target[3]]]

    def forward(self, inputs: list[np.ndarray]) -> list[np.ndarray]:
        return [inputs[0][:, :, self.y0 : self.y1, self.x0 : self.x1]]


@functools.cache
def _register_caffe_crop() -> None:
    # Once per process: registering a layer twice aborts the process from inside OpenCV.
    cv2.dnn_registerLayer("Crop", _CaffeCrop)  # type: ignore[arg-type]


def _hed_caffe(rgb: np.ndarray, caffemodel: Path) -> np.ndarray:
    prototxt = caffemodel.with_name(HED_PROTOTXT)
    if not prototxt.exists():
        raise HedWeightsMissing(prototxt)
    _register_caffe_crop()
    network = cv2.dnn.readNetFromCaffe(str(prototxt), str(caffemodel))
    height, width = rgb.shape[:2]
    blob = cv2.dnn.blobFromImage(rgb, 1.0, (width, height), HED_BGR_MEAN, swapRB=True, crop=False)
    network.setInput(blob)
    return np.asarray(network.forward()[0, 0], dtype=np.float32)


def _resolve_hed_weights(weights: Path | None) -> Path:
    if weights is None:
        for name in (HED_SAFETENSORS, HED_CAFFEMODEL):
            if (DEFAULT_HED_DIR / name).exists():
                return DEFAULT_HED_DIR / name
        raise HedWeightsMissing(DEFAULT_HED_DIR)
    weights = Path(weights)
    if not weights.is_file():
        raise HedWeightsMissing(weights)
    if weights.suffix not in (".safetensors", ".caffemodel"):
        raise ValueError(f"HED weights must be a .safetensors or .caffemodel file, got {weights}")
    return weights


def hed_edges(rgb: np.ndarray, *, weights: Path | None = None) -> np.ndarray:
    """HED's soft edge map in [0, 1] (1 = edge), from user-supplied weights.

    Raises :class:`HedWeightsMissing` naming the file to supply when there are none.
    """
    path = _resolve_hed_weights(weights)
    if path.suffix == ".caffemodel":
        return _hed_caffe(rgb, path)
    network = _load_hed_network(path)
    with torch.inference_mode():
        tensor = torch.tensor(rgb, dtype=torch.float32).permute(2, 0, 1)[None]
        return network(tensor)[0, 0].numpy().astype(np.float32)


def clean_edges(edge_map: np.ndarray, cleanup: CleanUp = CleanUp()) -> np.ndarray:
    """Threshold, thin to 1 px, drop small components, re-thicken: boolean ink mask."""
    ink = edge_map > cleanup.threshold
    ink = thin(ink)
    _, labels, stats, _ = cv2.connectedComponentsWithStats(ink.astype(np.uint8), connectivity=8)
    min_px = max(1, round(_scaled(cleanup.min_component_px, ink.shape)))
    keep = stats[:, cv2.CC_STAT_AREA] >= min_px
    keep[0] = False  # label 0 is the paper
    ink = keep[labels]
    width = max(1, round(_scaled(cleanup.stroke_px, ink.shape)))
    if width > 1:
        pen = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (width, width))
        ink = cv2.dilate(ink.astype(np.uint8), pen) > 0
    return np.asarray(ink, dtype=bool)


def extract_sketch(
    image: Image.Image | np.ndarray,
    method: EdgeMethod = "xdog",
    *,
    cleanup: CleanUp = CleanUp(),
    hed_weights: Path | None = None,
) -> Image.Image:
    """A sketch of ``image``: black strokes on white, RGB, the same size as the input.

    ``method`` picks the detector (``xdog``, ``canny``, or ``hed`` with user-supplied
    weights); every detector's output goes through the same :func:`clean_edges`.
    """
    rgb = _as_rgb_array(image)
    if method == "xdog":
        edge_map = xdog_edges(rgb)
    elif method == "canny":
        edge_map = canny_edges(rgb)
    elif method == "hed":
        edge_map = hed_edges(rgb, weights=hed_weights)
    else:
        raise ValueError(f"unknown edge method {method!r}; choose one of {', '.join(METHODS)}")
    ink = clean_edges(edge_map, cleanup)
    sketch = np.where(ink[:, :, None], 0, 255).astype(np.uint8).repeat(3, axis=2)
    return Image.fromarray(sketch, "RGB")
