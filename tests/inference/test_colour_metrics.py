"""The colour measures that judge whether a picture honours what the child drew."""

from __future__ import annotations

import cv2
import numpy as np

from inference.serving.pix2pix import colour_metrics as cm

SIDE = 128


def _sketch() -> np.ndarray:
    image = np.full((SIDE, SIDE, 3), 255, np.uint8)
    cv2.circle(image, (64, 64), 40, (0, 0, 0), 3)
    return image


def _picture(fill: np.ndarray) -> np.ndarray:
    picture = _sketch().copy()
    inside = cm.closed_shapes(_sketch()) > 0
    picture[inside] = fill[inside]
    return picture


def test_the_closed_shape_is_inside_the_lines_and_the_paper_around_is_not_one() -> None:
    shapes = cm.closed_shapes(_sketch())
    assert len(np.unique(shapes)) == 2  # background 0 and the disc
    assert shapes[64, 64] > 0 and shapes[2, 2] == 0 and shapes[64, 24] == 0  # on the line


def test_a_flat_fill_is_cleaner_than_a_smear() -> None:
    shapes = cm.closed_shapes(_sketch())
    flat = _picture(np.full((SIDE, SIDE, 3), (250, 200, 20), np.uint8))
    noise = np.random.default_rng(0).integers(0, 255, (SIDE, SIDE, 3)).astype(np.uint8)
    smear = _picture(noise)
    clean, muddy = cm.fill_spread(flat, shapes), cm.fill_spread(smear, shapes)
    assert clean is not None and muddy is not None
    assert clean < 1.0 and muddy > 30.0


def test_a_crayon_colour_is_kept_when_the_picture_is_that_colour() -> None:
    area = cm.closed_shapes(_sketch()) > 0
    red = _picture(np.full((SIDE, SIDE, 3), (210, 40, 40), np.uint8))
    mud = _picture(np.full((SIDE, SIDE, 3), (110, 95, 80), np.uint8))
    assert cm.hint_kept(red, area, (224, 36, 36))["kept"]
    result = cm.hint_kept(mud, area, (224, 36, 36))
    assert not result["kept"] and result["delta_e"] > 40


def test_twins_and_colour_profiles() -> None:
    yellow = _picture(np.full((SIDE, SIDE, 3), (250, 210, 20), np.uint8))
    blue = _picture(np.full((SIDE, SIDE, 3), (30, 60, 220), np.uint8))
    assert cm.twin_distance(yellow, yellow) == 0.0
    assert cm.twin_distance(yellow, blue) > 30  # only the disc differs
    sun = cm.hue_histogram(yellow)
    assert abs(sun.sum() - 1) < 1e-9
    assert cm.histogram_overlap(cm.hue_histogram(yellow), sun) > 0.99
    assert cm.histogram_overlap(cm.hue_histogram(blue), sun) < 0.2
