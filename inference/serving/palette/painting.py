"""Paint a picture from the child's sketch and the palette U-Net's evidence: one colour a shape.

The steps, all plain numpy and OpenCV on one picture (so a picture never depends on what else
was in its batch):

1. **Shapes.** The child's lines (the split's line plane, at the network's 256 px) are closed
   over small gaps and cut the paper into shapes; line pixels join the nearest shape. Shapes
   touching the border are the paper around the drawing.
2. **A colour per shape, chosen** — from the region model's probabilities for the shape
   (:mod:`inference.serving.palette.regions`) when the painter has one, else the U-Net's evidence.
   Where the child coloured a good part of a shape in, the shape takes the child's colour (the
   median of the hint), and every area the child coloured keeps its colour, however small.
   Elsewhere it takes the palette colour family with the most probability over the whole
   shape, then a shade of it: the mode, never an average of colours, so a tree crown is one
   definite green and not khaki. ``variant`` > 0 re-rolls ("New colours" 🎲): each chosen
   colour is swapped, for every shape that chose it, for another plausible there (the child's
   own colours are kept).
3. **Paper.** The paper stays white, except where the child coloured it (a scribbled blob
   without an outline keeps its colour, flat) and where the network is sure of a coloured
   area (an outline with a gap still gets its colour inside).
4. **Crisp lines at full size** (:mod:`inference.serving.palette.marks`, with the child's own
   marks). The fills are brought to the output size (at least 512 px) and the child's own strokes
   are laid over them from the full-size sketch, in the colour they were drawn: a red crayon
   outline stays red.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np
from scipy import ndimage

from inference.serving.palette.colours import Palette, rgb_to_lab
from inference.serving.palette.marks import (
    STROKE_HINT_MIN_PX,
    WORK_SIDE,
    colouring_areas,
    ink_alpha,
    lay_lines,
    off_colour_ink,
    paint_colouring,
)
from inference.serving.palette.rolls import reroll

OUTPUT_MIN_SIDE = 512
GAP_CLOSE_PX = 3  # at 256 px: line gaps up to ~2x this are closed when finding shapes
LEAK_CLOSE_PX = 8  # ... and a shape open by a gap up to ~2x this is still found
HINT_SHARE = 0.15  # a shape this much coloured in by the child takes the child's colour
HINT_MIN_PX = 12  # ... and at least this many coloured pixels (at 256 px), counting those
# at least this far inside it:
INTERIOR_PX = 3
AGREE_DELTA_E = 30.0
SURE = 0.6  # the network's probability above which paper is painted (a leaky outline)
SURE_MIN_SHARE = 0.01  # ... over at least this share of the picture, in one piece
NEUTRAL_CHROMA = 14.0  # palette colours below this chroma are white, grey or black
WHITE_DOUBT = 0.6  # white's evidence counts this much inside a shape the child drew
# An outer shape (one that meets the paper: a body, a crown, a car) is painted in a colour
# unless white, grey and black together hold this much of its evidence (a panda's head): a
# grey aeroplane or a white rabbit on white paper looks uncoloured to a child.
NEUTRAL_KEEP = 0.9
PALE_CHROMA = 30.0  # a family whose likely shades are all below this chroma is pale
SHADE_TOLERANCE = 0.3  # shades this likely against the family's best may be chosen instead
FIRST_HUE_FAMILY, HUE_SECTORS = 3, 12  # colour families: white, grey, black, then 12 hues
# Thin strokes in another crayon than the drawing's lines, inside a shape the child drew, are
# colouring-in when they cover this share of it (a small part: a nose dabbed green) ...
STROKE_HINT_SHARE = (0.03, 0.08)  # (small shapes, others)
SMALL_SHAPE_PX = 1000  # ... small: at most this many pixels at 256 px
SLIVER_PX = 2.5  # at 256 px: a shape nowhere thicker than this is a sliver between lines
# With a region model (:mod:`inference.serving.palette.regions`), the U-Net's evidence counts this
# much beside it (log-linear): its per-pixel probabilities inside a plain outline are still close
# to its prior, while the region model names a colour per shape.
UNET_WEIGHT = 0.0


@dataclass(frozen=True)
class Shapes:
    """Shape labels at the work size (0: none), which are paper, and each one's pixel count."""

    labels: np.ndarray
    paper: np.ndarray  # bool per label
    areas: np.ndarray


def walls_of(sketch: np.ndarray, colouring: np.ndarray) -> np.ndarray:
    """Pixels of a work-size sketch that part shapes: every stroke of any crayon, except the
    areas coloured in."""
    return (ink_alpha(sketch) > 0.5) & ~colouring


def _cut(walls: np.ndarray, gap: int) -> tuple[int, np.ndarray]:
    """Connected areas between ``walls`` closed over gaps up to ~2x ``gap`` (0: wall)."""
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * gap + 1, 2 * gap + 1))
    closed = cv2.dilate(walls.astype(np.uint8), kernel)
    return cv2.connectedComponents((1 - closed).astype(np.uint8), connectivity=4)


def _touching_border(labels: np.ndarray) -> np.ndarray:
    return np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]]))


def find_shapes(walls: np.ndarray, gap: int = GAP_CLOSE_PX) -> Shapes:
    """Shapes cut by the ``S x S`` bool ``walls`` (the child's strokes). An outline left open
    by a gap wider than ``gap`` still makes a shape when a wider closing (``LEAK_CLOSE_PX``)
    closes it, so a fish whose tail was not quite joined is not paper inside."""
    count, labels = _cut(walls, gap)
    paper_labels = [int(v) for v in _touching_border(labels) if v]
    paper_area = np.isin(labels, paper_labels)
    wide_count, wide = _cut(walls, LEAK_CLOSE_PX)
    open_to_paper = set(_touching_border(wide).tolist())
    found_leaky = False
    for leaky in range(1, wide_count):
        if leaky in open_to_paper:
            continue
        inside = (wide == leaky) & paper_area
        if inside.any():
            labels[inside] = count
            count += 1
            found_leaky = True
    if found_leaky:
        # The wide closing's band along the strokes joins whichever shape is nearest, so a
        # leaky shape is filled up to its outline, not left with a rim of paper inside it.
        labels[paper_area & (wide == 0)] = 0
    if count > 1:
        # Every wall (and dilated) pixel joins the nearest shape.
        _, nearest = ndimage.distance_transform_edt(labels == 0, return_indices=True)
        labels = labels[nearest[0], nearest[1]]
    else:
        labels = np.ones_like(labels)
        count = 2
    paper = np.zeros(count, bool)
    paper[_touching_border(labels)] = True
    paper[0] = False
    return Shapes(labels.astype(np.int32), paper, np.bincount(labels.ravel(), minlength=count))


def shape_evidence(probs: np.ndarray, labels: np.ndarray, count: int) -> np.ndarray:
    """Mean palette probability over each shape (``count x K``), from ``K x s x s`` probs at
    any side (brought to the labels' side)."""
    side = labels.shape[0]
    if probs.shape[1] != side:
        probs = np.stack([cv2.resize(p, (side, side), interpolation=cv2.INTER_LINEAR)
                          for p in probs])  # fmt: skip
    flat = labels.ravel()
    sums = np.stack([np.bincount(flat, weights=plane.ravel(), minlength=count)
                     for plane in probs], axis=1)  # fmt: skip
    return sums / np.maximum(np.bincount(flat, minlength=count), 1)[:, None]


def blend_evidence(by_region: np.ndarray, by_unet: np.ndarray) -> np.ndarray:
    """Each shape's colour probabilities from the region model, times the U-Net's evidence to
    the power :data:`UNET_WEIGHT`, renormalised."""
    if UNET_WEIGHT:
        by_region = by_region * np.power(np.maximum(by_unet, 1e-6), UNET_WEIGHT)
    return by_region / np.maximum(by_region.sum(axis=1, keepdims=True), 1e-12)


def colour_families(palette: Palette) -> np.ndarray:
    """The family of every palette colour: 0 white, 1 grey, 2 black, then 3 + one of twelve
    30° hue sectors. Evidence is summed per family before a choice, so a green split over six
    palette greens is not outvoted by white, which is one colour."""
    lab = palette.lab
    chroma = np.hypot(lab[:, 1], lab[:, 2])
    hue = np.degrees(np.arctan2(lab[:, 2], lab[:, 1])) % 360
    families = 3 + (hue // 30).astype(np.int64)
    grey = chroma < NEUTRAL_CHROMA
    families[grey] = np.where(lab[grey, 0] >= 85, 0, np.where(lab[grey, 0] >= 35, 1, 2))
    return families


def choose_colours(  # noqa: PLR0917 - the tests call it positionally
    evidence: np.ndarray,
    shapes: Shapes,
    families: np.ndarray,
    variant: int,
    outer: np.ndarray | None = None,
    chroma: np.ndarray | None = None,
) -> np.ndarray:
    """A palette index per shape: the most likely colour family (white counting for less in a
    shape the child drew: paper inside an outline is a choice the network must be sure of; in
    an ``outer`` shape white, grey and black only when nearly certain), then its most likely
    member (with ``chroma``, the palette's, the brightest of the members nearly as likely:
    a butterfly in sky blue rather than the palest blue). For ``variant`` > 0 every shape
    that chose a family gets one other plausible family instead ("New colours"), unless its
    family is all but certain."""
    by_family = np.zeros((len(evidence), families.max() + 1))
    np.add.at(by_family.T, families, evidence.T)
    drawn = ~shapes.paper
    drawn[0] = False
    by_family[drawn, 0] *= WHITE_DOUBT
    if outer is not None:
        neutral = (by_family[:, :3].sum(axis=1) < NEUTRAL_KEEP * by_family.sum(axis=1)) & outer
        by_family[neutral & drawn, :3] = 0.0
    family = by_family.argmax(axis=1)
    if variant > 0:
        family = reroll(family, by_family, shapes.areas, drawn, variant)
    chosen = np.empty(len(evidence), np.int64)
    for index, wanted in enumerate(family):
        in_family = np.where(families == wanted, evidence[index], -1.0)
        chosen[index] = in_family.argmax()
        if chroma is not None and wanted >= FIRST_HUE_FAMILY:
            # The brightest shade nearly as likely; a hue sector either side only when the
            # family's own likely shades are all pale (a sky-blue fish, not the palest blue).
            likely = in_family >= SHADE_TOLERANCE * in_family.max()
            if chroma[likely].max() < PALE_CHROMA:
                hues = (wanted - FIRST_HUE_FAMILY + np.array([-1, 0, 1])) % HUE_SECTORS
                nearby = np.isin(families, hues + FIRST_HUE_FAMILY)
                likely = nearby & (evidence[index] >= SHADE_TOLERANCE * in_family.max())
            chosen[index] = np.where(likely, chroma, -1.0).argmax()
    return chosen


def _hint_colours(
    hint_rgb: np.ndarray, hint_mask: np.ndarray, labels: np.ndarray, count: int
) -> tuple[np.ndarray, np.ndarray]:
    """Per label: the median colour the child put there (uint8) and how many pixels."""
    colours = np.zeros((count, 3), np.float32)
    pixels = np.bincount(labels[hint_mask], minlength=count)
    for label in np.flatnonzero(pixels):
        colours[label] = np.median(hint_rgb[hint_mask & (labels == label)], axis=0)
    return colours.round().clip(0, 255).astype(np.uint8), pixels


def paint_fills(
    sketch: np.ndarray,
    probs: np.ndarray | None,
    palette: Palette,
    *,
    colouring: np.ndarray,
    variant: int = 0,
    regions: Callable[[Shapes], np.ndarray] | None = None,
    brighten: bool = True,
) -> np.ndarray:
    """The fill colours at the work size (``S x S x 3`` uint8, no lines yet) for a work-size
    RGB sketch, the areas coloured in (:func:`colouring_areas`) and the network's
    ``K x s x s`` probabilities; ``regions`` (the region model) gives each shape's colour
    probabilities (``count x K``) from the shapes; ``brighten`` prefers the brightest likely
    shade (off for faces, whose skin would turn orange-red). ``probs`` may be None when the
    region model decides alone and no area is painted from the network's certainty (a
    painter whose card says ``sure_areas: false``: the network is not run at all)."""
    # The child's colours: the crayon ink itself (paper between scribble strokes left out).
    hint_mask = colouring & (ink_alpha(sketch) > 0.5)
    hint_rgb = sketch.astype(np.float32)
    walls = walls_of(sketch, colouring)
    shapes = find_shapes(walls)
    count = len(shapes.areas)
    if regions is None:
        if probs is None:
            raise ValueError("paint_fills needs the network's probabilities or a region model")
        evidence = shape_evidence(probs, shapes.labels, count)
    else:  # the region model, with the U-Net's evidence weighed in (UNET_WEIGHT) when given
        by_unet = (shape_evidence(probs, shapes.labels, count) if UNET_WEIGHT and probs is not None
                   else np.ones((count, len(palette.rgb))))  # fmt: skip
        evidence = blend_evidence(regions(shapes), by_unet)
    outer = touching_paper(shapes.labels, shapes.paper)
    chroma = np.hypot(palette.lab[:, 1], palette.lab[:, 2]) if brighten else None
    chosen = choose_colours(evidence, shapes, colour_families(palette), variant, outer, chroma)
    _follow_neighbours(chosen, shapes)
    table = palette.rgb[chosen].copy()
    # How much of each shape the child coloured, away from its outline (an outline drawn in
    # the scribble's crayon is not colouring-in). A shape coloured in well enough takes the
    # child's colour; one coloured a little takes it where the network, which reads the hints,
    # agrees (its palette colour within ΔE*ab 30 of the child's).
    reach = 2 * INTERIOR_PX + 1
    interior = cv2.dilate(walls.astype(np.uint8), np.ones((reach, reach), np.uint8)) == 0
    child, coloured = _hint_colours(hint_rgb, hint_mask & interior, shapes.labels, count)
    inner = np.bincount(shapes.labels[interior], minlength=count)
    hinted = ~shapes.paper & (coloured >= HINT_MIN_PX)
    agrees = np.linalg.norm(rgb_to_lab(table) - rgb_to_lab(child), axis=1) < AGREE_DELTA_E
    by_child = hinted & ((coloured >= HINT_SHARE * inner) | agrees)
    table[by_child] = child[by_child]
    off_colour = off_colour_ink(sketch, colouring)
    strokes, stroked = _stroke_hints(sketch, colouring, off_colour, shapes)
    table[stroked & ~by_child] = strokes[stroked & ~by_child]
    table[shapes.paper] = 255
    fills = table[shapes.labels]
    paper = shapes.paper[shapes.labels]
    if probs is not None:
        _paint_sure_areas(fills, paper, probs, palette)
    paint_colouring(fills, hint_rgb, colouring, hint_mask, off_colour)
    return fills


def _follow_neighbours(chosen: np.ndarray, shapes: Shapes) -> None:
    """A sliver (a shape nowhere thicker than :data:`SLIVER_PX`: the strip between an eye and
    the head's outline) takes the colour of the neighbour it shares the most border with, in
    place, so it does not show as a stripe of another colour."""
    labels = shapes.labels
    drawn = np.flatnonzero(~shapes.paper)
    drawn = drawn[drawn > 0]
    if len(drawn) < 2:
        return
    edge = np.zeros(labels.shape, bool)
    edge[:, :-1] |= labels[:, :-1] != labels[:, 1:]
    edge[:, 1:] |= labels[:, :-1] != labels[:, 1:]
    edge[:-1] |= labels[:-1] != labels[1:]
    edge[1:] |= labels[:-1] != labels[1:]
    depth = ndimage.distance_transform_edt(~edge)
    thick = ndimage.maximum(depth, labels, index=drawn)
    count = len(shapes.areas)
    firsts, seconds = [], []
    for a, b in ((labels[:, :-1], labels[:, 1:]), (labels[:-1], labels[1:])):
        differ = a != b
        firsts += [a[differ], b[differ]]
        seconds += [b[differ], a[differ]]
    codes, lengths = np.unique(np.concatenate(firsts) * count + np.concatenate(seconds),
                               return_counts=True)  # fmt: skip
    mine, theirs = codes // count, codes % count
    keep = ~shapes.paper[theirs] & (theirs > 0)
    for label, thickness in zip(drawn.tolist(), thick, strict=True):
        here = keep & (mine == label)
        if thickness <= SLIVER_PX and here.any():
            chosen[label] = chosen[theirs[here][lengths[here].argmax()]]


def touching_paper(labels: np.ndarray, paper: np.ndarray) -> np.ndarray:
    """Per shape label: whether it meets a ``paper`` label (4-neighbours)."""
    result = np.zeros(len(paper), bool)
    for a, b in ((labels[:, :-1], labels[:, 1:]), (labels[:-1], labels[1:])):
        differ = a != b
        first, second = a[differ], b[differ]
        result[first[paper[second]]] = True
        result[second[paper[first]]] = True
    return result


def _stroke_hints(
    sketch: np.ndarray, colouring: np.ndarray, off_colour: np.ndarray, shapes: Shapes
) -> tuple[np.ndarray, np.ndarray]:
    """Per shape: the colour of thin strokes in another crayon than the drawing's lines that
    colour it in (a nose dabbed green inside a black outline), and which shapes have them.
    Such strokes part shapes like lines, so each piece of a small part counts its own."""
    count = len(shapes.areas)
    colours = np.zeros((count, 3), np.uint8)
    off = off_colour & ~colouring
    found = np.bincount(shapes.labels[off], minlength=count)
    share = np.where(shapes.areas <= SMALL_SHAPE_PX, *STROKE_HINT_SHARE)
    hinted = ~shapes.paper & (found >= STROKE_HINT_MIN_PX) & (found >= share * shapes.areas)
    hinted[0] = False
    for label in np.flatnonzero(hinted):
        colours[label] = np.median(sketch[off & (shapes.labels == label)], axis=0).round()
    return colours, hinted


def _paint_sure_areas(
    fills: np.ndarray, paper: np.ndarray, probs: np.ndarray, palette: Palette
) -> None:
    side = fills.shape[0]
    top = probs.max(axis=0)
    # Paper white (0) is never painted: sure where another colour is likelier than it (argmax
    # takes the first of equals), found before the costly argmax, which most pictures skip.
    sure = (top > SURE) & (probs[0] < top)
    if not sure.any():
        return
    best = probs.argmax(axis=0)
    if probs.shape[1] != side:
        best = cv2.resize(best.astype(np.uint8), (side, side), interpolation=cv2.INTER_NEAREST)
        sure = cv2.resize(sure.astype(np.uint8), (side, side), interpolation=cv2.INTER_NEAREST) > 0
    sure &= paper
    if not sure.any():
        return
    count, pieces, stats, _ = cv2.connectedComponentsWithStats(
        sure.astype(np.uint8), connectivity=4
    )
    for piece in range(1, count):
        if stats[piece, cv2.CC_STAT_AREA] < SURE_MIN_SHARE * side * side:
            continue
        inside = pieces == piece
        colour = np.bincount(best[inside]).argmax()
        fills[inside] = palette.rgb[colour]


# Names the painter and the tests import from here, which live in marks.
__all__ = ["WORK_SIDE", "colouring_areas", "ink_alpha", "lay_lines"]
