"""The generator registry: discovery, choosing the active generator, and safe loading."""

from __future__ import annotations

import io
import json
import logging
import shutil
from pathlib import Path

import pytest
import torch

from inference.lab.testing import write_random_generator
from inference.serving import registry
from inference.serving.registry import (
    Category,
    GeneratorNotFound,
    RegistryError,
    UnknownCategory,
    WeightsMismatch,
    categories_of,
    discover,
    file_sha256,
    get_card,
    load_generator,
    pick_active,
)

FACE = ("face", "Face", "얼굴", "🙂")
PANDA = ("panda", "Panda", "판다", "🐼")
CAR = ("car", "Car", "자동차", "🚗")


def edit_card(card_path: Path, **changes: object) -> None:
    data = json.loads(card_path.read_text(encoding="utf-8"))
    data.update(changes)
    card_path.write_text(json.dumps(data), encoding="utf-8")


def test_discover_reads_complete_cards(tmp_path: Path) -> None:
    written = write_random_generator(tmp_path, name="faces-v1", categories=(FACE, PANDA))
    [card] = discover(tmp_path)
    assert card == written
    assert card.name == "faces-v1"
    assert card.category_slugs == ("face", "panda")
    assert card.categories[1] == Category("panda", "Panda", "판다", "🐼")
    assert card.weights_path == (tmp_path / "faces-v1.safetensors").resolve()
    assert card.sha256 == file_sha256(card.weights_path)
    assert card.dtype == "float16"
    assert card.config.ngf == 8
    assert card.extra["seed"] == 0
    assert "data" in card.extra


def test_discover_uses_settings_directory(registry_dir: Path) -> None:
    write_random_generator(registry_dir, name="from-settings")
    assert [card.name for card in discover()] == ["from-settings"]


def test_missing_directory_means_no_generators(tmp_path: Path) -> None:
    assert discover(tmp_path / "nope") == []
    assert categories_of(discover(tmp_path / "nope")) == []


def test_malformed_cards_are_skipped_and_reported(tmp_path: Path, caplog) -> None:
    write_random_generator(tmp_path, name="good")
    (tmp_path / "broken.json").write_text("{not json", encoding="utf-8")
    write_random_generator(tmp_path, name="no-categories")
    edit_card(tmp_path / "no-categories.json", categories=[])
    write_random_generator(tmp_path, name="wrong-arch")
    edit_card(tmp_path / "wrong-arch.json", architecture={"type": "cyclegan"})
    write_random_generator(tmp_path, name="escapes")
    edit_card(tmp_path / "escapes.json", weights="../good.safetensors")
    write_random_generator(tmp_path, name="lost-weights")
    (tmp_path / "lost-weights.safetensors").unlink()
    (tmp_path / "a-list.json").write_text("[]", encoding="utf-8")

    problems: list[str] = []
    with caplog.at_level(logging.WARNING, logger="inference.serving.registry"):
        cards = discover(tmp_path, problems=problems)

    assert [card.name for card in cards] == ["good"]
    assert len(problems) == 6
    text = "\n".join(problems)
    assert "broken.json: unreadable model card" in text
    assert "at least one category" in text
    assert 'must be one of "pix2pix-unet", "palette-unet", not \'cyclegan\'' in text
    assert '"weights" must be "escapes.safetensors"' in text
    assert "lost-weights.safetensors is missing" in text
    assert "must be a JSON object" in text
    assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 6


def test_an_architecture_torch_must_build_is_checked_when_loaded_or_asked(tmp_path: Path) -> None:
    # Discovery reads JSON only (a web process offers the categories without torch); the
    # networks' own checks run where the config is built: loading, or check_architecture.
    card = write_random_generator(tmp_path, name="odd")
    data = json.loads(card.card_path.read_text(encoding="utf-8"))
    data["architecture"]["wings"] = 2
    card.card_path.write_text(json.dumps(data), encoding="utf-8")

    [found] = discover(tmp_path)
    assert found.category_slugs == card.category_slugs
    with pytest.raises(RegistryError, match=r"odd\.json: unknown architecture field.*wings"):
        load_generator(found)
    problems: list[str] = []
    assert discover(tmp_path, problems=problems, check_architecture=True) == []
    assert "unknown architecture field(s): wings" in problems[0]


def test_a_malformed_condition_list_is_refused_without_building_the_config(
    tmp_path: Path,
) -> None:
    card = write_random_generator(tmp_path, name="cond")
    data = json.loads(card.card_path.read_text(encoding="utf-8"))
    data["architecture"]["condition"] = "face"
    card.card_path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(RegistryError, match="condition must be a list of category slugs"):
        registry.parse_card(card.card_path)


def test_get_card_names_what_is_installed(tmp_path: Path) -> None:
    write_random_generator(tmp_path, name="alpha")
    assert get_card("alpha", tmp_path).name == "alpha"
    with pytest.raises(GeneratorNotFound, match=r'No generator named "beta".*installed: alpha'):
        get_card("beta", tmp_path)


def test_active_generator_is_highest_priority_then_name(tmp_path: Path) -> None:
    write_random_generator(tmp_path, name="b-faces", categories=(FACE,), priority=0)
    write_random_generator(tmp_path, name="a-faces", categories=(FACE, PANDA), priority=0)
    write_random_generator(tmp_path, name="z-faces", categories=(FACE, CAR), priority=5)

    assert pick_active(discover(tmp_path), "face").name == "z-faces"
    assert pick_active(discover(tmp_path), "car").name == "z-faces"
    assert pick_active(discover(tmp_path), "panda").name == "a-faces"

    edit_card(tmp_path / "z-faces.json", priority=-1)
    assert pick_active(discover(tmp_path), "face").name == "a-faces"
    with pytest.raises(UnknownCategory, match='category "dragon"'):
        pick_active(discover(tmp_path), "dragon")


def test_all_categories_unique_by_slug_with_labels_of_the_active_generator(
    tmp_path: Path,
) -> None:
    write_random_generator(tmp_path, name="old", categories=(PANDA, FACE))
    write_random_generator(
        tmp_path, name="new", categories=(("face", "Smiley", "스마일", "😀"), CAR), priority=1
    )
    categories = categories_of(discover(tmp_path))
    assert [c.slug for c in categories] == ["car", "face", "panda"]
    face = categories[1]
    assert (face.label("en"), face.label("ko-KR"), face.emoji) == ("Smiley", "스마일", "😀")
    assert face.label(None) == "Smiley"
    assert categories_of(discover(tmp_path)) == categories  # stable


@pytest.mark.parametrize("dtype", ["float16", "float32"])
def test_load_generator_gives_a_frozen_float32_eval_module(tmp_path: Path, dtype: str) -> None:
    card = write_random_generator(tmp_path, dtype=dtype)
    net = load_generator(card)
    assert not net.training
    params = list(net.parameters())
    assert all(p.dtype == torch.float32 and not p.requires_grad for p in params)


def test_float16_storage_draws_what_float32_storage_draws_up_to_rounding(tmp_path: Path) -> None:
    half = load_generator(write_random_generator(tmp_path / "h", dtype="float16"))
    full = load_generator(write_random_generator(tmp_path / "f", dtype="float32"))
    x = torch.rand(1, 3, 256, 256) * 2 - 1
    with torch.inference_mode():
        assert (half(x) - full(x)).abs().max() < 0.05


def test_refuses_weights_whose_sha256_does_not_match_the_card(tmp_path: Path) -> None:
    card = write_random_generator(tmp_path)
    data = bytearray(card.weights_path.read_bytes())
    data[-1] ^= 0x01  # one bit in the last tensor: still a valid safetensors file
    card.weights_path.write_bytes(bytes(data))
    with pytest.raises(WeightsMismatch, match=r"test-gen\.safetensors has sha256 .* refusing"):
        load_generator(card)


def test_refuses_weights_that_do_not_fit_the_architecture(tmp_path: Path) -> None:
    write_random_generator(tmp_path / "small", name="gen", ngf=4)
    card = write_random_generator(tmp_path, name="gen", ngf=8)
    shutil.copy(tmp_path / "small" / "gen.safetensors", card.weights_path)
    edit_card(card.card_path, sha256=file_sha256(card.weights_path))
    with pytest.raises(WeightsMismatch, match="do not fit the card's architecture"):
        load_generator(registry.parse_card(card.card_path))


class _Payload:
    """Unpickling this creates ``marker``: proof that code ran."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


def _pickle_bytes(marker: Path) -> bytes:
    buffer = io.BytesIO()
    torch.save({"downs.0.weight": _Payload(marker)}, buffer)
    return buffer.getvalue()


def test_never_unpickles_a_pickle_posing_as_safetensors(tmp_path: Path) -> None:
    # First prove the payload is live: unpickling it really does run code.
    live_marker = tmp_path / "live-marker"
    torch.load(io.BytesIO(_pickle_bytes(live_marker)), weights_only=False)
    assert live_marker.exists()

    marker = tmp_path / "pwned"
    card = write_random_generator(tmp_path / "registry")
    card.weights_path.write_bytes(_pickle_bytes(marker))
    edit_card(card.card_path, sha256=file_sha256(card.weights_path))
    card = registry.parse_card(card.card_path)  # the card vouches for the pickle

    with pytest.raises(RegistryError, match="not a readable safetensors file"):
        load_generator(card)
    assert not marker.exists()
