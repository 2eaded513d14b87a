"""The drawn pandas: black and white where a panda is, the same panda for the same key."""

from __future__ import annotations

import numpy as np

from inference.lab.datasets.drawn_pandas import panda_pictures


def _opaque_rgb(picture) -> np.ndarray:
    pixels = np.asarray(picture.convert("RGBA"), dtype=np.int16)
    return pixels[pixels[..., 3] > 250][:, :3]


def test_every_panda_is_mostly_black_and_white() -> None:
    for picture in panda_pictures(8, seed=3):
        assert picture.category == "panda"
        rgb = _opaque_rgb(picture.load())
        grey = (rgb.max(axis=1) - rgb.min(axis=1)) < 24  # no hue: white, black or grey edges
        dark = rgb.max(axis=1) < 70
        light = rgb.min(axis=1) > 225
        assert grey.mean() > 0.75, picture.key  # bamboo and cheeks are the only colour
        assert dark.mean() > 0.15 and light.mean() > 0.3, picture.key  # both halves of a panda


def test_the_same_key_draws_the_same_panda_and_keys_differ() -> None:
    first = [np.asarray(p.load()) for p in panda_pictures(3, seed=1)]
    again = [np.asarray(p.load()) for p in panda_pictures(3, seed=1)]
    assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))
    assert not np.array_equal(first[0], first[1])
    other = next(panda_pictures(1, seed=2))
    assert other.key != next(panda_pictures(1, seed=1)).key
