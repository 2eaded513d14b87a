"""Checkpoint evaluation: the category classifier, the dev set and ``evaluate_generators``."""

from __future__ import annotations

import io
import json
import math
from pathlib import Path

import numpy as np
import pytest
import torch
from django.core.management import CommandError, call_command
from PIL import Image, ImageDraw

from inference.lab.pix2pix.evaluation import reports, scoring
from inference.lab.pix2pix.evaluation.devset import build_devset, load_devset
from inference.lab.testing import write_random_generator
from inference.serving.pix2pix import classifier as clf
from inference.serving.registry import get_card, load_generator
from tests.fixtures.inference import coloured_in, sketch


def tiny_pictures() -> tuple[torch.Tensor, torch.Tensor]:
    """8 pictures of two categories: red discs and blue squares (N x 3 x 32 x 32 in [-1, 1])."""
    pictures = []
    for i in range(8):
        image = Image.new("RGB", (32, 32), "white")
        pen = ImageDraw.Draw(image)
        box = (6 + i % 3, 6, 24 + i % 3, 24)
        if i % 2:
            pen.rectangle(box, fill=(30, 30, 220))
        else:
            pen.ellipse(box, fill=(220, 30, 30))
        pictures.append(torch.from_numpy(np.asarray(image).copy()).permute(2, 0, 1))
    return torch.stack(pictures).float() / 127.5 - 1, torch.tensor([i % 2 for i in range(8)])


def test_the_classifier_trains_and_round_trips_through_safetensors(tmp_path: Path) -> None:
    pictures, labels = tiny_pictures()
    cfg = clf.ClassifierTrainConfig(size=32, width=4, epochs=1, batch_size=4, max_steps=2)
    model, history = clf.train_classifier(pictures, labels, ("disc", "square"), cfg)
    assert history[0]["step"] == 2
    path = tmp_path / "judge.safetensors"
    card_path = clf.save_classifier(model, path, {"name": "judge"})
    assert json.loads(card_path.read_text())["categories"] == ["disc", "square"]
    loaded = clf.load_classifier(path)
    with torch.no_grad():
        assert torch.equal(model(pictures), loaded(pictures))
    images = [Image.new("RGB", (48, 48), "white")]
    (probabilities,) = clf.classify(loaded, images)
    assert set(probabilities) == {"disc", "square"}
    assert sum(probabilities.values()) == pytest.approx(1.0)


def test_a_classifier_whose_weights_changed_is_refused(tmp_path: Path) -> None:
    model = clf.CategoryClassifier(clf.ClassifierConfig(("a", "b"), size=16, width=2))
    path = tmp_path / "judge.safetensors"
    clf.save_classifier(model, path, {})
    path.write_bytes(path.read_bytes()[:-1] + b" ")
    with pytest.raises(ValueError, match="sha256"):
        clf.load_classifier(path)


def test_random_placement_keeps_size_and_white_paper() -> None:
    pictures, _ = tiny_pictures()
    moved = clf.random_placement(pictures, torch.Generator().manual_seed(0))
    assert moved.shape == pictures.shape
    assert not torch.equal(moved, pictures)
    assert float(moved.max()) == pytest.approx(1.0, abs=1e-5)


# --------------------------------------------------------------------------- dev set + command


def write_ab_dataset(root: Path) -> None:
    """A 2-picture val split of ``A|B`` files (line art | colour), 256 px halves."""
    (root / "val").mkdir(parents=True)
    for i, category in enumerate(("face", "animal")):
        line_art = sketch(i)
        picture = coloured_in(line_art, (240, 200, 40))
        both = Image.new("RGB", (512, 256), "white")
        both.paste(line_art, (0, 0))
        both.paste(picture, (256, 0))
        both.save(root / "val" / f"{category}__{i}.png")


def test_build_devset_is_deterministic_and_keeps_targets(tmp_path: Path) -> None:
    write_ab_dataset(tmp_path / "data")
    first = build_devset(tmp_path / "data", tmp_path / "a", variants=2, doodles=False)
    build_devset(tmp_path / "data", tmp_path / "b", variants=2, doodles=False)
    assert [item["category"] for item in first] == ["animal", "animal", "face", "face"]
    for item in first:
        assert (tmp_path / "a" / item["sketch"]).read_bytes() == (
            tmp_path / "b" / item["sketch"]
        ).read_bytes()
    items = load_devset(tmp_path / "a")
    assert all(item.target is not None for item in items)
    # The sketch is roughened, never the clean line art it came from.
    clean = np.asarray(sketch(1))  # animal__1 sorts first
    assert not np.array_equal(np.asarray(items[0].sketch), clean)


def write_tiny_devset(directory: Path) -> None:
    """Three sketches: two with a target picture, one without."""
    (directory / "sketches").mkdir(parents=True)
    (directory / "targets").mkdir()
    items = []
    for i, category in enumerate(("face", "face", "animal")):
        stem = f"s{i}"
        sketch(i).save(directory / "sketches" / f"{stem}.png")
        target = None
        if i < 2:
            coloured_in(sketch(i), (200, 50, 50)).save(directory / "targets" / f"{stem}.png")
            target = f"targets/{stem}.png"
        items.append({"stem": stem, "category": category, "sketch": f"sketches/{stem}.png",
                      "target": target})  # fmt: skip
    (directory / "devset.json").write_text(json.dumps({"items": items}))


@pytest.fixture
def judge(tmp_path: Path) -> Path:
    model = clf.CategoryClassifier(clf.ClassifierConfig(("animal", "face"), size=16, width=2))
    path = tmp_path / "judge.safetensors"
    clf.save_classifier(model, path, {})
    return path


def test_evaluate_generators_writes_metrics_and_a_sheet(
    registry_dir: Path, tmp_path: Path, judge: Path
) -> None:
    write_random_generator(registry_dir, name="gen-a", seed=0)
    write_random_generator(registry_dir, name="gen-b", seed=1)
    devset = tmp_path / "devset"
    write_tiny_devset(devset)
    out_dir = tmp_path / "report"
    out = io.StringIO()
    call_command(
        "evaluate_generators", "gen-a", "gen-b", "--devset", str(devset), "--classifier",
        str(judge), "--out", str(out_dir), "--cell", "64", stdout=out,
    )  # fmt: skip
    printed = out.getvalue()
    assert "Recommended: gen-" in printed
    document = json.loads((out_dir / "metrics.json").read_text())
    assert [row["candidate"] for row in document["ranking"]] in (
        ["gen-a", "gen-b"],
        ["gen-b", "gen-a"],
    )
    assert document["recommended"] == document["ranking"][0]["candidate"]
    assert document["devset_size"] == 3 and document["paired"] == 2
    assert 0.0 <= document["ranking"][0]["line_f1"] <= 1.0
    assert document["ranking"][0]["recog_accuracy"] is not None
    assert document["reference_real_pictures"]["ssim"] == pytest.approx(1.0)
    rows = (out_dir / "metrics.csv").read_text().splitlines()
    assert len(rows) == 1 + 2 * 3
    with Image.open(out_dir / "sheet.png") as sheet:
        assert sheet.width >= 4 * 64  # sketch | real picture | two candidates
        assert sheet.height >= 3 * 64
    assert "gen-a" in (out_dir / "index.html").read_text()


def test_a_conditioned_generator_is_scored_with_and_without_its_categories(
    registry_dir: Path, tmp_path: Path, judge: Path
) -> None:
    categories = (("face", "Face", "얼굴", "🙂"), ("animal", "Animal", "동물", "🐶"))
    write_random_generator(registry_dir, name="cond", categories=categories, conditioned=True)
    write_random_generator(registry_dir, name="plain", seed=1)
    write_tiny_devset(tmp_path / "devset")
    out_dir = tmp_path / "report"
    call_command(
        "evaluate_generators", "cond", "plain", "--devset", str(tmp_path / "devset"),
        "--classifier", str(judge), "--out", str(out_dir), "--cell", "32",
        "--also-without-category", stdout=io.StringIO(),
    )  # fmt: skip

    document = json.loads((out_dir / "metrics.json").read_text())
    scored = {row["candidate"]: row for row in document["ranking"]}
    assert set(scored) == {"cond", "cond (no category)", "plain"}  # plain has no condition
    # The category planes change the pictures, so the two runs of "cond" measure differently.
    assert scored["cond"]["l1"] != scored["cond (no category)"]["l1"]


def test_evaluate_generators_scores_checkpoints_of_a_run(tmp_path: Path, judge: Path) -> None:
    from safetensors.torch import save_file

    from inference.serving.pix2pix.generator_config import GeneratorConfig
    from inference.serving.pix2pix.networks import build_generator, init_weights

    checkpoints = tmp_path / "run" / "checkpoints"
    checkpoints.mkdir(parents=True)
    config = GeneratorConfig(ngf=4)
    for epoch in (1, 2):
        net = init_weights(build_generator(config), generator=torch.Generator().manual_seed(epoch))
        save_file(net.state_dict(), str(checkpoints / f"epoch-{epoch:04d}.safetensors"))
        (checkpoints / f"epoch-{epoch:04d}.json").write_text(
            json.dumps({"architecture": config.to_dict(), "epoch": epoch})
        )
    devset = tmp_path / "devset"
    write_tiny_devset(devset)
    out_dir = tmp_path / "report"
    call_command(
        "evaluate_generators", str(tmp_path / "run"), "--devset", str(devset),
        "--classifier", str(judge), "--out", str(out_dir), stdout=io.StringIO(),
    )  # fmt: skip
    document = json.loads((out_dir / "metrics.json").read_text())
    assert {row["candidate"] for row in document["ranking"]} == {
        "run/epoch-0001",
        "run/epoch-0002",
    }


def test_without_a_classifier_recognisability_is_left_out(
    registry_dir: Path, tmp_path: Path
) -> None:
    write_random_generator(registry_dir, name="gen-a")
    devset = tmp_path / "devset"
    write_tiny_devset(devset)
    net = load_generator(get_card("gen-a"))
    facts = scoring.sketch_facts(load_devset(devset))
    report = scoring.evaluate_candidate("gen-a", net, facts)
    assert math.isnan(report.summary["recog_accuracy"])
    assert not math.isnan(report.summary["combined"])
    assert "-" in reports.ranked_table([report]).splitlines()[1]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["gen-a", "--devset", "{tmp}/nowhere"], "devset.json does not exist"),
        (["{tmp}/missing.safetensors", "--devset", "{tmp}/devset"], "no such checkpoint file"),
        (["no-such-generator", "--devset", "{tmp}/devset"], "not a checkpoint file"),
        (["gen-a", "--devset", "{tmp}/devset", "--classifier", "{tmp}/x.safetensors"],
         "x.safetensors does not exist"),
        (["gen-a"], "--devset DIR is required"),
        ([], "Name at least one"),
    ],
)  # fmt: skip
def test_evaluate_generators_explains_missing_files(
    registry_dir: Path, tmp_path: Path, arguments: list[str], message: str
) -> None:
    write_random_generator(registry_dir, name="gen-a")
    write_tiny_devset(tmp_path / "devset")
    with pytest.raises(CommandError, match=message):
        call_command(
            "evaluate_generators",
            *(a.replace("{tmp}", str(tmp_path)) for a in arguments),
            "--out",
            str(tmp_path / "report"),
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )


def test_build_devset_option_writes_the_manifest(tmp_path: Path) -> None:
    write_ab_dataset(tmp_path / "data")
    out = io.StringIO()
    call_command(
        "evaluate_generators", "--build-devset", str(tmp_path / "dev"), "--dataset",
        str(tmp_path / "data"), "--variants", "1", stdout=out,
    )  # fmt: skip
    assert "Built" in out.getvalue()
    items = json.loads((tmp_path / "dev" / "devset.json").read_text())["items"]
    assert sum(item["kind"] == "doodle" for item in items) == 16
    assert sum(item["target"] is not None for item in items) == 2


def test_a_doodles_only_dev_set_with_chosen_pens(tmp_path: Path) -> None:
    call_command(
        "evaluate_generators", "--build-devset", str(tmp_path / "thin"), "--dataset",
        str(tmp_path / "no-such-dataset"), "--variants", "0", "--pens", "2", "3",
        "--more-doodles", stdout=io.StringIO(),
    )  # fmt: skip
    items = json.loads((tmp_path / "thin" / "devset.json").read_text())["items"]
    assert len(items) == 2 * 14 and all(item["kind"] == "doodle" for item in items)
    assert sorted({item["brush_px"] for item in items}) == [2.0, 3.0]
    assert {"shoe", "rocket", "tree"} <= {item["stem"].split("-")[1] for item in items}


def test_train_category_classifier_command(tmp_path: Path) -> None:
    for name, categories in (("one", ("face", "animal")), ("two", ("face", "plant"))):
        (tmp_path / name / "train").mkdir(parents=True)
        for i in range(4):
            category = categories[i % 2]
            both = Image.new("RGB", (512, 256), "white")
            both.paste(coloured_in(sketch(i), (200, 60 * (i % 2), 40)), (256, 0))
            both.save(tmp_path / name / "train" / f"{category}__{i}.png")
    out_path = tmp_path / "judge.safetensors"
    call_command(
        "train_category_classifier", "--dataset", str(tmp_path / "one"), str(tmp_path / "two"),
        "--out", str(out_path), "--size", "16", "--width", "2", "--epochs", "1",
        "--max-steps", "1", stdout=io.StringIO(),
    )  # fmt: skip
    card = json.loads(out_path.with_suffix(".json").read_text())
    assert card["categories"] == ["animal", "face", "plant"]  # both datasets, one label set
    assert [entry["count"] for entry in card["data"]] == [4, 4]
    assert clf.load_classifier(out_path).config.categories == ("animal", "face", "plant")
