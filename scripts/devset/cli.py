"""The dev set: every thing × seed × variant drawn on a throw-away site, its manifest and CLI."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import shlex
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from inference.serving.things import THINGS

from . import __doc__ as about
from .browser import CHROMIUM, CHROMIUM_ARGS, Child
from .drawing import DEFAULT_THINGS, make_base, variant_plan
from .model import BLACK, BRUSH_WIDTHS, EXPORT_SIDE, LINE_BRUSH, RECIPES, VARIANTS, BaseDrawing
from .site import throwaway_site


def build(
    out: Path, *, things: list[str], seeds: int, log: Callable[[str], None] = print
) -> dict[str, Any]:
    """Draw every thing × seed × variant on a throw-away site; write the PNGs and devset.json."""
    from playwright.sync_api import sync_playwright

    unknown = sorted(set(things) - set(RECIPES))
    if unknown:
        raise SystemExit(f"no recipe for: {', '.join(unknown)} (known: {', '.join(RECIPES)})")
    out.mkdir(parents=True, exist_ok=True)
    for old in [*out.glob("[0-9]*-*-*.png"), out / "devset.json"]:
        old.unlink(missing_ok=True)
    themes = {t.slug: t.theme for t in THINGS}
    entries: list[dict[str, Any]] = []
    started = time.monotonic()
    with throwaway_site(things) as site, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        context = browser.new_context(viewport={"width": 1024, "height": 1100})
        page = context.new_page()
        page.set_default_timeout(60_000)
        child = Child(page)
        child.sign_in_and_play(site)
        index = 0
        for seed in range(seeds):
            for thing in things:
                base = make_base(thing, seed)
                base_id = f"{index:03d}-{thing}"
                for variant in VARIANTS:
                    if variant == "parts" and not base.parts:
                        continue  # nothing small and closed in this drawing
                    name = f"{base_id}-{variant}.png"
                    (out / name).write_bytes(_draw_variant(child, base, variant, themes[thing]))
                    entries.append(_entry(name, base, base_id, variant, themes[thing]))
                _write_manifest(out, things, seeds, entries, complete=False)
                log(f"{base_id} ({time.monotonic() - started:.0f} s)")
                index += 1
                if index % 12 == 0:  # a fresh page now and then keeps the cards column short
                    child.reload()
        browser.close()
    return _write_manifest(out, things, seeds, entries, complete=True)


def _draw_variant(child: Child, base: BaseDrawing, variant: str, theme: str) -> bytes:
    """Draw one variant and send it; after a hiccup (a page mid-edit) reload and draw it again."""
    for attempt in range(2):
        try:
            for strokes, crayon, brush in variant_plan(base, variant):
                child.draw(strokes, crayon, brush)
            png = child.submit(base.thing, theme)
            child.clear()
            return png
        except Exception:
            if attempt:
                raise
            child.reload()
    raise AssertionError("unreachable")


def _write_manifest(
    out: Path, things: list[str], seeds: int, entries: list[dict[str, Any]], *, complete: bool
) -> dict[str, Any]:
    """``devset.json``, rewritten after every base drawing so an interrupted run keeps its work."""
    manifest = {
        "name": "canvas child-like dev set",
        "made_by": (
            "scripts/canvas_devset.py: scripted mouse strokes (child-like recipes with per-seed "
            "wobble, tremor, gaps and overshoots) drawn on the real canvas page of a throw-away "
            "iCanvas site in headless Chromium via Playwright; each PNG is the sketch file the "
            "page POSTed to /api/v1/drawings/, intercepted and saved byte for byte. Never traced "
            "from any dataset picture or training edge."
        ),
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "command": shlex.join([Path(sys.executable).name, *sys.argv]),
        "complete": complete,
        "export_side": EXPORT_SIDE,
        "line_brush": LINE_BRUSH,
        "brush_widths_px": {k: round(v * EXPORT_SIDE) for k, v in BRUSH_WIDTHS.items()},
        "variants": {
            "black": "the lines in the black crayon",
            "crayon": "the same strokes in another crayon (line_crayon)",
            "coloured": "the black lines plus a crayon scribble inside the biggest closed shape",
            "parts": "the black lines plus up to three small closed parts (150-4,000 px at 512) "
            "coloured with the small brush, each in its own crayon",
        },
        "things": things,
        "seeds": seeds,
        "drawings": entries,
    }
    (out / "devset.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    return manifest


def _entry(name: str, base: BaseDrawing, base_id: str, variant: str, theme: str) -> dict[str, Any]:
    rounded = lambda poly: [[round(x, 4), round(y, 4)] for x, y in poly]  # noqa: E731
    return {
        "file": name,
        "thing": base.thing,
        "theme": theme,
        "variant": variant,
        "base": base_id,
        "seed": base.seed,
        "line_crayon": base.twin_crayon if variant == "crayon" else BLACK,
        "brush": LINE_BRUSH,
        "fills": [
            {
                "crayon": f.crayon,
                "polygon": rounded(f.polygon),
                "area_fraction": round(f.area_fraction, 4),
                "brush": f.brush,
            }
            for f in {"coloured": base.fills, "parts": base.parts}.get(variant, [])
        ],
    }


def contact_sheet(out: Path, manifest: dict[str, Any], tile: int = 128) -> Path:
    """``sheet.png``: one row per base drawing (black | crayon | coloured), two bases a row."""
    from PIL import Image, ImageDraw

    bases: dict[str, list[dict[str, Any]]] = {}
    for entry in manifest["drawings"]:
        bases.setdefault(entry["base"], []).append(entry)
    per_row, label_h, gap = 2, 14, 6
    cell_w = len(VARIANTS) * tile + gap
    rows = math.ceil(len(bases) / per_row)
    sheet = Image.new("RGB", (per_row * cell_w, rows * (tile + label_h + gap)), "#d8d8d8")
    pen = ImageDraw.Draw(sheet)
    for i, (base_id, entries) in enumerate(bases.items()):
        x0 = (i % per_row) * cell_w
        y0 = (i // per_row) * (tile + label_h + gap)
        pen.text((x0 + 2, y0 + 1), base_id, fill="black")
        for j, entry in enumerate(sorted(entries, key=lambda e: VARIANTS.index(e["variant"]))):
            picture = Image.open(out / entry["file"]).convert("RGB").resize((tile, tile))
            sheet.paste(picture, (x0 + j * tile, y0 + label_h))
    path = out / "sheet.png"
    sheet.save(path)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=about.split("\n\n")[0] if about else None)
    parser.add_argument(
        "--out", type=Path, required=True, help="folder for the PNGs and devset.json"
    )
    parser.add_argument("--seeds", type=int, default=2, help="drawings per thing (default 2)")
    parser.add_argument(
        "--things", default=",".join(DEFAULT_THINGS), help="comma-separated slugs (default: all)"
    )
    parser.add_argument("--no-sheet", action="store_true", help="skip the contact sheet")
    args = parser.parse_args(argv)
    things = [t.strip() for t in args.things.split(",") if t.strip()]
    manifest = build(args.out, things=things, seeds=args.seeds)
    if not args.no_sheet:
        print(f"contact sheet: {contact_sheet(args.out, manifest)}")
    print(f"{len(manifest['drawings'])} drawings in {args.out}")
    return 0
