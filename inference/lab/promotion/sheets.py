"""Sketches no checkpoint trained on, and the contact sheet an installed generator draws from
them (``sketch | picture`` cells)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PIL import Image, ImageDraw

from inference.lab.pix2pix.evaluation.devset import doodle_items
from inference.serving import registry
from inference.serving.pix2pix.data import find_pairs, to_tensor
from inference.serving.pix2pix.drawing import draw
from inference.serving.pix2pix.imaging import batch_to_images
from inference.serving.pix2pix.sketchify import sketchify


def held_out_sketches(
    dataset_dir: Path | Sequence[Path] | None = None,
    size: int = 256,
    *,
    categories: Sequence[str] = (),
    per_dataset: int | None = None,
) -> list[tuple[str | None, Image.Image]]:
    """``(category, sketch)`` for sketches no checkpoint trained on: the child-like doodles
    (plus the extra doodles of ``categories``), then each dataset's ``val`` line art roughened
    with fixed seeds (as a child might have traced them): all of it, or ``per_dataset`` spread
    evenly over it."""
    sketches: list[tuple[str | None, Image.Image]] = [
        (item.category, item.sketch) for item in doodle_items(size, categories)
    ]
    folders = [dataset_dir] if isinstance(dataset_dir, Path) else list(dataset_dir or [])
    for folder in folders:
        val_dir = Path(folder) / "val"
        if not val_dir.is_dir():
            continue
        pairs = list(enumerate(find_pairs(val_dir)))
        if per_dataset is not None and per_dataset < len(pairs):
            step = len(pairs) / per_dataset
            pairs = [pairs[int(k * step + step / 2)] for k in range(per_dataset)]
        for i, source in pairs:
            line_art = to_tensor(source.load(size)[0])
            (child,) = batch_to_images(sketchify(line_art, seed=10_000 + i)[None])
            sketches.append((source.category, child))
    return sketches


def write_contact_sheet(
    card: registry.GeneratorCard,
    sketches: Sequence[tuple[str | None, Image.Image]],
    path: Path,
    per_row: int = 4,
) -> None:
    """Save ``sketch | picture`` cells for ``(category, sketch)`` pairs, drawn by the installed
    generator as the worker would (a conditioned one as each sketch's category)."""
    net = registry.load_generator(card)
    images = [s for _, s in sketches]
    pictures = draw(net, images, [c for c, _ in sketches])
    side = pictures[0].width
    rows = -(-len(images) // per_row)
    sheet = Image.new("RGB", (per_row * 2 * side + (per_row - 1) * 16, rows * (side + 16)), "white")
    for i, (sketch, picture) in enumerate(zip(images, pictures, strict=True)):
        x, y = (i % per_row) * (2 * side + 16), (i // per_row) * (side + 16)
        sheet.paste(sketch.convert("RGB").resize((side, side)), (x, y))
        sheet.paste(picture, (x + side, y))
        frame = ImageDraw.Draw(sheet)
        for left in (x, x + side):  # a hairline shows where each white canvas ends
            frame.rectangle((left, y, left + side - 1, y + side - 1), outline=(210, 210, 210))
    path.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(path, optimize=True)
