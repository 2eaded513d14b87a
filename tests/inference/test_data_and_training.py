"""Training data and the training loop: what a person running a training job relies on."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from safetensors.torch import load_file

from inference.lab import promotion
from inference.lab.datasets import openmoji
from inference.lab.pix2pix.doodles import DOODLES, draw_doodle
from inference.lab.pix2pix.training.config import TrainConfig, parse_config
from inference.lab.pix2pix.training.loop import train
from inference.lab.pix2pix.training.resume import compact_resume
from inference.serving import registry
from inference.serving.pix2pix.data import AlignedDataset, find_pairs, to_tensor
from inference.serving.pix2pix.networks import build_generator, init_weights
from inference.serving.pix2pix.sketchify import SketchStyle, sketchify, sketchify_pair
from tests.fixtures.inference import TINY, write_aligned
from tests.fixtures.inference import sketch as line_drawing


def test_crop_and_flip_are_identical_on_sketch_and_picture(tmp_path: Path) -> None:
    write_aligned(tmp_path, 4, size=64, same_halves=True)
    data = AlignedDataset(find_pairs(tmp_path), size=64, load_size=80, flip=True, seed=3)
    unjittered = [to_tensor(Image.open(p).crop((0, 0, 64, 64))) for p in sorted(tmp_path.iterdir())]
    moved = 0
    for epoch in range(3):
        data.epoch = epoch
        for index in range(len(data)):
            sketch, picture, label = data[index]
            assert sketch.shape == picture.shape == (3, 64, 64)
            assert torch.equal(sketch, picture)  # the halves were equal, so they still are
            assert label.item() == -1  # no condition asked for
            moved += not torch.allclose(sketch, unjittered[index], atol=0.05)
    assert moved > 0  # and the jitter really cropped/flipped


def test_split_folders_pair_up_by_name(tmp_path: Path) -> None:
    for folder in ("sketch", "picture"):
        (tmp_path / folder).mkdir()
    for stem in ("cat", "sun"):
        line_drawing(1).save(tmp_path / "sketch" / f"{stem}.png")
        Image.new("RGB", (256, 256), "yellow").save(tmp_path / "picture" / f"{stem}.png")
    line_drawing(2).save(tmp_path / "sketch" / "lonely.png")  # no picture: skipped

    pairs = find_pairs(tmp_path)

    assert [p.sketch.stem for p in pairs] == ["cat", "sun"]
    sketch, picture = pairs[0].load(128)
    assert sketch.size == picture.size == (128, 128)


def test_a_folder_without_pairs_says_what_it_expected(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"A\|B images"):
        find_pairs(tmp_path)


def test_sketchify_keeps_size_changes_strokes_and_repeats_with_a_seed() -> None:
    clean = to_tensor(draw_doodle("face", seed=0))

    child = sketchify(clean, seed=7)

    assert child.shape == clean.shape
    assert not torch.allclose(child, clean, atol=0.1)
    assert torch.equal(child, sketchify(clean, seed=7))
    assert not torch.equal(child, sketchify(clean, seed=8))
    assert child.min() >= -1.0 and child.max() <= 1.0
    assert (child < 0).float().mean() > 0.005  # strokes are still there


def test_picture_follows_the_sketch_through_the_shared_warp() -> None:
    clean = to_tensor(draw_doodle("cat", seed=0))
    no_damage = SketchStyle(
        tremor_px=0.0, width_px=0, max_gaps=0, coloured_ink_probability=0.0, clean_probability=0
    )
    # Ink is near black with no damage, so sketch and picture must still overlap almost exactly.
    sketch, picture = sketchify_pair(clean, clean.clone(), np.random.default_rng(1), no_damage)
    assert not torch.allclose(picture, clean, atol=0.1)  # it moved
    assert (sketch - picture).abs().mean() < 0.02


def test_every_doodle_is_a_sketch_on_white() -> None:
    for name in DOODLES:
        image = np.asarray(draw_doodle(name, size=128, seed=1))
        assert image.shape == (128, 128, 3)
        assert (image < 100).mean() > 0.01
        assert image[0, 0].tolist() == [255, 255, 255]


def _tiny_config(tmp_path: Path, **overrides) -> TrainConfig:
    values = {
        "data_dir": str(tmp_path / "data"),
        "out_dir": str(tmp_path / "run"),
        "size": TINY,
        "load_size": TINY,
        "num_downs": 5,
        "ngf": 8,
        "ndf": 8,
        "n_layers_D": 2,
        "batch_size": 4,
        "epochs": 2,
        "augment": False,
        "threads": 1,
        "seed": 5,
    }
    return TrainConfig(**{**values, **overrides})


def _l1_on_training_pairs(net_g: torch.nn.Module, cfg: TrainConfig) -> float:
    pairs = [source.load(cfg.size) for source in find_pairs(Path(cfg.data_dir))]
    sketches = torch.stack([to_tensor(a) for a, _ in pairs])
    pictures = torch.stack([to_tensor(b) for _, b in pairs])
    with torch.no_grad():
        return (net_g(sketches) - pictures).abs().mean().item()


def test_three_steps_lower_l1_and_leave_a_resumable_checkpoint(tmp_path: Path, capsys) -> None:
    write_aligned(tmp_path / "data", 8)
    cfg = _tiny_config(tmp_path, max_steps=3)
    torch.manual_seed(cfg.seed)
    untrained = init_weights(build_generator(cfg.generator_config()))

    train(cfg)  # epoch 1 (2 steps) and one step of epoch 2

    run = Path(cfg.out_dir)
    state = json.loads((run / "resume.json").read_text())
    assert (state["epoch"], state["batch"], state["step"]) == (1, 1, 3)
    assert (run / "checkpoints" / "epoch-0001.safetensors").exists()
    assert len((run / "losses.csv").read_text().splitlines()) == 1 + 3
    trained = build_generator(cfg.generator_config())
    trained.load_state_dict(
        {k[2:]: v for k, v in load_file(run / "resume.safetensors").items() if k[:2] == "G."}
    )
    assert _l1_on_training_pairs(trained, cfg) < _l1_on_training_pairs(untrained, cfg)

    record = train(_tiny_config(tmp_path))  # the same run, no step limit: finishes epoch 2

    assert "resumed from epoch 1 batch 1 step 3" in capsys.readouterr().out
    assert record["epoch"] == 2 and record["step"] == 4
    assert (run / "checkpoints" / "epoch-0002.json").exists()


def test_a_promoted_checkpoint_loads_through_the_registry(tmp_path: Path) -> None:
    write_aligned(tmp_path / "data", 4)
    cfg = _tiny_config(tmp_path, num_downs=5, epochs=1)
    train(cfg)
    categories = [{"slug": "face", "label_en": "Face", "label_ko": "얼굴", "emoji": "😀"}]
    data = [{"source": "test", "licence": "CC0", "url_or_package": "-", "count": 4}]

    card = promotion.promote_checkpoint(
        checkpoint=Path(cfg.out_dir) / "checkpoints" / "epoch-0001.safetensors",
        name="tiny",
        directory=tmp_path / "generators",
        categories=categories,
        data=data,
    )

    assert card.dtype == "float16" and card.category_slugs == ("face",)
    assert card.sha256 == registry.file_sha256(tmp_path / "generators" / "tiny.safetensors")
    written = json.loads((tmp_path / "generators" / "tiny.json").read_text())
    assert written["epochs"] == 1 and written["seed"] == cfg.seed
    assert written["architecture"]["type"] == "pix2pix-unet"
    assert 0.0 <= written["metrics"]["doodles_line_f1"] <= 1.0
    assert 0.0 <= written["metrics"]["doodles_fill"] <= 1.0
    assert registry.load_generator(card)(torch.zeros(1, 3, TINY, TINY)).shape == (1, 3, TINY, TINY)
    # Exported for serving at promotion: the graph beside the weights, its sha256 in the card.
    assert card.onnx_path == tmp_path / "generators" / "tiny.onnx"
    assert written["onnx"]["sha256"] == registry.file_sha256(card.onnx_path)


def test_config_file_and_flags_combine(tmp_path: Path) -> None:
    path = tmp_path / "run.json"
    path.write_text(json.dumps({"ngf": 16, "epochs": 3, "gan_mode": "lsgan"}))

    cfg = parse_config(["--config", str(path), "--epochs", "5", "--augment", "false"])

    assert (cfg.ngf, cfg.epochs, cfg.gan_mode, cfg.augment) == (16, 5, "lsgan", False)


def test_openmoji_build_pairs_line_art_with_colour_and_records_the_licence(tmp_path: Path) -> None:
    pytest.importorskip("cairosvg")
    package = tmp_path / "package"
    for folder in ("black/svg", "color/svg", "data"):
        (package / folder).mkdir(parents=True)
    (package / "package.json").write_text('{"version": "0.0.1"}')
    circle = '<circle cx="36" cy="36" r="20" fill="{fill}" stroke="#000" stroke-width="2"/>'
    emojis = [
        {"emoji": "😀", "hexcode": "1F600", "group": "smileys-emotion",
         "subgroups": "face-smiling", "annotation": "grinning face", "skintone": ""},
        {"emoji": "🚩", "hexcode": "1F6A9", "group": "flags", "subgroups": "flag",
         "annotation": "triangular flag", "skintone": ""},
    ]  # fmt: skip
    for emoji in emojis:
        for folder, fill in (("black", "none"), ("color", "#FCEA2B")):
            svg = f'<svg viewBox="0 0 72 72" xmlns="http://www.w3.org/2000/svg">{circle}</svg>'
            path = package / folder / "svg" / f"{emoji['hexcode']}.svg"
            path.write_text(svg.format(fill=fill))
    (package / "data" / "openmoji.json").write_text(json.dumps(emojis))

    document = openmoji.build_dataset(
        package_dir=package, out_dir=tmp_path / "out", size=64, val_fraction=0.0
    )

    assert document["licence"] == "CC BY-SA 4.0"
    assert document["counts"]["face"] == {"train": 1, "val": 0}  # the flag is not a category
    pair = np.asarray(Image.open(tmp_path / "out" / "train" / "face__1F600.png"))
    assert pair.shape == (64, 128, 3)
    sketch, picture = pair[:, :64], pair[:, 64:]
    assert sketch[32, 32].tolist() == [255, 255, 255]  # line art: white inside the circle
    assert picture[32, 32].tolist() == [252, 234, 43]  # colour: filled yellow


def test_several_folders_train_together_with_a_cap_per_folder(tmp_path: Path) -> None:
    from inference.lab.pix2pix.training.loop import epoch_order, load_sources

    write_aligned(tmp_path / "small", 3)
    write_aligned(tmp_path / "big", 10)
    folders = [str(tmp_path / "small"), str(tmp_path / "big")]
    cfg = _tiny_config(
        tmp_path, data_dirs=folders, max_per_source={folders[1]: 4}, epochs=1, num_workers=0
    )

    data, groups = load_sources(cfg)
    first, second = epoch_order(cfg, groups, 0), epoch_order(cfg, groups, 1)

    assert len(data) == 13 and [len(g) for g in groups] == [3, 10]
    assert len(first) == 7 and set(range(3)) <= set(first.tolist())  # small: all of it
    assert sum(i >= 3 for i in first.tolist()) == 4  # big: capped
    assert first.tolist() != second.tolist()  # a fresh subset and order every epoch
    assert first.tolist() == epoch_order(cfg, groups, 0).tolist()  # reproducible
    record = train(cfg)
    assert record["epoch"] == 1 and record["step"] == 2 and record["images_seen"] == 7


def test_init_from_starts_the_generator_from_given_weights(tmp_path: Path) -> None:
    from safetensors.torch import save_file

    write_aligned(tmp_path / "data", 4)
    cfg = _tiny_config(tmp_path, epochs=1, max_steps=1, lr=0.0)
    torch.manual_seed(123)
    start = init_weights(build_generator(cfg.generator_config()))
    save_file({k: v.half().contiguous() for k, v in start.state_dict().items()}, tmp_path / "g.st")

    train(_tiny_config(tmp_path, epochs=1, max_steps=1, lr=0.0, init_from=str(tmp_path / "g.st")))

    saved = load_file(tmp_path / "run" / "checkpoints" / "epoch-0001.safetensors")
    weight = next(k for k, v in saved.items() if v.dim() == 4)
    assert torch.allclose(saved[weight], start.state_dict()[weight].half().float())


def test_a_compacted_resume_state_continues_the_run_elsewhere(tmp_path: Path, capsys) -> None:
    write_aligned(tmp_path / "data", 8)
    cfg = _tiny_config(tmp_path, max_steps=3)
    train(cfg)
    run = Path(cfg.out_dir)
    carried = compact_resume(run, tmp_path / "carried")

    full, small = load_file(run / "resume.safetensors"), load_file(carried)
    assert carried.stat().st_size < 0.6 * (run / "resume.safetensors").stat().st_size
    assert all(small[k].dtype == torch.bfloat16 for k in small if k.startswith("G."))
    assert all(torch.equal(small[k], full[k]) for k in small if k.endswith(".step"))

    # On another machine: a fresh run folder with the carried files continues at step 3.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    for name in ("resume.safetensors", "resume.json", "config.json"):
        (elsewhere / name).write_bytes((tmp_path / "carried" / name).read_bytes())
    record = train(_tiny_config(tmp_path, out_dir=str(elsewhere)))
    assert "resumed from epoch 1 batch 1 step 3" in capsys.readouterr().out
    assert record["epoch"] == 2 and record["step"] == 4
