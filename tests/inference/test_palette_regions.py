"""The palette painter's region model: shape features, targets, training and painting with it."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
import torch
from PIL import Image

from inference.lab.palette import region_training
from inference.serving.palette import regions
from inference.serving.palette.colours import Palette
from inference.serving.palette.network import PaletteNetConfig, build_palette_net
from inference.serving.palette.painter import PaletteNetwork, PalettePainter
from inference.serving.palette.painting import colouring_areas, find_shapes, walls_of

RED, GREEN, YELLOW = (224, 36, 36), (21, 128, 61), (250, 204, 21)


def palette() -> Palette:
    rgb = np.array([(255, 255, 255), (24, 24, 24), RED, GREEN, YELLOW], np.uint8)
    return Palette(rgb, np.ones(len(rgb), np.float32))


def apple(side: int = 256, shift: int = 0, body=RED, leaf=GREEN, line=(17, 17, 17)):
    """A sketch (a round body, a small leaf on top) and its picture in ``body`` and ``leaf``."""
    sketch = np.full((side, side, 3), 255, np.uint8)
    picture = sketch.copy()
    centre, leaf_at = (side // 2 + shift, side // 2 + 20), (side // 2 + shift, side // 2 - 62)
    for image, fill in ((picture, True), (sketch, False)):
        thickness = -1 if fill else 3
        cv2.circle(image, centre, 70, body if fill else line, thickness)
        cv2.ellipse(image, leaf_at, (22, 10), 0, 0, 360, leaf if fill else line, thickness)
    return sketch, picture


def shapes_of(sketch: np.ndarray):
    return find_shapes(walls_of(sketch, colouring_areas(sketch)))


def test_features_tell_the_outer_body_from_the_leaf_and_do_not_depend_on_position() -> None:
    rows = []
    for shift in (-30, 0, 30):
        shapes = shapes_of(apple(shift=shift)[0])
        features = regions.shape_features(shapes.labels, shapes.paper, shapes.areas)
        drawn = [i for i in range(1, len(shapes.areas)) if not shapes.paper[i]]
        assert len(drawn) == 2
        by_size = sorted(drawn, key=lambda i: -shapes.areas[i])
        rows.append(features[by_size])
    column = {name: i for i, name in enumerate(regions.FEATURES)}
    body, leaf = rows[1]
    assert body[column["largest"]] == 1 and leaf[column["largest"]] == 0
    assert body[column["outer"]] == 1 and leaf[column["outer"]] == 1
    assert leaf[column["y"]] < body[column["y"]]  # the leaf is above the body
    assert body[column["of_largest"]] == 1 and 0 < leaf[column["of_largest"]] < 0.2
    np.testing.assert_allclose(rows[0], rows[2], atol=0.02)  # moved, the same shapes


def test_a_shape_inside_another_is_not_outer() -> None:
    sketch = np.full((256, 256, 3), 255, np.uint8)
    cv2.circle(sketch, (128, 128), 90, (17, 17, 17), 3)
    cv2.circle(sketch, (128, 128), 30, (17, 17, 17), 3)
    shapes = shapes_of(sketch)
    features = regions.shape_features(shapes.labels, shapes.paper, shapes.areas)
    inner = min((i for i in range(1, len(shapes.areas)) if not shapes.paper[i]),
                key=lambda i: shapes.areas[i])  # fmt: skip
    assert features[inner, regions.FEATURES.index("outer")] == 0


def test_targets_are_the_colour_a_shape_has_most_often() -> None:
    sketch, picture = apple()
    picture[120:130, 110:140] = (255, 255, 255)  # a highlight on the body
    shapes = shapes_of(sketch)
    targets = region_training.shape_targets(picture, shapes.labels, len(shapes.areas), palette())
    drawn = sorted((i for i in range(1, len(shapes.areas)) if not shapes.paper[i]),
                   key=lambda i: -shapes.areas[i])  # fmt: skip
    assert [int(targets[i]) for i in drawn] == [2, 3]  # red body, green leaf


def write_pairs(folder: Path, count: int) -> list[tuple[Path, str, str]]:
    folder.mkdir(parents=True)
    pairs = []
    for i in range(count):
        label, body = ("apple", RED) if i % 2 == 0 else ("sun", YELLOW)
        sketch, picture = apple(shift=(i % 5) * 8 - 16, body=body)
        path = folder / f"{label}__{i}.png"
        Image.fromarray(np.concatenate([sketch, picture], axis=1)).save(path)
        pairs.append((path, label, "toy"))
    return pairs


def test_the_model_learns_a_colour_per_thing_and_part_and_the_painter_uses_it(
    tmp_path: Path,
) -> None:
    torch.manual_seed(0)
    pairs = write_pairs(tmp_path / "toy" / "train", 12)
    assert region_training.training_pairs([str(tmp_path / "toy" / "train")]) != []
    samples = region_training.collect(pairs, palette())
    config = regions.RegionConfig(colours=5, labels=("apple", "sun"), hidden=32)
    model, report = region_training.fit(samples, config, epochs=150)
    assert report["samples"] == 24
    saved = region_training.save_regions(
        model, tmp_path / "regions.safetensors", extra={"report": report}
    )

    net = build_palette_net(PaletteNetConfig(colours=5, labels=("apple", "sun"), ngf=4,
                                             max_channels=16, embed_dim=4))  # fmt: skip
    plain = PalettePainter(network=PaletteNetwork.of(net.eval()), palette=palette(), card={})
    painter = plain.with_regions(saved)
    assert painter.card["regions"]["labels"] == ["apple", "sun"]
    sketch = apple(side=512, shift=10)[0]
    red_apple, yellow_sun = painter.paint([sketch, sketch], ["apple", "sun"])
    assert tuple(red_apple[300, 256]) == RED  # the body
    assert tuple(yellow_sun[300, 256]) == YELLOW
    assert tuple(red_apple[194, 266]) == GREEN  # the leaf, over the body
    assert tuple(red_apple[10, 10]) == (255, 255, 255)  # the paper


def test_a_painter_without_sure_areas_never_runs_its_network(tmp_path: Path) -> None:
    import dataclasses

    torch.manual_seed(0)
    pairs = write_pairs(tmp_path / "toy" / "train", 6)
    config = regions.RegionConfig(colours=5, labels=("apple", "sun"), hidden=16)
    model, report = region_training.fit(
        region_training.collect(pairs, palette()), config, epochs=20
    )
    saved = region_training.save_regions(
        model, tmp_path / "regions.safetensors", extra={"report": report}
    )
    net = build_palette_net(PaletteNetConfig(colours=5, labels=("apple", "sun"), ngf=4,
                                             max_channels=16, embed_dim=4))  # fmt: skip
    plain = PalettePainter(network=PaletteNetwork.of(net.eval()), palette=palette(), card={})
    assert plain.uses_network  # no region model: the network chooses every colour
    painter = plain.with_regions(saved)
    assert painter.uses_network  # sure areas are painted unless the card turns them off
    calls: list[int] = []

    def unsure(planes: torch.Tensor, rows: torch.Tensor) -> np.ndarray:
        calls.append(len(planes))  # never sure of anything: 1/K everywhere
        return np.full((len(planes), 5, 128, 128), 0.2, np.float32)

    def broken(planes: torch.Tensor, rows: torch.Tensor) -> np.ndarray:
        raise AssertionError("the network ran")

    sketches = [apple(side=512, shift=10)[0], apple(side=256)[0]]
    with_net = painter.with_engine(unsure).paint(sketches, ["apple", "sun"], variants=[0, 2])
    assert calls == [2]
    off = dataclasses.replace(painter, card={**painter.card, "painting": {"sure_areas": False}})
    assert not off.uses_network
    without = off.with_engine(broken).paint(sketches, ["apple", "sun"], variants=[0, 2])
    for a, b in zip(with_net, without, strict=True):
        assert np.array_equal(a, b)  # the same pictures where the network is sure of nothing


def test_promote_palette_installs_the_painter_with_its_region_model(tmp_path: Path) -> None:
    import io
    import json

    from django.core.management import call_command
    from safetensors.torch import save_file

    from inference.serving import registry

    torch.manual_seed(0)
    pairs = write_pairs(tmp_path / "toy" / "train", 6)
    (tmp_path / "toy" / "dataset.json").write_text(json.dumps({
        "source": "toy apples", "licence": "CC0-1.0", "package": "-", "url": "-",
        "categories": [{"slug": "apple", "label_en": "Apple", "label_ko": "사과", "emoji": "🍎"},
                       {"slug": "sun", "label_en": "Sun", "label_ko": "해", "emoji": "☀️"}],
        "counts": {"apple": {"train": 3, "val": 0}, "sun": {"train": 3, "val": 0}},
    }))  # fmt: skip
    config = regions.RegionConfig(colours=5, labels=("apple", "sun"), hidden=16)
    model, report = region_training.fit(region_training.collect(pairs, palette()), config, epochs=5)
    saved = region_training.save_regions(
        model, tmp_path / "regions.safetensors", extra={"report": report}
    )
    net_config = PaletteNetConfig(colours=5, labels=("apple", "sun"), ngf=4, max_channels=16,
                                  embed_dim=4)  # fmt: skip
    net = build_palette_net(net_config)
    checkpoint = tmp_path / "epoch-0001.safetensors"
    save_file({k: v.contiguous() for k, v in net.state_dict().items()}, str(checkpoint))
    checkpoint.with_suffix(".json").write_text(json.dumps({
        "architecture": net_config.to_dict(), "palette": palette().to_dict(), "epoch": 1,
    }))  # fmt: skip

    call_command(
        "promote_palette", str(checkpoint), "--regions", str(saved), "--name", "toy3",
        "--dataset", str(tmp_path / "toy"), "--dir", str(tmp_path / "generators"),
        "--no-sure-areas", stdout=io.StringIO(),
    )  # fmt: skip

    card = registry.parse_card(tmp_path / "generators" / "toy3.json", check_architecture=True)
    painter = registry.load_generator(card)
    written = json.loads((tmp_path / "generators" / "toy3.json").read_text())
    assert written["regions"]["labels"] == ["apple", "sun"]
    assert written["data"][0]["licence"] == "CC0-1.0"
    assert written["training"]["epoch"] == 1
    assert painter.regions is not None  # served with its region model
    assert written["painting"]["sure_areas"] is False and not painter.uses_network
    assert "check_sure_areas" in written["painting"]["why"]
    picture = painter.paint([apple(side=512)[0]], ["apple"])[0]
    assert picture.shape == (512, 512, 3)
    # Exported for serving at promotion, and checked against the exact painter.
    assert card.onnx_path == (tmp_path / "generators" / "toy3.onnx").resolve()
    assert written["onnx"]["max_level_difference_from_exact"] <= 2


def test_where_a_shape_sits_against_the_largest_and_what_it_borders() -> None:
    # A tree: a round crown, a trunk below it, and a hole (a ring inside the crown).
    sketch = np.full((256, 256, 3), 255, np.uint8)
    cv2.circle(sketch, (128, 100), 70, (17, 17, 17), 3)
    cv2.circle(sketch, (128, 90), 18, (17, 17, 17), 3)
    cv2.rectangle(sketch, (113, 168), (143, 240), (17, 17, 17), 3)
    shapes = shapes_of(sketch)
    features = regions.shape_features(shapes.labels, shapes.paper, shapes.areas)
    col = {name: i for i, name in enumerate(regions.FEATURES)}
    drawn = sorted((i for i in range(1, len(shapes.areas)) if not shapes.paper[i]),
                   key=lambda i: -shapes.areas[i])  # fmt: skip
    crown, trunk, hole = (features[i] for i in drawn)
    assert trunk[col["dy_largest"]] > 0.3 and abs(trunk[col["dx_largest"]]) < 0.05
    assert hole[col["dy_largest"]] < 0  # a little above the crown's centre
    assert hole[col["enclosed"]] == 1 and hole[col["paper_border"]] == 0
    assert crown[col["enclosed"]] == 0 and trunk[col["enclosed"]] == 0
    assert 0 < trunk[col["paper_border"]] < 1
    assert crown[col["neighbours"]] == pytest.approx(np.log1p(2))  # the trunk and the hole


def test_the_served_scorer_gives_the_trained_modules_probabilities() -> None:
    torch.manual_seed(0)
    for features in (regions.FEATURES, regions.FEATURES_V1):
        config = regions.RegionConfig(colours=5, labels=("apple", "sun"), features=features)
        model = region_training.RegionColours(config).eval()
        rows = np.random.default_rng(1).normal(size=(7, len(regions.FEATURES)))
        rows = rows.astype(np.float32)
        columns = [regions.FEATURES.index(name) for name in features]
        with torch.no_grad():
            exact = torch.softmax(
                model(
                    torch.from_numpy(rows[:, columns]),
                    region_training.label_rows(config, ["sun"] * 7),
                ),
                dim=1,
            ).numpy()
        served = model.scorer().probabilities(rows, "sun")
        np.testing.assert_allclose(served, exact, atol=1e-5)
    assert model.scorer().probabilities(rows[:0], None).shape == (0, 5)


def test_twin_shapes_share_their_colour_probabilities() -> None:
    # A head, two ears alike (left and right), a nose unlike them.
    sketch = np.full((256, 256, 3), 255, np.uint8)
    cv2.circle(sketch, (128, 150), 60, (17, 17, 17), 3)
    for x in (100, 156):
        cv2.ellipse(sketch, (x, 55), (12, 32), 0, 0, 360, (17, 17, 17), 3)
    cv2.circle(sketch, (128, 160), 10, (17, 17, 17), 3)
    shapes = shapes_of(sketch)
    features = regions.shape_features(shapes.labels, shapes.paper, shapes.areas)
    probs = np.random.default_rng(0).dirichlet(np.ones(5), size=len(shapes.areas))
    shared = regions.share_twins(features, probs)
    col = regions.FEATURES.index("y")
    ears = [i for i in range(1, len(shapes.areas))
            if not shapes.paper[i] and 0 < features[i, col] < 0.3]  # fmt: skip
    assert len(ears) == 2
    np.testing.assert_allclose(shared[ears[0]], shared[ears[1]])
    np.testing.assert_allclose(shared[ears[0]], probs[ears].mean(axis=0))
    head = int(np.argmax(np.where(shapes.paper, 0, shapes.areas)))
    nose = next(i for i in range(1, len(shapes.areas))
                if features[i, regions.FEATURES.index("enclosed")] == 1)  # fmt: skip
    np.testing.assert_array_equal(shared[[head, nose]], probs[[head, nose]])


def test_the_family_term_is_trained_and_reported(tmp_path: Path) -> None:
    torch.manual_seed(0)
    pairs = write_pairs(tmp_path / "toy" / "train", 8)
    samples = region_training.collect(pairs, palette())
    samples.groups = ["a" if i < 8 else "b" for i in range(len(samples.groups))]
    samples.save(tmp_path / "samples.npz")
    again = region_training.RegionSamples.load(tmp_path / "samples.npz")
    assert again.targets == samples.targets and again.labels == samples.labels
    config = regions.RegionConfig(colours=5, labels=("apple", "sun"), hidden=16, family_loss=1.0)
    families = np.array([0, 2, 3, 4, 5])  # white, black, then three hues
    _model, report = region_training.fit(
        again, config, epochs=30, held_out=["b"], families=families
    )
    assert report["held_out_family_accuracy"] >= report["held_out_colour_accuracy"]
    assert 0 <= report["held_out_weighted_family_accuracy"] <= 1
    assert regions.RegionConfig.from_dict(config.to_dict()) == config


def test_judge_region_colours_compares_region_models_on_a_dev_set(
    tmp_path: Path, registry_dir: Path
) -> None:
    import io
    import json

    from django.core.management import call_command
    from django.core.management.base import CommandError

    from inference.lab.testing import write_random_painter

    write_random_painter(registry_dir, name="kids3", categories=[
        ("apple", "Apple", "사과", "🍎", "food")])  # fmt: skip
    devset = tmp_path / "devset"
    devset.mkdir()
    with pytest.raises(CommandError, match=r"devset\.json"):
        call_command("judge_region_colours", "--devset", str(devset), stdout=io.StringIO())
    sketch = np.dstack([apple(side=512)[0], np.full((512, 512), 255, np.uint8)])
    Image.fromarray(sketch).save(devset / "000-apple-black.png")
    Image.fromarray(sketch).save(devset / "000-apple-coloured.png")
    body = [[0.5 + 0.1 * np.cos(a), 0.54 + 0.1 * np.sin(a)] for a in np.linspace(0, 6.2, 12)]
    entry = {"thing": "apple", "base": "000-apple", "seed": 0}
    (devset / "devset.json").write_text(json.dumps({"drawings": [
        {**entry, "file": "000-apple-black.png", "variant": "black", "fills": []},
        {**entry, "file": "000-apple-coloured.png", "variant": "coloured",
         "fills": [{"crayon": "#e02424", "polygon": body}]},
    ]}))  # fmt: skip
    with pytest.raises(CommandError, match="No region model"):
        call_command("judge_region_colours", "--devset", str(devset), "--regions",
                     str(tmp_path / "missing.safetensors"), stdout=io.StringIO())  # fmt: skip

    out = io.StringIO()
    call_command("judge_region_colours", "--devset", str(devset), "--json", stdout=out)
    result = json.loads(out.getvalue())["installed kids3"]
    assert result["fills"] == 1 and 0 <= result["child_family"] <= 1
    assert set(result["chroma_by_thing"]) == {"apple"}


def test_the_family_prior_moves_odd_hues_to_likely_ones_and_makes_nothing_drab() -> None:
    samples = region_training.RegionSamples(
        features=[np.zeros(len(regions.FEATURES), np.float32)] * 3,
        labels=["rabbit", "rabbit", "frog"],
        targets=[0, 2, 3],  # white and red rabbits, a green frog
        weights=[3.0, 1.0, 1.0],
        groups=["a", "a", "a"],
    )
    families = np.array([0, 1, 3 + 1, 3 + 4])  # white, grey, a red hue, a green hue
    prior = region_training.family_prior(samples, ("rabbit", "frog", "cake"), families)
    assert len(prior) == 3 and all(len(row) == 3 + 12 for row in prior)
    assert prior[0][0] > prior[0][4] > prior[0][7]
    assert 0 < prior[0][7] <= region_training.PRIOR_FLOOR  # never seen green: floored
    assert prior[2] == pytest.approx([1 / 15] * 15, abs=1e-3)  # no shapes: even
    assert all(sum(row) == pytest.approx(1.0, abs=1e-3) for row in prior)

    config = regions.RegionConfig(colours=4, labels=("rabbit", "frog", "cake"),
                                  colour_families=tuple(families), family_prior=prior,
                                  prior_power=2.0)  # fmt: skip
    probs = np.array([[0.2, 0.1, 0.2, 0.5]], np.float32)  # a shape the classifier calls green
    rabbit = config.guard(probs, "rabbit")
    assert rabbit[0, 2] > rabbit[0, 3]  # a rabbit is not green: the red hue wins
    np.testing.assert_allclose(rabbit[0, :2], probs[0, :2])  # white and grey untouched
    assert rabbit[0, 2:].sum() == pytest.approx(0.7)  # the hues keep their total
    frog = config.guard(probs, "frog")
    assert frog[0, 3] > probs[0, 3] and frog[0, 2] < probs[0, 2]  # a frog is green, not red
    np.testing.assert_allclose(config.guard(probs, None), probs)  # no thing, no prior
    off = regions.RegionConfig.from_dict({**config.to_dict(), "prior_power": 0.0})
    np.testing.assert_allclose(off.guard(probs, "rabbit"), probs)
    assert regions.RegionConfig.from_dict(config.to_dict()) == config


def test_a_painter_without_sure_areas_is_served_without_building_its_network(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from safetensors.torch import load_file

    from inference.lab.palette.install import install_painter
    from inference.serving import registry
    from inference.serving.fast_path import fast_server

    torch.manual_seed(0)
    net = build_palette_net(PaletteNetConfig(colours=5, labels=("apple", "sun"), ngf=4,
                                             max_channels=16, embed_dim=4))  # fmt: skip
    config = regions.RegionConfig(colours=5, labels=("apple", "sun"), hidden=16)
    scorer = region_training.RegionColours(config).eval().scorer()
    categories = [{"slug": "apple", "label_en": "Apple", "label_ko": "사과", "emoji": "🍎"}]
    card = install_painter(net.eval(), palette(), tmp_path, name="toy3", categories=categories,
                           regions=scorer, extra={"painting": {"sure_areas": False}})  # fmt: skip
    built: list[str] = []
    module_init = torch.nn.Module.__init__

    def counted(self: torch.nn.Module, *args: object, **kwargs: object) -> None:
        built.append(type(self).__name__)
        module_init(self, *args, **kwargs)

    monkeypatch.setattr(torch.nn.Module, "__init__", counted)
    painter: PalettePainter = registry.load_generator(card)
    assert not painter.uses_network and not painter.network.built
    served = fast_server(card, painter, engine="onnx", threads=1, device=torch.device("cpu"),
                         compile=False)  # fmt: skip
    assert served is painter  # no graph to open: it paints without its network
    picture = served.paint([apple(side=512)[0]], ["apple"])[0]
    assert picture.shape == (512, 512, 3)
    assert built == []  # loaded and painting: no torch module was ever constructed

    # The exact reference (the benchmark's, the sure areas check's) still runs the network,
    # built then from the installed weights.
    reference = painter.with_sure_areas(True)
    assert reference.uses_network
    assert reference.paint([apple(side=512)[0]], ["apple"])[0].shape == (512, 512, 3)
    assert "PaletteUnet" in built and not reference.net.training
    installed = load_file(str(card.weights_path))
    for name, value in reference.net.state_dict().items():
        assert torch.equal(value, installed[name].float()), name
