"""Build the child-like dev set: drawings made with the mouse on the real canvas page.

Generators are judged on sketches that look like a child's, never on the training edges
(issue 12, item 6). This script starts a throw-away iCanvas site (its own SQLite file, media
and generator folders in a temporary directory; the embedded worker off), signs in as the demo
parent, enters play mode as a demo child and draws, through Playwright and Debian's Chromium,
one simple drawing per thing and seed: a small recipe of polylines (a panda is a round head,
two round ears, eye patches and a nose) made child-like by the seed (position, size, a slight
tilt, uneven proportions, wobble and tremor on every stroke, a gap or an overshoot where a
shape closes).

Each base drawing is drawn three times:

* ``black``: the lines in the black crayon, medium brush;
* ``crayon``: the very same strokes in another crayon (the twin for crayon robustness);
* ``coloured``: the black lines plus a back-and-forth scribble in a crayon inside the
  drawing's biggest closed shape (sometimes a second, smaller one too).

The PNG kept is the exact file the page sends: the POST to ``/api/v1/drawings/`` is intercepted,
its multipart body parsed and the sketch's bytes saved as they are; the request then goes on
to the throw-away server, so the page behaves as it does for a child. ``devset.json`` lists
every drawing with its thing, variant, crayons, the filled polygons and how it was made.

    .venv/bin/python scripts/canvas_devset.py --out data/devsets/canvas [--seeds 2]

The package, by concern: ``model`` (crayons, parts, strokes, the kit), ``recipes_*`` (one thing
each, by theme), ``childlike`` (wobble, tremor, gaps), ``scribble`` (colouring in), ``drawing``
(a base drawing per thing and seed), ``site`` (the throw-away site), ``browser`` (the child at
the canvas) and ``cli`` (the dev set, its manifest and the command line).
"""

from __future__ import annotations

from .browser import CHROMIUM, CHROMIUM_ARGS, DRAWINGS_API, Child, sketch_from_multipart
from .cli import build, contact_sheet, main
from .drawing import DEFAULT_THINGS, make_base, variant_plan
from .model import (
    BLACK,
    BRUSH_WIDTHS,
    CRAYON_HEX,
    EXPORT_SIDE,
    LINE_BRUSH,
    RECIPES,
    VARIANTS,
    BaseDrawing,
    Fill,
    Kit,
    Palette,
    Part,
    Point,
    Recipe,
    Stroke,
    palette,
    polygon_area,
    recipe,
)
from .site import ROOT, Site, throwaway_site

__all__ = [
    "BLACK",
    "BRUSH_WIDTHS",
    "CHROMIUM",
    "CHROMIUM_ARGS",
    "CRAYON_HEX",
    "DEFAULT_THINGS",
    "DRAWINGS_API",
    "EXPORT_SIDE",
    "LINE_BRUSH",
    "RECIPES",
    "ROOT",
    "VARIANTS",
    "BaseDrawing",
    "Child",
    "Fill",
    "Kit",
    "Palette",
    "Part",
    "Point",
    "Recipe",
    "Site",
    "Stroke",
    "build",
    "contact_sheet",
    "main",
    "make_base",
    "palette",
    "polygon_area",
    "recipe",
    "sketch_from_multipart",
    "throwaway_site",
    "variant_plan",
]
