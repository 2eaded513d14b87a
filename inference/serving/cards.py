"""A generator's model card (``<name>.json`` beside ``<name>.safetensors``), read and checked.

The card says which categories the generator draws, its architecture, the sha256 of its
weights, and free-form provenance (data and licences, epochs, seed, metrics). Reading one needs
no torch: :func:`parse_card` checks the architecture's type and condition list, and the rest
of it is checked when :attr:`GeneratorCard.config` is first built. The registry
(:mod:`inference.serving.registry`) finds the cards in a directory and picks among them.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core import error_codes as codes
from core.errors import ApplicationError
from inference.serving.architectures import PIX2PIX, Architecture, architecture

if TYPE_CHECKING:
    from inference.serving.pix2pix.generator_config import GeneratorConfig

ARCHITECTURE_TYPE = PIX2PIX  # the pix2pix kind's name, as promotion and test cards write it
DTYPES = ("float16", "float32")
# Names become file names and URL-ish identifiers; keep them boring and traversal-proof.
NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
SLUG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,49}$")
CARD_SUFFIX = ".json"
WEIGHTS_SUFFIX = ".safetensors"


class RegistryError(ApplicationError):
    """Base class for registry problems; the message is meant for a person."""

    code = codes.GENERATOR_UNAVAILABLE  # the API answers it 503 (core.api)


class GeneratorNotFound(RegistryError):
    """No installed generator has the requested name."""


class UnknownCategory(RegistryError):
    """No installed generator draws the requested category."""


class WeightsMismatch(RegistryError):
    """A weights file is not the one its card describes (sha256 or tensors differ)."""


@dataclass(frozen=True)
class Category:
    """Something a child can draw, as a generator card names it."""

    slug: str
    label_en: str
    label_ko: str
    emoji: str
    # The group the canvas shows first ("animal" for a panda). A card entry without one is a
    # theme of its own, as every category of the older, theme-only cards is.
    theme: str | None = None

    @property
    def theme_slug(self) -> str:
        """The theme this category is picked under: its own slug when the card names none."""
        return self.theme or self.slug

    @property
    def is_theme(self) -> bool:
        """Whether this entry is its theme itself ("another animal"), not a thing in it."""
        return self.theme_slug == self.slug

    def label(self, language_code: str | None = None) -> str:
        """The label for ``language_code`` ("ko", "ko-kr", "en", ...); English otherwise."""
        if language_code and language_code.lower().split("-")[0] == "ko":
            return self.label_ko
        return self.label_en

    def to_dict(self) -> dict[str, str]:
        """JSON-ready form, as stored in a card (``theme`` only when the card gave one)."""
        data = {
            "slug": self.slug,
            "label_en": self.label_en,
            "label_ko": self.label_ko,
            "emoji": self.emoji,
        }
        if self.theme is not None:
            data["theme"] = self.theme
        return data


@dataclass(frozen=True)
class GeneratorCard:
    """One installed generator: its parsed model card and where its files are."""

    name: str
    categories: tuple[Category, ...]
    # The card's "architecture" object less its "type", as canonical JSON (hashable, and read
    # without torch); ``config`` builds the networks' config from it.
    architecture: str
    weights_path: Path
    card_path: Path
    sha256: str
    dtype: str
    priority: int = 0
    # Provenance (data, licences, metrics...) is informative only, so it takes no part in
    # equality or hashing.
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)
    kind: str = PIX2PIX  # the card's architecture "type" (inference.serving.architectures)
    # The exported ONNX graph beside the weights and its sha256, when the card records one
    # (``"onnx": {"file": "<name>.onnx", "sha256": ...}``; inference.serving.engine serves it).
    onnx_path: Path | None = None
    onnx_sha256: str | None = None

    @property
    def architecture_kind(self) -> Architecture:
        """What kind of generator this is (:mod:`inference.serving.architectures`)."""
        return architecture(self.kind)

    @functools.cached_property
    def config(self) -> GeneratorConfig:
        """The network's config (``GeneratorConfig`` for pix2pix; imports torch: only a process
        that draws, or checks, asks); ``RegistryError`` saying what is wrong with it."""
        try:
            config: GeneratorConfig = self.architecture_kind.config(json.loads(self.architecture))
        except (TypeError, ValueError) as exc:
            raise RegistryError(f"{self.card_path}: {exc}") from exc
        return config

    @property
    def category_slugs(self) -> tuple[str, ...]:
        """Slugs of the categories this generator draws, in card order."""
        return tuple(category.slug for category in self.categories)

    def serves(self, category_slug: str) -> bool:
        """Whether this generator draws ``category_slug``."""
        return category_slug in self.category_slugs


def _require(data: Mapping[str, Any], key: str, kind: type | tuple[type, ...]) -> Any:
    if key not in data:
        raise ValueError(f'missing "{key}"')
    value = data[key]
    if (isinstance(value, bool) and kind is not bool) or not isinstance(value, kind):
        raise ValueError(f'"{key}" has the wrong type ({type(value).__name__})')
    return value


def _parse_category(data: Any) -> Category:
    if not isinstance(data, dict):
        raise ValueError("each category must be an object with slug, label_en, label_ko, emoji")
    slug = _require(data, "slug", str)
    if not SLUG_PATTERN.match(slug):
        raise ValueError(f"category slug {slug!r} must be lowercase letters, digits, - or _")
    theme = data.get("theme")
    if theme is not None and not (isinstance(theme, str) and SLUG_PATTERN.match(theme)):
        raise ValueError(f"category {slug!r}: theme must be a slug like the categories' own")
    return Category(
        slug=slug,
        label_en=_require(data, "label_en", str),
        label_ko=_require(data, "label_ko", str),
        emoji=_require(data, "emoji", str),
        theme=theme,
    )


_CARD_FIELDS = {
    "name",
    "categories",
    "architecture",
    "weights",
    "sha256",
    "dtype",
    "priority",
    "onnx",
}
ONNX_SUFFIX = ".onnx"


def _parse_onnx(data: Mapping[str, Any], name: str) -> tuple[str, str] | None:
    """The card's exported graph: its file name (beside the weights, named like them) and
    sha256; None when the card has none."""
    if "onnx" not in data:
        return None
    exported = _require(data, "onnx", dict)
    file_name = _require(exported, "file", str)
    if file_name != f"{name}{ONNX_SUFFIX}":
        raise ValueError(f'"onnx" "file" must be "{name}{ONNX_SUFFIX}", not {file_name!r}')
    sha256 = _require(exported, "sha256", str).lower()
    if not re.fullmatch(r"[0-9a-f]{64}", sha256):
        raise ValueError('"onnx" "sha256" must be 64 hex digits')
    return file_name, sha256


def _parse_categories(data: Mapping[str, Any]) -> tuple[Category, ...]:
    raw_categories = _require(data, "categories", list)
    if not raw_categories:
        raise ValueError("a generator must draw at least one category")
    categories = tuple(_parse_category(item) for item in raw_categories)
    slugs = [category.slug for category in categories]
    if len(set(slugs)) != len(slugs):
        raise ValueError("a category is listed twice")
    for category in categories:
        # A theme's own entry ("another animal") cannot sit inside some other theme.
        if not category.is_theme and category.theme_slug in slugs:
            itself = next(c for c in categories if c.slug == category.theme_slug)
            if not itself.is_theme:
                raise ValueError(
                    f"{category.slug} is in the theme {itself.slug}, which is itself in "
                    f"{itself.theme_slug}: a theme's own entry must be its own theme"
                )
    return categories


def _parse_architecture(data: Mapping[str, Any]) -> tuple[str, str, tuple[str, ...]]:
    """The architecture's kind, itself as canonical JSON, and the labels it is told (its
    condition list), checked without torch."""
    described = dict(_require(data, "architecture", dict))
    kind = architecture(described.pop("type", None))
    condition = described.get(kind.labels_key, [])
    if not isinstance(condition, list | tuple) or not all(
        isinstance(slug, str) and slug for slug in condition
    ):
        raise ValueError(f"{kind.labels_key} must be a list of category slugs, not {condition!r}")
    return kind.type, json.dumps(described, sort_keys=True), tuple(condition)


def _parse_card_data(card_path: Path, data: Any) -> GeneratorCard:
    if not isinstance(data, dict):
        raise ValueError("the card must be a JSON object")
    name = _require(data, "name", str)
    if name != card_path.stem:
        raise ValueError(f'"name" is {name!r} but the file is {card_path.name}')
    if not NAME_PATTERN.match(name):
        raise ValueError(f"name {name!r} must be lowercase letters, digits, '.', '-' or '_'")
    weights = _require(data, "weights", str)
    # The weights must sit beside the card under the same name: no paths, no sharing.
    if weights != f"{name}{WEIGHTS_SUFFIX}":
        raise ValueError(f'"weights" must be "{name}{WEIGHTS_SUFFIX}", not {weights!r}')
    sha256 = _require(data, "sha256", str).lower()
    if not re.fullmatch(r"[0-9a-f]{64}", sha256):
        raise ValueError('"sha256" must be 64 hex digits')
    dtype = _require(data, "dtype", str)
    if dtype not in DTYPES:
        raise ValueError(f'"dtype" must be one of {", ".join(DTYPES)}, not {dtype!r}')
    priority = data.get("priority", 0)
    if isinstance(priority, bool) or not isinstance(priority, int):
        raise ValueError('"priority" must be an integer')
    categories = _parse_categories(data)
    kind, described, condition = _parse_architecture(data)
    exported = _parse_onnx(data, name)
    if condition:
        missing = [c.slug for c in categories if c.slug not in condition]
        if missing:
            raise ValueError(
                f"the generator is conditioned on {', '.join(condition)}, so it cannot "
                f"draw {', '.join(missing)}"
            )
    return GeneratorCard(
        name=name,
        categories=categories,
        architecture=described,
        kind=kind,
        weights_path=card_path.with_name(weights).resolve(),
        card_path=card_path.resolve(),
        sha256=sha256,
        dtype=dtype,
        priority=priority,
        extra={key: value for key, value in data.items() if key not in _CARD_FIELDS},
        onnx_path=card_path.with_name(exported[0]).resolve() if exported else None,
        onnx_sha256=exported[1] if exported else None,
    )


def parse_card(card_path: Path, *, check_architecture: bool = False) -> GeneratorCard:
    """Read and validate one model card; raises ``RegistryError`` saying what is wrong.

    JSON only; ``check_architecture`` also builds the architecture's config (importing torch).
    """
    try:
        data = json.loads(card_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RegistryError(f"{card_path}: unreadable model card ({exc})") from exc
    try:
        card = _parse_card_data(card_path, data)
    except ValueError as exc:
        raise RegistryError(f"{card_path}: {exc}") from exc
    if not card.weights_path.is_file():
        raise RegistryError(f"{card_path}: weights file {card.weights_path.name} is missing")
    if check_architecture:
        card.config  # noqa: B018 - built to be checked; raises RegistryError
    return card
