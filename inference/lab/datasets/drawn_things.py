"""Things drawn here, as SVG: cartoon pictures of the things the sources hold too few of.

The emoji sets and clip art hold a handful of gemstones, a dozen bananas and a few dozen
rockets, stars and buses against hundreds of faces, so a generator sees too few of them to
learn their colours. These are flat-colour cartoons with a dark outline of varying width, the
way picture books and emoji draw them — several designs of each thing (a banana alone or in a
bunch, a cone or a popsicle, a bus from the side or the front...), in the colours a child
expects (:attr:`inference.serving.things.Thing.colours`), varied in proportions, colours,
outline, tilt and mirroring. Every seed draws the same pictures. They are this project's own
drawings (no third-party material); the parts are in :mod:`inference.lab.datasets.drawn_animals`,
:mod:`~inference.lab.datasets.drawn_food`, :mod:`~inference.lab.datasets.drawn_sky` and
:mod:`~inference.lab.datasets.drawn_objects`, the pen in :mod:`~inference.lab.datasets.drawn_parts`.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Sequence

from PIL import Image

from inference.lab.datasets import drawn_animals, drawn_food, drawn_objects, drawn_sky
from inference.lab.datasets.drawn_parts import SIDE, Pen
from inference.lab.datasets.pictures import Picture, render_svg

DRAWERS: dict[str, Callable[[Pen], str]] = {
    "gemstone": drawn_objects.gemstone,
    "banana": drawn_food.banana,
    "butterfly": drawn_animals.butterfly,
    "rocket": drawn_sky.rocket,
    "strawberry": drawn_food.strawberry,
    "ice_cream": drawn_food.ice_cream,
    "rabbit": drawn_animals.rabbit,
    "star": drawn_sky.star,
    "bus": drawn_objects.bus,
    "bear": drawn_animals.bear,
    "cake": drawn_food.cake,
    "apple": drawn_food.apple,
    "airplane": drawn_objects.airplane,
    "handbag": drawn_objects.handbag,
    "planet": drawn_sky.planet,
    "sun": drawn_sky.sun,
    "dog": drawn_animals.dog,
    "fish": drawn_animals.fish,
    "cloud": drawn_sky.cloud,
}
THINGS: tuple[str, ...] = tuple(DRAWERS)


def thing_svg(thing: str, rng: random.Random) -> str:
    """One cartoon ``thing`` (a slug of :data:`THINGS`), drawn with ``rng``."""
    return DRAWERS[thing](Pen(rng))


def thing_pictures(
    count_per_thing: int, seed: int = 0, things: Sequence[str] | None = None, side: int = SIDE
) -> Iterator[Picture]:
    """``count_per_thing`` drawings of each thing (all of :data:`THINGS` by default).

    The same seed draws the same pictures, each on its own: a picture depends only on its key.
    """
    for thing in things or THINGS:
        if thing not in DRAWERS:
            raise ValueError(f"no drawings of {thing!r}; drawn things: {', '.join(THINGS)}")
        for index in range(count_per_thing):
            key = f"drawn-{thing}-{seed}-{index:04d}"

            def load(key: str = key, thing: str = thing) -> Image.Image:
                drawing = thing_svg(thing, random.Random(key))  # noqa: S311 - art, not secrets
                return render_svg(drawing.encode(), side)

            yield Picture(key=key, category=thing, load=load)
