"""Helpers for tests across the project: install a small random generator in a directory."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path

from inference.serving.registry import (
    ARCHITECTURE_TYPE,
    CARD_SUFFIX,
    DTYPES,
    WEIGHTS_SUFFIX,
    GeneratorCard,
    file_sha256,
    parse_card,
)

# (slug, label_en, label_ko, emoji), optionally with a theme: (..., emoji, theme)
CategoryTuple = tuple[str, str, str, str] | tuple[str, str, str, str, str]
CategoryEntry = CategoryTuple | Mapping[str, str]


def _card_entry(category: CategoryEntry) -> dict[str, str]:
    if isinstance(category, Mapping):
        return dict(category)
    keys = ("slug", "label_en", "label_ko", "emoji", "theme")
    return dict(zip(keys, category, strict=False))


def write_random_generator(
    directory: Path,
    *,
    name: str = "test-gen",
    categories: Iterable[CategoryEntry] = (("face", "Face", "얼굴", "🙂"),),
    ngf: int = 8,
    num_downs: int = 8,
    seed: int = 0,
    dtype: str = "float16",
    priority: int = 0,
    conditioned: bool = False,
    colour_hints: bool = False,
    embed_dim: int = 0,
) -> GeneratorCard:
    """Write ``<name>.safetensors`` + ``<name>.json`` with seeded random weights; return the card.

    ``categories`` are ``(slug, label_en, label_ko, emoji[, theme])`` tuples or card entries
    (:func:`inference.serving.things.card_entries`). The same arguments always
    give byte-identical files. ``conditioned`` makes a category-conditioned generator (one
    input plane per category, in the order given; with ``embed_dim`` a learned label vector of
    that size instead, as kids2p). ``colour_hints`` makes it read the sketch's line and
    colour-hint planes instead of its RGB. With the defaults the weights are ~0.2 MB
    and a 256x256 sketch draws in a few milliseconds, so fixtures can call this freely.
    """
    import torch
    from safetensors.torch import save_file

    from inference.serving.pix2pix.generator_config import SKETCH_INPUTS, GeneratorConfig
    from inference.serving.pix2pix.networks import build_generator, init_weights

    if dtype not in DTYPES:
        raise ValueError(f"dtype must be one of {', '.join(DTYPES)}, not {dtype!r}")
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    entries = [_card_entry(c) for c in categories]
    condition = tuple(e["slug"] for e in entries) if conditioned else ()
    sketch_input = "hints" if colour_hints else "rgb"
    label_planes = embed_dim or len(condition)
    config = GeneratorConfig(
        input_nc=SKETCH_INPUTS[sketch_input] + label_planes,
        ngf=ngf,
        num_downs=num_downs,
        condition=condition,
        sketch_input=sketch_input,
        embed_dim=embed_dim,
    )
    net = build_generator(config)
    # A private RNG keeps the weights reproducible without disturbing the global torch seed.
    init_weights(net, gain=0.02, generator=torch.Generator().manual_seed(seed))
    torch_dtype = torch.float16 if dtype == "float16" else torch.float32
    state = {
        key: value.detach().to(torch_dtype).contiguous() for key, value in net.state_dict().items()
    }
    weights_path = directory / f"{name}{WEIGHTS_SUFFIX}"
    save_file(state, str(weights_path), metadata={"format": "pt", "name": name})
    card = {
        "name": name,
        "categories": entries,
        "architecture": {"type": ARCHITECTURE_TYPE, **config.to_dict()},
        "weights": weights_path.name,
        "sha256": file_sha256(weights_path),
        "dtype": dtype,
        "priority": priority,
        "epochs": 0,
        "seed": seed,
        "data": [{"source": "random initialisation (test fixture)", "licence": "CC0-1.0"}],
        "metrics": {},
        "trained_on": "nothing: random weights for tests",
        "created_at": "1970-01-01T00:00:00Z",
    }
    card_path = directory / f"{name}{CARD_SUFFIX}"
    card_path.write_text(json.dumps(card, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return parse_card(card_path)


def write_random_painter(
    directory: Path,
    *,
    name: str = "test-painter",
    categories: Iterable[CategoryEntry] = (("sun", "Sun", "해", "☀️", "space"),),
    seed: int = 0,
    priority: int = 0,
) -> GeneratorCard:
    """A tiny palette painter (``palette-unet``) with seeded random weights and a six-colour
    palette, installed like a trained one; returns its card."""
    import numpy as np
    import torch

    from inference.lab.palette.install import install_painter
    from inference.serving.palette.colours import Palette
    from inference.serving.palette.network import PaletteNetConfig, build_palette_net

    entries = [_card_entry(c) for c in categories]
    config = PaletteNetConfig(
        colours=6, labels=tuple(e["slug"] for e in entries), ngf=4, max_channels=16, embed_dim=4
    )
    with torch.random.fork_rng():  # reproducible weights, the global seed left alone
        torch.manual_seed(seed)
        net = build_palette_net(config)
    rgb = [(255, 255, 255), (24, 24, 24), (224, 36, 36), (21, 128, 61), (29, 78, 216),
           (250, 204, 21)]  # fmt: skip
    palette = Palette(np.array(rgb, np.uint8), np.ones(len(rgb), np.float32))
    extra = {"data": [{"source": "random initialisation (test fixture)", "licence": "CC0-1.0"}]}
    return install_painter(
        net, palette, directory, name=name, categories=entries, priority=priority, extra=extra
    )


def write_random_classifier(
    generators_directory: Path,
    *,
    name: str = "test-sketches",
    categories: Iterable[str] = ("panda", "cat", "sun"),
    seed: int = 0,
    calibration: dict[str, float] | None = None,
    exported: bool = False,
) -> Path:
    """A tiny random-weight sketch classifier in ``<generators_directory>/classifiers/``, saved
    as the shipped one is (sha256-checked card beside it); returns the card's path.
    ``calibration`` may give the card a ``temperature`` and a ``confident_at``; ``exported``
    exports it to ONNX as installing one does."""
    import torch

    from inference.serving.pix2pix.classifier import (
        CategoryClassifier,
        ClassifierConfig,
        save_classifier,
    )
    from inference.serving.suggestions import classifiers_dir

    with torch.random.fork_rng():  # reproducible weights, the global seed left alone
        torch.manual_seed(seed)
        model = CategoryClassifier(ClassifierConfig(tuple(categories), size=32, width=4))
    weights = classifiers_dir(generators_directory) / f"{name}.safetensors"
    card = {"data": "random initialisation (test fixture)", "created_at": "1970-01-01T00:00:00Z"}
    card_path = save_classifier(model, weights, card | (calibration or {}))
    if exported:
        from inference.lab.exporting import export_classifier
        from inference.serving.suggestions import read_card

        export_classifier(read_card(card_path))
    return card_path
