"""The canvas dev-set judge measures what a child would notice, for any draw function."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from inference.lab.pix2pix import canvas_judge

RED = "#e02424"


def _devset(folder: Path) -> Path:
    folder.mkdir()
    square = [[0.3, 0.3], [0.7, 0.3], [0.7, 0.7], [0.3, 0.7]]
    entries = []
    for variant, line, fill in (("black", (17, 17, 17), None), ("crayon", (56, 189, 248), None),
                                ("coloured", (17, 17, 17), (224, 36, 36))):  # fmt: skip
        image = np.full((512, 512, 3), 255, np.uint8)
        if fill:
            cv2.rectangle(image, (170, 170), (340, 340), fill, -1)
        cv2.rectangle(image, (154, 154), (358, 358), line, 9)
        name = f"0-sun-{variant}.png"
        Image.fromarray(image).save(folder / name)
        fills = [{"crayon": RED, "polygon": square}] if fill else []
        entries.append(
            {"file": name, "thing": "sun", "variant": variant, "base": "0", "fills": fills}
        )
    (folder / "devset.json").write_text(json.dumps({"drawings": entries}))
    return folder


def _painter(colour: tuple[int, int, int], keep_line_colour: bool = False):
    """A stand-in generator: lines dark (or left in their crayon), the square's inside painted."""

    def draw(sketches, things):
        pictures = []
        for sketch in sketches:
            array = np.asarray(sketch).copy()
            ink = array.min(axis=2) < 200
            if not keep_line_colour:
                array[ink] = 20
            array[~ink] = 255
            array[84:172, 84:172] = colour
            pictures.append(Image.fromarray(array))
        return pictures

    return draw


def test_a_generator_that_paints_the_crayon_keeps_the_hint_and_ignores_line_colour(
    tmp_path: Path,
) -> None:
    drawings = canvas_judge.load_devset(_devset(tmp_path / "devset"))
    good = canvas_judge.judge(drawings, _painter((220, 40, 40)))
    assert good["hint_kept"] == 1.0 and good["coloured_shapes"] == 1
    assert good["crayon_twin_distance"] < 0.05  # soft line edges only
    assert good["fill_spread"] < 1.0
    muddy = canvas_judge.judge(drawings, _painter((110, 95, 80), keep_line_colour=True))
    assert muddy["hint_kept"] == 0.0 and muddy["crayon_twin_distance"] > 0.5


def test_suggestions_are_scored_top1_and_top3(tmp_path: Path) -> None:
    drawings = canvas_judge.load_devset(_devset(tmp_path / "devset"))
    report = canvas_judge.judge(
        drawings,
        _painter((220, 40, 40)),
        suggest=lambda sketches: [["moon", "sun", "star"]] * len(sketches),
    )
    assert report["suggestion_top3"] == 1.0 and report["suggestion_top1"] == 0.0


def test_evaluate_generators_scores_candidates_on_the_canvas_devset(
    tmp_path: Path, registry_dir: Path
) -> None:
    import io

    from django.core.management import call_command

    from inference.lab.testing import write_random_generator

    write_random_generator(
        registry_dir, name="themes-gen", categories=(("space", "Space", "우주", "🚀"),),
        conditioned=True,
    )  # fmt: skip
    # Real pictures of the sun for its colour profile: A|B pairs, a yellow disc on the right.
    pairs = tmp_path / "suns" / "train"
    pairs.mkdir(parents=True)
    for k in range(3):
        pair = np.full((256, 512, 3), 255, np.uint8)
        cv2.circle(pair, (128, 128), 60, (0, 0, 0), 4)
        cv2.circle(pair, (384, 128), 60, (250, 210, 30), -1)
        Image.fromarray(pair).save(pairs / f"sun__{k}.png")
    out = tmp_path / "report"
    printed = io.StringIO()
    call_command(
        "evaluate_generators", "themes-gen", "--canvas-devset", str(_devset(tmp_path / "devset")),
        "--out", str(out), "--reference-dataset", str(tmp_path / "suns"), stdout=printed,
    )  # fmt: skip
    report = json.loads((out / "canvas-metrics.json").read_text())["candidates"]["themes-gen"]
    assert report["drawings"] == 3 and report["coloured_shapes"] == 1
    assert report["crayon_twins"] == 1 and report["fill_spread"] is not None
    assert 0 <= report["colour_plausibility_by_thing"]["sun"] <= 1
    assert "Colour profiles of 1 things from 3 real pictures" in printed.getvalue()
    # The shipped "What did you draw?" classifier is scored on the dev sketches by default.
    assert 0 <= report["suggestion_top3"] <= 1
    assert "hints kept" in printed.getvalue() and "sketch top-3" in printed.getvalue()


def test_judge_pictures_judges_an_installed_generator_as_served(
    tmp_path: Path, registry_dir: Path
) -> None:
    import io

    from django.core.management import call_command

    from inference.lab.testing import write_random_generator

    write_random_generator(
        registry_dir, name="sun-gen", categories=(("sun", "Sun", "해", "☀️"),), conditioned=True
    )
    out, pictures, printed = tmp_path / "judge.json", tmp_path / "pictures", io.StringIO()
    call_command(
        "judge_pictures", "--devset", str(_devset(tmp_path / "devset")), "--model", "sun-gen",
        "--out", str(out), "--pictures", str(pictures), stdout=printed,
    )  # fmt: skip
    report = json.loads(out.read_text())
    assert list(report) == ["sun-gen"] and json.loads(printed.getvalue()) == report
    assert sorted(p.name for p in (pictures / "sun-gen").iterdir()) == [
        "0-sun-black.png", "0-sun-coloured.png", "0-sun-crayon.png",
    ]  # fmt: skip


def test_judge_pictures_explains_a_missing_devset(tmp_path: Path) -> None:
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="does not exist: build it"):
        call_command("judge_pictures", "--devset", str(tmp_path), "--model", "any")
