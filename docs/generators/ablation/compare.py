"""Tables for the augmentation ablation, with paired differences and bootstrap standard errors.

Reads the ``metrics.csv`` + ``metrics.json`` that ``evaluate_generators`` wrote for each dev set
and prints markdown: every checkpoint's means, then augment-on minus augment-off for chosen
checkpoint pairs with a standard error from a paired cluster bootstrap (the dev sketches are
resampled, the same sample for both runs; the three roughened variants of one val picture, or
the two pens of one doodle, are resampled together because they are not independent).

    .venv/bin/python docs/generators/ablation/compare.py \\
        childlike=docs/generators/ablation/childlike clean=docs/generators/ablation/clean \\
        > docs/generators/ablation/tables.md
"""

from __future__ import annotations

import csv
import json
import math
import re
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from inference.lab.pix2pix.evaluation.scoring import summarise

NUMERIC = ("line_recall", "line_precision", "line_f1", "fill", "colourfulness", "l1", "psnr",
           "ssim", "recognised", "true_probability")  # fmt: skip
SHOWN = (("combined", ".3f"), ("line_f1", ".3f"), ("fill", ".3f"), ("colourfulness", ".1f"),
         ("l1", ".4f"), ("psnr", ".2f"), ("ssim", ".3f"), ("recog_accuracy", ".3f"),
         ("true_probability", ".3f"))  # fmt: skip
BOOTSTRAP = 2000


def load(folder: Path) -> tuple[dict[str, list[dict]], dict]:
    """Per-candidate rows (floats, nan for blanks) and the metrics.json document."""
    rows: dict[str, list[dict]] = {}
    with (folder / "metrics.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            for key in NUMERIC:
                row[key] = float(row[key]) if row[key] != "" else math.nan
            rows.setdefault(row["candidate"], []).append(row)
    return rows, json.loads((folder / "metrics.json").read_text(encoding="utf-8"))


def cluster_of(stem: str) -> str:
    """``cat__ID-2`` -> ``cat__ID``, ``doodle-x-1`` -> ``doodle-x``."""
    return re.sub(r"-\d+$", "", stem)


def summary(rows: list[dict], reference: dict | None) -> dict[str, float]:
    return summarise(rows, reference)


def paired_difference(
    on: list[dict], off: list[dict], reference: dict | None, seed: int = 0
) -> dict[str, tuple[float, float]]:
    """on - off for each shown metric: (difference, bootstrap standard error)."""
    assert [r["stem"] for r in on] == [r["stem"] for r in off]
    clusters: dict[str, list[int]] = {}
    for i, row in enumerate(on):
        clusters.setdefault(cluster_of(row["stem"]), []).append(i)
    groups = list(clusters.values())
    base_on, base_off = summary(on, reference), summary(off, reference)
    rng = np.random.default_rng(seed)
    draws: dict[str, list[float]] = {key: [] for key, _ in SHOWN}
    for _ in range(BOOTSTRAP):
        picked = [i for g in rng.integers(0, len(groups), len(groups)) for i in groups[g]]
        s_on = summary([on[i] for i in picked], reference)
        s_off = summary([off[i] for i in picked], reference)
        for key, _ in SHOWN:
            draws[key].append(s_on[key] - s_off[key])
    return {
        key: (base_on[key] - base_off[key], float(np.nanstd(draws[key], ddof=1)))
        for key, _ in SHOWN
    }


def fmt(value: float, spec: str) -> str:
    return (
        "–"
        if value is None or (isinstance(value, float) and math.isnan(value))
        else format(value, spec)
    )


def table(name: str, folder: Path) -> list[str]:
    rows, document = load(folder)
    reference = document.get("reference_real_pictures")
    if reference:
        reference = {k: (math.nan if v is None else v) for k, v in reference.items()}
    n = len(next(iter(rows.values())))
    kinds = sorted({r["kind"] for r in next(iter(rows.values()))})
    out = [f"## {name}: {folder} ({n} sketches, {document.get('paired')} with a target; kinds: "
           f"{', '.join(kinds)})", ""]  # fmt: skip
    header = "| checkpoint | " + " | ".join(k for k, _ in SHOWN) + " |"
    out += [header, "|" + "---|" * (len(SHOWN) + 1)]
    for candidate in sorted(rows):
        s = summary(rows[candidate], reference)
        out.append(f"| {candidate} | " + " | ".join(fmt(s[k], f) for k, f in SHOWN) + " |")
    if reference:
        out.append("| real pictures | " + " | ".join(
            fmt(1.0 if k == "combined" else reference.get(k, math.nan), f) for k, f in SHOWN
        ) + " |")  # fmt: skip
    out.append("")
    epochs = sorted({c.split("/")[-1] for c in rows if c.startswith("ablation-on/")})
    subsets = [("all", None)] + [(kind, kind) for kind in kinds] * (len(kinds) > 1)
    out += ["Augment on − off, paired, ± bootstrap standard error (clusters: source picture / "
            "doodle):", "", "| checkpoint | subset | n | " + " | ".join(k for k, _ in SHOWN)
            + " |", "|" + "---|" * (len(SHOWN) + 3)]  # fmt: skip
    for epoch in epochs:
        on_all, off_all = rows[f"ablation-on/{epoch}"], rows[f"ablation-off/{epoch}"]
        for label, kind in subsets:
            on = [r for r in on_all if kind is None or r["kind"] == kind]
            off = [r for r in off_all if kind is None or r["kind"] == kind]
            diff = paired_difference(on, off, reference)
            cells = []
            for key, spec in SHOWN:
                d, se = diff[key]
                cells.append(f"{fmt(d, '+' + spec)} ± {fmt(se, spec)}")
            out.append(f"| {epoch} | {label} | {len(on)} | " + " | ".join(cells) + " |")
    out.append("")
    return out


if __name__ == "__main__":
    lines = []
    for arg in sys.argv[1:]:
        name, folder = arg.split("=", 1)
        lines += table(name, Path(folder))
    print("\n".join(lines))
