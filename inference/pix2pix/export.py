"""Export a pix2pix generator to ONNX, for serving with ONNX Runtime (:mod:`inference.engine`).

The graph is the network alone: it takes what the network reads (the sketch's planes from
:func:`~inference.pix2pix.networks.network_input`, and each sample's label for a conditioned
generator) and gives the picture in [-1, 1]. Pre-processing (splitting lines and colour hints)
and post-processing (fill cleaning) stay plain functions around it, the same as for the torch
module. The batch axis is dynamic; the side is fixed at the size it was exported for.

Plain torch and onnx, no Django: this module is copied to GPU boxes with the networks.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import torch

from inference.pix2pix.fast import stock_copy
from inference.pix2pix.networks import UnetGenerator

OPSET = 17
SKETCH_INPUT = "planes"  # N x sketch_planes x H x W float32
LABELS_INPUT = "labels"  # N int64, -1 for "any category" (conditioned generators only)
PICTURE_OUTPUT = "picture"  # N x 3 x H x W float32 in [-1, 1]


def export_onnx(module: UnetGenerator, path: Path | str, *, side: int = 256) -> Path:
    """Write ``module`` (left untouched) as an ONNX graph to ``path``, atomically; returns it.

    The export traces a float32 CPU copy with the stock transposed convolution (ONNX Runtime
    has its own kernels); the file is checked with ``onnx.checker`` before it replaces one
    already there.
    """
    import onnx

    config = module.config
    path = Path(path)
    network = stock_copy(module).float().cpu()
    planes = torch.zeros(2, config.sketch_planes, side, side)
    conditioned = bool(config.condition)
    inputs: tuple[torch.Tensor, ...] = (planes,)
    names = [SKETCH_INPUT]
    if conditioned:
        inputs = (planes, torch.tensor([0, -1], dtype=torch.long))
        names.append(LABELS_INPUT)
    batch_axis = {name: {0: "batch"} for name in [*names, PICTURE_OUTPUT]}
    partial = path.with_suffix(".partial")
    path.parent.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings(), torch.inference_mode(False), torch.no_grad():
        # The tracer warns about the Python-level shape checks in forward: the side is fixed
        # by the export, which is the point; the batch stays dynamic.
        warnings.simplefilter("ignore")
        torch.onnx.export(
            network,
            inputs,
            str(partial),
            dynamo=False,
            opset_version=OPSET,
            input_names=names,
            output_names=[PICTURE_OUTPUT],
            dynamic_axes=batch_axis,
            do_constant_folding=True,
        )
    onnx.checker.check_model(str(partial))
    partial.chmod(0o644)  # the site may run as another user than the one exporting
    partial.replace(path)
    return path
