"""The kid categories our datasets are sorted into, and how each data source maps onto them.

One place for the rule: a category's slug and labels, and which OpenMoji subgroup, Tux Paint
stamp folder or OpenClipart folder teaches it. The four categories OpenMoji's builder already
defines (face, animal, food, vehicle) are taken from :mod:`inference.lab.datasets.openmoji` rather
than written twice; fashion, space and plant are new here. OpenMoji's own ``nature`` (flowers
plus sky and weather) stays OpenMoji's; the other sources split it into ``plant`` and ``space``.
"""

from __future__ import annotations

from dataclasses import dataclass

from inference.lab.datasets import openmoji


@dataclass(frozen=True)
class KidCategory:
    """Something a child can pick to draw."""

    slug: str
    label_en: str
    label_ko: str
    emoji: str

    def card_entry(self) -> dict[str, str]:
        """The category as dataset.json and the model card list it."""
        return {
            "slug": self.slug,
            "label_en": self.label_en,
            "label_ko": self.label_ko,
            "emoji": self.emoji,
        }


_OPENMOJI = {c.slug: c for c in openmoji.CATEGORIES}


def _from_openmoji(slug: str) -> KidCategory:
    c = _OPENMOJI[slug]
    return KidCategory(c.slug, c.label_en, c.label_ko, c.emoji)


CATEGORIES: tuple[KidCategory, ...] = (
    _from_openmoji("face"),
    _from_openmoji("animal"),
    _from_openmoji("food"),
    _from_openmoji("vehicle"),
    KidCategory("fashion", "Fashion", "패션", "👗"),
    KidCategory("space", "Space & sky", "하늘과 우주", "🚀"),
    KidCategory("plant", "Plant", "식물", "🌻"),
)
# Not a category kids7c serves: the theme of houses, gems, game characters and balls, whose
# pictures are only ever labelled with their thing (inference.serving.things).
PLAY = KidCategory("play", "Play & treasure", "놀이와 보물", "🎮")
BY_SLUG: dict[str, KidCategory] = {c.slug: c for c in CATEGORIES}


def category(slug: str) -> KidCategory:
    """The category called ``slug``; a ``KeyError`` lists the known ones."""
    try:
        return BY_SLUG[slug]
    except KeyError:
        raise KeyError(f"unknown category {slug!r}; known: {', '.join(BY_SLUG)}") from None


# Emoji subgroups (OpenMoji's metadata, which Twemoji's codepoints are looked up in).
EMOJI_SUBGROUPS: dict[str, str] = {
    **{s: c.slug for c in openmoji.CATEGORIES if c.slug in BY_SLUG for s in c.subgroups},
    "clothing": "fashion",
    "person": "face",  # heads: a baby, a boy, a woman with red hair (cartoon faces)
    "sky-weather": "space",
    "plant-flower": "plant",
    "plant-other": "plant",
    # Broad groups where only a thing's pictures are kept (see things.label_for): houses,
    # balls, games.
    "place-building": "play",
    "sport": "play",
    "game": "play",
}
# Single emoji whose subgroup puts them elsewhere: rockets and satellites are "transport-air".
EMOJI_OVERRIDES: dict[str, str] = {"1F680": "space", "1F6F0": "space", "1F6F8": "space"}
# Subgroups whose every emoji is one thing: the heads (a baby, a girl, a man with red hair) are
# cartoon faces, which otherwise only the avatars package draws.
EMOJI_SUBGROUP_THINGS: dict[str, str] = {"person": "cartoon_face"}


def emoji_label(annotation: str, subgroup: str, theme: str) -> str | None:
    """An emoji's label: the thing its subgroup is, else the thing its annotation names, else
    its theme (:func:`inference.serving.things.label_for`)."""
    from inference.serving.things import label_for

    return EMOJI_SUBGROUP_THINGS.get(subgroup) or label_for(annotation, theme)


# Tux Paint stamp folders (relative to /usr/share/tuxpaint/stamps); the longest prefix wins,
# and ``None`` leaves a sub-folder out (armour is not fashion).
TUXPAINT_FOLDERS: dict[str, str | None] = {
    "animals": "animal",
    "food": "food",
    "vehicles": "vehicle",
    "clothes": "fashion",
    "clothes/armor": None,
    "space": "space",
    "plants": "plant",
    # Broad folders: only pictures a ``play`` thing (or any thing) claims are kept.
    "town": "play",
    "sports": "play",
    "hobbies": "play",
    "cartoon": "play",
    "seasonal": "play",
}

# OpenClipart 0.18 folders (relative to /usr/share/openclipart/svg).
OPENCLIPART_FOLDERS: dict[str, str | None] = {
    "animals": "animal",
    "food": "food",
    "food/beverages": None,  # wine and beer bottles
    "transportation/vehicles": "vehicle",
    "transportation/boating": "vehicle",
    "people/clothing": "fashion",
    "people/smilies": "face",
    "geography/astronomy": "space",
    "science/astronomy": "space",
    "plants": "plant",
    "buildings": "play",
    "recreation": "play",
}


def category_for_folder(relative: str, folders: dict[str, str | None]) -> str | None:
    """The category slug of a file under ``relative`` (a folder path), by longest prefix."""
    parts = relative.strip("/").split("/")
    for depth in range(len(parts), 0, -1):
        prefix = "/".join(parts[:depth])
        if prefix in folders:
            return folders[prefix]
    return None
