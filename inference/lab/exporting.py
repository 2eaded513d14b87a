"""Export an installed generator for serving: its ONNX graph beside the weights, its card told.

Promotion calls :func:`export_installed` after writing a generator; ``manage.py
export_generator`` calls it for one already installed. The graph is exported from the weights
as the registry loads them (sha256-checked), checked against the exact torch module on a few
sketches (:data:`MAX_LEVEL_DIFFERENCE`), and only then written into the card with its sha256,
which the runtime checks on every load (:mod:`inference.serving.engine`).

The "What did you draw?" guesser the same way (:func:`export_classifier`): installing one
(``manage.py train_sketch_classifier``) exports it, ``manage.py export_classifier`` exports the
one installed; its graph must give the torch module's probabilities within
:data:`MAX_PROBABILITY_DIFFERENCE`.
"""

from __future__ import annotations

import json
import platform
from typing import TYPE_CHECKING, Any

from inference.serving import registry

if TYPE_CHECKING:
    from pathlib import Path

    import torch

    from inference.serving.suggestions import ClassifierCard

# How far (8-bit levels, any channel of any pixel) the exported graph may draw from the exact
# module on the check sketches: the same bound that keeps batching invisible.
MAX_LEVEL_DIFFERENCE = 2
CHECK_SKETCHES = 4
# How far the guesser's graph may put any probability from the torch module's.
MAX_PROBABILITY_DIFFERENCE = 1e-5


class ExportError(registry.RegistryError):
    """A generator that could not be exported, or whose graph does not draw as it does."""


def check_sketches(count: int = CHECK_SKETCHES, side: int = 256, seed: int = 0) -> torch.Tensor:
    """``count`` seeded sketches in [-1, 1]: white paper with dark lines and crayon patches,
    so a hint generator meets both lines and colour hints."""
    import torch

    generator = torch.Generator().manual_seed(seed)
    sketches = torch.ones(count, 3, side, side)
    for sketch in sketches:
        for _ in range(6):
            y, x = torch.randint(0, side - 40, (2,), generator=generator).tolist()
            colour = torch.rand(3, generator=generator) * 2 - 1
            height, width = torch.randint(2, 40, (2,), generator=generator).tolist()
            sketch[:, y : y + height, x : x + width] = colour[:, None, None]
        for _ in range(4):
            row = int(torch.randint(0, side, (1,), generator=generator))
            sketch[:, row : row + 2, :] = -1.0
    return sketches


def max_level_difference(a: torch.Tensor, b: torch.Tensor) -> int:
    """The largest difference in 8-bit levels between two batches of pictures in [-1, 1]."""

    def levels(x: torch.Tensor) -> torch.Tensor:
        return ((x.float().clamp(-1, 1) + 1) * 127.5).round()

    return int((levels(a) - levels(b)).abs().max())


def export_installed(card: registry.GeneratorCard) -> registry.GeneratorCard:
    """Export ``card``'s generator to ``<name>.onnx`` beside its weights and record the file's
    sha256 in the card; returns the card read back. Raises ``ExportError`` for a kind that does
    not export or a graph that draws differently from the module."""
    import torch

    from inference.serving import engine
    from inference.serving.architectures import PALETTE
    from inference.serving.pix2pix import export
    from inference.serving.pix2pix.drawing import draw_chunks
    from inference.serving.pix2pix.networks import UnetGenerator

    if card.kind == PALETTE:
        return _export_palette(card)
    if card.kind != registry.ARCHITECTURE_TYPE:
        raise ExportError(f"Generator {card.name}: a {card.kind} generator is served by torch.")
    module = registry.load_generator(card)
    if not isinstance(module, UnetGenerator):
        raise ExportError(f"Generator {card.name}: not a pix2pix U-Net")
    path = card.weights_path.with_name(f"{card.name}{engine.ONNX_SUFFIX}")
    try:
        export.export_onnx(module, path)
    except Exception as exc:  # the exporter's own errors are many and unrelated
        raise ExportError(f"Generator {card.name}: the ONNX export failed ({exc})") from exc
    sha256 = registry.file_sha256(path)
    served = engine.open_generator(path, sha256=sha256, config=module.config)
    sketches = check_sketches()
    labels = None
    if module.config.condition:
        labels = torch.arange(len(sketches)) % (len(module.config.condition) + 1) - 1
    exact = torch.cat(draw_chunks(module, sketches, labels, batch=1))
    drawn = torch.cat(draw_chunks(served, sketches, labels, batch=len(sketches)))
    difference = max_level_difference(exact, drawn)
    if difference > MAX_LEVEL_DIFFERENCE:
        path.unlink(missing_ok=True)
        raise ExportError(
            f"Generator {card.name}: the exported graph draws up to {difference} levels away "
            f"from the exact module (at most {MAX_LEVEL_DIFFERENCE} allowed); not installed."
        )
    return _record(card, path, sha256, export.OPSET, served.session, difference=difference)


def _export_palette(card: registry.GeneratorCard) -> registry.GeneratorCard:
    """A palette painter's network exported, checked by painting the check sketches (with
    their colouring-in, every thing and two colourways) both ways, and recorded."""
    import numpy as np

    from inference.serving import engine
    from inference.serving.palette import export
    from inference.serving.pix2pix.export import OPSET

    painter = registry.load_generator(card)
    path = card.weights_path.with_name(f"{card.name}{engine.ONNX_SUFFIX}")
    try:
        export.export_palette_onnx(painter.net, path)
    except Exception as exc:  # the exporter's own errors are many and unrelated
        raise ExportError(f"Generator {card.name}: the ONNX export failed ({exc})") from exc
    sha256 = registry.file_sha256(path)
    served = engine.open_palette_net(path, sha256=sha256)
    sketches = [
        ((s.permute(1, 2, 0).numpy() + 1) * 127.5).round().astype(np.uint8)
        for s in check_sketches()
    ]
    things = [None, *painter.net.config.labels]
    labels = [things[i % len(things)] for i in range(len(sketches))]
    difference = 0
    for variant in (0, 1):
        exact = painter.paint(sketches, labels, variants=[variant] * len(sketches))
        drawn = painter.with_engine(served).paint(
            sketches, labels, variants=[variant] * len(sketches)
        )
        for a, b in zip(exact, drawn, strict=True):
            difference = max(difference, int(np.abs(a.astype(int) - b.astype(int)).max()))
    if difference > MAX_LEVEL_DIFFERENCE:
        path.unlink(missing_ok=True)
        raise ExportError(
            f"Generator {card.name}: the exported network paints up to {difference} levels "
            f"away from the exact painter (at most {MAX_LEVEL_DIFFERENCE} allowed); not installed."
        )
    return _record(card, path, sha256, OPSET, served.session, difference=difference)


def _record(
    card: registry.GeneratorCard,
    path: Any,
    sha256: str,
    opset: int,
    session: Any,
    *,
    difference: int,
) -> registry.GeneratorCard:
    """Write the exported graph's facts into ``card``'s JSON (atomically); the card read back."""
    facts = _facts(path, sha256, opset, session)
    _write_card(card.card_path, facts | {"max_level_difference_from_exact": difference})
    return registry.parse_card(card.card_path)


def _facts(path: Path, sha256: str, opset: int, session: Any) -> dict[str, Any]:
    """What a card records of an exported graph: its file, sha256, opset and inputs, and what
    exported and checked it."""
    import onnx
    import onnxruntime
    import torch

    return {
        "file": path.name,
        "sha256": sha256,
        "opset": opset,
        "inputs": [i.name for i in session.get_inputs()],
        "exported_with": (
            f"torch {torch.__version__}, onnx {onnx.__version__}, checked with onnxruntime "
            f"{onnxruntime.__version__} on {platform.machine()}"
        ),
    }


def _write_card(card_path: Path, exported: dict[str, Any]) -> None:
    """The card at ``card_path`` with ``"onnx": exported``, written atomically."""
    data: dict[str, Any] = json.loads(card_path.read_text(encoding="utf-8"))
    data["onnx"] = exported
    partial = card_path.with_suffix(".partial")
    partial.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    partial.chmod(0o644)
    partial.replace(card_path)


def export_classifier(card: ClassifierCard) -> ClassifierCard:
    """Export the sketch classifier of ``card`` to ``<name>.onnx`` beside its weights (loaded
    sha256-checked), with its pre-processing, for 256 x 256 sketches; record the file's sha256
    in the card; returns the card read back. Raises ``ExportError`` when the export fails or the
    graph's probabilities differ from the torch module's by more than
    :data:`MAX_PROBABILITY_DIFFERENCE` on the check sketches (the file is removed then)."""
    import torch

    from inference.serving import engine, suggestions
    from inference.serving.pix2pix.classifier import load_classifier
    from inference.serving.pix2pix.export import OPSET, export_classifier_onnx
    from inference.serving.pix2pix.sketch_classifier import ranked, suggest

    try:
        model = load_classifier(card.card_path)
    except (OSError, ValueError) as exc:
        raise ExportError(f"Sketch classifier {card.name}: {exc}") from exc
    path = card.onnx_path
    try:
        export_classifier_onnx(model, path)
    except Exception as exc:  # the exporter's own errors are many and unrelated
        raise ExportError(f"Sketch classifier {card.name}: the ONNX export failed ({exc})") from exc
    sha256 = registry.file_sha256(path)
    served = engine.open_classifier(path, sha256=sha256, threads=1)
    sketches = check_sketches(2 * CHECK_SKETCHES)
    slugs, everything = model.config.categories, len(model.config.categories)
    with torch.inference_mode():
        exact = suggest(model, sketches, top=everything, temperature=card.temperature)
        graph = ranked(served(sketches), slugs, top=everything, temperature=card.temperature)
    difference = max(
        abs(p - dict(other)[slug])
        for mine, other in zip(exact, graph, strict=True)
        for slug, p in mine
    )
    if difference > MAX_PROBABILITY_DIFFERENCE:
        path.unlink(missing_ok=True)
        raise ExportError(
            f"Sketch classifier {card.name}: the exported graph's probabilities are up to "
            f"{difference:.2g} from the torch module's (at most {MAX_PROBABILITY_DIFFERENCE:g} "
            "allowed); not installed."
        )
    facts = _facts(path, sha256, OPSET, served.session)
    _write_card(card.card_path, facts | {"max_probability_difference_from_torch": difference})
    return suggestions.read_card(card.card_path)
