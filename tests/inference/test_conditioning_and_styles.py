"""Category conditioning, several sketch styles per picture, and plain picture folders."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from django.core.management import get_commands, load_command_class
from PIL import Image, ImageDraw
from safetensors.torch import load_file, save_file

from inference.lab.pix2pix.training.checkpoints import load_initial_weights
from inference.lab.pix2pix.training.config import TrainConfig
from inference.lab.pix2pix.training.loop import train
from inference.lab.testing import write_random_generator
from inference.serving import registry
from inference.serving.pix2pix.data import AlignedDataset, PairSource, find_pairs, find_pictures
from inference.serving.pix2pix.generator_config import GeneratorConfig
from inference.serving.pix2pix.networks import build_generator, init_weights
from inference.serving.runtime import GeneratorRuntime
from tests.fixtures.inference import pixels
from tests.fixtures.inference import sketch as line_drawing

SIZE = 64
KIDS = (("face", "Face", "얼굴", "🙂"), ("food", "Food", "음식", "🍎"))


def _picture(seed: int, size: int = SIZE) -> Image.Image:
    """A coloured blob with a darker outline on transparent paper, like a stamp."""
    rng = np.random.default_rng(seed)
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    fill = tuple(int(v) for v in rng.integers(60, 230, size=3))
    box = (4 + seed % 3, 5, size - 5, size - 4 - seed % 4)
    draw.ellipse(box, fill=(*fill, 255), outline=(20, 20, 20, 255), width=2)
    return image


def _write_pictures(folder: Path, count: int, prefix: str = "food") -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        _picture(i).save(folder / f"{prefix}__{i}.png")


def _write_labelled_pairs(folder: Path, slugs: list[str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i, slug in enumerate(slugs):
        picture = Image.alpha_composite(Image.new("RGBA", (SIZE, SIZE), "white"), _picture(i))
        sketch = picture.convert("L").point(lambda v: 0 if v < 60 else 255).convert("RGB")
        pair = Image.new("RGB", (2 * SIZE, SIZE), "white")
        pair.paste(sketch, (0, 0))
        pair.paste(picture.convert("RGB"), (SIZE, 0))
        pair.save(folder / f"{slug}__{i}.png")


def test_a_plain_picture_folder_gets_extracted_sketches(tmp_path: Path) -> None:
    _write_pictures(tmp_path / "pictures", 3)

    data = AlignedDataset(find_pictures(tmp_path / "pictures"), size=SIZE, styles=("xdog",))
    sketch, picture, _ = data[0]

    ink = sketch.min(dim=0).values < 0
    assert sketch.shape == picture.shape == (3, SIZE, SIZE)
    assert 0.02 < ink.float().mean() < 0.5  # strokes, not a filled shape nor a blank page
    assert (sketch[:, ~ink] == 1.0).all()  # white paper where there is no stroke
    assert picture[:, 0, 0].tolist() == [1.0, 1.0, 1.0]  # transparency became white


def test_plain_pictures_cannot_train_on_a_given_sketch_only(tmp_path: Path) -> None:
    _write_pictures(tmp_path / "pictures", 1)

    with pytest.raises(ValueError, match="add xdog or canny"):
        AlignedDataset(find_pictures(tmp_path / "pictures"), size=SIZE, styles=("given",))
    with pytest.raises(ValueError, match="sketch styles must be some of"):
        AlignedDataset(find_pictures(tmp_path / "pictures"), size=SIZE, styles=("crayon",))
    with pytest.raises(FileNotFoundError, match="no pictures in"):
        find_pictures(tmp_path / "empty")


def test_each_read_picks_one_of_several_sketch_styles(tmp_path: Path) -> None:
    _write_labelled_pairs(tmp_path / "pairs", ["food"])
    data = AlignedDataset(
        find_pairs(tmp_path / "pairs"), size=SIZE, flip=False, styles=("given", "xdog", "canny")
    )
    stored = [(data.sketches[0, s].float() / 127.5 - 1.0) for s in range(3)]
    assert not torch.equal(stored[0], stored[1]) and not torch.equal(stored[1], stored[2])

    seen = set()
    for epoch in range(12):
        data.epoch = epoch
        sketch = data[0][0]
        matches = [s for s in range(3) if torch.equal(sketch, stored[s])]
        assert len(matches) == 1  # every read is exactly one of the stored styles
        seen.add(matches[0])
    assert seen == {0, 1, 2}


def test_inked_targets_keep_every_stroke_of_the_augmented_sketch(tmp_path: Path) -> None:
    from inference.serving.pix2pix.sketchify import sketchify_pair

    _write_labelled_pairs(tmp_path / "pairs", ["food", "face"])
    pairs = find_pairs(tmp_path / "pairs")
    plain = AlignedDataset(pairs, size=SIZE, augment=sketchify_pair, seed=2)
    inked = AlignedDataset(pairs, size=SIZE, augment=sketchify_pair, seed=2, ink_targets=True)

    for index in range(len(pairs)):
        sketch, picture, _ = inked[index]
        same_sketch, bare_picture, _ = plain[index]
        assert torch.equal(sketch, same_sketch)  # the sketch itself is untouched
        assert torch.equal(picture, torch.minimum(bare_picture, sketch))
        assert (picture <= sketch).all()  # every stroke at least as dark in the picture
        assert (picture < bare_picture).any()  # and the lines were really drawn in


def test_labels_come_from_file_names_and_are_sometimes_dropped(tmp_path: Path) -> None:
    _write_labelled_pairs(tmp_path / "pairs", ["food", "face", "plant"])
    pairs = find_pairs(tmp_path / "pairs")
    assert [p.category for p in pairs] == ["face", "food", "plant"]  # face__1, food__0, ...
    assert PairSource(tmp_path / "no-prefix.png").category is None

    data = AlignedDataset(pairs, size=SIZE, condition=("food", "face"))
    assert data.labels.tolist() == [1, 0, -1]  # plant is not a condition: no planes

    dropping = AlignedDataset(pairs[1:2], size=SIZE, condition=("face", "food"), label_dropout=0.5)
    labels = []
    for epoch in range(40):
        dropping.epoch = epoch
        labels.append(int(dropping[0][2]))
    assert set(labels) == {1, -1}


def test_condition_planes_steer_the_picture_and_keep_batches_invariant() -> None:
    config = GeneratorConfig(input_nc=5, ngf=8, num_downs=5, condition=("face", "food"))
    net = init_weights(build_generator(config), generator=torch.Generator().manual_seed(1)).eval()
    sketch = torch.rand(1, 3, SIZE, SIZE) * 2 - 1
    others = torch.rand(3, 3, SIZE, SIZE) * 2 - 1

    with torch.no_grad():
        as_face = net(sketch, config.labels_for(["face"]))
        as_food = net(sketch, config.labels_for(["food"]))
        batch = net(torch.cat([others, sketch]), config.labels_for(["food", None, "face", "food"]))

    assert not torch.equal(as_face, as_food)
    assert torch.equal(batch[3:], as_food)
    with pytest.raises(ValueError, match="not on plant"):
        config.labels_for(["plant"])
    with pytest.raises(ValueError, match="input_nc must be 3 sketch planes \\+ 2 condition planes"):
        GeneratorConfig(input_nc=3, condition=("face", "food"))


def test_a_conditioned_generator_starts_as_the_unconditional_one_it_grows_from() -> None:
    plain = init_weights(build_generator(GeneratorConfig(ngf=8, num_downs=5))).eval()
    config = GeneratorConfig(input_nc=5, ngf=8, num_downs=5, condition=("face", "food"))
    grown = build_generator(config).eval()

    load_initial_weights(grown, {k: v.half() for k, v in plain.state_dict().items()})

    sketch = torch.rand(2, 3, SIZE, SIZE) * 2 - 1
    with torch.no_grad():
        expected = build_generator(GeneratorConfig(ngf=8, num_downs=5)).eval()
        expected.load_state_dict({k: v.half().float() for k, v in plain.state_dict().items()})
        assert torch.equal(grown(sketch, config.labels_for(["face", "food"])), expected(sketch))


def test_training_a_conditioned_generator_from_pairs_and_plain_pictures(tmp_path: Path) -> None:
    _write_labelled_pairs(tmp_path / "pairs", ["face", "food", "face", "food"])
    _write_pictures(tmp_path / "pictures", 4, prefix="food")
    cfg = TrainConfig(
        data_dirs=[str(tmp_path / "pairs")],
        picture_dirs=[str(tmp_path / "pictures")],
        sketch_styles=["given", "xdog"],
        condition=["face", "food"],
        out_dir=str(tmp_path / "run"),
        size=SIZE,
        load_size=SIZE,
        num_downs=5,
        ngf=8,
        ndf=8,
        n_layers_D=2,
        batch_size=4,
        epochs=1,
        augment=False,
        threads=1,
        num_workers=0,
        quiet=True,
    )

    record = train(cfg)

    run = Path(cfg.out_dir)
    assert record["images_seen"] == 8
    card = json.loads((run / "checkpoints" / "epoch-0001.json").read_text())
    assert card["architecture"]["condition"] == ["face", "food"]
    assert card["architecture"]["input_nc"] == 5
    weights = load_file(run / "checkpoints" / "epoch-0001.safetensors")
    assert weights["downs.0.weight"].shape[1] == 5
    with Image.open(run / "losses.png") as plot:
        assert plot.width > 400 and plot.height > 200


def test_the_runtime_draws_each_sketch_as_its_category(tmp_path: Path) -> None:
    card = write_random_generator(tmp_path, name="cond", categories=KIDS, conditioned=True)
    runtime = GeneratorRuntime(directory=tmp_path, device="cpu", threads=1)
    drawing = line_drawing(3)

    _, (face,) = runtime.draw_category("face", [drawing])
    _, (food,) = runtime.draw_category("food", [drawing])
    mixed = runtime.generator("cond").draw([drawing, drawing], ["food", "face"])

    assert card.config.condition == ("face", "food")
    assert not np.array_equal(pixels(face), pixels(food))
    assert np.array_equal(pixels(mixed[0]), pixels(food))
    assert np.array_equal(pixels(mixed[1]), pixels(face))


def test_a_conditioned_card_cannot_offer_a_category_it_was_not_trained_on(tmp_path: Path) -> None:
    card = write_random_generator(tmp_path, name="cond", categories=KIDS, conditioned=True)
    data = json.loads(card.card_path.read_text())
    data["categories"].append(
        {"slug": "plant", "label_en": "Plant", "label_ko": "식물", "emoji": "🌻"}
    )
    card.card_path.write_text(json.dumps(data))

    with pytest.raises(registry.RegistryError, match="cannot draw plant"):
        registry.parse_card(card.card_path)


def test_every_management_command_builds_its_argument_parser() -> None:
    # A clash with Django's own options (--version, --verbosity...) breaks a command outright.
    ours = {name: app for name, app in get_commands().items() if not app.startswith("django")}
    assert "train_generator" in ours and "build_openmoji_dataset" in ours
    for name, app in ours.items():
        if app in ("rest_framework", "channels", "daphne", "drf_spectacular", "storages"):
            continue
        load_command_class(app, name).create_parser("manage.py", name)


def test_save_file_round_trip_keeps_condition_planes(tmp_path: Path) -> None:
    config = GeneratorConfig(input_nc=4, ngf=8, num_downs=5, condition=("face",))
    net = init_weights(build_generator(config))
    save_file({k: v.contiguous() for k, v in net.state_dict().items()}, tmp_path / "w.st")
    again = GeneratorConfig.from_dict(json.loads(json.dumps(config.to_dict())))
    assert again == config
    build_generator(again).load_state_dict(load_file(tmp_path / "w.st"))


def test_promote_generator_records_the_condition_and_the_dev_set_scores(tmp_path: Path) -> None:
    import io

    from django.core.management import CommandError, call_command

    _write_labelled_pairs(tmp_path / "data" / "train", ["face", "food", "face", "food"])
    (tmp_path / "data" / "dataset.json").write_text(
        json.dumps({
            "source": "test pictures", "licence": "CC0-1.0", "package": "-", "url": "-",
            "categories": [
                {"slug": s, "label_en": en, "label_ko": ko, "emoji": e} for s, en, ko, e in KIDS
            ],
            "counts": {"face": {"train": 2, "val": 0}, "food": {"train": 2, "val": 0}},
        })
    )  # fmt: skip
    run = tmp_path / "run"
    train(
        TrainConfig(
            data_dir=str(tmp_path / "data" / "train"), condition=["face", "food"],
            out_dir=str(run), size=SIZE, load_size=SIZE, num_downs=5, ngf=8, ndf=8,
            n_layers_D=2, epochs=1, augment=False, threads=1, num_workers=0, quiet=True,
        )
    )  # fmt: skip
    checkpoint = run / "checkpoints" / "epoch-0001.safetensors"
    scores = {"line_f1": 0.9, "recog_accuracy": 0.6}
    (tmp_path / "metrics.json").write_text(
        json.dumps({
            "devset": "dev", "devset_size": 3,
            "ranking": [
                {"rank": 1, "candidate": "run/epoch-0001", **scores},
                {"rank": 2, "candidate": "run/epoch-0001 (no category)", "recog_accuracy": 0.5},
            ],
        })
    )  # fmt: skip

    call_command(
        "promote_generator", str(checkpoint), "--name", "tiny", "--dataset",
        str(tmp_path / "data"), "--dir", str(tmp_path / "generators"),
        "--evaluation", str(tmp_path / "metrics.json"), stdout=io.StringIO(),
    )  # fmt: skip

    card = json.loads((tmp_path / "generators" / "tiny.json").read_text())
    assert card["architecture"]["condition"] == ["face", "food"]
    assert "told which one the child picked" in card["notes"]
    assert card["evaluation"][0]["scores"] == scores
    assert card["evaluation"][0]["scores_without_category"] == {"recog_accuracy": 0.5}
    assert card["training"]["sketch_styles"] == ["given"]
    installed = registry.parse_card(tmp_path / "generators" / "tiny.json")
    assert installed.config.condition == ("face", "food")
    registry.load_generator(installed)  # the fp16 weights fit the conditioned architecture
    assert installed.config.clean_fills == 0.0  # the checkpoint's: none

    call_command(
        "promote_generator", str(checkpoint), "--name", "tidy", "--dataset",
        str(tmp_path / "data"), "--dir", str(tmp_path / "generators"),
        "--clean-fills", "0.8", stdout=io.StringIO(),
    )  # fmt: skip
    tidy = registry.parse_card(tmp_path / "generators" / "tidy.json")
    assert tidy.config.clean_fills == 0.8
    served = registry.load_generator(tidy)
    assert getattr(served, "config").clean_fills == 0.8  # noqa: B009 - what serving draws with

    (tmp_path / "other.json").write_text(json.dumps({"ranking": []}))
    with pytest.raises(CommandError, match="has no candidate 'run/epoch-0001'"):
        call_command(
            "promote_generator", str(checkpoint), "--name", "tiny2", "--dataset",
            str(tmp_path / "data"), "--dir", str(tmp_path / "generators"),
            "--evaluation", str(tmp_path / "other.json"), stdout=io.StringIO(),
        )  # fmt: skip
