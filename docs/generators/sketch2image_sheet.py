"""Lay out what ``manage.py sketch2image`` drew, one row per sketch: sketch | each generator.

    python docs/generators/sketch2image_sheet.py OUT.png SKETCH_DIR RUN_DIR [RUN_DIR...]

Each ``RUN_DIR`` holds ``<category>/<stem>.png`` as written by
``sketch2image --category <category> --out RUN_DIR/<category> SKETCH_DIR/<stem>.png``; rows are
labelled with the category the sketch was drawn as, columns with the run folder's name.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image, ImageDraw

CELL, LABEL = 160, 22


def main(out: Path, sketches: Path, runs: list[Path]) -> None:
    """Write the sheet to ``out``."""
    rows = sorted(
        (category.name, picture.name)
        for category in runs[0].iterdir()
        if category.is_dir()
        for picture in category.glob("*.png")
    )
    order = ["face", "animal", "food", "vehicle", "fashion", "space", "plant"]
    rows.sort(key=lambda row: (order.index(row[0]) if row[0] in order else 99, row[1]))
    sheet = Image.new("RGB", ((1 + len(runs)) * CELL, LABEL + len(rows) * CELL), "white")
    pen = ImageDraw.Draw(sheet)
    for column, title in enumerate(["sketch", *(run.name for run in runs)]):
        pen.text((column * CELL + 6, 5), title, fill=(0, 0, 0))
    for r, (category, name) in enumerate(rows):
        y = LABEL + r * CELL
        cells = [sketches / name, *(run / category / name for run in runs)]
        for column, path in enumerate(cells):
            with Image.open(path) as image:
                sheet.paste(image.convert("RGB").resize((CELL, CELL)), (column * CELL, y))
            pen.rectangle(
                (column * CELL, y, (column + 1) * CELL - 1, y + CELL - 1), outline=(210, 210, 210)
            )
        pen.text((4, y + 4), f"{category}", fill=(0, 90, 200))
    sheet.save(out, optimize=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), [Path(p) for p in sys.argv[3:]])
