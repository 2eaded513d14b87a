"""Colour hints: the split of a child's sketch into lines and hints, the training sampler that
draws child-like colouring from a picture's own shapes, the hint generator's input, and the
things a child can pick."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import torch

from inference.lab.pix2pix.training.checkpoints import load_initial_weights
from inference.serving import things
from inference.serving.crayons import CRAYON_RGB, CRAYONS
from inference.serving.pix2pix.colouring import colour_in, shapes_of
from inference.serving.pix2pix.generator_config import GeneratorConfig
from inference.serving.pix2pix.hints import split_sketch
from inference.serving.pix2pix.networks import build_generator, init_weights

SIDE = 256
BLACK = (17, 17, 17)


def _paper() -> np.ndarray:
    return np.full((SIDE, SIDE, 3), 255, np.uint8)


def _tensor(*images: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.stack(images)).permute(0, 3, 1, 2).float() / 127.5 - 1.0


def _outline(colour: tuple[int, int, int] = BLACK, width: int = 5) -> np.ndarray:
    image = _paper()
    cv2.circle(image, (128, 128), 80, colour, width, cv2.LINE_AA)
    return image


def _scribble(image: np.ndarray, colour: tuple[int, int, int], brush: int = 9) -> np.ndarray:
    # Back-and-forth strokes inside the circle, the way a child colours in.
    points = [(84 if i % 2 == 0 else 172, 80 + 7 * i) for i in range(14)]
    cv2.polylines(image, [np.array(points, np.int32)], False, colour, brush, cv2.LINE_AA)
    return image


def _inside(radius: int) -> np.ndarray:
    yy, xx = np.mgrid[:SIDE, :SIDE]
    return (yy - 128) ** 2 + (xx - 128) ** 2 < radius**2


def test_a_black_outline_with_a_red_scribble_splits_into_lines_and_a_red_hint() -> None:
    sketch = _scribble(_outline(), (224, 36, 36))
    planes = split_sketch(_tensor(sketch))[0]
    line, hint, mask = planes[0], planes[1:4], planes[4] > 0.5

    assert planes.shape == (5, SIDE, SIDE)
    ring = _inside(83) & ~_inside(77)
    assert (line[torch.from_numpy(ring)] < 0).float().mean() > 0.9  # the outline is a line
    # ... the scribble is not: no line pixels well inside the circle
    assert (line[torch.from_numpy(_inside(70))] < 0).float().mean() < 0.02
    # ... it is a red hint covering most of what it scribbled, and nothing outside the circle
    scribbled = torch.from_numpy(_inside(60)) & torch.from_numpy(sketch[:, :, 1] < 128)
    assert mask[scribbled].float().mean() > 0.9
    assert not mask[torch.from_numpy(~_inside(84))].any()
    colour = (hint[:, mask].mean(dim=1) + 1) * 127.5
    assert colour[0] > 180 and colour[1] < 80 and colour[2] < 80


def _loose_scribble(image: np.ndarray, colour: tuple[int, int, int], seed: int) -> np.ndarray:
    # A quick zigzag, 11 px apart, whose turns stop short of or overshoot the circle's edge.
    rng = np.random.default_rng(seed)
    points = []
    for i in range(12):
        y = 70 + 11 * i + int(rng.integers(-3, 4))
        half = int(np.sqrt(max(0, 75**2 - (y - 128) ** 2)))
        points.append((128 + (-1) ** i * (half - int(rng.integers(-4, 14))), y))
    cv2.polylines(image, [np.array(points, np.int32)], False, colour, 6, cv2.LINE_AA)
    return image


@pytest.mark.parametrize("seed", range(4))
def test_the_loose_ends_of_a_scribble_are_colour_not_lines(seed: int) -> None:
    colour = [(224, 36, 36), (255, 210, 0), (30, 144, 255), (60, 180, 75)][seed]
    sketch = _loose_scribble(_outline(), colour, seed)
    planes = split_sketch(_tensor(sketch))[0]
    scribbled = torch.from_numpy(_inside(74) & (sketch.min(axis=2) < 200))

    # The zigzag's turns would come back as a dotted ghost of dark dashes if they were lines.
    assert (planes[0][scribbled] < 0).float().mean() < 0.06
    assert (planes[4][scribbled] > 0.5).float().mean() > 0.85
    ring = torch.from_numpy(_inside(83) & ~_inside(77))
    assert (planes[0][ring] < 0).float().mean() > 0.85  # the outline is still a line


@pytest.mark.parametrize(
    ("hex_colour", "rgb"), [(h, rgb) for (h, _), rgb in zip(CRAYONS, CRAYON_RGB, strict=True)]
)
@pytest.mark.parametrize("width", [2, 5, 9])
def test_an_outline_in_any_crayon_is_the_same_line_as_in_black(
    hex_colour: str, rgb: tuple[int, int, int], width: int
) -> None:
    black, crayon = split_sketch(_tensor(_outline(BLACK, width), _outline(rgb, width)))
    assert not (crayon[4] > 0.5).any(), f"a {width}px {hex_colour} outline became a colour hint"
    agree = ((black[0] < 0) == (crayon[0] < 0)).float().mean()
    assert agree > 0.995


def test_dark_ink_is_always_a_line_even_a_filled_patch() -> None:
    sketch = _outline()
    cv2.circle(sketch, (128, 128), 30, BLACK, -1)
    planes = split_sketch(_tensor(sketch))[0]
    assert not (planes[4] > 0.5).any()
    assert (planes[0][torch.from_numpy(_inside(28))] < 0).all()


def test_the_split_of_a_sketch_does_not_depend_on_its_batch() -> None:
    sketches = [_scribble(_outline(), (249, 115, 22)), _outline((56, 189, 248)), _paper()]
    alone = [split_sketch(_tensor(s)) for s in sketches]
    together = split_sketch(_tensor(*reversed(sketches)))
    for i, one in enumerate(alone):
        assert torch.equal(one[0], together[len(sketches) - 1 - i])


def _picture_with_two_shapes() -> tuple[torch.Tensor, torch.Tensor]:
    """A red square and a blue disc with black outlines, and the outlines as a sketch."""
    picture = _paper()
    cv2.rectangle(picture, (30, 30), (120, 120), (220, 40, 40), -1)
    cv2.circle(picture, (180, 170), 50, (40, 80, 220), -1)
    sketch = _paper()
    for image in (picture, sketch):
        cv2.rectangle(image, (30, 30), (120, 120), BLACK, 4)
        cv2.circle(image, (180, 170), 50, BLACK, 4)
    return _tensor(sketch)[0], _tensor(picture)[0]


def test_the_sampler_hints_only_with_the_targets_colours_inside_its_shapes() -> None:
    sketch, picture = _picture_with_two_shapes()
    grey = ((sketch.permute(1, 2, 0).numpy() + 1) * 127.5).astype(np.uint8)
    original = ((picture.permute(1, 2, 0).numpy() + 1) * 127.5).astype(np.uint8)
    shapes = shapes_of(original, 1 - grey.min(axis=2) / 255.0, 100) > 0
    # A hint may reach a little past its shape (its outline, and children go over the edge).
    near_shapes = torch.from_numpy(cv2.dilate(shapes.astype(np.uint8), np.ones((15, 15))) > 0)
    hinted = without = 0
    for seed in range(40):
        child, target = colour_in(sketch, picture, np.random.default_rng(seed))
        planes = split_sketch(child[None])[0]
        mask = planes[4] > 0.5
        if not mask.any():
            without += 1
            continue
        hinted += 1
        assert not mask[~near_shapes].any(), f"seed {seed}: a hint outside the picture's shapes"
        # The hint's colour is the target's colour where the hint is (repainted or not).
        deep = mask & torch.from_numpy(shapes)
        difference = (planes[1:4][:, deep] - target[:, deep]).abs().mean()
        assert difference < 0.15, (
            f"seed {seed}: hint colour differs from the target by {difference}"
        )
        # The child's lines are dark in the target, whatever crayon drew them.
        assert (target[:, torch.from_numpy(grey.min(axis=2) < 60)] < -0.6).all()
    assert hinted >= 15 and without >= 5


def test_a_hint_generator_reads_line_hint_and_label_planes() -> None:
    config = GeneratorConfig(
        input_nc=5 + 4, ngf=4, num_downs=8, condition=("cat", "sun", "animal"),
        sketch_input="hints", embed_dim=4,
    )  # fmt: skip
    net = init_weights(build_generator(config), generator=torch.Generator().manual_seed(0))
    net.eval()
    first = next(m for m in net.modules() if isinstance(m, torch.nn.Conv2d))
    assert first.weight.shape[1] == 9  # line + hint RGB + mask + 4 label planes
    sketches = _tensor(_scribble(_outline(), (224, 36, 36)), _outline((56, 189, 248)), _paper())
    labels = config.labels_for(["cat", None, "sun"])
    with torch.no_grad():
        together = net(sketches, labels)
        alone = [net(sketches[i : i + 1], labels[i : i + 1]) for i in range(3)]
        other_label = net(sketches[:1], config.labels_for(["sun"]))
    assert together.shape == (3, 3, SIDE, SIDE)
    for i in range(3):
        assert torch.equal(together[i], alone[i][0])
    assert not torch.equal(other_label, alone[0])
    with pytest.raises(ValueError, match="not on dog"):
        config.labels_for(["dog"])
    with pytest.raises(ValueError, match="5 sketch planes"):
        GeneratorConfig(input_nc=8, condition=("cat",), sketch_input="hints", embed_dim=4)


def test_a_hint_generator_grown_from_an_rgb_one_starts_where_it_was() -> None:
    old_config = GeneratorConfig(input_nc=3 + 2, ngf=4, condition=("face", "food"))
    old = init_weights(build_generator(old_config), generator=torch.Generator().manual_seed(1))
    new_config = GeneratorConfig(
        input_nc=5 + 3, ngf=4, condition=("cat", "face", "food"), sketch_input="hints",
        embed_dim=3,
    )  # fmt: skip
    new = build_generator(new_config)
    load_initial_weights(new, old.state_dict())
    # Pure black on white, no soft edges: exactly the line plane the hint generator reads.
    plain = _paper()
    cv2.circle(plain, (128, 128), 80, (0, 0, 0), 5, cv2.LINE_8)
    sketch = _tensor(plain)
    with torch.no_grad():
        before = old(sketch)  # no category
        after = new(sketch, new_config.labels_for(["cat"]))
    assert torch.allclose(before, after, atol=1e-5)


def test_there_are_at_least_24_things_each_in_a_theme_with_both_labels() -> None:
    assert len(things.THINGS) >= 24
    slugs = things.labels()
    assert len(set(slugs)) == len(slugs)
    for thing in things.THINGS:
        assert thing.theme in things.THEME_BY_SLUG and thing.label_ko and thing.colours
    seed_datasets = {"cartoon_face", "panda", "car", "handbag", "shoe", "game_character",
                     "gemstone", "planet"}  # fmt: skip
    assert seed_datasets <= set(slugs)


@pytest.mark.parametrize(
    ("text", "theme", "label"),
    [
        ("grinning cat", "face", "cat"),
        ("hot dog", "food", "food"),
        ("animals/mammals/panda", "animal", "panda"),
        ("sunflower", "plant", "flower"),
        ("sun behind small cloud", "space", "sun"),
        ("gem stone", "fashion", "gemstone"),
        ("town/factory", "play", None),
        ("town/house", "play", "house"),
        ("person with white cane", "animal", "animal"),
        ("rana01 architetto france 01", "animal", "animal"),
    ],
)
def test_pictures_are_labelled_with_the_thing_their_name_says(
    text: str, theme: str, label: str | None
) -> None:
    assert things.label_for(text, theme) == label


@pytest.mark.parametrize(
    ("annotation", "subgroup", "label"),
    [
        ("woman: red hair", "person", "cartoon_face"),
        ("baby", "person", "cartoon_face"),
        ("grinning face", "face-smiling", "smiley"),
        ("cat face", "face-smiling", "cat"),
    ],
)
def test_the_emoji_sets_heads_are_cartoon_faces(annotation: str, subgroup: str, label: str) -> None:
    from inference.lab.datasets.categories import EMOJI_SUBGROUPS, emoji_label

    assert emoji_label(annotation, subgroup, EMOJI_SUBGROUPS[subgroup]) == label
