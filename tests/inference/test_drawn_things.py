"""The drawn things: every thing drawn, colourful, in its own colours, the same for the same key."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from inference.lab.datasets.drawn_things import THINGS, thing_pictures
from inference.lab.datasets.pictures import Picture, colourfulness, square_on_white
from inference.serving import things

SIDE = 128  # small, so the test stays fast; the dataset draws at 512
MIN_COLOURFULNESS = 3.0  # build_source_dataset's default --min-colourfulness


def _hsv(picture: Picture) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Hue (degrees), saturation and value (0-1) of the picture's opaque pixels."""
    rgba = np.asarray(picture.load().convert("RGBA"))
    rgb = rgba[rgba[..., 3] > 250][:, :3]
    hsv = np.asarray(Image.fromarray(rgb[None]).convert("HSV"))[0].astype(np.float32)
    return hsv[:, 0] * 360 / 255, hsv[:, 1] / 255, hsv[:, 2] / 255


def _hue_share(picture: Picture, low: float, high: float) -> float:
    """The share of the picture's coloured pixels (no ink, no white) with a hue in the range."""
    hue, saturation, value = _hsv(picture)
    coloured = (value > 0.35) & (saturation > 0.35)
    hues = hue[coloured]
    inside = (hues >= low) & (hues <= high) if low <= high else (hues >= low) | (hues <= high)
    return float(inside.mean())


def test_every_thing_is_drawn_under_its_own_label_and_key() -> None:
    pictures = list(thing_pictures(2, seed=0, side=SIDE))
    assert {p.category for p in pictures} == set(THINGS)
    assert len(THINGS) == 19 and set(THINGS) <= set(things.labels())
    assert pictures[0].key == f"drawn-{THINGS[0]}-0-0000"
    assert len({p.key for p in pictures}) == len(pictures)
    only = list(thing_pictures(3, seed=4, things=["banana"], side=SIDE))
    assert [p.key for p in only] == [f"drawn-banana-4-{i:04d}" for i in range(3)]
    with pytest.raises(ValueError, match="no drawings"):
        next(thing_pictures(1, things=["panda"]))


def test_the_same_seed_draws_the_same_pictures_and_others_differ() -> None:
    first = [np.asarray(p.load()) for p in thing_pictures(2, seed=1, things=["fish"], side=SIDE)]
    again = [np.asarray(p.load()) for p in thing_pictures(2, seed=1, things=["fish"], side=SIDE)]
    assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))
    assert not np.array_equal(first[0], first[1])
    other = next(thing_pictures(1, seed=2, things=["fish"], side=SIDE))
    assert not np.array_equal(np.asarray(other.load()), first[0])


@pytest.mark.parametrize("thing", THINGS)
def test_every_drawing_is_colourful_enough_to_be_kept(thing: str) -> None:
    for picture in thing_pictures(3, seed=7, things=[thing], side=SIDE):
        image = picture.load()
        assert image.getchannel("A").getextrema()[0] == 0, picture.key  # transparent paper
        assert colourfulness(square_on_white(image, SIDE)) > MIN_COLOURFULNESS, picture.key


@pytest.mark.parametrize(
    ("thing", "low", "high", "share"),
    [
        ("banana", 38, 65, 0.8),  # yellow (the brown tips and stems are small)
        ("sun", 15, 65, 0.9),  # yellow and orange
        ("star", 35, 65, 0.9),  # yellow and gold
        ("strawberry", 340, 15, 0.6),  # red (with green leaves and yellow seeds)
        ("bear", 10, 40, 0.8),  # brown fur
    ],
)
def test_things_come_in_their_own_colours(
    thing: str, low: float, high: float, share: float
) -> None:
    for picture in thing_pictures(4, seed=5, things=[thing], side=SIDE):
        assert _hue_share(picture, low, high) > share, picture.key


def test_clouds_are_mostly_white_or_grey() -> None:
    pale = []
    for picture in thing_pictures(6, seed=5, things=["cloud"], side=SIDE):
        _, saturation, value = _hsv(picture)
        pale.append(float((saturation[value > 0.35] < 0.25).mean()))
    assert min(pale) > 0.4  # a rainbow may take up to half of one
    assert float(np.mean(pale)) > 0.7
