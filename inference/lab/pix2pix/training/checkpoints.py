"""What a run writes and reads back in ``out_dir``, in a layout older runs keep resuming from.

* ``checkpoints/epoch-NNNN.safetensors`` + ``.json``: generator weights (fp32) and a card with
  the architecture, the config, epoch, losses, held-out L1 and speed; these are what
  ``promote_generator`` ships;
* ``resume.safetensors`` + ``resume.json``: generator (``G.*``), discriminator (``D.*``) and
  both Adam states (``opt_G.<index>.<slot>``, ``opt_D.*``), the position (epoch, batch, step)
  and the last epoch's record; written every epoch and every ``checkpoint_minutes``, in the
  layout every trainer shares (:mod:`inference.lab.pix2pix.training.resume`).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import save_file

from inference.lab.pix2pix.training.config import TrainConfig
from inference.lab.pix2pix.training.resume import load_state, save_state
from inference.serving.pix2pix.generator_config import SKETCH_INPUTS, GeneratorConfig
from inference.serving.pix2pix.networks import NLayerDiscriminator, build_generator, init_weights


@dataclass
class Nets:
    """Generator, discriminator and their Adam optimisers: what a resume file holds."""

    net_g: torch.nn.Module
    net_d: torch.nn.Module
    opt_g: torch.optim.Optimizer
    opt_d: torch.optim.Optimizer
    device: torch.device = dataclasses.field(default_factory=lambda: torch.device("cpu"))
    memory_format: torch.memory_format = torch.contiguous_format
    scaler: torch.amp.GradScaler | None = None  # CUDA only: fp16 autocast needs loss scaling

    @classmethod
    def create(cls, cfg: TrainConfig) -> Nets:
        """Freshly initialised nets (N(0, 0.02) as in the paper) and optimisers."""
        net_g = init_weights(build_generator(cfg.generator_config()))
        # D sees the generator's whole input (sketch and condition planes) beside a picture.
        sketch_planes = SKETCH_INPUTS["hints" if cfg.colour_hints else "rgb"]
        net_d = init_weights(
            NLayerDiscriminator(sketch_planes + 3 + cfg.planes, cfg.ndf, cfg.n_layers_D)
        )
        betas = (cfg.beta1, 0.999)
        return cls(
            net_g,
            net_d,
            torch.optim.Adam(net_g.parameters(), lr=cfg.lr, betas=betas),
            torch.optim.Adam(net_d.parameters(), lr=cfg.lr, betas=betas),
        )

    def to(self, device: torch.device, *, channels_last: bool = False) -> None:
        """Move nets and optimiser state to ``device``; CUDA gets a GradScaler for fp16."""
        self.device = device
        self.memory_format = torch.channels_last if channels_last else torch.contiguous_format
        for net in (self.net_g, self.net_d):
            net.to(device).to(memory_format=self.memory_format)
        for opt in (self.opt_g, self.opt_d):
            for slot in opt.state.values():
                for key, value in slot.items():
                    if isinstance(value, torch.Tensor) and key != "step":
                        slot[key] = value.to(device)
        self.scaler = torch.amp.GradScaler("cuda") if device.type == "cuda" else None

    def resumable(self) -> dict[str, Any]:
        """The nets by prefix and the optimisers by name, as the resume state stores them."""
        return {
            "nets": {"G": self.net_g, "D": self.net_d},
            "optimisers": {"opt_G": self.opt_g, "opt_D": self.opt_d},
        }

    def inputs(self, *batch: torch.Tensor) -> list[torch.Tensor]:
        """A loader batch on the nets' device and memory format."""
        return [
            t.to(self.device, non_blocking=True, memory_format=self.memory_format) for t in batch
        ]


def save_checkpoint(out: Path, net_g: torch.nn.Module, cfg: TrainConfig, record: dict[str, Any]):
    """Write the generator weights of one epoch and a JSON card beside them."""
    stem = out / "checkpoints" / f"epoch-{record['epoch']:04d}"
    weights = {k: v.cpu().contiguous() for k, v in net_g.state_dict().items()}
    save_file(weights, f"{stem}.safetensors")
    card = {
        "architecture": cfg.generator_config().to_dict(),
        "config": dataclasses.asdict(cfg),
        **record,
    }
    Path(f"{stem}.json").write_text(json.dumps(card, indent=2))


def save_resume(out: Path, nets: Nets, *, state: dict[str, Any]) -> None:
    """Everything needed to continue: both nets and both Adam states (:mod:`.resume`)."""
    save_state(out, **nets.resumable(), state=state)


def load_resume(out: Path, nets: Nets) -> dict[str, Any]:
    """Load ``resume.*`` from ``out`` if present; return the position to continue from."""
    return load_state(out, **nets.resumable())


def load_initial_weights(net_g: torch.nn.Module, weights: Mapping[str, torch.Tensor]) -> None:
    """Start ``net_g`` from ``weights`` (any float dtype), e.g. a shipped generator.

    A conditioned generator can start from an unconditional one: where the saved first layer
    has fewer input channels, the extra (condition) channels start at zero, so the fine-tune
    begins exactly where the given generator is and learns what each category adds. A colour-
    hint generator can start from an RGB one: its line plane takes the sum of the RGB weights
    (a grey line on white looks the same to it), the hint and label planes start at zero, and
    weights it has that the old one lacks (label embeddings) keep their own start.
    """
    own = net_g.state_dict()
    config = getattr(net_g, "config", None)
    from_rgb = isinstance(config, GeneratorConfig) and config.sketch_input == "hints"
    loaded = dict(own)
    for key, saved in weights.items():
        value, target = saved.float(), own.get(key)
        if target is None:
            raise ValueError(f"{key} is not a weight of this generator")
        first_layer = value.dim() == 4 and value.shape[1] != target.shape[1]
        if first_layer and (value.shape[0], value.shape[2:]) == (target.shape[0], target.shape[2:]):
            padded = torch.zeros_like(target)
            if from_rgb and value.shape[1] >= 3:
                padded[:, 0] = value[:, :3].sum(dim=1)  # grey line plane = R + G + B
            elif value.shape[1] < target.shape[1]:
                padded[:, : value.shape[1]] = value
            else:
                raise ValueError(
                    f"{key}: cannot start {tuple(target.shape)} from {tuple(value.shape)}"
                )
            value = padded
        loaded[key] = value
    net_g.load_state_dict(loaded)
