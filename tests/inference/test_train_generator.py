"""``manage.py train_generator`` and promoting a generator trained on several datasets."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from inference.lab import promotion
from inference.lab.pix2pix.doodles import DOODLES, MORE_DOODLES, held_out_doodles
from tests.fixtures.inference import TINY, write_aligned

TINY_RUN = {
    "size": TINY, "load_size": TINY, "num_downs": 5, "ngf": 8, "ndf": 8, "n_layers_D": 2,
    "batch_size": 4, "epochs": 1, "augment": False, "threads": 1, "num_workers": 0,
}  # fmt: skip


def _config(tmp_path: Path, **values) -> Path:
    path = tmp_path / "run.json"
    path.write_text(json.dumps({**TINY_RUN, "out_dir": str(tmp_path / "run"), **values}))
    return path


def test_train_generator_trains_several_folders_and_refuses_to_overwrite(tmp_path: Path) -> None:
    write_aligned(tmp_path / "a", 4)
    write_aligned(tmp_path / "b", 4)
    config = _config(tmp_path, data_dirs=[str(tmp_path / "a"), str(tmp_path / "b")])

    out = io.StringIO()
    call_command("train_generator", "--config", str(config), "--threads", "1", stdout=out)

    assert '"epoch": 1' in out.getvalue() and '"images_seen": 8' in out.getvalue()
    assert (tmp_path / "run" / "checkpoints" / "epoch-0001.safetensors").exists()
    with pytest.raises(CommandError, match="--resume"):
        call_command("train_generator", "--config", str(config))
    call_command("train_generator", "--config", str(config), "--resume", stdout=io.StringIO())


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"data_dirs": ["nowhere"]}, "Missing data folder"),
        ({"data_dir": "nowhere"}, "Missing data folder"),
        ({"init_from": "no.safetensors"}, "no.safetensors"),
        ({"sketch_styles": ["crayon"]}, "sketch_styles must be some of given, xdog, canny"),
        ({"condition": ["face", "face"]}, "condition lists a category twice"),
        ({"condition_dropout": 1.5}, "condition_dropout must be in"),
    ],
)
def test_train_generator_names_what_is_missing(tmp_path: Path, values, message) -> None:
    write_aligned(tmp_path / "a", 4)
    config = _config(tmp_path, **{"data_dir": str(tmp_path / "a"), **values})
    with pytest.raises(CommandError, match=message):
        call_command("train_generator", "--config", str(config))
    with pytest.raises(CommandError, match="No config file"):
        call_command("train_generator", "--config", str(tmp_path / "missing.json"))
    fresh = _config(tmp_path, data_dir=str(tmp_path / "a"))  # nothing trained yet
    with pytest.raises(CommandError, match="holds no resume"):
        call_command("train_generator", "--config", str(fresh), "--resume")


def _dataset(folder: Path, source: str, licence: str, counts: dict[str, int]) -> Path:
    folder.mkdir(parents=True)
    slugs = {"face": ("Face", "얼굴", "😀"), "nature": ("Nature", "자연", "🌷")}
    document = {
        "source": source, "licence": licence, "package": f"pkg:{source}", "url": "https://x",
        "categories": [
            {"slug": s, "label_en": slugs[s][0], "label_ko": slugs[s][1], "emoji": slugs[s][2]}
            for s in counts
        ],
        "counts": {slug: {"train": n, "val": 1} for slug, n in counts.items()},
    }  # fmt: skip
    (folder / "dataset.json").write_text(json.dumps(document))
    return folder


def test_several_datasets_give_one_card_with_every_licence(tmp_path: Path) -> None:
    first = _dataset(tmp_path / "om", "OpenMoji", "CC BY-SA 4.0", {"face": 3, "nature": 2})
    second = _dataset(tmp_path / "tux", "Tux Paint stamps", "GPL-2.0", {"face": 5})
    caps = {str(second / "train"): 2}

    categories, data = promotion.combined_entries([first, second], caps=caps)
    only, _ = promotion.combined_entries([first, second], only=["face", "space"])
    note = promotion.licence_note(data)

    assert [c["slug"] for c in categories] == ["face", "nature"]
    assert [c["slug"] for c in only] == ["face", "space"] and only[1]["emoji"] == "🚀"
    assert [(d["source"], d["count"]) for d in data] == [("OpenMoji", 5), ("Tux Paint stamps", 5)]
    assert data[1]["max_per_epoch"] == 2 and "max_per_epoch" not in data[0]
    assert "CC BY-SA 4.0" in note and "GPL-2.0" in note and "most restrictive" in note
    with pytest.raises(ValueError, match="unknown categories: dragons"):
        promotion.combined_entries([first], only=["dragons"])


def test_extra_doodles_join_the_held_out_set_only_for_their_categories() -> None:
    plain = held_out_doodles(64)
    with_space = held_out_doodles(64, ["space"])

    assert len(plain) == 2 * len(DOODLES)
    extra = {stem.rsplit("-", 1)[0] for stem in set(with_space) - set(plain)}
    assert extra == {name for name, (slug, _) in MORE_DOODLES.items() if slug == "space"}
