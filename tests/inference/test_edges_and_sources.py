"""Edge extraction, ``manage.py build_dataset`` and the offline picture sources."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest
from django.core.management import CommandError, call_command
from PIL import Image, ImageDraw

from inference.lab.datasets import sources
from inference.lab.datasets.categories import (
    TUXPAINT_FOLDERS,
    category_for_folder,
)
from inference.lab.datasets.pictures import colourfulness
from inference.serving import things
from inference.serving.pix2pix import edges
from inference.serving.pix2pix.edges import CleanUp, HedWeightsMissing, clean_edges, extract_sketch


def ink(image: Image.Image) -> np.ndarray:
    return np.asarray(image.convert("L")) < 128


def disc_picture(
    width: int = 160, height: int = 120, *, alpha: bool = False, fill: str = "#f08c1e"
) -> Image.Image:
    """A filled orange disc (centre 80,60, radius 40) and a blue square, on white or clear."""
    mode, paper = ("RGBA", (0, 0, 0, 0)) if alpha else ("RGB", "white")
    picture = Image.new(mode, (width, height), paper)
    draw = ImageDraw.Draw(picture)
    draw.ellipse((40, 20, 120, 100), fill=fill)
    draw.rectangle((130, 10, 150, 30), fill=(40, 60, 200))
    return picture


@pytest.mark.parametrize("method", ["xdog", "canny"])
def test_sketch_is_black_strokes_on_white_of_the_input_size(method: str) -> None:
    picture = disc_picture()
    sketch = extract_sketch(picture, method)  # type: ignore[arg-type]

    assert sketch.size == picture.size and sketch.mode == "RGB"
    pixels = np.asarray(sketch)
    assert set(np.unique(pixels)) <= {0, 255}
    assert 0.01 < ink(sketch).mean() < 0.15  # outlines, not fills
    assert not ink(sketch)[60, 80]  # inside the disc stays paper
    assert not ink(sketch)[5:15, 5:30].any()  # so does the empty page
    # The disc's outline is found all the way round: every point of its rim has ink nearby.
    for angle in np.linspace(0, 2 * np.pi, 24, endpoint=False):
        x, y = round(80 + 40 * np.cos(angle)), round(60 + 40 * np.sin(angle))
        assert ink(sketch)[y - 3 : y + 4, x - 3 : x + 4].any(), (method, angle)


def test_transparent_paper_counts_as_white() -> None:
    sketch = extract_sketch(disc_picture(alpha=True), "xdog")
    assert not ink(sketch)[:, :5].any()  # no frame drawn where the page is clear
    assert ink(sketch)[55:66, 36:45].any()  # the disc's left rim


def test_clean_up_thins_strokes_to_one_pixel_before_rethickening() -> None:
    edge_map = np.zeros((64, 64), np.float32)
    edge_map[28:38, 8:56] = 1.0  # a 10-pixel-wide bar

    thin = clean_edges(edge_map, CleanUp(stroke_px=1))
    thick = clean_edges(edge_map, CleanUp(stroke_px=12))  # sizes are for 256 px: 3 px here

    assert thin[:, 20:44].sum(axis=0).max() == 1  # one pixel across along the middle
    assert thick[:, 20:44].sum(axis=0).min() >= 2  # re-thickened


def test_clean_up_removes_small_components() -> None:
    edge_map = np.zeros((256, 256), np.float32)
    edge_map[128, 20:200] = 1.0  # a long line
    for y, x in ((20, 20), (40, 200), (220, 60)):
        edge_map[y : y + 2, x : x + 2] = 1.0  # specks

    cleaned = clean_edges(edge_map, CleanUp(stroke_px=1))

    assert cleaned[128, 20:200].all()
    assert cleaned.sum() == 180  # the specks are gone


def test_hed_without_weights_says_what_to_supply(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(edges, "DEFAULT_HED_DIR", tmp_path / "hed")
    with pytest.raises(HedWeightsMissing) as missing:
        extract_sketch(disc_picture(), "hed")
    message = str(missing.value)
    assert str(tmp_path / "hed") in message
    assert edges.HED_CAFFEMODEL in message and edges.HED_PROTOTXT in message
    assert "xdog" in message

    with pytest.raises(HedWeightsMissing):
        extract_sketch(disc_picture(), "hed", hed_weights=tmp_path / "nowhere.caffemodel")


def test_hed_runs_with_supplied_safetensors_weights(tmp_path: Path) -> None:
    from safetensors.torch import save_file

    weights = tmp_path / "hed.safetensors"
    save_file(edges.HedNetwork().state_dict(), str(weights))

    sketch = extract_sketch(disc_picture(48, 32), "hed", hed_weights=weights)

    assert sketch.size == (48, 32)
    assert set(np.unique(np.asarray(sketch))) <= {0, 255}


# A stand-in for HED's deploy.prototxt: no weights, but the Caffe "Crop" layer HED relies on.
CROP_PROTOTXT = """name: "crop-check"
input: "data"
input_dim: 1
input_dim: 3
input_dim: 32
input_dim: 48
layer { name: "pool" type: "Pooling" bottom: "data" top: "pool"
        pooling_param { pool: MAX kernel_size: 3 stride: 1 pad: 2 } }
layer { name: "crop" type: "Crop" bottom: "pool" bottom: "data" top: "crop" }
layer { name: "fuse" type: "Sigmoid" bottom: "crop" top: "fuse" }
"""


def test_hed_runs_a_caffe_model_with_its_prototxt(tmp_path: Path) -> None:
    caffemodel = tmp_path / edges.HED_CAFFEMODEL
    caffemodel.write_bytes(b"")  # an empty NetParameter: the layers above have no weights
    with pytest.raises(HedWeightsMissing, match=edges.HED_PROTOTXT):
        extract_sketch(disc_picture(48, 32), "hed", hed_weights=caffemodel)

    (tmp_path / edges.HED_PROTOTXT).write_text(CROP_PROTOTXT)
    for _ in range(2):  # the Crop layer is registered with OpenCV once per process
        sketch = extract_sketch(disc_picture(48, 32), "hed", hed_weights=caffemodel)
        assert sketch.size == (48, 32)


def write_pictures(folder: Path) -> None:
    """Five small pictures: PNG, transparent PNG, JPEG, one in a sub-folder, an SVG."""
    (folder / "more").mkdir(parents=True)
    disc_picture().save(folder / "disc.png")
    disc_picture(alpha=True, fill="#2ca02c").save(folder / "clear.png")
    disc_picture(200, 90).save(folder / "wide.jpg", quality=95)
    disc_picture(90, 200).save(folder / "more" / "tall.png")
    (folder / "star.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">'
        '<polygon points="50,5 61,40 98,40 68,62 79,96 50,75 21,96 32,62 2,40 39,40" '
        'fill="gold" stroke="none"/></svg>'
    )


def build(*args: str) -> str:
    out = io.StringIO()
    call_command("build_dataset", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_build_dataset_writes_aligned_pairs_and_dataset_json(tmp_path: Path) -> None:
    write_pictures(tmp_path / "pictures")
    out = tmp_path / "dataset"
    args = ["--from", str(tmp_path / "pictures"), "--out", str(out), "--size", "64"]
    args += ["--category", "panda", "--label-en", "Panda", "--label-ko", "판다", "--emoji", "🐼"]
    args += ["--source", "test pictures", "--licence", "CC0", "--no-progress"]

    printed = build(*args)

    pairs = sorted(out.glob("*/*.png"))
    assert len(pairs) == 5, printed
    for pair in pairs:
        with Image.open(pair) as image:
            assert image.size == (128, 64) and image.mode == "RGB"
            sketch, picture = image.crop((0, 0, 64, 64)), image.crop((64, 0, 128, 64))
        assert 0.005 < ink(sketch).mean() < 0.4
        assert np.asarray(picture)[0, 0].tolist() == [255, 255, 255]  # on white paper
    document = json.loads((out / "dataset.json").read_text(encoding="utf-8"))
    assert document["source"] == "test pictures" and document["licence"] == "CC0"
    assert document["categories"] == [
        {"slug": "panda", "label_en": "Panda", "label_ko": "판다", "emoji": "🐼"}
    ]
    assert sum(document["counts"]["panda"].values()) == 5
    assert {e["file"] for e in document["images"]} == {p.relative_to(out).as_posix() for p in pairs}
    assert "panda:" in printed

    # The split hangs on the names alone: a rebuild puts every picture in the same place.
    splits = {e["key"]: e["split"] for e in document["images"]}
    build(*args, "--val-fraction", "0.1")
    again = json.loads((out / "dataset.json").read_text(encoding="utf-8"))
    assert {e["key"]: e["split"] for e in again["images"]} == splits
    assert len(list(out.glob("*/*.png"))) == 5


def test_build_dataset_limit_and_hed_error(tmp_path: Path) -> None:
    write_pictures(tmp_path / "pictures")
    out = tmp_path / "dataset"
    base = [
        "--from",
        str(tmp_path / "pictures"),
        "--out",
        str(out),
        "--size",
        "64",
        "--no-progress",
    ]

    build(*base, "--limit", "2")
    assert len(list(out.glob("*/*.png"))) == 2

    with pytest.raises(CommandError, match="HED edge extraction needs weights"):
        build(*base, "--method", "hed", "--hed-weights", str(tmp_path / "missing.caffemodel"))


def test_black_and_white_pictures_can_be_left_out(tmp_path: Path) -> None:
    write_pictures(tmp_path / "pictures")
    outline = Image.new("RGB", (100, 100), "white")
    ImageDraw.Draw(outline).ellipse((10, 10, 90, 90), outline="black", width=3)
    outline.save(tmp_path / "pictures" / "outline.png")
    assert colourfulness(outline) < 2 and colourfulness(disc_picture()) > 20
    out = tmp_path / "dataset"
    base = ["--from", str(tmp_path / "pictures"), "--out", str(out), "--no-progress"]

    printed = build(*base, "--size", "64", "--min-colourfulness", "3")

    document = json.loads((out / "dataset.json").read_text(encoding="utf-8"))
    assert "outline" not in {e["key"] for e in document["images"]}
    assert document["skipped"] == {"not colourful": 1}
    assert "skipped 1: not colourful" in printed
    assert all(e["colourfulness"] > 20 for e in document["images"])


def test_avatars_are_reproducible_faces(tmp_path: Path) -> None:
    first = [p.load() for p in sources.avatar_pictures(2, seed=7, svg_side=64)]
    again = [p.load() for p in sources.avatar_pictures(2, seed=7, svg_side=64)]

    assert [p.category for p in sources.avatar_pictures(2)] == ["cartoon_face", "cartoon_face"]
    assert [a.tobytes() for a in first] == [b.tobytes() for b in again]
    assert first[0].tobytes() != first[1].tobytes()

    out = tmp_path / "avatars"
    call_command(
        "build_source_dataset",
        "avatars",
        *("--count", "3", "--size", "64", "--out", str(out), "--no-progress"),
        stdout=io.StringIO(),
    )
    document = json.loads((out / "dataset.json").read_text(encoding="utf-8"))
    assert document["source"] == "python_avatars" and document["licence"] == "MIT"
    assert sum(document["counts"]["cartoon_face"].values()) == 3
    assert document["categories"] == [things.BY_SLUG["cartoon_face"].card_entry()]


def test_tuxpaint_folders_map_to_kid_categories(tmp_path: Path) -> None:
    assert category_for_folder("animals/mammals/bears/cartoon", TUXPAINT_FOLDERS) == "animal"
    assert category_for_folder("clothes/armor", TUXPAINT_FOLDERS) is None
    assert category_for_folder("symbols/money", TUXPAINT_FOLDERS) is None

    stamps = tmp_path / "stamps"
    for relative in (
        "animals/cats/cat.png",
        "clothes/hat.png",
        "clothes/hat.svg",
        "clothes/armor/helmet.png",
        "symbols/plus.png",
        "space/rocket1.svg",
        "space/asteroid.png",
        "town/house.png",
        "town/factory.png",
    ):
        (stamps / relative).parent.mkdir(parents=True, exist_ok=True)
        (stamps / relative).write_bytes(b"")
    (stamps / "animals/cats/cat.txt").write_text("A cat.\nfr.utf8=Un chat.\n")

    pictures = {p.meta["path"]: p for p in sources.tuxpaint_pictures(stamps)}

    # Each picture is labelled with its thing when its name or description names one, else
    # with its folder's theme; a broad folder (town) keeps only what a thing claims.
    assert {path: p.category for path, p in pictures.items()} == {
        "animals/cats/cat.png": "cat",
        "clothes/hat.png": "hat",  # the SVG twin is left out
        "space/rocket1.svg": "rocket",
        "space/asteroid.png": "space",
        "town/house.png": "house",
    }
    assert pictures["animals/cats/cat.png"].meta["description"] == "A cat."
    assert pictures["animals/cats/cat.png"].meta["theme"] == "animal"


def test_twemoji_is_sorted_with_openmoji_metadata(tmp_path: Path) -> None:
    openmoji_dir, twemoji_dir = tmp_path / "openmoji", tmp_path / "twemoji"
    (openmoji_dir / "data").mkdir(parents=True)
    twemoji_dir.mkdir()
    emoji = [
        ("1F43C", "animal-mammal", None),  # panda
        ("1F680", "transport-air", None),  # rocket: space, not vehicle
        ("2600-FE0F", "sky-weather", None),  # sun, named 2600.svg by Twemoji
        ("1F45F", "clothing", None),  # running shoe
        ("1F44B-1F3FB", "hand-fingers-open", "1F3FB"),  # not a category, and a skin tone
        ("1F355", "food-prepared", None),  # pizza, but Twemoji file missing
    ]
    (openmoji_dir / "data" / "openmoji.json").write_text(
        json.dumps(
            [
                {"hexcode": h, "subgroups": s, "skintone": t or "", "emoji": "?", "annotation": h}
                for h, s, t in emoji
            ]
        )
    )
    for name in ("1f43c", "1f680", "2600", "1f45f", "1f44b-1f3fb"):
        (twemoji_dir / f"{name}.svg").write_text("<svg/>")

    found = {p.key: p.category for p in sources.twemoji_pictures(twemoji_dir, openmoji_dir)}

    assert found == {
        "twemoji-1f43c": "animal",
        "twemoji-1f680": "space",
        "twemoji-2600": "space",
        "twemoji-1f45f": "fashion",
    }


def test_iconify_sets_are_sorted_by_codepoint_and_name_and_keep_their_licence(
    tmp_path: Path,
) -> None:
    from inference.lab.datasets import iconify

    openmoji_dir, package = tmp_path / "openmoji", tmp_path / "noto"
    (openmoji_dir / "data").mkdir(parents=True)
    package.mkdir()
    (openmoji_dir / "data" / "openmoji.json").write_text(
        json.dumps(
            [
                {"hexcode": "1F43C", "subgroups": "animal-mammal", "skintone": "",
                 "emoji": "?", "annotation": "panda"},
                {"hexcode": "2600-FE0F", "subgroups": "sky-weather", "skintone": "",
                 "emoji": "?", "annotation": "sun"},
                {"hexcode": "1F44B-1F3FB", "subgroups": "hand-fingers-open",
                 "skintone": "1F3FB", "emoji": "?", "annotation": "waving hand"},
            ]
        )
    )  # fmt: skip
    body = '<circle cx="8" cy="8" r="6" fill="#e02424"/>'
    icons = {"panda": {"body": body}, "sun": {"body": body}, "waving-hand-light-skin-tone":
             {"body": body}, "rocket-ship": {"body": body}, "chart": {"body": body}}  # fmt: skip
    (package / "icons.json").write_text(json.dumps({"prefix": "noto", "icons": icons,
                                                    "width": 16, "height": 16}))  # fmt: skip
    (package / "chars.json").write_text(
        json.dumps({"1f43c": "panda", "2600": "sun", "1f44b-1f3fb": "waving-hand-light-skin-tone"})
    )
    (package / "info.json").write_text(
        json.dumps({"name": "Noto Emoji", "author": {"name": "Google Inc", "url": "https://x"},
                    "license": {"title": "Apache 2.0", "spdx": "Apache-2.0", "url": "https://l"}})
    )  # fmt: skip
    (package / "package.json").write_text(json.dumps({"version": "1.2.9"}))

    found = {p.key: p for p in iconify.pictures("noto", package, openmoji_dir, svg_side=64)}

    assert {k: p.category for k, p in found.items()} == {
        "noto-panda": "panda",
        "noto-sun": "sun",
        "noto-rocket-ship": "rocket",  # no codepoint: claimed by its name
    }
    picture = np.asarray(found["noto-panda"].load().convert("RGB"))
    assert picture.shape == (64, 64, 3) and tuple(picture[32, 32]) == (224, 36, 36)
    provenance = iconify.provenance("noto", package)
    assert provenance["licence"] == "Apache-2.0"
    assert provenance["package"] == "npm:@iconify-json/noto@1.2.9"
