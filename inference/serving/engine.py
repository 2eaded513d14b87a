"""ONNX Runtime, the engine that serves exported generators: pix2pix and the palette painter.

A generator's ONNX graph (:mod:`inference.serving.pix2pix.export`) sits beside its weights, and its
card records the graph's sha256 (``"onnx": {"file", "sha256", ...}``). :func:`open_generator`
reads the file once, checks the hash on those very bytes and opens an ONNX Runtime session
from them: the CPU execution provider with ``INFERENCE_THREADS`` intra-op threads, or the CUDA
provider first when the runtime's device is a GPU and this onnxruntime build has it. The
:class:`OnnxGenerator` it returns is called like the torch module (sketch planes and labels
in, pictures in [-1, 1] out), so :func:`inference.serving.pix2pix.drawing.draw` serves it unchanged;
the graph holds the pre-processing (traced from the same plain function), fill cleaning stays
a plain function after it. A palette painter's network (:mod:`inference.serving.palette.export`)
opens with :func:`open_palette_net`: an :class:`OnnxPaletteNet` the painter calls instead of its
torch network for the palette probabilities; the painting after it is the same numpy either way. The
"What did you draw?" guesser (:mod:`inference.serving.suggestions`) opens with
:func:`open_classifier`: an :class:`OnnxClassifier`, sketches in and logits out, its pre-processing
traced in the graph.

A web process never imports this module (nor onnxruntime): only a process that draws does.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import torch

    from inference.serving.pix2pix.generator_config import GeneratorConfig

ONNX_SUFFIX = ".onnx"
CPU_PROVIDER = "CPUExecutionProvider"
CUDA_PROVIDER = "CUDAExecutionProvider"


class EngineUnavailable(RuntimeError):
    """onnxruntime is not installed in this environment."""


class GraphMismatch(ValueError):
    """An ONNX file that is missing or is not the one its card describes."""


def onnxruntime_version() -> str | None:
    """The installed onnxruntime's version, or None when it is not installed."""
    try:
        import onnxruntime
    except ImportError:
        return None
    return str(onnxruntime.__version__)


def providers_for(device_type: str) -> list[str]:
    """Execution providers in order of preference for the runtime's device ("cpu"/"cuda")."""
    import onnxruntime

    if device_type == "cuda" and CUDA_PROVIDER in onnxruntime.get_available_providers():
        return [CUDA_PROVIDER, CPU_PROVIDER]
    return [CPU_PROVIDER]


def read_checked(
    path: Path, sha256: str, *, export_command: str = "manage.py export_generator"
) -> bytes:
    """The bytes of ``path`` after their sha256 matched ``sha256``; ``GraphMismatch`` otherwise
    (saying to export it again with ``export_command``). The session is opened from these
    bytes, so what was checked is what runs."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise GraphMismatch(f"{Path(path).name} cannot be read ({exc})") from exc
    actual = hashlib.sha256(data).hexdigest()
    if actual != sha256.lower():
        raise GraphMismatch(
            f"{Path(path).name} has sha256 {actual}, but its card says {sha256}. The file was "
            f"changed or replaced after export; export it again ({export_command})."
        )
    return data


def onnx_precision(provider: str) -> str:
    """What an ONNX Runtime session runs, in words: ``float32, onnxruntime 1.31.1 CPU…``."""
    import onnxruntime

    return f"float32, onnxruntime {onnxruntime.__version__} {provider}"


@dataclass
class OnnxGraph:
    """An exported graph in an ONNX Runtime session: what every served graph shares (its
    engine, its provider, the way tensors are fed to it)."""

    engine_name = "onnxruntime"
    session: Any  # onnxruntime.InferenceSession
    provider: str

    @property
    def precision(self) -> str:
        """What runs, in words (for logs and benchmarks)."""
        return onnx_precision(self.provider)

    def run(self, output: str, feed: dict[str, Any]) -> Any:
        """The graph's ``output`` (a numpy array) for ``feed`` (numpy arrays by input name:
        :func:`floats` and :func:`integers` of torch tensors)."""
        (result,) = self.session.run([output], feed)
        return result


def floats(tensor: torch.Tensor) -> Any:
    """A graph's float input: float32, contiguous, on the CPU, as numpy."""
    import torch

    return tensor.detach().to("cpu", torch.float32).contiguous().numpy()


def integers(tensor: torch.Tensor) -> Any:
    """A graph's integer input (labels): int64 on the CPU, as numpy."""
    import torch

    return tensor.detach().to("cpu", torch.long).numpy()


@dataclass
class OnnxGenerator(OnnxGraph):
    """An exported generator in an ONNX Runtime session; call it like the torch module, with
    RGB sketches and labels."""

    config: GeneratorConfig  # the card's, so labels and fill cleaning are found as for torch
    # The graph splits the sketch itself (the pre-processing is traced into it), so drawing
    # hands it the RGB sketch (inference.serving.pix2pix.drawing.draw_chunks).
    prepares_its_input: bool = True

    def __call__(self, sketches: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        """Pictures in [-1, 1] as float32 NCHW (on the CPU) for an RGB sketch batch in [-1, 1]
        and each sample's label."""
        import torch

        from inference.serving.pix2pix.export import LABELS_INPUT, PICTURE_OUTPUT, SKETCH_INPUT

        if sketches.shape[1] != 3:
            raise ValueError(f"the graph takes RGB sketches, not {sketches.shape[1]} planes")
        feed = {SKETCH_INPUT: floats(sketches)}
        if self.config.condition:
            if labels is None:  # "any category", as the module draws it
                labels = torch.full((len(sketches),), -1, dtype=torch.long)
            feed[LABELS_INPUT] = integers(labels)
        elif labels is not None:
            raise ValueError("labels are only for a conditioned generator")
        return torch.from_numpy(self.run(PICTURE_OUTPUT, feed))


def open_generator(
    path: Path,
    *,
    sha256: str,
    config: GeneratorConfig,
    threads: int = 0,
    device_type: str = "cpu",
) -> OnnxGenerator:
    """An ONNX Runtime session on the checked graph at ``path``.

    ``threads`` is the intra-op pool (0: onnxruntime's default, one per core). Its threads do
    not spin while idle: an embedded worker shares the CPU with the web side, and on a loaded
    2-core machine spinning threads drew kids2p's network in 58 ms instead of 22 (README,
    Serving engine). Raises ``EngineUnavailable`` without onnxruntime, ``GraphMismatch`` for a
    missing or changed file.
    """
    session = _session(path, sha256, threads, device_type)
    return OnnxGenerator(session=session, config=config, provider=session.get_providers()[0])


def _session(
    path: Path,
    sha256: str,
    threads: int,
    device_type: str,
    export_command: str = "manage.py export_generator",
) -> Any:
    """An ONNX Runtime session on the checked bytes of ``path`` (see :func:`open_generator`)."""
    try:
        import onnxruntime
    except ImportError as exc:
        raise EngineUnavailable("onnxruntime is not installed") from exc
    data = read_checked(path, sha256, export_command=export_command)
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = max(0, threads)
    options.inter_op_num_threads = 1
    options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.log_severity_level = 3  # errors only: its warnings are about graph rewrites
    return onnxruntime.InferenceSession(
        data, sess_options=options, providers=providers_for(device_type)
    )


@dataclass
class OnnxPaletteNet(OnnxGraph):
    """A palette painter's exported network in an ONNX Runtime session: split planes and label
    rows in, palette probabilities (``N x K x 128 x 128`` float32 numpy) out."""

    def __call__(self, planes: torch.Tensor, labels: torch.Tensor) -> Any:
        """The palette probabilities for a batch of split planes and label rows."""
        from inference.serving.palette.export import (
            LABELS_INPUT,
            PLANES_INPUT,
            PROBABILITIES_OUTPUT,
        )

        feed = {PLANES_INPUT: floats(planes), LABELS_INPUT: integers(labels)}
        return self.run(PROBABILITIES_OUTPUT, feed)


def open_palette_net(
    path: Path, *, sha256: str, threads: int = 0, device_type: str = "cpu"
) -> OnnxPaletteNet:
    """An ONNX Runtime session on a palette painter's checked graph at ``path``; the same
    options and errors as :func:`open_generator`."""
    session = _session(path, sha256, threads, device_type)
    return OnnxPaletteNet(session=session, provider=session.get_providers()[0])


@dataclass
class OnnxClassifier(OnnxGraph):
    """The exported sketch classifier in an ONNX Runtime session: RGB sketches (N x 3 x 256 x
    256 in [-1, 1]) in, the logits (N x things, before the card's temperature) out."""

    def __call__(self, sketches: torch.Tensor) -> torch.Tensor:
        """The logits of an RGB sketch batch, as the torch module and its pre-processing give
        them (:func:`inference.serving.pix2pix.sketch_classifier.classifier_input`)."""
        import torch

        from inference.serving.pix2pix.export import LOGITS_OUTPUT, SKETCH_INPUT

        return torch.from_numpy(self.run(LOGITS_OUTPUT, {SKETCH_INPUT: floats(sketches)}))


def open_classifier(path: Path, *, sha256: str, threads: int = 0) -> OnnxClassifier:
    """An ONNX Runtime session on the sketch classifier's checked graph at ``path``, on the CPU
    (it is tiny: a GPU's transfers would cost more than it saves); the same options and errors
    as :func:`open_generator`."""
    session = _session(path, sha256, threads, "cpu", "manage.py export_classifier")
    return OnnxClassifier(session=session, provider=session.get_providers()[0])
