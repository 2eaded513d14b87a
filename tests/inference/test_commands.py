"""``manage.py generators`` and ``manage.py sketch2image``."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest
from django.core.management import CommandError, call_command
from PIL import Image

from inference.lab.testing import write_random_generator
from inference.serving.registry import file_sha256
from tests.fixtures.inference import sketch

FACE = ("face", "Face", "얼굴", "🙂")
PANDA = ("panda", "Panda", "판다", "🐼")


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.fixture
def two_generators(registry_dir: Path) -> Path:
    write_random_generator(registry_dir, name="faces", categories=(FACE, PANDA))
    write_random_generator(registry_dir, name="faces-v2", categories=(FACE,), priority=2, seed=1)
    return registry_dir


def test_generators_json_lists_every_generator(two_generators: Path) -> None:
    rows = json.loads(run("generators", "--json"))
    assert [row["name"] for row in rows] == ["faces", "faces-v2"]
    faces, v2 = rows
    assert faces["categories"] == ["face", "panda"]
    assert faces["path"] == str((two_generators / "faces.safetensors").resolve())
    assert Path(faces["path"]).is_absolute()
    assert faces["sha256"] == file_sha256(two_generators / "faces.safetensors")
    assert faces["labels"]["panda"] == {"en": "Panda", "ko": "판다", "emoji": "🐼"}
    assert (faces["priority"], faces["dtype"]) == (0, "float16")
    assert faces["active_for"] == ["panda"]
    assert v2["active_for"] == ["face"]


def test_generators_table_marks_the_active_categories(two_generators: Path) -> None:
    table = run("generators")
    assert str(two_generators) in table
    assert "faces-v2" in table
    assert "face*, panda*" not in table
    assert "face, panda*" in table


def test_generators_when_none_are_installed(registry_dir: Path) -> None:
    assert json.loads(run("generators", "--json")) == []
    message = run("generators")
    assert f"No generators installed in {registry_dir}." in message
    assert "Train one (see README) or copy a .safetensors + .json pair there." in message


def test_generators_reports_broken_cards_without_failing(registry_dir: Path) -> None:
    write_random_generator(registry_dir, name="fine")
    (registry_dir / "broken.json").write_text("{", encoding="utf-8")
    err = io.StringIO()
    out = io.StringIO()
    call_command("generators", "--json", stdout=out, stderr=err)
    assert [row["name"] for row in json.loads(out.getvalue())] == ["fine"]
    assert "broken.json" in err.getvalue()


def save_sketches(directory: Path, names: list[str]) -> list[str]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for seed, name in enumerate(names):
        path = directory / name
        sketch(seed, size=400).save(path)
        paths.append(str(path))
    return paths


def test_sketch2image_writes_one_png_per_input(two_generators: Path, tmp_path: Path) -> None:
    inputs = save_sketches(tmp_path / "in", ["cat.png", "house.jpg", "sun.webp"])
    out_dir = tmp_path / "out" / "nested"
    printed = run("sketch2image", "--category", "face", "--out", str(out_dir), *inputs)

    assert sorted(p.name for p in out_dir.iterdir()) == ["cat.png", "house.png", "sun.png"]
    for name in ("cat", "house", "sun"):
        with Image.open(out_dir / f"{name}.png") as picture:
            assert (picture.format, picture.mode, picture.size) == ("PNG", "RGB", (256, 256))
    assert len(printed.strip().splitlines()) == 3
    assert "faces-v2" in printed  # the active generator for face


def test_sketch2image_model_option_picks_the_generator(
    two_generators: Path, tmp_path: Path
) -> None:
    [path] = save_sketches(tmp_path / "in", ["cat.png"])
    run("sketch2image", "--category", "face", "--out", str(tmp_path / "a"), path)
    run(
        "sketch2image", "--category", "face", "--model", "faces", "--out", str(tmp_path / "b"), path
    )
    a = np.asarray(Image.open(tmp_path / "a" / "cat.png"))
    b = np.asarray(Image.open(tmp_path / "b" / "cat.png"))
    assert not np.array_equal(a, b)


def test_sketch2image_uses_the_site_normalisation(two_generators: Path, tmp_path: Path) -> None:
    from inference.serving.runtime import get_runtime
    from inference.serving.sketch_files import normalise_sketch

    [path] = save_sketches(tmp_path / "in", ["wide.png"])
    run("sketch2image", "--category", "panda", "--out", str(tmp_path / "out"), path)
    expected = get_runtime().generator("faces").draw([normalise_sketch(Path(path).read_bytes())])
    written = np.asarray(Image.open(tmp_path / "out" / "wide.png"))
    assert np.array_equal(written, np.asarray(expected[0]))


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--category", "dragon"], 'No installed generator draws the category "dragon"'),
        (["--category", "face", "--model", "nope"], 'No generator named "nope"'),
        (["--category", "face", "--model", "faces-v2"], "does not draw the category"),
    ],
)
def test_sketch2image_unknown_category_or_model(
    two_generators: Path, tmp_path: Path, options: list[str], message: str
) -> None:
    [path] = save_sketches(tmp_path / "in", ["cat.png"])
    if "faces-v2" in options:
        options = ["--category", "panda", "--model", "faces-v2"]
    with pytest.raises(CommandError, match=message):
        run("sketch2image", *options, "--out", str(tmp_path / "out"), path)
    assert not (tmp_path / "out").exists()


def test_sketch2image_names_a_missing_file(two_generators: Path, tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.png"
    with pytest.raises(CommandError, match=f"{missing}: no such file"):
        run("sketch2image", "--category", "face", "--out", str(tmp_path / "out"), str(missing))


def test_sketch2image_names_an_unreadable_image(two_generators: Path, tmp_path: Path) -> None:
    bogus = tmp_path / "notes.png"
    bogus.write_text("this is not a picture", encoding="utf-8")
    with pytest.raises(CommandError, match=f"{bogus}: .*not a picture"):
        run("sketch2image", "--category", "face", "--out", str(tmp_path / "out"), str(bogus))


def test_sketch2image_refuses_two_inputs_with_the_same_stem(
    two_generators: Path, tmp_path: Path
) -> None:
    inputs = save_sketches(tmp_path / "a", ["cat.png"]) + save_sketches(tmp_path / "b", ["cat.jpg"])
    with pytest.raises(CommandError, match=r"both be written to cat\.png"):
        run("sketch2image", "--category", "face", "--out", str(tmp_path / "out"), *inputs)


def test_sketch2image_with_no_generators(registry_dir: Path, tmp_path: Path) -> None:
    [path] = save_sketches(tmp_path / "in", ["cat.png"])
    with pytest.raises(CommandError, match="Installed categories: none"):
        run("sketch2image", "--category", "face", "--out", str(tmp_path / "out"), path)
