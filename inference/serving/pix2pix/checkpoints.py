"""The one way generator weights are read: safetensors only (never pickles), checked, frozen.

Every reader of generator weights comes here: the registry (and so the runtime, the worker,
``sketch2image`` and ``benchmark_generator``), evaluation of training checkpoints, promotion
and fine-tuning's ``init_from``. A weights file is data, never code: it is hashed against its
card when the card records a sha256 (the registry's cards do; training checkpoints' cards
do not), read with ``safetensors``, matched tensor by tensor against the architecture, cast
to float32 (half precision is only a storage format) and handed back in eval mode with
gradients off.

Torch is imported inside the functions: the registry imports :func:`file_sha256` from here in
web processes that never load torch.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import torch

    from inference.serving.pix2pix.generator_config import GeneratorConfig
    from inference.serving.pix2pix.networks import UnetGenerator

CARD_SUFFIX = ".json"
_HASH_CHUNK = 1 << 20


class CheckpointError(ValueError):
    """Weights that cannot be used; the message (for a person) says why."""


class WeightsMismatch(CheckpointError):
    """A weights file that is not the one its card describes (sha256 or tensors differ)."""


def file_sha256(path: Path) -> str:
    """Hex sha256 of a file, read in chunks so large weights do not sit in memory twice."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        while chunk := handle.read(_HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def read_weights(path: Path | str, *, sha256: str | None = None) -> dict[str, torch.Tensor]:
    """The tensors of a safetensors file (on the CPU, as stored), after its sha256 matched
    ``sha256`` when one is given. Raises ``CheckpointError`` (``WeightsMismatch`` for a hash
    that differs); a pickle renamed ``.safetensors`` is refused, never executed."""
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    path = Path(path)
    if sha256 is not None:
        try:
            actual = file_sha256(path)
        except OSError as exc:
            raise CheckpointError(f"cannot read its weights ({exc}).") from exc
        if actual != sha256:
            raise WeightsMismatch(
                f"{path.name} has sha256 {actual}, but its card says {sha256}. The file was "
                "changed or replaced; refusing to load it."
            )
    try:
        return load_file(str(path), device="cpu")
    except (SafetensorError, OSError, ValueError) as exc:
        raise CheckpointError(f"{path.name} is not a readable safetensors file ({exc}).") from exc


def read_card(weights: Path) -> dict[str, Any]:
    """The JSON card beside ``weights`` (``epoch-NNNN.json``, ``<name>.json``)."""
    card_path = Path(weights).with_suffix(CARD_SUFFIX)
    try:
        card = json.loads(card_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CheckpointError(f"{card_path}: unreadable card ({exc})") from exc
    if not isinstance(card, dict) or not isinstance(card.get("architecture"), dict):
        raise CheckpointError(f"{card_path}: the card has no architecture")
    return card


def card_architecture(card: Mapping[str, Any]) -> GeneratorConfig:
    """The generator architecture a card describes (a registry card's ``type`` set aside)."""
    from inference.serving.pix2pix.generator_config import GeneratorConfig

    return GeneratorConfig.from_dict(
        {key: value for key, value in card["architecture"].items() if key != "type"}
    )


def fit_weights(config: GeneratorConfig, state: Mapping[str, torch.Tensor]) -> UnetGenerator:
    """A generator of ``config`` holding ``state`` (cast to float32); ``WeightsMismatch`` when
    a tensor is missing, unexpected or of the wrong shape."""
    import torch

    from inference.serving.pix2pix.networks import build_generator

    net = build_generator(config)
    expected = net.state_dict()
    missing = sorted(set(expected) - set(state))
    unexpected = sorted(set(state) - set(expected))
    wrong_shape = sorted(
        key for key in set(expected) & set(state) if expected[key].shape != state[key].shape
    )
    if missing or unexpected or wrong_shape:
        details = "; ".join(
            f"{label}: {', '.join(keys[:3])}{' ...' if len(keys) > 3 else ''}"
            for label, keys in (
                ("missing", missing),
                ("unexpected", unexpected),
                ("wrong shape", wrong_shape),
            )
            if keys
        )
        raise WeightsMismatch(f"the weights do not fit the card's architecture ({details}).")
    net.load_state_dict({key: value.to(torch.float32) for key, value in state.items()})
    return net


def load_generator(
    weights: Path | str,
    config: GeneratorConfig | None = None,
    *,
    sha256: str | None = None,
    device: str | torch.device = "cpu",
) -> UnetGenerator:
    """The generator in ``weights``, ready to draw: float32, on ``device``, eval, no grad.

    ``config`` and ``sha256`` default to what the card beside the file says (its
    ``architecture``, and its ``sha256`` where it records one). Raises ``CheckpointError``.
    """
    weights = Path(weights)
    if config is None:
        card = read_card(weights)
        config = card_architecture(card)
        if sha256 is None and isinstance(card.get("sha256"), str):
            sha256 = card["sha256"].lower()
    net = fit_weights(config, read_weights(weights, sha256=sha256))
    net.to(device)
    net.eval()
    net.requires_grad_(False)
    return net
