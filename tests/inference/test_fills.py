"""Clean fills: a smear inside the child's shape becomes one colour; lines, paper and features
stay as the generator drew them."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
import torch
from PIL import Image

from inference.serving.pix2pix import colour_metrics as cm
from inference.serving.pix2pix.drawing import draw
from inference.serving.pix2pix.fills import clean_fills, fill_regions
from inference.serving.pix2pix.generator_config import GeneratorConfig
from inference.serving.pix2pix.networks import build_generator, init_weights

SIDE = 128


def sketch_with_two_shapes() -> np.ndarray:
    """A disc and, beside it, a square: two closed shapes in black lines on white paper."""
    image = np.full((SIDE, SIDE, 3), 255, np.uint8)
    cv2.circle(image, (44, 64), 32, (0, 0, 0), 3)
    cv2.rectangle(image, (86, 40), (122, 88), (30, 90, 200), 3)  # a sky-blue crayon line
    return image


def smeared_picture(sketch: np.ndarray, seed: int = 3) -> np.ndarray:
    """Red in the disc, green in the square, each wandering by up to ±18 levels, a black eye
    patch in the disc; the paper a little grey."""
    rng = np.random.default_rng(seed)
    picture = np.full_like(sketch, 240)
    regions = fill_regions(sketch)
    disc, square = regions[64, 44], regions[64, 104]
    noise = rng.integers(-18, 19, size=sketch.shape)
    picture[regions == disc] = np.clip(np.array([210, 60, 50]) + noise[regions == disc], 0, 255)
    picture[regions == square] = np.clip(np.array([70, 170, 80]) + noise[regions == square], 0, 255)
    cv2.circle(picture, (36, 56), 5, (10, 10, 10), -1)
    picture[cm.line_mask(sketch)] = 20
    return picture


def test_the_regions_are_the_shapes_up_to_their_lines_not_the_paper() -> None:
    sketch = sketch_with_two_shapes()
    regions = fill_regions(sketch)
    assert len(np.unique(regions)) == 3  # none, the disc, the square (any crayon closes one)
    assert regions[2, 2] == 0 and regions[64, 44] > 0 and regions[64, 104] > 0
    assert not (regions > 0)[cm.line_mask(sketch)].any()
    # Up to the lines: more of the shape than the measure's eroded one.
    assert (regions > 0).sum() > (cm.closed_shapes(sketch) > 0).sum()


def test_a_smear_becomes_one_colour_and_the_rest_keeps_its_exact_levels() -> None:
    sketch = sketch_with_two_shapes()
    picture = smeared_picture(sketch)
    cleaned = clean_fills(picture, sketch, strength=0.9)

    shapes = cm.closed_shapes(sketch)
    before, after = cm.fill_spread(picture, shapes), cm.fill_spread(cleaned, shapes)
    assert before is not None and after is not None
    assert after < 0.35 * before
    outside = fill_regions(sketch) == 0
    assert np.array_equal(cleaned[outside], picture[outside])  # lines and paper untouched
    # Each shape keeps its own colour: red stays red, green stays green.
    assert cleaned[64, 60, 0] > 150 and cleaned[64, 60, 1] < 110
    assert cleaned[64, 104, 1] > 130 and cleaned[64, 104, 0] < 110
    # The black patch is a feature, far from the disc's red: it stays dark.
    assert cleaned[56, 36].max() < 40


def test_strength_zero_changes_nothing_and_bad_arguments_are_refused() -> None:
    sketch = sketch_with_two_shapes()
    picture = smeared_picture(sketch)
    assert np.array_equal(clean_fills(picture, sketch, 0.0), picture)
    blank = np.full_like(sketch, 255)  # no lines, no shapes
    assert np.array_equal(clean_fills(picture, blank, 1.0), picture)
    with pytest.raises(ValueError, match="between 0 and 1"):
        clean_fills(picture, sketch, 1.5)
    with pytest.raises(ValueError, match="must be H x W x 3"):
        clean_fills(picture[:64], sketch, 0.5)


def test_the_config_carries_the_strength_and_refuses_nonsense() -> None:
    config = GeneratorConfig.from_dict({"ngf": 8, "num_downs": 5, "clean_fills": 0.75})
    assert config.clean_fills == 0.75
    assert GeneratorConfig.from_dict(config.to_dict()) == config
    assert GeneratorConfig().clean_fills == 0.0  # older cards: the pixels as drawn
    for bad in (-0.1, 1.2, True, "0.5"):
        with pytest.raises(ValueError, match="clean_fills must be a number from 0 to 1"):
            GeneratorConfig(clean_fills=bad)  # type: ignore[arg-type]


def test_draw_cleans_a_generators_fills_against_each_sketch_in_any_batch() -> None:
    sketch = Image.fromarray(sketch_with_two_shapes()).resize((64, 64))
    other = Image.fromarray(np.full((64, 64, 3), 255, np.uint8))
    plain = init_weights(
        build_generator(GeneratorConfig(ngf=8, num_downs=5)),
        generator=torch.Generator().manual_seed(5),
    ).eval()
    cleaning = build_generator(GeneratorConfig(ngf=8, num_downs=5, clean_fills=1.0)).eval()
    cleaning.load_state_dict(plain.state_dict())

    raw = np.asarray(draw(plain, [sketch], size=64)[0])
    alone = np.asarray(draw(cleaning, [sketch], size=64)[0])
    in_batch = [np.asarray(p) for p in draw(cleaning, [other, sketch, other], size=64, batch=None)]

    regions = fill_regions(np.asarray(sketch))
    assert np.array_equal(alone, in_batch[1])  # per picture: batching changes nothing
    assert np.array_equal(alone[regions == 0], raw[regions == 0])
    assert not np.array_equal(alone[regions > 0], raw[regions > 0])
    spread = cm.closed_shapes(np.asarray(sketch))
    assert cm.fill_spread(alone, spread) < cm.fill_spread(raw, spread)  # type: ignore[operator]


def test_the_model_card_says_how_the_generator_reads_and_cleans() -> None:
    from inference.lab.promotion import describe

    plain = describe(GeneratorConfig())
    assert "does not know which category" in plain and "cleaned" not in plain
    things = GeneratorConfig(
        input_nc=5 + 4,
        sketch_input="hints",
        condition=("panda", "sun"),
        embed_dim=4,
        clean_fills=1.0,
    )
    note = describe(things)
    assert "learned vector" in note and "split_sketch" in note and "strength 1" in note


def test_a_canvas_judgement_goes_into_the_card_with_its_baselines(tmp_path: Path) -> None:
    import json

    from inference.lab.promotion import devset_scores

    mine = {"hint_kept": 0.94, "fill_spread": 13.9, "fill_spread_by_variant": {"black": 14.2}}
    document = {
        "devset": "data/devsets/canvas",
        "candidates": {
            "kids7c (clean fills 0)": {"hint_kept": 0.26, "fill_spread": 15.1},
            "kids2/epoch-0075 (clean fills 0)": {"hint_kept": 0.98},
            "kids2/epoch-0076 (clean fills 0)": mine,
            "kids2/epoch-0076 (clean fills 1)": {"fill_spread": 6.1, "per_thing": {"x": 1}},
        },
    }
    path = tmp_path / "canvas-metrics.json"
    path.write_text(json.dumps(document))
    checkpoint = tmp_path / "kids2" / "checkpoints" / "epoch-0076.safetensors"

    scores = devset_scores(path, checkpoint)
    assert set(scores["scores"]) == {
        "kids2/epoch-0076 (clean fills 0)",
        "kids2/epoch-0076 (clean fills 1)",
    }
    assert scores["scores"]["kids2/epoch-0076 (clean fills 0)"] == mine
    assert scores["scores"]["kids2/epoch-0076 (clean fills 1)"] == {"fill_spread": 6.1}
    assert set(scores["baselines"]) == {"kids7c (clean fills 0)"}
    with pytest.raises(ValueError, match="has no candidate 'kids2/epoch-0001'"):
        devset_scores(path, checkpoint.with_name("epoch-0001.safetensors"))


def test_a_promoted_card_names_the_theme_each_thing_is_picked_under() -> None:
    from inference.lab.promotion import with_theme

    panda = {"slug": "panda", "label_en": "Panda", "label_ko": "판다", "emoji": "🐼"}
    assert with_theme(panda) == {**panda, "theme": "animal"}
    assert with_theme({"slug": "cartoon_face"})["theme"] == "face"
    assert "theme" not in with_theme({"slug": "animal"})  # a theme is its own
    assert "theme" not in with_theme({"slug": "nature"})  # unknown to the catalogue
