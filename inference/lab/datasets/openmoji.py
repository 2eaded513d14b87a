"""Build an aligned ``A|B`` dataset from the OpenMoji npm package.

OpenMoji (https://openmoji.org, CC BY-SA 4.0) draws every emoji twice: a colour SVG and a
black line-art SVG of the same outlines. Rendered onto white at the same size they are real
paired sketch→picture data. ``A`` is the line art, ``B`` the colour picture.

The package is fetched with the ordinary npm client (``npm pack``) into a cache folder, so the
build works offline from the registry alone and is repeatable for a pinned version.
"""

from __future__ import annotations

import io
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from PIL import Image

from inference.lab.datasets.npm import fetch_npm_package
from inference.lab.datasets.pictures import is_held_out

PACKAGE = "openmoji"
VERSION = "17.0.0"
LICENCE = "CC BY-SA 4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by-sa/4.0/"
HOMEPAGE = "https://openmoji.org"
ATTRIBUTION = "All emojis designed by OpenMoji – the open-source emoji and icon project."


@dataclass(frozen=True)
class EmojiCategory:
    """A drawing category a child can pick, and the OpenMoji subgroups that teach it."""

    slug: str
    label_en: str
    label_ko: str
    emoji: str
    subgroups: tuple[str, ...]

    def card_entry(self) -> dict[str, str]:
        """The category as the model card lists it."""
        return {
            "slug": self.slug,
            "label_en": self.label_en,
            "label_ko": self.label_ko,
            "emoji": self.emoji,
        }


# Things a child draws and a few outlines can suggest. Left out on purpose: flags, symbols,
# people with skin tones, drinks (alcohol), and the "face-negative" subgroup (devils, skulls).
CATEGORIES: tuple[EmojiCategory, ...] = (
    EmojiCategory(
        "face",
        "Face",
        "얼굴",
        "😀",
        (
            "face-smiling",
            "face-affection",
            "face-tongue",
            "face-hand",
            "face-neutral-skeptical",
            "face-sleepy",
            "face-unwell",
            "face-hat",
            "face-glasses",
            "face-concerned",
            "face-costume",
            "cat-face",
            "monkey-face",
        ),
    ),
    EmojiCategory(
        "animal",
        "Animal",
        "동물",
        "🐶",
        (
            "animal-mammal",
            "animal-bird",
            "animal-marine",
            "animal-bug",
            "animal-reptile",
            "animal-amphibian",
        ),
    ),
    EmojiCategory(
        "food",
        "Food",
        "음식",
        "🍎",
        ("food-fruit", "food-vegetable", "food-prepared", "food-sweet", "food-asian"),
    ),
    EmojiCategory(
        "vehicle",
        "Vehicle",
        "탈것",
        "🚗",
        ("transport-ground", "transport-air", "transport-water"),
    ),
    EmojiCategory("nature", "Nature", "자연", "🌷", ("plant-flower", "plant-other", "sky-weather")),
)


@dataclass(frozen=True)
class _Scheme:
    """How emojis are sorted into categories: slugs, card entries, and the lookup."""

    slugs: tuple[str, ...]
    entries: list[dict[str, Any]]
    slug_for: Callable[[str, str], str | None]  # (hexcode, subgroup) -> slug or None
    # (annotation, subgroup, slug) -> the picture's label (a thing of that slug, say), None:
    # leave it out
    label_for: Callable[[str, str, str], str | None] = lambda annotation, subgroup, slug: slug


def _starter_scheme() -> _Scheme:
    def slug_for(hexcode: str, subgroup: str) -> str | None:
        category = category_for_subgroup(subgroup)
        return category.slug if category else None

    return _Scheme(tuple(c.slug for c in CATEGORIES), [asdict(c) for c in CATEGORIES], slug_for)


def _kid_scheme() -> _Scheme:
    # Imported here: the kid categories reuse this module's four shared ones.
    from inference.lab.datasets import categories as kids

    def slug_for(hexcode: str, subgroup: str) -> str | None:
        return kids.EMOJI_OVERRIDES.get(hexcode) or kids.EMOJI_SUBGROUPS.get(subgroup)

    from inference.serving import things

    # Sorted into themes by subgroup; each picture is then labelled with its thing.
    themes = (*kids.CATEGORIES, kids.PLAY)
    return _Scheme(tuple(c.slug for c in themes), things.card_entries(), slug_for, kids.emoji_label)


def category_for_subgroup(subgroup: str) -> EmojiCategory | None:
    """The category an OpenMoji subgroup belongs to, or None when we don't use it."""
    for category in CATEGORIES:
        if subgroup in category.subgroups:
            return category
    return None


def fetch_package(cache_dir: Path, version: str = VERSION) -> Path:
    """Download (once) and unpack ``openmoji@version`` with ``npm pack``; return its root."""
    return fetch_npm_package(PACKAGE, version, cache_dir)


def render_svg(svg_path: Path, size: int) -> Image.Image:
    """Render an SVG onto white paper as an RGB ``size`` x ``size`` image."""
    import cairosvg  # imported here so the rest of the package works without cairo

    png = cairosvg.svg2png(
        bytestring=svg_path.read_bytes(),
        output_width=size,
        output_height=size,
        background_color="white",
    )
    return Image.open(io.BytesIO(png)).convert("RGB")


def build_dataset(
    *,
    package_dir: Path,
    out_dir: Path,
    size: int = 256,
    categories: tuple[str, ...] | None = None,
    val_fraction: float = 0.05,
    kid_categories: bool = False,
) -> dict[str, Any]:
    """Render the chosen categories as ``A|B`` PNGs under ``out_dir/{train,val}``.

    By default emojis are sorted into this module's five :data:`CATEGORIES` (the ``starter``
    generator's data); with ``kid_categories`` into the seven kid categories every other
    source uses (:mod:`inference.lab.datasets.categories`: clothing becomes ``fashion``, and
    ``nature`` splits into ``plant`` and ``space``). The split rule is the same either way.

    Writes ``out_dir/dataset.json`` (source, licence, counts, one entry per image with the
    emoji's group and subgroup) and returns that document.
    """
    scheme = _kid_scheme() if kid_categories else _starter_scheme()
    wanted = set(categories) if categories else set(scheme.slugs)
    if unknown := sorted(wanted - set(scheme.slugs)):
        raise ValueError(
            f"unknown categories {', '.join(unknown)}; choose from {', '.join(scheme.slugs)}"
        )
    emojis = json.loads((package_dir / "data" / "openmoji.json").read_text(encoding="utf-8"))
    entries: list[dict[str, Any]] = []
    for emoji in emojis:
        hexcode = emoji["hexcode"]
        slug = scheme.slug_for(hexcode, emoji["subgroups"])
        if slug is None or slug not in wanted or emoji.get("skintone"):
            continue
        label = scheme.label_for(emoji["annotation"], emoji["subgroups"], slug)
        if label is None:
            continue
        line_svg = package_dir / "black" / "svg" / f"{hexcode}.svg"
        colour_svg = package_dir / "color" / "svg" / f"{hexcode}.svg"
        if not (line_svg.exists() and colour_svg.exists()):
            continue
        split = "val" if is_held_out(hexcode, val_fraction) else "train"
        pair = Image.new("RGB", (2 * size, size), "white")
        pair.paste(render_svg(line_svg, size), (0, 0))
        pair.paste(render_svg(colour_svg, size), (size, 0))
        name = f"{label}__{hexcode}.png"
        (out_dir / split).mkdir(parents=True, exist_ok=True)
        pair.save(out_dir / split / name)
        entries.append(
            {
                "file": f"{split}/{name}",
                "split": split,
                "category": label,
                "theme": slug,
                "hexcode": hexcode,
                "emoji": emoji["emoji"],
                "annotation": emoji["annotation"],
                "group": emoji["group"],
                "subgroup": emoji["subgroups"],
                "author": emoji.get("openmoji_author", ""),
            }
        )
    counts = Counter((e["category"], e["split"]) for e in entries)
    used = {e["category"] for e in entries} | wanted
    version = json.loads((package_dir / "package.json").read_text())["version"]
    document = {
        "source": "OpenMoji",
        "package": f"npm:{PACKAGE}@{version}",
        "url": HOMEPAGE,
        "licence": LICENCE,
        "licence_url": LICENCE_URL,
        "attribution": ATTRIBUTION,
        "size": size,
        "layout": "A|B: left half black line art (sketch), right half colour (picture)",
        "categories": [c for c in scheme.entries if c["slug"] in used],
        "counts": {
            slug: {split: counts[(slug, split)] for split in ("train", "val")}
            for slug in sorted({e["category"] for e in entries})
        },
        "images": entries,
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "dataset.json").write_text(
        json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    return document
