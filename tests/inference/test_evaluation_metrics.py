"""Checkpoint evaluation's metrics and combined score, on pictures whose answer is known."""

from __future__ import annotations

import math

import numpy as np
import pytest
from PIL import Image, ImageDraw

from inference.lab.pix2pix.evaluation import metrics, scoring
from tests.fixtures.inference import coloured_in

SIZE = 64


def ring_sketch(size: int = SIZE, width: int = 3) -> Image.Image:
    """A closed circle, black on white: a sketch with a clear inside."""
    image = Image.new("RGB", (size, size), "white")
    margin = size // 6
    ImageDraw.Draw(image).ellipse(
        (margin, margin, size - margin, size - margin), outline="black", width=width
    )
    return image


def blank(size: int = SIZE) -> Image.Image:
    return Image.new("RGB", (size, size), "white")


def noise(seed: int, size: int = SIZE) -> Image.Image:
    rng = np.random.default_rng(seed)
    return Image.fromarray(rng.integers(0, 256, (size, size, 3), dtype=np.uint8))


# --------------------------------------------------------------------------- metrics


def test_a_copy_of_the_target_scores_perfectly() -> None:
    target = noise(1)
    assert metrics.l1_error(target, target) == 0.0
    assert metrics.psnr(target, target) >= 100.0
    assert metrics.ssim(target, target) == pytest.approx(1.0, abs=1e-6)


def test_unrelated_pictures_score_low_and_nearer_ones_higher() -> None:
    target, other = noise(1), noise(2)
    assert metrics.ssim(target, other) < 0.1
    slightly_off = Image.fromarray(
        np.clip(np.asarray(target, dtype=np.int16) + 8, 0, 255).astype(np.uint8)
    )
    assert metrics.psnr(slightly_off, target) > metrics.psnr(other, target) + 10
    assert metrics.ssim(slightly_off, target) > 0.9
    assert metrics.l1_error(slightly_off, target) < metrics.l1_error(other, target)


def test_a_blank_picture_neither_fills_nor_follows_the_lines() -> None:
    sketch_image = ring_sketch()
    interior = metrics.interior_mask(sketch_image)
    assert interior.any()
    assert metrics.fill_fraction(blank(), interior) == 0.0
    assert metrics.line_following(sketch_image, blank()) == (0.0, 0.0)


def test_a_coloured_in_sketch_fills_and_follows_the_lines() -> None:
    sketch_image = ring_sketch()
    picture = coloured_in(sketch_image, (230, 40, 40))
    assert metrics.fill_fraction(picture, metrics.interior_mask(sketch_image)) == 1.0
    recall, precision = metrics.line_following(sketch_image, picture)
    assert recall == 1.0
    assert precision > 0.95


def test_painting_over_the_childs_line_keeps_the_border_but_not_the_line() -> None:
    sketch_image = ring_sketch()
    inked = coloured_in(sketch_image, (250, 220, 40))  # yellow inside, strokes stay black
    ink = metrics.stroke_mask(sketch_image)
    painted = np.asarray(inked).copy()
    painted[ink] = (250, 220, 40)  # the same yellow, painted over the child's line
    painted_over = Image.fromarray(painted)

    assert metrics.lines_dark(sketch_image, inked) == 1.0
    assert metrics.lines_dark(sketch_image, painted_over) == 0.0
    # the lenient recall still finds a border where the line was
    assert metrics.line_following(sketch_image, painted_over)[0] > 0.9
    assert metrics.lines_dark(blank(), blank()) == 1.0  # nothing drawn, nothing lost


def test_lines_drawn_elsewhere_are_neither_recalled_nor_precise() -> None:
    sketch_image = ring_sketch()
    elsewhere = Image.new("RGB", (SIZE, SIZE), "white")
    ImageDraw.Draw(elsewhere).line((0, SIZE - 3, SIZE, SIZE - 3), fill="black", width=2)
    recall, precision = metrics.line_following(sketch_image, elsewhere)
    assert recall < 0.1
    assert precision < 0.1


def test_a_gap_in_the_outline_still_has_an_inside() -> None:
    gappy = ring_sketch()
    ImageDraw.Draw(gappy).rectangle((SIZE // 2 - 3, 0, SIZE // 2 + 3, SIZE // 3), fill="white")
    assert metrics.interior_mask(gappy).sum() > 0.5 * metrics.interior_mask(ring_sketch()).sum()
    assert math.isnan(metrics.fill_fraction(blank(), metrics.interior_mask(blank())))


def test_a_colourful_picture_is_more_colourful_than_grey() -> None:
    grey = Image.new("RGB", (SIZE, SIZE), (128, 128, 128))
    assert metrics.colourfulness(grey) == 0.0
    stripes = np.zeros((SIZE, SIZE, 3), dtype=np.uint8)
    stripes[:, ::3] = (255, 0, 0)
    stripes[:, 1::3] = (0, 200, 0)
    stripes[:, 2::3] = (30, 30, 255)
    assert metrics.colourfulness(Image.fromarray(stripes)) > 50
    assert metrics.colourfulness(coloured_in(ring_sketch(), (230, 40, 40))) > 20


def test_the_combined_score_leaves_out_what_was_not_measured() -> None:
    summary = {"line_f1": 1.0, "fill": 0.5, "colourfulness": 200.0, "ssim": math.nan}
    assert scoring.combined_score(summary) == pytest.approx((1.0 + 0.5 + 1.0) / 3)


def test_the_combined_score_gives_nothing_for_more_colour_than_real_pictures() -> None:
    real = {"line_f1": 0.9, "fill": 0.8, "colourfulness": 40.0, "true_probability": 0.5}
    garish = {"line_f1": 0.9, "fill": 1.0, "colourfulness": 90.0, "ssim": 0.7}
    faithful = {**garish, "fill": 0.8, "colourfulness": 40.0, "ssim": 0.8}
    assert scoring.combined_score(faithful, real) > scoring.combined_score(garish, real)
    assert scoring.combined_score(real | {"ssim": 1.0}, real) == 1.0


# --------------------------------------------------------------------------- classifier
