"""Contact sheet of a palette painter on canvas drawings: sketch | other columns | painter.

    .venv/bin/python scripts/palette_sheet.py CHECKPOINT.safetensors DEVSET_DIR OUT.png \
        [--regions REGIONS.safetensors] [--column kids2p=DIR] [--variants 1 2] [--only coloured]

``DEVSET_DIR`` holds ``devset.json`` and the PNGs of ``scripts/canvas_devset.py``; each
``--column NAME=DIR`` adds a column of pictures another generator made of the same files (as
``manage.py sketch2image`` writes them: ``DIR/<stem>.png``).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from inference.serving.palette.painter import PalettePainter

CELL = 256


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("checkpoint", type=Path)
    parser.add_argument("devset", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--column", action="append", default=[], help="NAME=DIR")
    parser.add_argument("--variants", type=int, nargs="*", default=[])
    parser.add_argument("--only", nargs="*", help="variants of the dev set to show")
    parser.add_argument("--things", nargs="*")
    parser.add_argument("--regions", type=Path, help="the region model (regions.safetensors)")
    args = parser.parse_args(argv)
    painter = PalettePainter.load(args.checkpoint)
    if args.regions:
        painter = painter.with_regions(args.regions)
    entries = json.loads((args.devset / "devset.json").read_text())["drawings"]
    if args.only:
        entries = [e for e in entries if e["variant"] in args.only]
    if args.things:
        entries = [e for e in entries if e["thing"] in args.things]
    columns = [c.split("=", 1) for c in args.column]
    heads = ["sketch", *(n for n, _ in columns), "new", *(f"new 🎲{v}" for v in args.variants)]
    sheet = Image.new("RGB", (CELL * len(heads), CELL * len(entries) + 20), "white")
    draw = ImageDraw.Draw(sheet)
    for c, head in enumerate(heads):
        draw.text((c * CELL + 4, 4), head, fill="black")
    for r, entry in enumerate(entries):
        sketch = np.asarray(Image.open(args.devset / entry["file"]).convert("RGB"))
        cells: list[np.ndarray | None] = [sketch]
        for _, folder in columns:
            other = Path(folder) / entry["file"]
            cells.append(np.asarray(Image.open(other).convert("RGB")) if other.exists() else None)
        for variant in [0, *args.variants]:
            cells.append(painter.paint([sketch], [entry["thing"]], variants=[variant])[0])
        for c, cell in enumerate(cells):
            if cell is not None:
                tile = Image.fromarray(cell).resize((CELL, CELL), Image.Resampling.LANCZOS)
                sheet.paste(tile, (c * CELL, 20 + r * CELL))
        draw.text((4, 24 + r * CELL), f"{entry['thing']} {entry['variant']}", fill="blue")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(args.out)
    print(f"wrote {args.out} ({len(entries)} drawings)")


if __name__ == "__main__":
    main()
