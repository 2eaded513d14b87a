"""Export a palette painter's network to ONNX for ONNX Runtime (:mod:`inference.serving.engine`).

The graph takes the split planes of the sketch at the work side (lines and colour hints:
:func:`inference.serving.palette.painter.split_planes`, the plain function training uses) and each
sample's label row, and gives the palette probabilities at 128 x 128 (the softmax is in the
graph). Everything after it — the shapes, the colour chosen per shape, the child's marks and
lines at full size — stays the painter's plain numpy/OpenCV, the same whichever engine ran the
network. The batch axis is dynamic; the side is fixed at the work side.

Plain torch and onnx, no Django.
"""

from __future__ import annotations

from pathlib import Path

import torch

from inference.serving.palette.marks import WORK_SIDE
from inference.serving.palette.network import PaletteUnet

PLANES_INPUT = "planes"  # N x 5 x 256 x 256 float32: the line and colour-hint planes
LABELS_INPUT = "labels"  # N int64: the label row (0 none, 1 + the label's index)
PROBABILITIES_OUTPUT = "probabilities"  # N x K x 128 x 128 float32, summing to 1 per pixel


class PlanesToProbabilities(torch.nn.Module):
    """What the served graph computes: the network, then the softmax over the palette."""

    def __init__(self, network: PaletteUnet) -> None:
        super().__init__()
        self.network = network

    def forward(self, planes: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        """Palette probabilities, as :meth:`PalettePainter.probabilities` computes them."""
        return torch.softmax(self.network(planes, labels).float(), dim=1)


def export_palette_onnx(network: PaletteUnet, path: Path | str) -> Path:
    """Write ``network`` (left untouched) as an ONNX graph to ``path``, atomically; returns it.
    The file is checked with ``onnx.checker`` before it replaces one already there."""
    import copy

    from inference.serving.pix2pix.export import write_graph

    path = Path(path)
    graph = PlanesToProbabilities(copy.deepcopy(network).float().cpu().eval())
    planes = torch.zeros(2, 5, WORK_SIDE, WORK_SIDE)
    labels = torch.tensor([0, 1], dtype=torch.long)
    return write_graph(
        graph,
        (planes, labels),
        path,
        input_names=[PLANES_INPUT, LABELS_INPUT],
        output_name=PROBABILITIES_OUTPUT,
    )
