"""The palette painter (kids3): palette, network, painting and its training, end to end."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch
from PIL import Image

from inference.serving.palette.colours import Palette, fit_palette
from inference.serving.palette.network import PaletteNetConfig, build_palette_net
from inference.serving.palette.painter import (
    PalettePainter,
    output_sketch,
    split_planes,
    work_sketches,
)
from inference.serving.palette.painting import (
    choose_colours,
    colour_families,
    colouring_areas,
    find_shapes,
    lay_lines,
    paint_fills,
)
from inference.serving.pix2pix.checkpoints import read_weights

RED, GREEN, BLUE, YELLOW = (224, 36, 36), (21, 128, 61), (29, 78, 216), (250, 204, 21)


def small_palette() -> Palette:
    rgb = np.array([(255, 255, 255), (24, 24, 24), RED, GREEN, BLUE, YELLOW], np.uint8)
    return Palette(rgb, np.ones(len(rgb), np.float32))


def circle_sketch(side: int = 512, colour=(17, 17, 17), width: int = 9) -> np.ndarray:
    sketch = np.full((side, side, 3), 255, np.uint8)
    cv2.circle(sketch, (side // 2, side // 2), side // 4, colour, width, cv2.LINE_AA)
    return sketch


def probs_for(colour_index: int, *, colours: int = 6, side: int = 128) -> np.ndarray:
    """The network's evidence, made up: ``colour_index`` inside the middle, white outside."""
    probs = np.full((colours, side, side), 0.01, np.float32)
    yy, xx = np.mgrid[:side, :side]
    inside = (yy - side / 2) ** 2 + (xx - side / 2) ** 2 < (side / 4) ** 2
    probs[colour_index][inside] = 0.9
    probs[0][~inside] = 0.9
    return probs / probs.sum(axis=0, keepdims=True)


def paint(sketch: np.ndarray, probs: np.ndarray, variant: int = 0) -> np.ndarray:
    work = work_sketches([sketch])[0]
    areas = colouring_areas(work)
    fills = paint_fills(work, probs, small_palette(), colouring=areas, variant=variant)
    return lay_lines(fills, output_sketch(sketch), areas)


def test_fitted_palette_holds_paper_ink_and_the_pictures_colours() -> None:
    pictures = np.full((4, 32, 32, 3), 255, np.uint8)
    pictures[:, 8:24, 8:24] = RED
    pictures[0, 0:4, 0:4] = BLUE  # rare
    palette = fit_palette(pictures, size=6, samples=5000)
    assert tuple(palette.rgb[0]) == (255, 255, 255) and tuple(palette.rgb[1]) == (24, 24, 24)
    red = palette.nearest(np.array([[RED]], np.uint8))[0, 0]
    blue = palette.nearest(np.array([[BLUE]], np.uint8))[0, 0]
    assert np.abs(palette.rgb[red].astype(int) - RED).max() < 12
    assert palette.weights[blue] > palette.weights[red]  # rare colours are lifted
    assert Palette.from_dict(json.loads(json.dumps(palette.to_dict()))).rgb.tolist() == (
        palette.rgb.tolist()
    )


def test_network_output_is_half_size_logits_and_batch_invariant() -> None:
    torch.manual_seed(0)
    net = build_palette_net(PaletteNetConfig(colours=6, labels=("cat", "sun"), ngf=8)).eval()
    planes = split_planes(work_sketches([circle_sketch(), circle_sketch(colour=RED)]))
    labels = net.config.label_indices(["sun", None])
    with torch.no_grad():
        both = net(planes, labels)
        alone = net(planes[1:], labels[1:])
        as_cat = net(planes[:1], net.config.label_indices(["cat"]))
    assert both.shape == (2, 6, 128, 128)
    assert torch.allclose(both[1:], alone, atol=1e-5)
    assert not torch.allclose(both[:1], as_cat)  # the thing picked changes the evidence


def test_an_outline_is_filled_with_one_chosen_colour_and_the_paper_stays_white() -> None:
    picture = paint(circle_sketch(), probs_for(3))  # green is the mode inside
    assert picture.shape == (512, 512, 3)
    inside = picture[230:290, 230:290].reshape(-1, 3)
    assert (inside == GREEN).all()  # flat: one colour, no mottle
    assert (picture[:40, :40] == 255).all() and (picture[-40:, -40:] == 255).all()


def test_a_crayon_outline_keeps_its_colour_crisp_at_full_size() -> None:
    sketch = circle_sketch(colour=RED)
    picture = paint(sketch, probs_for(3))
    stroke = sketch.min(axis=2) < 60  # the stroke's core (red's darkest channel is 36)
    assert np.abs(picture[stroke].astype(int) - sketch[stroke]).max() <= 2  # as drawn


def test_the_childs_colouring_wins_over_the_networks_choice() -> None:
    sketch = circle_sketch()
    for y in range(200, 320, 10):  # a yellow zigzag scribble inside the circle
        cv2.line(sketch, (190, y), (320, y + 5), YELLOW, 9)
    picture = paint(sketch, probs_for(4))  # the network says blue
    centre = picture[250:270, 240:280].reshape(-1, 3)
    assert np.abs(centre.astype(int) - YELLOW).max() <= 12


def test_a_small_coloured_part_keeps_its_hue() -> None:
    sketch = circle_sketch()
    cv2.circle(sketch, (300, 240), 8, RED, -1)  # a cheek of ~200 px at 512
    picture = paint(sketch, probs_for(5))
    assert np.abs(picture[240, 300].astype(int) - RED).max() <= 12


def test_new_colours_reroll_the_uncoloured_shapes_reproducibly() -> None:
    probs = probs_for(3)
    probs[4] += 0.4 * (probs[3] > 0.5)  # blue is plausible too
    probs /= probs.sum(axis=0, keepdims=True)
    first, again = paint(circle_sketch(), probs, variant=1), paint(circle_sketch(), probs, 1)
    assert (first == again).all()
    assert tuple(first[256, 256]) == BLUE
    assert tuple(paint(circle_sketch(), probs)[256, 256]) == GREEN


def test_a_colour_nothing_else_can_replace_is_kept_when_rerolling_something_else() -> None:
    walls = np.zeros((256, 256), bool)
    cv2.circle(walls.view(np.uint8), (100, 128), 60, 1, 4)
    families = colour_families(small_palette())
    assert len(set(families.tolist())) == 6  # one family each here
    alone = find_shapes(walls)
    evidence = np.zeros((len(alone.areas), 6))
    evidence[:, 5] = 0.95  # yellow, surely
    evidence[:, 2] = 0.05
    drawn = ~alone.paper
    drawn[0] = False
    # Alone, the dice still changes it: a child who rolls expects new colours.
    assert (choose_colours(evidence, alone, families, variant=7)[drawn] != 5).all()
    cv2.circle(walls.view(np.uint8), (210, 60), 25, 1, 4)
    shapes = find_shapes(walls)
    evidence = np.zeros((len(shapes.areas), 6))
    evidence[:, 2:] = 0.25  # anything goes ...
    sun = int(np.argmax(np.where(shapes.paper, 0, shapes.areas)))
    evidence[sun] = (0.0, 0.0, 0.05, 0.0, 0.0, 0.95)  # ... but the big one is surely yellow
    for variant in (1, 2, 3):
        assert choose_colours(evidence, shapes, families, variant=variant)[sun] == 5


def test_each_new_roll_shows_another_plausible_colour_than_the_last() -> None:
    walls = np.zeros((256, 256), bool)
    cv2.circle(walls.view(np.uint8), (128, 128), 70, 1, 4)
    shapes = find_shapes(walls)
    families = colour_families(small_palette())
    evidence = np.zeros((len(shapes.areas), 6))
    evidence[:, 3] = 0.5  # green first, then red, blue and yellow all plausible
    evidence[:, 2], evidence[:, 4], evidence[:, 5] = 0.2, 0.15, 0.14
    evidence[:, 1] = 0.01  # black: not plausible against them
    drawn = ~shapes.paper
    drawn[0] = False
    rolls = [int(choose_colours(evidence, shapes, families, variant=v)[drawn][0])
             for v in range(1, 8)]  # fmt: skip
    assert all(a != b for a, b in itertools.pairwise(rolls))  # never the same twice
    assert set(rolls[:3]) == {2, 4, 5} and 3 not in rolls and 1 not in rolls
    assert rolls[3:6] == rolls[:3]  # then round again, in the same order


def test_an_old_256_sketch_is_painted_at_512() -> None:
    sketch = cv2.resize(circle_sketch(), (256, 256), interpolation=cv2.INTER_AREA)
    assert paint(sketch, probs_for(3)).shape == (512, 512, 3)


def test_training_writes_checkpoints_resumes_and_paints(tmp_path: Path) -> None:
    from inference.lab.palette.training import PaletteTrainConfig, train

    data = tmp_path / "pairs"
    data.mkdir()
    for i, colour in enumerate((RED, GREEN, BLUE, YELLOW)):
        picture = np.full((64, 64, 3), 255, np.uint8)
        cv2.circle(picture, (32, 32), 16 + i, colour, -1)
        sketch = np.full((64, 64, 3), 255, np.uint8)
        cv2.circle(sketch, (32, 32), 16 + i, (0, 0, 0), 2)
        Image.fromarray(np.concatenate([sketch, picture], axis=1)).save(data / f"sun__{i}.png")
    cfg = PaletteTrainConfig(
        data={"data_dirs": [str(data)], "condition": ["sun"], "size": 64, "load_size": 68,
              "augment": False},
        out_dir=str(tmp_path / "run"), val_dir=str(data), val_pairs=2, colours=8, ngf=4,
        max_channels=16, embed_dim=4, downs=6, batch_size=2, epochs=2, epochs_decay=1,
        num_workers=0,
        palette_pictures=4, max_steps=1, bf16=False,
    )  # fmt: skip
    train(cfg)
    state = json.loads((tmp_path / "run" / "resume.json").read_text())
    assert (state["epoch"], state["batch"], state["step"]) == (0, 1, 1)
    cfg.max_steps = None
    record = train(cfg)
    assert record["epoch"] == 2 and record["step"] == 4  # 2 epochs of 2 batches, 1 resumed
    checkpoint = tmp_path / "run" / "checkpoints" / "epoch-0002.safetensors"
    painter = PalettePainter.load(checkpoint)
    assert painter.palette.size == 8
    (picture,) = painter.paint([circle_sketch()], ["sun"])
    assert picture.shape == (512, 512, 3)


@pytest.mark.parametrize("variant", ["black", "crayon"])
def test_picture_judge_sees_drab_waffle_and_dirty_paper(variant: str) -> None:
    from inference.lab.pix2pix import picture_judge as pj

    sketch = circle_sketch(colour=(17, 17, 17) if variant == "black" else RED)
    clean = paint(sketch, probs_for(5))
    judged = pj.judge_picture(sketch, clean, variant, [])
    assert judged["chroma"] > 60 and max(judged["mottle"]) < 0.5 and max(judged["waffle"]) < 0.5
    assert judged["paper_dirty"] == 0.0 and judged["size"] == 512
    waffled = clean.copy()
    waffled[::4, ::4] = (150, 130, 20)
    waffled[:, :60] = (200, 200, 230)
    worse = pj.judge_picture(sketch, waffled, variant, [])
    assert max(worse["waffle"]) > 3 and worse["paper_dirty"] > 0.1
    if variant == "crayon":
        assert judged["line_kept"] > 0.9


def test_the_inside_of_an_outline_left_open_by_a_small_gap_is_not_paper() -> None:
    from inference.lab.pix2pix import picture_judge as pj

    sketch = np.full((512, 512, 3), 255, np.uint8)
    cv2.rectangle(sketch, (150, 150), (360, 360), (17, 17, 17), 8)
    sketch[352:368, 240:262] = 255  # a gap of 22 px in the bottom line, as a child leaves
    picture = sketch.copy()
    picture[158:353, 158:353] = (250, 204, 21)  # the bag, painted
    assert pj.judge_picture(sketch, picture, "black", [])["paper_dirty"] == 0.0
    picture[10:60, 10:500] = (250, 204, 21)  # paint on the paper itself still counts
    assert pj.judge_picture(sketch, picture, "black", [])["paper_dirty"] > 0.05


def test_a_colour_split_over_several_shades_is_not_outvoted_by_white() -> None:
    rgb = np.array([(255, 255, 255), (24, 24, 24), (21, 128, 61), (40, 150, 70), (30, 110, 50)])
    palette = Palette(rgb.astype(np.uint8), np.ones(5, np.float32))
    walls = np.zeros((256, 256), np.uint8)
    cv2.circle(walls, (128, 128), 64, 1, 4)
    shapes = find_shapes(walls.astype(bool))
    evidence = np.tile([0.31, 0.0, 0.25, 0.24, 0.2], (len(shapes.areas), 1))
    chosen = choose_colours(evidence, shapes, colour_families(palette), variant=0)
    inside = shapes.labels[128, 128]
    assert chosen[inside] == 2  # green (the family's likeliest shade), not white


def test_an_outline_with_a_gap_is_still_a_shape() -> None:
    sketch = np.full((512, 512, 3), 255, np.uint8)
    cv2.ellipse(sketch, (256, 256), (128, 128), 0, 9, 351, (17, 17, 17), 9, cv2.LINE_AA)
    probs = probs_for(3)  # a gap of ~40 px at 512 on the right; the network unsure (< SURE)
    probs[3] = np.where(probs[3] > 0.5, 0.45, probs[3])
    probs[0] = np.where(probs[3] == 0.45, 0.4, probs[0])
    picture = paint(sketch, probs)
    assert (picture[240:270, 200:240].reshape(-1, 3) == GREEN).all()
    assert (picture[256, 140:150] == GREEN).all()  # filled up to the outline: no paper rim
    assert (picture[:40, :40] == 255).all()


def test_a_carried_state_without_adam_continues_the_run(tmp_path: Path) -> None:
    from inference.lab.palette.training import PaletteTrainConfig, carry_state, train

    data = tmp_path / "pairs"
    data.mkdir()
    for i in range(4):
        picture = np.full((64, 64, 3), 255, np.uint8)
        cv2.circle(picture, (32, 32), 14 + i, (RED, GREEN, BLUE, YELLOW)[i], -1)
        Image.fromarray(np.concatenate([np.full_like(picture, 255), picture], axis=1)).save(
            data / f"sun__{i}.png"
        )
    cfg = PaletteTrainConfig(
        data={"data_dirs": [str(data)], "condition": ["sun"], "size": 64, "load_size": 68,
              "augment": False, "sketch_styles": ["xdog"]},
        out_dir=str(tmp_path / "run"), colours=6, ngf=4, max_channels=16, embed_dim=4, downs=6,
        batch_size=2, epochs=2, epochs_decay=0, num_workers=0, palette_pictures=4, bf16=False,
        max_steps=2,
    )  # fmt: skip
    train(cfg)
    carried = carry_state(tmp_path / "run", tmp_path / "carried")
    assert not any(k.startswith("opt_G.") for k in read_weights(carried))
    cfg.out_dir, cfg.max_steps = str(tmp_path / "carried"), None
    record = train(cfg)
    assert record["epoch"] == 2 and record["step"] == 4  # continued from step 2, not from 0
