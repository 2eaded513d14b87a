"""Build a dev set of CLEAN (un-roughened) held-out outlines for the augmentation ablation.

The child-like dev set (``data/devsets/childlike``) roughens the val line art at the
augmentation's strongest. This one keeps the val split's line art exactly as OpenMoji draws it
(the A half, resized to 256 like training does) with its colour picture (the B half) as the
target, in the layout ``evaluate_generators --devset`` reads (``devset.json``, ``sketches/``,
``targets/``). Deterministic: no randomness at all.

    .venv/bin/python docs/generators/ablation/build_clean_devset.py \\
        data/datasets/openmoji data/devsets/openmoji-val-clean
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from inference.lab.pix2pix.evaluation.devset import DEVSET_FILE, SIZE, val_categories
from inference.serving.pix2pix.data import find_pairs


def build(dataset_dir: Path, out_dir: Path) -> int:
    """Write the clean dev set; return how many sketches it holds."""
    (out_dir / "sketches").mkdir(parents=True, exist_ok=True)
    (out_dir / "targets").mkdir(parents=True, exist_ok=True)
    categories = val_categories(dataset_dir)
    items = []
    for source in find_pairs(dataset_dir / "val"):
        origin = f"val/{source.sketch.name}"
        stem = source.sketch.stem
        sketch, picture = source.load(SIZE)
        sketch.save(out_dir / "sketches" / f"{stem}.png")
        picture.save(out_dir / "targets" / f"{stem}.png")
        items.append({
            "stem": stem, "category": categories.get(origin, stem.split("__")[0]),
            "kind": "clean-val", "sketch": f"sketches/{stem}.png",
            "target": f"targets/{stem}.png", "origin": origin,
        })  # fmt: skip
    document = {
        "description": "Clean held-out OpenMoji line art (val split, not roughened).",
        "dataset": str(dataset_dir),
        "size": SIZE,
        "items": items,
    }
    (out_dir / DEVSET_FILE).write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    return len(items)


if __name__ == "__main__":
    dataset, out = (Path(arg) for arg in sys.argv[1:3])
    print(f"Built {out}: {build(dataset, out)} clean sketches")
