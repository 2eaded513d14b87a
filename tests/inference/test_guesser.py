"""The guesser's lab: child-like outline drawings, the example cache, calibration, the run."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch
from django.core.management import call_command
from PIL import Image

from inference.lab.guesser import calibration
from inference.lab.guesser.examples import ExamplePlan, cached_examples, render_examples
from inference.lab.guesser.outlines import (
    OutlineStyle,
    detail_mark,
    outline_drawing,
    square_to_page,
    thing_mask,
)
from inference.serving.pix2pix.data import find_pairs

RED, GREEN, BROWN = (220, 40, 40), (40, 160, 60), (120, 70, 30)


def apple_picture(side: int = 256, shift: int = 0) -> np.ndarray:
    """A red apple with a green leaf and a brown stem on white paper, with a black outline."""
    picture = np.full((side, side, 3), 255, np.uint8)
    c = side // 2 + shift
    cv2.circle(picture, (c, c + side // 10), side // 4, RED, -1)
    cv2.circle(picture, (c, c + side // 10), side // 4, (0, 0, 0), 3)
    cv2.rectangle(picture, (c - 4, c - side // 4), (c + 4, c - side // 10), BROWN, -1)
    cv2.ellipse(picture, (c + 30, c - side // 5), (26, 12), 20, 0, 360, GREEN, -1)
    return picture


def test_an_outline_drawing_follows_the_thing_and_varies_with_the_seed() -> None:
    picture = apple_picture()
    first = outline_drawing(picture, np.random.default_rng(1))
    again = outline_drawing(picture, np.random.default_rng(1))
    other = outline_drawing(picture, np.random.default_rng(2))
    assert first is not None and other is not None and again is not None
    assert first.shape == picture.shape and first.dtype == np.uint8
    assert np.array_equal(first, again)  # seeded
    assert not np.array_equal(first, other)
    drawn = first.min(axis=2) < 200
    assert drawn.sum() > 300  # lines (and maybe colouring) were drawn
    # Everything drawn lies on or near the apple (wobble and pen widths allowed).
    near = cv2.dilate(thing_mask(picture).astype(np.uint8), np.ones((25, 25), np.uint8)) > 0
    assert (drawn & ~near).sum() < 0.02 * drawn.sum()


def test_a_blank_picture_gives_no_drawing() -> None:
    blank = np.full((256, 256, 3), 255, np.uint8)
    assert outline_drawing(blank, np.random.default_rng(0)) is None


def test_outline_drawings_leave_parts_out_and_sometimes_colour_them_in() -> None:
    picture = apple_picture()
    drawings = [outline_drawing(picture, np.random.default_rng(s)) for s in range(40)]
    ink = [int((d.min(axis=2) < 200).sum()) for d in drawings if d is not None]
    coloured = [
        d for d in drawings if d is not None and ((d.max(axis=2) - d.min(axis=2)) > 80).sum() > 2000
    ]
    assert len(set(ink)) > 30  # no two alike
    assert 5 <= len(coloured) <= 35  # some coloured in, most not


def smiley_picture() -> np.ndarray:
    """A yellow face on white paper with two dark eyes and a dark smile."""
    picture = np.full((256, 256, 3), 255, np.uint8)
    cv2.circle(picture, (128, 128), 90, (250, 210, 40), -1)
    cv2.circle(picture, (128, 128), 90, (0, 0, 0), 3)
    for x in (95, 161):
        cv2.ellipse(picture, (x, 105), (8, 14), 0, 0, 360, (30, 20, 10), -1)
    cv2.ellipse(picture, (128, 150), (45, 25), 0, 10, 170, (30, 20, 10), 3)
    return picture


def test_most_outline_drawings_mark_the_small_details_and_only_there() -> None:
    """A face is drawn with its eyes and mouth in most drawings (without them it is a ball):
    ink lands on the eyes' places far more often than with details turned off, and a drawing
    that is not coloured in has little ink inside the face away from its details."""
    picture = smiley_picture()
    eyes = np.zeros((256, 256), np.uint8)
    for x in (95, 161):
        cv2.circle(eyes, (x, 105), 12, 1, -1)
    details = cv2.dilate(
        ((picture.max(axis=2) < 60) & thing_mask(picture)).astype(np.uint8), np.ones((15, 15))
    ).astype(bool)
    inside = cv2.circle(np.zeros((256, 256), np.uint8), (128, 128), 70, 1, -1).astype(bool)

    def eyes_drawn(style: OutlineStyle) -> int:
        count = 0
        for seed in range(30):
            drawing = outline_drawing(picture, np.random.default_rng(seed), style)
            assert drawing is not None
            ink = np.abs(drawing.astype(int) - 255).max(axis=2) > 100
            count += int((ink & eyes.astype(bool)).sum() > 20)
            if ink.sum() < 6000:  # not coloured in: lines only
                assert (ink & inside & ~details).sum() < 800, seed
        return count

    with_details = eyes_drawn(OutlineStyle())
    assert 12 <= with_details <= 28  # most drawings, not all
    assert with_details >= eyes_drawn(OutlineStyle(details_probability=0.0)) + 8


def test_a_round_detail_is_a_dot_and_a_smile_is_a_curved_stroke() -> None:
    eye = cv2.circle(np.zeros((64, 64), np.uint8), (20, 30), 4, 1, -1).astype(bool)
    kind, points = detail_mark(eye, 1.0, np.random.default_rng(0))
    assert kind in ("dot", "ring")
    assert np.allclose(points[0, :2], (20, 30), atol=0.5) and 3 < points[0, 2] < 5
    smile = cv2.ellipse(np.zeros((64, 64), np.uint8), (32, 30), (20, 12), 0, 10, 170, 1, 2)
    kind, points = detail_mark(smile.astype(bool), 1.0, np.random.default_rng(0))
    assert kind == "stroke" and len(points) >= 4
    ends, middle = points[[0, -1]], points[len(points) // 2]
    assert abs(ends[0, 0] - ends[1, 0]) > 25  # across the face
    assert middle[1] > ends[:, 1].mean() + 4  # bending down in the middle: a smile


def test_a_slanted_thing_is_turned_square_to_the_page_and_a_round_one_is_left() -> None:
    """An illustrator's rocket flies at 45°, a child's stands upright: the long axis of a
    slanted thing ends on the nearest page axis, in the middle of the page."""

    def long_axis_degrees(picture: np.ndarray) -> float:
        ys, xs = np.nonzero(thing_mask(picture))
        _, vectors = np.linalg.eigh(np.cov(np.stack([xs, ys]).astype(float)))
        return float(np.degrees(np.arctan2(vectors[1, 1], vectors[0, 1])) % 180)

    slanted = np.full((256, 256, 3), 255, np.uint8)
    cv2.ellipse(slanted, (110, 140), (90, 30), 30, 0, 360, (200, 40, 40), -1)
    assert abs(long_axis_degrees(slanted) - 30) < 3
    turned = square_to_page(slanted, np.random.default_rng(0))
    assert min(long_axis_degrees(turned) % 90, 90 - long_axis_degrees(turned) % 90) < 3
    ys, xs = np.nonzero(thing_mask(turned))
    assert abs(xs.mean() - 128) < 3 and abs(ys.mean() - 128) < 3
    assert abs(int(thing_mask(turned).sum()) - int(thing_mask(slanted).sum())) < 300  # all of it
    round_thing = apple_picture()
    assert np.array_equal(square_to_page(round_thing, np.random.default_rng(0)), round_thing)


def write_dataset(folder: Path, count: int) -> Path:
    (folder / "train").mkdir(parents=True)
    for i in range(count):
        picture = apple_picture(shift=(i % 3) * 10 - 10)
        sketch = np.where(picture.min(axis=2, keepdims=True) < 40, 0, 255).astype(np.uint8)
        sketch = np.repeat(sketch, 3, axis=2)
        label = "apple" if i % 2 == 0 else "sun"
        Image.fromarray(np.concatenate([sketch, picture], axis=1)).save(
            folder / "train" / f"{label}__{i}.png"
        )
    return folder


def test_examples_are_the_same_whatever_the_workers_and_are_cached(tmp_path: Path) -> None:
    dataset = write_dataset(tmp_path / "toy", 3)
    pairs = [(source, i % 2) for i, source in enumerate(find_pairs(dataset / "train"))]
    plan = ExamplePlan(outline_variants=2, line_variants=1, min_per_thing=0, size=32)
    one = render_examples(pairs, plan, workers=1)
    two = render_examples(pairs, plan, workers=2)
    assert one[0].shape == (9, 3, 32, 32) and one[0].dtype == torch.uint8
    assert all(torch.equal(a, b) for a, b in zip(one, two, strict=True))
    assert one[2].tolist().count(0) == 6  # outline drawings; 3 line-art ones
    cached = cached_examples(pairs, plan, tmp_path / "cache")
    assert len(list((tmp_path / "cache").glob("examples-*.pt"))) == 1
    again = cached_examples(pairs, plan, tmp_path / "cache")
    assert all(torch.equal(a, b) for a, b in zip(cached, again, strict=True))
    # A thing with too few pictures gets more drawings of each.
    more = render_examples(pairs, ExamplePlan(1, 0, 4, 32), workers=1)
    assert more[1].tolist().count(1) == 4  # one "sun" picture, drawn four times


def test_the_temperature_fitted_is_the_one_that_made_the_labels() -> None:
    generator = torch.Generator().manual_seed(0)
    logits = torch.randn(4000, 6, generator=generator) * 4
    labels = torch.multinomial((logits / 2.5).softmax(1), 1, generator=generator).squeeze(1)
    assert calibration.fit_temperature(logits, labels) == pytest.approx(2.5, rel=0.1)


def test_the_confident_line_keeps_the_precision_asked_for() -> None:
    confidence = np.array([0.95, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1])
    correct = np.array([1, 1, 1, 1, 0, 1, 0, 0, 1, 0], dtype=float)
    line = calibration.confident_at(confidence, correct, precision=0.8, at_least=2)
    assert line == 0.5  # the top six are right 5 of 6 times; the top seven 5 of 7
    assert calibration.confident_at(confidence, correct, precision=0.99, at_least=5) == 1.0
    rows = calibration.reliability(confidence, correct, bins=5)
    assert sum(r["count"] for r in rows) == 10
    assert rows[-1]["count"] == 3 and rows[-1]["accuracy"] == 1.0  # 0.8, 0.9, 0.95


@pytest.mark.slow
def test_a_training_run_writes_a_calibrated_card_judged_on_a_canvas_devset(
    tmp_path: Path,
) -> None:
    dataset = write_dataset(tmp_path / "toy", 5)  # the fifth (apple__4) is left out below
    devset = tmp_path / "devset"
    devset.mkdir()
    drawings = []
    for i, thing in enumerate(("apple", "sun")):
        drawn = outline_drawing(apple_picture(), np.random.default_rng(i))
        assert drawn is not None
        Image.fromarray(drawn).save(devset / f"{i}.png")
        drawings.append({"file": f"{i}.png", "thing": thing, "variant": "black"})
    (devset / "devset.json").write_text(json.dumps({"drawings": drawings}))
    out = tmp_path / "guesser.safetensors"
    call_command(
        "train_sketch_classifier", "--dataset", str(dataset), "--out", str(out),
        "--outline-variants", "1", "--line-variants", "1", "--min-per-thing", "0",
        "--epochs", "2", "--width", "4", "--size", "32", "--cache", str(tmp_path / "cache"),
        "--devset", str(devset), "--threads", "1", "--leave-out", "apple__4*",
    )  # fmt: skip
    card = json.loads(out.with_suffix(".json").read_text())
    assert card["left_out"] == ["apple__4*"]
    assert 0.25 <= card["temperature"] <= 20 and 0 <= card["confident_at"] <= 1
    assert card["examples"] == {"outline": 4, "lines": 4}
    assert card["chosen_epoch"] in (1, 2)
    judged = card["judged"]["canvas dev set"]
    assert judged["count"] == 2 and set(judged["by_variant"]) == {"black"}
    assert card["judged"]["doodles (calibration)"]["count"] == 14 * 10 * 2
    assert card["data"][0]["count"] == 4
    # Installed exported: the graph beside the weights, its sha256 on the card.
    assert card["onnx"]["file"] == "guesser.onnx"
    assert card["onnx"]["max_probability_difference_from_torch"] <= 1e-5
    assert out.with_suffix(".onnx").is_file()


@pytest.mark.slow  # the doodles are drawn and judged too
def test_judge_guesser_calibrates_on_one_seed_and_judges_on_another(tmp_path: Path) -> None:
    from django.core.management.base import CommandError

    from inference.lab.testing import write_random_classifier

    card_path = write_random_classifier(tmp_path / "generators", categories=("apple", "sun"))
    devset = tmp_path / "devset"
    devset.mkdir()
    drawings = []
    for seed in (0, 1):
        for i, thing in enumerate(("apple", "sun", "apple", "sun")):
            drawn = outline_drawing(apple_picture(shift=8 * i), np.random.default_rng(seed * 9 + i))
            assert drawn is not None
            name = f"{seed}-{i}.png"
            Image.fromarray(drawn).save(devset / name)
            drawings.append({"file": name, "thing": thing, "variant": "black", "seed": seed})
    (devset / "devset.json").write_text(json.dumps({"drawings": drawings}))
    run = ["judge_guesser", "--classifier", str(card_path), "--devset", str(devset)]
    with pytest.raises(CommandError, match="no seed in both"):
        call_command(*run, "--seeds", "0,1", "--calibrate-seeds", "1")
    with pytest.raises(CommandError, match="whole numbers"):
        call_command(*run, "--seeds", "zero")
    with pytest.raises(CommandError, match="give --calibrate-seeds"):
        call_command(*run, "--seeds", "0", "--write-card")
    before = json.loads(card_path.read_text())

    call_command(*run, "--seeds", "0", "--calibrate-seeds", "1", "--write-card",
                 "--json", str(tmp_path / "scores.json"),
                 "--sheet", str(tmp_path / "sheet.png"))  # fmt: skip

    card = json.loads(card_path.read_text())
    assert card["sha256"] == before["sha256"]  # the weights are untouched
    assert "seeds [1] (4 drawings)" in card["calibrated_on"]
    assert 0.25 <= card["temperature"] <= 20 and 0 <= card["confident_at"] <= 1
    assert card["judged"]["canvas dev set, seeds [0] (judging)"]["count"] == 4
    assert card["judged"]["canvas dev set, calibration seeds"]["count"] == 4
    scores = json.loads((tmp_path / "scores.json").read_text())
    assert scores["temperature"] == card["temperature"]
    assert scores["canvas dev set"]["count"] == 4  # seed 0 alone
    with Image.open(tmp_path / "sheet.png") as sheet:  # the judged drawings, one tile each
        assert sheet.size == (12 * 128, 128 + 30)
        tiles = np.asarray(sheet.convert("RGB"))
    framed = [tiles[1, 128 * i + 64] for i in range(4)]  # each tile's frame: green or red
    assert all(tuple(c) in ((20, 140, 40), (200, 30, 30)) for c in framed)
    assert (tiles[:, 4 * 128 :] == 255).all()  # nothing past the four judged drawings
