"""Where a generator's categories and training data came from, and what their licences ask of
the weights: the card's ``categories``, ``data`` and licence note."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from inference.lab.datasets import categories as kid
from inference.serving.things import theme_of


def dataset_entries(dataset_dir: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """``(categories, data)`` card entries from a dataset folder's ``dataset.json``."""
    document = json.loads((dataset_dir / "dataset.json").read_text(encoding="utf-8"))
    categories = [
        {key: c[key] for key in ("slug", "label_en", "label_ko", "emoji")}
        for c in document["categories"]
    ]
    data = [
        {
            "source": document["source"],
            "licence": document["licence"],
            "url_or_package": f"{document['package']} ({document['url']})",
            "attribution": document.get("attribution", ""),
            "count": sum(
                split_count for split in document["counts"].values()
                for name, split_count in split.items() if name == "train"
            ),
            "count_by_category": {slug: c["train"] for slug, c in document["counts"].items()},
        }
    ]  # fmt: skip
    return categories, data


def combined_entries(
    dataset_dirs: Sequence[Path],
    *,
    only: Sequence[str] | None = None,
    caps: Mapping[str, int] | None = None,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """``(categories, data)`` for a generator trained on several datasets.

    Categories are the union in first-seen order, or exactly ``only`` (slugs, in that order;
    each must be a known kid category or in one of the datasets). ``caps`` (the run's
    ``max_per_source``, by train folder) is recorded as each source's ``max_per_epoch``.
    """
    categories: dict[str, dict[str, Any]] = {}
    data: list[dict[str, Any]] = []
    for folder in dataset_dirs:
        found, entries = dataset_entries(Path(folder))
        for entry in found:
            categories.setdefault(entry["slug"], entry)
        for entry in entries:
            for key, cap in (caps or {}).items():
                if Path(key) == Path(folder) / "train":
                    entry["max_per_epoch"] = cap
        data += entries
    if only is not None:
        unknown = [slug for slug in only if slug not in categories and slug not in kid.BY_SLUG]
        if unknown:
            raise ValueError(f"unknown categories: {', '.join(unknown)}")
        chosen = []
        for slug in only:
            known = kid.BY_SLUG.get(slug)
            chosen.append(known.card_entry() if known else categories[slug])
        return [with_theme(entry) for entry in chosen], data
    return [with_theme(entry) for entry in categories.values()], data


def with_theme(entry: dict[str, Any]) -> dict[str, Any]:
    """A card's category entry naming the theme a thing is picked under (the canvas asks for
    the theme first, then the thing); a theme, or a slug the catalogue does not know, stays
    its own theme."""
    theme = theme_of(entry["slug"])
    if theme is None or theme == entry["slug"]:
        return entry
    return {**entry, "theme": theme}


# How strong each licence's obligations are, weakest first.
_LICENCE_STRENGTH = ("public domain", "mit", "cc by 4.0", "cc by-sa 4.0", "gpl-2.0")


def licence_note(data: Sequence[Mapping[str, Any]]) -> str:
    """What the weights of a model trained on all of ``data`` owe, for its card."""
    licences = list(dict.fromkeys(str(entry["licence"]) for entry in data))
    if len(licences) == 1:
        return f"Trained on {data[0]['source']} only: the weights follow its {licences[0]}."

    def strength(licence: str) -> int:
        lowered = licence.lower()
        return max((i for i, key in enumerate(_LICENCE_STRENGTH) if key in lowered), default=0)

    strongest = max(licences, key=strength)
    lowered = " ".join(licences).lower()
    duties = []
    if any(key in lowered for key in ("cc by", "mit", "gpl")):
        duties.append("credit every source as its licence asks (attribution, notices)")
    if "by-sa" in lowered:
        duties.append("share the weights and works adapted from them under CC BY-SA 4.0 terms")
    if "gpl" in lowered:
        duties.append("honour GPL-2.0 copyleft: redistribute only with the corresponding source")
    sources = "; ".join(f"{entry['source']}: {entry['licence']}" for entry in data)
    return (
        f"Trained on several sources ({sources}). The weights are treated as derived from all "
        "of them together, so they inherit the most restrictive obligations of the set "
        f"({strongest} the strongest): " + "; ".join(duties) + "."
    )
