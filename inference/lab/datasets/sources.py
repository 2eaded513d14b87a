"""Offline picture sources reachable through the package registries, as :class:`Picture` lists.

None of them has line art, so their sketches are extracted edges
(:func:`inference.lab.datasets.pictures.build_edge_dataset`). Each source also says where it comes
from and under which licence; that goes into the dataset's ``dataset.json``.

* ``avatars`` — PyPI ``python_avatars`` (MIT): random cartoon faces drawn as SVG;
* ``tuxpaint`` — Debian ``tuxpaint-stamps-default`` (GPL-2): Tux Paint's stamp pictures;
* ``openclipart`` — Debian ``openclipart-svg`` (public domain): Open Clip Art Library 0.18;
* ``twemoji`` — npm ``@twemoji/svg`` (graphics CC BY 4.0): Twitter's emoji, sorted into
  categories with OpenMoji's emoji metadata (codepoint → subgroup);
* ``pandas`` — cartoon pandas this project draws itself
  (:mod:`inference.lab.datasets.drawn_pandas`): the registries hold two pandas in all;
* ``drawn`` — cartoons of 19 things the sources hold too few of (gemstones, bananas,
  rockets...), also drawn by this project (:mod:`inference.lab.datasets.drawn_things`).
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

from inference.lab.datasets.categories import (
    EMOJI_OVERRIDES,
    EMOJI_SUBGROUPS,
    OPENCLIPART_FOLDERS,
    TUXPAINT_FOLDERS,
    category_for_folder,
    emoji_label,
)
from inference.lab.datasets.npm import fetch_npm_package
from inference.lab.datasets.pictures import SOURCE_SUFFIXES, Picture, load_image, render_svg
from inference.serving.things import label_for

TUXPAINT_DIR = Path("/usr/share/tuxpaint/stamps")
OPENCLIPART_DIR = Path("/usr/share/openclipart/svg")
TWEMOJI_PACKAGE = "@twemoji/svg"
TWEMOJI_VERSION = "15.0.0"

SOURCES: dict[str, dict[str, Any]] = {
    "avatars": {
        "source": "python_avatars",
        "package": "pypi:python_avatars@1.4.1",
        "url": "https://github.com/ibonn/python_avatars",
        "licence": "MIT",
        "licence_url": "https://opensource.org/license/mit",
        "attribution": "Cartoon faces drawn with python_avatars by Ibon (MIT); the parts look "
        "like Pablo Stanley's Avataaars.",
    },
    "tuxpaint": {
        "source": "Tux Paint stamps",
        "package": "debian:tuxpaint-stamps-default",
        "url": "https://tuxpaint.org",
        "licence": "GPL-2.0",
        "licence_url": "https://www.gnu.org/licenses/old-licenses/gpl-2.0.html",
        "attribution": "Stamps from Tux Paint, © 2002-2022 Bill Kendrick and the Tux Paint "
        "contributors, GPL-2.",
    },
    "openclipart": {
        "source": "OpenClipart",
        "package": "debian:openclipart-svg",
        "url": "https://openclipart.org",
        "licence": "Public domain (Creative Commons Public Domain Dedication)",
        "licence_url": "https://creativecommons.org/publicdomain/zero/1.0/",
        "attribution": "Clip art from the Open Clip Art Library 0.18; authors are named in "
        "each picture's metadata.",
    },
    "twemoji": {
        "source": "Twemoji",
        "package": f"npm:{TWEMOJI_PACKAGE}@{TWEMOJI_VERSION}",
        "url": "https://github.com/jdecked/twemoji",
        "licence": "CC BY 4.0",
        "licence_url": "https://creativecommons.org/licenses/by/4.0/",
        "attribution": "Twemoji graphics © Twitter, Inc and other contributors, licensed under "
        "CC BY 4.0; categories from OpenMoji's emoji metadata.",
    },
    "pandas": {
        "source": "iCanvas drawn pandas",
        "package": "this project (inference/lab/datasets/drawn_pandas.py)",
        "url": "",
        "licence": "the project's own drawings",
        "licence_url": "",
        "attribution": "Cartoon pandas drawn as SVG by this project's code; no third-party "
        "material.",
    },
    "drawn": {
        "source": "iCanvas drawn things",
        "package": "this project (inference/lab/datasets/drawn_things.py)",
        "url": "",
        "licence": "the project's own drawings",
        "licence_url": "",
        "attribution": "Cartoons of things the other sources hold too few of (gemstones, "
        "bananas, rockets...), drawn as SVG by this project's code; no third-party material.",
    },
}

# python_avatars' other shirt graphics are skulls, a bear with a knife, or free text.
_AVATAR_SHIRT_GRAPHICS = ("NONE", "BAT", "CUMBIA", "DEER", "DIAMOND", "HOLA", "PIZZA")


def avatar_pictures(count: int, seed: int = 0, svg_side: int = 512) -> Iterator[Picture]:
    """``count`` random python_avatars cartoon faces; the same seed draws the same faces."""
    import python_avatars as pa

    graphics = [g for g in pa.ClothingGraphic if g.name in _AVATAR_SHIRT_GRAPHICS]
    for index in range(count):
        key = f"avatar-{seed}-{index:05d}"

        def load(key: str = key) -> Any:
            # python_avatars draws from the global ``random``; seeding it per face keeps every
            # face reproducible on its own, whatever order or subset is built.
            state = random.getstate()
            random.seed(key)
            try:
                avatar = pa.Avatar.random(
                    style=pa.AvatarStyle.TRANSPARENT,
                    shirt_graphic=random.choice(graphics),  # noqa: S311 - art, not secrets
                    shirt_text="",
                )
            finally:
                random.setstate(state)
            return render_svg(avatar.render().encode(), svg_side)

        yield Picture(key=key, category="cartoon_face", load=load)


def _stamp_description(picture: Path) -> str:
    # A stamp's .txt starts with its English description ("A koala.").
    text = picture.with_suffix(".txt")
    if not text.exists():
        return ""
    return text.read_text(encoding="utf-8", errors="replace").splitlines()[0].strip()


def _folder_pictures(
    root: Path, folders: dict[str, str | None], prefix: str, *, prefer_png: bool
) -> Iterator[Picture]:
    files = sorted(p for p in root.rglob("*") if p.suffix.lower() in (".png", ".svg"))
    stems = {p.with_suffix("") for p in files if p.suffix.lower() == ".png"}
    for path in files:
        relative = path.relative_to(root)
        theme = category_for_folder(relative.parent.as_posix(), folders)
        if theme is None:
            continue
        if prefer_png and path.suffix.lower() == ".svg" and path.with_suffix("") in stems:
            continue  # Tux Paint ships some stamps twice; the PNG is the one it shows
        description = _stamp_description(path)
        name = relative.with_suffix("").as_posix().replace("_", " ")
        label = label_for(f"{name} {description}", theme)
        if label is None:
            continue
        yield Picture(
            key=f"{prefix}-{relative.with_suffix('').as_posix()}",
            category=label,
            load=partial(load_image, path),
            meta={"path": relative.as_posix(), "description": description, "theme": theme},
        )


def tuxpaint_pictures(root: Path = TUXPAINT_DIR) -> Iterator[Picture]:
    """Tux Paint stamps from the folders :data:`TUXPAINT_FOLDERS` maps to a category."""
    if not root.is_dir():
        raise FileNotFoundError(
            f"no Tux Paint stamps at {root}: apt-get install -y tuxpaint-stamps-default"
        )
    yield from _folder_pictures(root, TUXPAINT_FOLDERS, "tuxpaint", prefer_png=True)


def openclipart_pictures(root: Path = OPENCLIPART_DIR) -> Iterator[Picture]:
    """OpenClipart SVGs from the folders :data:`OPENCLIPART_FOLDERS` maps to a category.

    The Debian package lists many pictures both in a folder and in its sub-folder; the copy in
    the deepest folder wins its category, and the dataset builder drops the repeat.
    """
    if not root.is_dir():
        raise FileNotFoundError(f"no OpenClipart at {root}: apt-get install -y openclipart-svg")
    pictures = list(_folder_pictures(root, OPENCLIPART_FOLDERS, "openclipart", prefer_png=False))
    # Deepest first, so a repeat is dropped from the shallow, broader folder.
    pictures.sort(key=lambda p: (-p.meta["path"].count("/"), p.key))
    yield from pictures


def fetch_twemoji(cache_dir: Path, version: str = TWEMOJI_VERSION) -> Path:
    """Download (once) and unpack ``@twemoji/svg@version`` with ``npm pack``; return its root."""
    return fetch_npm_package(TWEMOJI_PACKAGE, version, cache_dir)


def _codepoints(hexcode: str) -> str:
    # Twemoji names drop the FE0F variation selector; OpenMoji's hexcodes keep it.
    return "-".join(p for p in hexcode.lower().split("-") if p != "fe0f")


def twemoji_pictures(package_dir: Path, openmoji_dir: Path) -> Iterator[Picture]:
    """Twemoji SVGs whose emoji's OpenMoji subgroup maps to a kid category (no skin tones)."""
    emojis = json.loads((openmoji_dir / "data" / "openmoji.json").read_text(encoding="utf-8"))
    for emoji in emojis:
        hexcode = emoji["hexcode"]
        theme = EMOJI_OVERRIDES.get(hexcode) or EMOJI_SUBGROUPS.get(emoji["subgroups"])
        if theme is None or emoji.get("skintone"):
            continue
        label = emoji_label(emoji["annotation"], emoji["subgroups"], theme)
        svg = package_dir / f"{_codepoints(hexcode)}.svg"
        if label is None or not svg.exists():
            continue
        yield Picture(
            key=f"twemoji-{_codepoints(hexcode)}",
            category=label,
            load=partial(load_image, svg),
            meta={
                "emoji": emoji["emoji"],
                "annotation": emoji["annotation"],
                "subgroup": emoji["subgroups"],
            },
        )


def folder_pictures(root: Path, category: str | None) -> Iterator[Picture]:
    """Every picture file under ``root`` (any depth), all in ``category``."""
    for path in sorted(p for p in root.rglob("*") if p.suffix.lower() in SOURCE_SUFFIXES):
        relative = path.relative_to(root).with_suffix("").as_posix()
        yield Picture(
            key=relative,
            category=category,
            load=partial(load_image, path),
            meta={"path": path.relative_to(root).as_posix()},
        )
