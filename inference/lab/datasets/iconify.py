"""Emoji sets packed as Iconify JSON on npm: more art of every thing, in other styles.

Iconify (https://iconify.design) republishes whole emoji sets as one ``icons.json`` each, with
``info.json`` naming the set's author and licence and ``chars.json`` mapping codepoints to icon
names. The sets used here draw the same emoji as OpenMoji and Twemoji in other hands and
styles, so every thing a child picks gets many more pictures:

* ``fluent-flat`` — Microsoft's Fluent Emoji, flat colour (MIT);
* ``fluent-3d`` — Fluent Emoji, shaded colour (MIT);
* ``noto`` — Google's Noto Emoji (Apache-2.0);
* ``noto-v1`` — Noto Emoji's first, flatter drawings (Apache-2.0);
* ``emojione`` — EmojiOne 2 (CC BY 4.0);
* ``emojione-v1`` — EmojiOne's first drawings (CC BY-SA 4.0);
* ``fxemoji`` — Mozilla's Firefox OS emoji (Apache-2.0);
* ``streamline`` — Streamline Emojis (CC BY 4.0).

Each icon is sorted by its codepoint into OpenMoji's subgroups (the themes, as for Twemoji) and
labelled with a thing by its name; icons without a codepoint are labelled by name alone and only
when a thing claims them. The licence is read from the package's own ``info.json``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inference.lab.datasets.categories import EMOJI_OVERRIDES, EMOJI_SUBGROUPS, emoji_label
from inference.lab.datasets.npm import fetch_npm_package
from inference.lab.datasets.pictures import Picture, render_svg
from inference.serving.things import THEMES, thing_for


@dataclass(frozen=True)
class IconifySet:
    """One emoji set on npm: the package, its version, and a short name for keys and folders."""

    name: str
    package: str
    version: str
    url: str


SETS: dict[str, IconifySet] = {
    s.name: s
    for s in (
        IconifySet(
            "fluent-flat",
            "@iconify-json/fluent-emoji-flat",
            "1.2.6",
            "https://github.com/microsoft/fluentui-emoji",
        ),
        IconifySet(
            "fluent-3d",
            "@iconify-json/fluent-emoji",
            "1.2.7",
            "https://github.com/microsoft/fluentui-emoji",
        ),
        IconifySet(
            "noto", "@iconify-json/noto", "1.2.9", "https://github.com/googlefonts/noto-emoji"
        ),
        IconifySet(
            "emojione",
            "@iconify-json/emojione",
            "1.2.3",
            "https://github.com/joypixels/emojione-legacy",
        ),
        IconifySet(
            "noto-v1", "@iconify-json/noto-v1", "1.2.5", "https://github.com/googlefonts/noto-emoji"
        ),
        IconifySet(
            "emojione-v1",
            "@iconify-json/emojione-v1",
            "1.2.3",
            "https://github.com/joypixels/emojione-legacy",
        ),
        IconifySet(
            "fxemoji", "@iconify-json/fxemoji", "1.2.2", "https://github.com/mozilla/fxemoji"
        ),
        IconifySet(
            "streamline",
            "@iconify-json/streamline-emojis",
            "1.2.4",
            "https://github.com/webalys-hq/streamline-vectors",
        ),
    )
}


def fetch(name: str, cache_dir: Path) -> Path:
    """Download (once) and unpack the set's npm package; return its root."""
    chosen = SETS[name]
    return fetch_npm_package(chosen.package, chosen.version, cache_dir)


def provenance(name: str, package_dir: Path) -> dict[str, Any]:
    """The dataset.json provenance of a set, its licence and author read from ``info.json``."""
    info = json.loads((package_dir / "info.json").read_text(encoding="utf-8"))
    version = json.loads((package_dir / "package.json").read_text(encoding="utf-8"))["version"]
    chosen = SETS[name]
    licence = info.get("license", {})
    author = info.get("author", {})
    return {
        "source": info.get("name", name),
        "package": f"npm:{chosen.package}@{version}",
        "url": author.get("url") or chosen.url,
        "licence": licence.get("spdx") or licence.get("title", ""),
        "licence_url": licence.get("url", ""),
        "attribution": f"{info.get('name', name)} by {author.get('name', 'its authors')}, "
        f"{licence.get('title', '')}; packed for npm by Iconify.",
    }


def svg_document(icons: dict[str, Any], name: str) -> bytes:
    """One icon of an Iconify ``icons.json`` as a standalone SVG document."""
    icon = icons["icons"][name]
    left, top = icon.get("left", icons.get("left", 0)), icon.get("top", icons.get("top", 0))
    width = icon.get("width", icons.get("width", 16))
    height = icon.get("height", icons.get("height", 16))
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'viewBox="{left} {top} {width} {height}" width="{width}" height="{height}">'
        f"{icon['body']}</svg>"
    ).encode()


def _codepoints(hexcode: str) -> str:
    # Iconify's chars.json and Twemoji drop the FE0F variation selector; OpenMoji keeps it.
    return "-".join(p for p in hexcode.lower().split("-") if p != "fe0f")


def _openmoji_index(openmoji_dir: Path) -> dict[str, dict[str, Any]]:
    emojis = json.loads((openmoji_dir / "data" / "openmoji.json").read_text(encoding="utf-8"))
    return {_codepoints(e["hexcode"]): e for e in emojis}


def _label_by_name(text: str) -> str | None:
    # No codepoint, so no theme: a thing of any theme may claim it by its name.
    for theme in THEMES:
        found = thing_for(text, theme=theme.slug)
        if found is not None:
            return found
    return None


def pictures(
    name: str, package_dir: Path, openmoji_dir: Path, *, svg_side: int = 512
) -> Iterator[Picture]:
    """The set's icons that a kid theme or thing claims, as pictures (no skin tones)."""
    icons = json.loads((package_dir / "icons.json").read_text(encoding="utf-8"))
    chars_file = package_dir / "chars.json"
    chars = json.loads(chars_file.read_text(encoding="utf-8")) if chars_file.exists() else {}
    codepoint_of = {icon: _codepoints(code) for code, icon in chars.items()}
    openmoji = _openmoji_index(openmoji_dir)
    for icon_name in sorted(icons["icons"]):
        text = icon_name.replace("-", " ")
        emoji = openmoji.get(codepoint_of.get(icon_name, ""))
        if emoji is not None:
            if emoji.get("skintone"):
                continue
            theme = EMOJI_OVERRIDES.get(emoji["hexcode"]) or EMOJI_SUBGROUPS.get(emoji["subgroups"])
            if theme is None:
                continue
            label = emoji_label(f"{emoji['annotation']} {text}", emoji["subgroups"], theme)
        else:
            if any(tone in icon_name for tone in ("tone", "skin")):
                continue
            label = _label_by_name(text)
        if label is None:
            continue

        def load(icon_name: str = icon_name) -> Any:
            return render_svg(svg_document(icons, icon_name), svg_side)

        yield Picture(
            key=f"{name}-{icon_name}",
            category=label,
            load=load,
            meta={"icon": icon_name, "set": name},
        )
