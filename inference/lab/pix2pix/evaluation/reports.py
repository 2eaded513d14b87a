"""The comparison report: ``metrics.csv`` / ``metrics.json``, the sheet of pictures, an HTML
page and the terminal's ranked table.
"""

from __future__ import annotations

import csv
import html
import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont

from inference.lab.pix2pix.evaluation.devset import DevSketch
from inference.lab.pix2pix.evaluation.metrics import (
    GAP_CLOSING_PX,
    INK_LEVEL,
    LINE_TOLERANCE_PX,
    PSNR_CAP_DB,
    SSIM_WINDOW,
    WHITE_LEVEL,
)
from inference.lab.pix2pix.evaluation.scoring import (
    COMBINED_COMPONENTS,
    CandidateResult,
    nanmean,
    rank,
)


def _json_number(value: Any) -> Any:
    if isinstance(value, float):
        return None if not math.isfinite(value) else round(value, 5)
    return value


def recognised_by_category(rows: Sequence[Mapping[str, Any]]) -> dict[str, float | None]:
    """Classifier accuracy on the pictures of each category (``None`` where not measured)."""
    by_category: dict[str, list[float]] = {}
    for row in rows:
        by_category.setdefault(row["category"], []).append(row["recognised"])
    return {slug: _json_number(nanmean(values)) for slug, values in sorted(by_category.items())}


def write_metrics(
    out_dir: Path,
    results: Sequence[CandidateResult],
    *,
    reference: Mapping[str, float] | None,
    context: Mapping[str, Any],
) -> tuple[Path, Path]:
    """Write ``metrics.csv`` (one row per candidate and sketch) and ``metrics.json``.

    The JSON holds the ranking with each candidate's summary, the real-picture reference and
    ``context`` (dev set, classifier, metric definitions). Unmeasurable values are ``null``.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    csv_path, json_path = out_dir / "metrics.csv", out_dir / "metrics.json"
    columns = ["candidate", *results[0].rows[0].keys()] if results else ["candidate"]
    with csv_path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        for result in results:
            for row in result.rows:
                values = {k: _json_number(v) for k, v in row.items()}
                cleaned = {k: "" if v is None else v for k, v in values.items()}
                writer.writerow({"candidate": result.name, **cleaned})
    ranked = rank(results)
    document = {
        **context,
        "recommended": ranked[0].name if ranked else None,
        "ranking": [
            {
                "rank": i + 1,
                "candidate": r.name,
                "recog_by_category": recognised_by_category(r.rows),
                **{k: _json_number(v) for k, v in r.summary.items()},
            }
            for i, r in enumerate(ranked)
        ],
        "reference_real_pictures": (
            {k: _json_number(v) for k, v in reference.items()} if reference else None
        ),
    }
    json_path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", "utf-8")
    return csv_path, json_path


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    try:
        return ImageFont.load_default(size=size)
    except (TypeError, OSError):  # Pillow built without FreeType
        return ImageFont.load_default()


def summary_lines(summary: Mapping[str, float]) -> list[str]:
    """The header text of a candidate's column (short, so it fits over a small cell)."""

    def fmt(key: str, spec: str) -> str:
        value = summary.get(key, math.nan)
        return "-" if math.isnan(value) else format(value, spec)

    return [
        f"score {fmt('combined', '.3f')}",
        f"lines F1 {fmt('line_f1', '.2f')}  dark {fmt('lines_dark', '.2f')}",
        f"fill {fmt('fill', '.2f')}  col {fmt('colourfulness', '.0f')}",
        f"SSIM {fmt('ssim', '.2f')}  {fmt('psnr', '.1f')}dB",
        f"recog {fmt('recog_accuracy', '.0%')}",
    ]


def write_sheet(
    path: Path,
    items: Sequence[DevSketch],
    results: Sequence[CandidateResult],
    *,
    cell: int = 128,
) -> Path:
    """Save the comparison sheet: one row per dev sketch, columns sketch | target | candidates.

    The header names each candidate with its mean scores; each row starts with the sketch's
    name and category. The target cell is blank for doodles, which have none.
    """
    font, small = _font(max(10, cell // 10)), _font(max(9, cell // 12))
    header = 6 * (cell // 10 + 4) + 8
    columns = 2 + len(results)
    gap = 4
    width = columns * (cell + gap) + gap
    height = header + len(items) * (cell + gap) + gap
    sheet = Image.new("RGB", (width, height), "white")
    pen = ImageDraw.Draw(sheet)
    titles: list[tuple[str, list[str]]] = [("sketch", []), ("real picture", [])]
    titles += [(r.name, summary_lines(r.summary)) for r in results]
    line = cell // 10 + 4
    for c, (title, lines) in enumerate(titles):
        x = gap + c * (cell + gap)
        pen.text((x + 2, 4), title[-22:], fill=(0, 0, 0), font=font)
        for k, text in enumerate(lines):
            pen.text((x + 2, 4 + (k + 1) * line), text, fill=(70, 70, 70), font=small)
    for r, item in enumerate(items):
        y = header + gap + r * (cell + gap)
        cells: list[Image.Image | None] = [item.sketch, item.target]
        cells += [result.pictures[r] for result in results]
        for c, image in enumerate(cells):
            x = gap + c * (cell + gap)
            if image is not None:
                sheet.paste(
                    image.convert("RGB").resize((cell, cell), Image.Resampling.LANCZOS), (x, y)
                )
            pen.rectangle((x, y, x + cell - 1, y + cell - 1), outline=(215, 215, 215))
        pen.text(
            (gap + 3, y + 2), f"{item.stem[:20]}\n{item.category}", fill=(0, 90, 200), font=small
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(path, optimize=True)
    return path


def _combined_definition() -> str:
    parts = [f"{key} (x_real 1)" if key == "ssim" else key for key, _ in COMBINED_COMPONENTS]
    return (
        f"mean of min(x / x_real, 1) over {', '.join(parts[:-1])} and {parts[-1]}, x_real "
        "being the real pictures' score on the paired dev sketches"
    )


# What each reported number means, in the words of metrics.json and the HTML page; the
# thresholds come from the constants the metrics use, so the two cannot drift apart.
METRIC_DEFINITIONS = {
    "line_recall": f"share of the sketch's stroke pixels within {LINE_TOLERANCE_PX} px of a Sobel "
    "edge or dark pixel of the picture",
    "line_precision": "share of the picture's Sobel edge pixels within "
    f"{LINE_TOLERANCE_PX} px of a stroke",
    "line_f1": "harmonic mean of line_recall and line_precision",
    "lines_dark": "share of the sketch's stroke pixels that are still dark "
    f"(luma < {INK_LEVEL}) in the picture: the child's own line kept as a line",
    # Strokes thickened by GAP_CLOSING_PX on each side close gaps twice that wide.
    "fill": f"share of the area enclosed by the sketch (gaps up to ~{2 * GAP_CLOSING_PX} px "
    f"closed) that is not paper-white (some channel <= {WHITE_LEVEL})",
    "colourfulness": "Hasler & Süsstrunk M on 0..255 RGB (0 grey, ~59 quite, ~82 highly colourful)",
    "l1": "mean |picture - target| on 0..1 RGB (paired sketches only)",
    "psnr": f"dB, peak 1.0, capped at {PSNR_CAP_DB:g} (paired sketches only)",
    "ssim": f"Wang et al. SSIM, {SSIM_WINDOW}x{SSIM_WINDOW} Gaussian window, mean over RGB "
    "(paired sketches only)",
    "recog_accuracy": "the category classifier (trained on real pictures) names the picked "
    "category (all sketches)",
    "recog_accuracy_paired": "the same on the paired sketches only, beside the classifier's "
    "accuracy on their real target pictures",
    "true_probability": "the classifier's mean probability for the picked category",
    "combined": _combined_definition(),
}


def write_html(
    path: Path,
    results: Sequence[CandidateResult],
    *,
    sheet_name: str,
    reference: Mapping[str, float] | None,
    title: str = "Generator comparison on child-like sketches",
) -> Path:
    """A simple page: the ranked metrics table, the metric definitions and the sheet."""
    keys = (
        "combined", "line_f1", "line_recall", "line_precision", "lines_dark", "fill",
        "colourfulness", "l1", "psnr", "ssim", "recog_accuracy", "recog_accuracy_paired",
        "true_probability",
    )  # fmt: skip

    def cells(summary: Mapping[str, float]) -> str:
        return "".join(
            f"<td>{'-' if math.isnan(summary.get(k, math.nan)) else f'{summary[k]:.3f}'}</td>"
            for k in keys
        )

    rows = [
        f"<tr><td>{i + 1}</td><td>{html.escape(r.name)}</td>{cells(r.summary)}</tr>"
        for i, r in enumerate(rank(results))
    ]
    if reference:
        rows.append(f"<tr><td></td><td><i>real pictures</i></td>{cells(reference)}</tr>")
    head = "".join(f"<th>{html.escape(k)}</th>" for k in ("rank", "candidate", *keys))
    definitions = "".join(
        f"<li><b>{html.escape(k)}</b>: {html.escape(v)}</li>" for k, v in METRIC_DEFINITIONS.items()
    )
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body{{font-family:sans-serif;margin:1.5em}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:2px 6px;text-align:right}}img{{max-width:100%}}</style>
</head><body><h1>{html.escape(title)}</h1>
<table><tr>{head}</tr>
{chr(10).join(rows)}
</table>
<ul>{definitions}</ul>
<p><img src="{html.escape(sheet_name)}" alt="sketch | real picture | candidates"></p>
</body></html>
"""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
    return path


def ranked_table(results: Sequence[CandidateResult]) -> str:
    """A fixed-width text table of the ranking, for the terminal (``-`` where not measured)."""

    header = (
        f"{'#':>2}  {'candidate':<28} {'score':>6} {'lineF1':>6} {'dark':>5} {'fill':>5} "
        f"{'colour':>6} {'L1':>6} {'PSNR':>5} {'SSIM':>5} {'recog':>5}"
    )
    lines = [header]
    columns = (("combined", 6, ".3f"), ("line_f1", 6, ".3f"), ("lines_dark", 5, ".2f"),
               ("fill", 5, ".2f"),
               ("colourfulness", 6, ".1f"), ("l1", 6, ".3f"), ("psnr", 5, ".1f"),
               ("ssim", 5, ".3f"), ("recog_accuracy", 5, ".0%"))  # fmt: skip
    for i, r in enumerate(rank(results)):
        values = " ".join(
            f"{'-' if math.isnan(r.summary[key]) else format(r.summary[key], spec):>{width}}"
            for key, width, spec in columns
        )
        lines.append(f"{i + 1:>2}  {r.name[-28:]:<28} {values}")
    return "\n".join(lines)
