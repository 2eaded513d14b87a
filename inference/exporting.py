"""Export an installed generator for serving: its ONNX graph beside the weights, its card told.

Promotion calls :func:`export_installed` after writing a generator; ``manage.py
export_generator`` calls it for one already installed. The graph is exported from the weights
as the registry loads them (sha256-checked), checked against the exact torch module on a few
sketches (:data:`MAX_LEVEL_DIFFERENCE`), and only then written into the card with its sha256,
which the runtime checks on every load (:mod:`inference.engine`).
"""

from __future__ import annotations

import json
import platform
from typing import TYPE_CHECKING, Any

from inference import registry

if TYPE_CHECKING:
    import torch

# How far (8-bit levels, any channel of any pixel) the exported graph may draw from the exact
# module on the check sketches: the same bound that keeps batching invisible.
MAX_LEVEL_DIFFERENCE = 2
CHECK_SKETCHES = 4


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

    from inference import engine
    from inference.architectures import PALETTE
    from inference.pix2pix import export
    from inference.pix2pix.drawing import draw_chunks
    from inference.pix2pix.networks import UnetGenerator

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

    from inference import engine
    from inference.palette import export
    from inference.pix2pix.export import OPSET

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
    import onnx
    import onnxruntime
    import torch

    data: dict[str, Any] = json.loads(card.card_path.read_text(encoding="utf-8"))
    data["onnx"] = {
        "file": path.name,
        "sha256": sha256,
        "opset": opset,
        "inputs": [i.name for i in session.get_inputs()],
        "max_level_difference_from_exact": difference,
        "exported_with": (
            f"torch {torch.__version__}, onnx {onnx.__version__}, checked with onnxruntime "
            f"{onnxruntime.__version__} on {platform.machine()}"
        ),
    }
    partial = card.card_path.with_suffix(".partial")
    partial.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    partial.chmod(0o644)
    partial.replace(card.card_path)
    return registry.parse_card(card.card_path)
