"""Judge generators on child-like sketches, where no ground-truth picture exists.

The seed project's lesson: a checkpoint that scores well on its training outlines can still
fail on children's strokes, so checkpoints are compared on the held-out doodles
(:mod:`inference.pix2pix.doodles`). Without a target picture, three things a child notices are
measured instead:

* ``lines_kept``: the share of the child's stroke pixels that stay dark in the picture
  (the picture follows the drawing);
* ``inside_coloured``: the share of pixels enclosed by strokes that got a clear colour
  (the picture is coloured in, not left grey or white);
* ``paper_white``: the share of the paper outside the drawing that stays white (no smudges);

and, across all the sketches, ``colour_variety``: how much the mean colour inside the drawings
differs between them (0 when every picture gets the same colour, e.g. all yellow).

Usage: ``python -m inference.pix2pix.judge RUN_DIR [--sheet PATH]`` scores every checkpoint of
a training run and can save one row of pictures per checkpoint for a look.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image, ImageDraw
from safetensors.torch import load_file

from inference.pix2pix.doodles import held_out_doodles
from inference.pix2pix.imaging import batch_to_images, images_to_batch
from inference.pix2pix.networks import GeneratorConfig, build_generator

INK = 128  # grey level below which a pixel is a stroke
OUTSIDE, WALL = 128, 0


def _near(mask: np.ndarray, radius: int) -> np.ndarray:
    tensor = torch.from_numpy(mask.astype(np.float32))[None, None]
    grown = F.max_pool2d(tensor, 2 * radius + 1, stride=1, padding=radius)
    return grown[0, 0].numpy() > 0


def regions(sketch: Image.Image) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(ink, inside, outside)`` boolean masks of a sketch; a margin around strokes is neither."""
    ink = np.asarray(sketch.convert("L")) < INK
    walls = _near(ink, 1)
    # A one-pixel paper border lets the fill start in a corner whatever the drawing touches.
    paper = np.pad(np.where(walls, WALL, 255).astype(np.uint8), 1, constant_values=255)
    # copy(): an image made by fromarray shares the array's read-only memory, and floodfill
    # would silently leave it unchanged.
    fill = Image.fromarray(paper).copy()
    ImageDraw.floodfill(fill, (0, 0), OUTSIDE)
    reachable = np.asarray(fill)[1:-1, 1:-1] == OUTSIDE
    margin = _near(ink, 4)
    return ink, ~reachable & ~margin, reachable & ~_near(ink, 8)


def judge_picture(sketch: Image.Image, picture: Image.Image) -> dict[str, float]:
    """The three scores (each 0..1, higher is better) for one sketch and its picture."""
    ink, inside, outside = regions(sketch)
    rgb = np.asarray(picture.convert("RGB"), dtype=np.int16)
    grey = rgb.mean(axis=2)
    chroma = rgb.max(axis=2) - rgb.min(axis=2)
    coloured = (chroma > 60) & (grey < 235)
    white = rgb.min(axis=2) > 220
    scores = {"lines_kept": float((grey[ink] < INK).mean()) if ink.any() else 1.0}
    scores["inside_coloured"] = float(coloured[inside].mean()) if inside.any() else 0.0
    scores["paper_white"] = float(white[outside].mean()) if outside.any() else 1.0
    return scores


def mean_inside_colour(sketch: Image.Image, picture: Image.Image) -> np.ndarray:
    """Mean RGB (0..1) of the picture inside the sketch's strokes (white when none)."""
    inside = regions(sketch)[1]
    rgb = np.asarray(picture.convert("RGB"), dtype=np.float64) / 255
    return rgb[inside].mean(axis=0) if inside.any() else np.ones(3)


@torch.no_grad()
def judge_generator(net: torch.nn.Module, sketches: list[Image.Image]) -> dict[str, float]:
    """Mean scores of ``net`` over ``sketches`` (default: the held-out doodles)."""
    net.eval()
    pictures = batch_to_images(torch.cat([net(b) for b in images_to_batch(sketches).split(8)]))
    pairs = list(zip(sketches, pictures, strict=True))
    per_image = [judge_picture(s, p) for s, p in pairs]
    scores = {key: float(np.mean([s[key] for s in per_image])) for key in per_image[0]}
    colours = np.stack([mean_inside_colour(s, p) for s, p in pairs])
    scores["colour_variety"] = float(colours.std(axis=0).mean())
    return {key: round(value, 4) for key, value in scores.items()}


def load_checkpoint(path: Path) -> torch.nn.Module:
    """A generator from a training checkpoint (``epoch-NNNN.safetensors`` + ``.json``)."""
    meta = json.loads(path.with_suffix(".json").read_text())
    net = build_generator(GeneratorConfig.from_dict(meta["architecture"]))
    net.load_state_dict(load_file(str(path)))
    return net


def main() -> None:
    """Score every checkpoint of a run on the held-out doodles; print one JSON line each."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("run_dir", type=Path)
    parser.add_argument("--every", type=int, default=1, help="Only every Nth epoch.")
    parser.add_argument("--sheet", type=Path, help="Save a row of pictures per checkpoint.")
    args = parser.parse_args()
    sketches = list(held_out_doodles().values())
    rows = [sketches]
    checkpoints = sorted((args.run_dir / "checkpoints").glob("epoch-*.safetensors"))
    for path in checkpoints[args.every - 1 :: args.every]:
        net = load_checkpoint(path)
        print(json.dumps({"checkpoint": path.name, **judge_generator(net, sketches)}), flush=True)
        if args.sheet:
            with torch.no_grad():
                rows.append(batch_to_images(net(images_to_batch(sketches))))
    if args.sheet:
        side = 128
        sheet = Image.new("RGB", (side * len(sketches), side * len(rows)), "white")
        for r, row in enumerate(rows):
            for c, image in enumerate(row):
                sheet.paste(image.resize((side, side)), (c * side, r * side))
        sheet.save(args.sheet)


if __name__ == "__main__":
    main()
