"""Turn pictures without line art into aligned ``A|B`` pairs: extracted edges | the picture.

Every source here (a user's folder, python_avatars, Tux Paint stamps, OpenClipart, Twemoji)
yields :class:`Picture` records; :func:`build_edge_dataset` puts each on white paper, squares
it, draws its sketch with :func:`inference.serving.pix2pix.edges.extract_sketch`, and writes the
same layout and ``dataset.json`` as the OpenMoji builder (``OUT/{train,val}/*.png``).
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image
from tqdm import tqdm

from inference.serving.pix2pix.data import IMAGE_SUFFIXES
from inference.serving.pix2pix.edges import CleanUp, EdgeMethod, extract_sketch

# A builder reads more than training does: the raster formats training reads, plus those it
# re-encodes as PNG pairs (BMP, GIF) and SVGs it renders (load_image).
SOURCE_SUFFIXES = (*IMAGE_SUFFIXES, ".bmp", ".gif", ".svg")
# A sketch with less ink than this is a failed extraction (blank or near-white picture).
MIN_INK_FRACTION = 0.002


@dataclass(frozen=True)
class Picture:
    """One picture to pair with its sketch: a stable key, a category and how to load it."""

    key: str  # unique and stable across builds: it names the file and picks the split
    category: str | None
    load: Callable[[], Image.Image]
    meta: dict[str, str] = field(default_factory=dict)


def is_held_out(key: str, val_fraction: float) -> bool:
    """Whether ``key`` belongs to the validation split (the OpenMoji builder's hash rule)."""
    # A hash, not a random draw, so the split never changes between builds.
    digest = hashlib.sha256(key.encode()).digest()
    return int.from_bytes(digest[:4], "big") / 2**32 < val_fraction


def render_svg(svg: bytes, side: int) -> Image.Image:
    """Render SVG bytes with its aspect ratio kept, ``side`` pixels wide, transparent paper."""
    import cairosvg  # imported here so the rest of the package works without cairo

    png = cairosvg.svg2png(bytestring=svg, output_width=side)
    return Image.open(io.BytesIO(png)).convert("RGBA")


def load_image(path: Path, side: int = 512) -> Image.Image:
    """A picture file (raster or SVG) as an RGBA image."""
    if path.suffix.lower() == ".svg":
        return render_svg(path.read_bytes(), side)
    with Image.open(path) as image:
        return image.convert("RGBA")


def square_on_white(image: Image.Image, size: int, margin: float = 0.06) -> Image.Image:
    """Composite on white, crop to the drawing, and centre it in a ``size`` square.

    The drawing keeps its aspect ratio and fills the square up to ``margin`` (a fraction of the
    side) on its longer side.
    """
    rgba = image.convert("RGBA")
    paper = Image.new("RGBA", rgba.size, "white")
    flat = Image.alpha_composite(paper, rgba).convert("RGB")
    ink = np.asarray(flat).min(axis=2) < 250
    ys, xs = np.nonzero(ink)
    if len(xs):
        flat = flat.crop((int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1))
    inner = max(1, round(size * (1 - 2 * margin)))
    scale = inner / max(flat.size)
    fitted = flat.resize(
        (max(1, round(flat.width * scale)), max(1, round(flat.height * scale))),
        Image.Resampling.LANCZOS,
    )
    square = Image.new("RGB", (size, size), "white")
    square.paste(fitted, ((size - fitted.width) // 2, (size - fitted.height) // 2))
    return square


def colourfulness(picture: Image.Image) -> float:
    """Hasler & Süsstrunk's colourfulness of the drawn (non-white) pixels; 0 for black & white.

    Black-and-white clip art and Tux Paint's tintable (grey) stamps score under 2; the
    greyest coloured emoji (a moon, a cloud) score about 5.
    """
    rgb = np.asarray(picture.convert("RGB"), dtype=np.float32)
    drawn = rgb[rgb.min(axis=2) < 250]
    if len(drawn) == 0:
        return 0.0
    red, green, blue = drawn.T
    rg, yb = red - green, (red + green) / 2 - blue
    return float(np.hypot(rg.std(), yb.std()) + 0.3 * np.hypot(rg.mean(), yb.mean()))


def _file_stem(key: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", key).strip("-.")[:120] or "picture"


def _remove_previous_build(out_dir: Path) -> None:
    # Only the files an earlier build listed, so pointing --out at a folder of one's own
    # pictures by mistake deletes nothing else.
    previous = out_dir / "dataset.json"
    if not previous.exists():
        return
    for entry in json.loads(previous.read_text(encoding="utf-8")).get("images", []):
        (out_dir / entry["file"]).unlink(missing_ok=True)


def build_edge_dataset(
    pictures: Iterable[Picture],
    *,
    out_dir: Path,
    source: dict[str, Any],
    categories: dict[str, dict[str, str]],
    method: EdgeMethod = "xdog",
    size: int = 256,
    val_fraction: float = 0.1,
    limit: int | None = None,
    hed_weights: Path | None = None,
    cleanup: CleanUp | None = None,
    min_colourfulness: float = 0.0,
    total: int | None = None,
    progress: bool = True,
) -> dict[str, Any]:
    """Write ``out_dir/{train,val}/<category>__<key>.png`` pairs and ``out_dir/dataset.json``.

    ``source`` holds the provenance fields (``source``, ``licence``, ``package``, ``url``,
    ``attribution``...) copied to the top of dataset.json; ``categories`` maps each slug used to
    its card entry. Pictures whose sketch comes out blank, pictures less colourful than
    ``min_colourfulness`` (a generator should learn to colour in, not to copy black and white),
    and repeats of a picture already written are skipped and counted. Returns the dataset.json
    document.
    """
    cleanup = cleanup or CleanUp()
    _remove_previous_build(out_dir)
    entries: list[dict[str, Any]] = []
    skipped: Counter[str] = Counter()
    seen: set[str] = set()
    wanted = min(total, limit) if total is not None and limit is not None else (limit or total)
    bar = tqdm(total=wanted, unit="img", disable=not progress, desc=source.get("source", ""))
    for picture in pictures:
        if limit is not None and len(entries) >= limit:
            break
        try:
            square = square_on_white(picture.load(), size)
        except Exception as exc:  # one broken file must not stop a build
            skipped[f"unreadable ({type(exc).__name__})"] += 1
            continue
        fingerprint = hashlib.sha256(square.tobytes()).hexdigest()
        if fingerprint in seen:
            skipped["duplicate"] += 1
            continue
        seen.add(fingerprint)
        colour = colourfulness(square)
        if colour < min_colourfulness:
            skipped["not colourful"] += 1
            continue
        sketch = extract_sketch(square, method, cleanup=cleanup, hed_weights=hed_weights)
        if (np.asarray(sketch)[:, :, 0] < 128).mean() < MIN_INK_FRACTION:
            skipped["blank sketch"] += 1
            continue
        split = "val" if is_held_out(picture.key, val_fraction) else "train"
        name = f"{picture.category or 'picture'}__{_file_stem(picture.key)}.png"
        pair = Image.new("RGB", (2 * size, size), "white")
        pair.paste(sketch, (0, 0))
        pair.paste(square, (size, 0))
        (out_dir / split).mkdir(parents=True, exist_ok=True)
        pair.save(out_dir / split / name)
        entries.append(
            {
                "file": f"{split}/{name}",
                "split": split,
                "category": picture.category,
                "key": picture.key,
                "colourfulness": round(colour, 1),
                **picture.meta,
            }
        )
        bar.update(1)
    bar.close()
    counts = Counter((e["category"], e["split"]) for e in entries)
    used = sorted({e["category"] for e in entries if e["category"]})
    document = {
        **source,
        "size": size,
        "layout": f"A|B: left half {method} edges (sketch), right half picture on white",
        "sketch_method": method,
        "cleanup": {
            "threshold": cleanup.threshold,
            "min_component_px": cleanup.min_component_px,
            "stroke_px": cleanup.stroke_px,
        },
        "val_fraction": val_fraction,
        "min_colourfulness": min_colourfulness,
        "categories": [categories[slug] for slug in used if slug in categories],
        "counts": {
            (slug or "uncategorised"): {split: counts[(slug, split)] for split in ("train", "val")}
            for slug in sorted({e["category"] for e in entries}, key=lambda s: s or "")
        },
        "skipped": dict(skipped),
        "images": entries,
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "dataset.json").write_text(
        json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    return document
