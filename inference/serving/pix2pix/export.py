"""Export a pix2pix generator to ONNX, for serving with ONNX Runtime
(:mod:`inference.serving.engine`).

The graph takes the child's RGB sketch in [-1, 1] (and each sample's label for a conditioned
generator) and gives the picture in [-1, 1]. It is the plain pre-processing function
(:func:`~inference.serving.pix2pix.conditioning.network_input`: lines and colour hints, the very
function training uses) traced in front of the network, so the whole drawing runs in ONNX Runtime;
the network itself takes its planes and exports alone as well. Fill cleaning stays a plain function
after the graph, as after the torch module. The batch axis is dynamic; the side is fixed at the
size it was exported for (the pre-processing's filter sizes are worked out for it).

The "What did you draw?" guesser exports the same way (:func:`export_classifier_onnx`): its
plain pre-processing (:func:`~inference.serving.pix2pix.sketch_classifier.classifier_input`) traced
in front of the classifier, the RGB sketch in and the logits out; the temperature and the ranking
stay outside (:func:`~inference.serving.pix2pix.sketch_classifier.ranked`), as for torch.

Plain torch and onnx, no Django: this module is copied to GPU boxes with the networks.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import torch

from inference.serving.pix2pix.classifier import CategoryClassifier
from inference.serving.pix2pix.conditioning import network_input
from inference.serving.pix2pix.fast import stock_copy
from inference.serving.pix2pix.networks import UnetGenerator
from inference.serving.pix2pix.sketch_classifier import classifier_input

OPSET = 17
SKETCH_INPUT = "sketch"  # N x 3 x H x W float32 in [-1, 1], the RGB sketch
LABELS_INPUT = "labels"  # N int64, -1 for "any category" (conditioned generators only)
PICTURE_OUTPUT = "picture"  # N x 3 x H x W float32 in [-1, 1]
LOGITS_OUTPUT = "logits"  # N x things float32, before the card's temperature (the guesser)


class SketchToPicture(torch.nn.Module):
    """What the served graph computes: the plain pre-processing, then the network."""

    def __init__(self, network: UnetGenerator) -> None:
        super().__init__()
        self.network = network

    def forward(self, sketch: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        """The picture for an RGB sketch batch (and labels), as ``draw_chunks`` draws it."""
        return self.network(network_input(self.network.config, sketch), labels)


def export_onnx(module: UnetGenerator, path: Path | str, *, side: int = 256) -> Path:
    """Write ``module`` (left untouched) as an ONNX graph to ``path``, atomically; returns it.

    The export traces a float32 CPU copy with the stock transposed convolution (ONNX Runtime
    has its own kernels); the file is checked with ``onnx.checker`` before it replaces one
    already there.
    """
    config = module.config
    path = Path(path)
    network = SketchToPicture(stock_copy(module).float().cpu())  # type: ignore[arg-type]
    sketch = torch.zeros(2, 3, side, side)
    conditioned = bool(config.condition)
    inputs: tuple[torch.Tensor, ...] = (sketch,)
    names = [SKETCH_INPUT]
    if conditioned:
        inputs = (sketch, torch.tensor([0, -1], dtype=torch.long))
        names.append(LABELS_INPUT)
    return write_graph(network, inputs, path, input_names=names, output_name=PICTURE_OUTPUT)


class SketchToLogits(torch.nn.Module):
    """What the guesser's served graph computes: the plain pre-processing, then the
    classifier."""

    def __init__(self, classifier: CategoryClassifier) -> None:
        super().__init__()
        self.classifier = classifier

    def forward(self, sketch: torch.Tensor) -> torch.Tensor:
        """The logits for an RGB sketch batch in [-1, 1], as ``suggest`` computes them."""
        return self.classifier(classifier_input(sketch, self.classifier.config.size))


def export_classifier_onnx(
    classifier: CategoryClassifier, path: Path | str, *, side: int = 256
) -> Path:
    """Write the sketch classifier (a float32 CPU copy; ``classifier`` is left untouched) with
    its pre-processing as an ONNX graph to ``path``, atomically; returns it. ``side`` is the
    side of the sketches served (the split's filter sizes are worked out for it)."""
    copy = CategoryClassifier(classifier.config)
    copy.load_state_dict(classifier.state_dict())
    graph = SketchToLogits(copy.float().cpu().eval())
    inputs = (torch.zeros(2, 3, side, side),)
    return write_graph(
        graph, inputs, Path(path), input_names=[SKETCH_INPUT], output_name=LOGITS_OUTPUT
    )


def write_graph(
    graph: torch.nn.Module,
    inputs: tuple[torch.Tensor, ...],
    path: Path,
    *,
    input_names: list[str],
    output_name: str,
) -> Path:
    """Trace ``graph`` on ``inputs`` to an ONNX file at ``path`` (batch axis dynamic, the rest
    fixed), check it with ``onnx.checker`` and only then move it into place; returns ``path``."""
    import onnx

    batch_axis = {name: {0: "batch"} for name in [*input_names, output_name]}
    partial = path.with_suffix(".partial")
    path.parent.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings(), torch.inference_mode(False), torch.no_grad():
        # The tracer warns about the Python-level shape checks in forward: the side is fixed
        # by the export, which is the point; the batch stays dynamic.
        warnings.simplefilter("ignore")
        torch.onnx.export(
            graph,
            inputs,
            str(partial),
            dynamo=False,
            opset_version=OPSET,
            input_names=input_names,
            output_names=[output_name],
            dynamic_axes=batch_axis,
            do_constant_folding=True,
        )
    onnx.checker.check_model(str(partial))
    partial.chmod(0o644)  # the site may run as another user than the one exporting
    partial.replace(path)
    return path
