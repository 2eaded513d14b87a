"""What a run writes and reads back in ``out_dir``, in a layout older runs keep resuming from.

* ``checkpoints/epoch-NNNN.safetensors`` + ``.json``: generator weights (fp32) and a card with
  the architecture, the config, epoch, losses, held-out L1 and speed; these are what
  ``promote_generator`` ships;
* ``resume.safetensors`` + ``resume.json``: generator (``G.*``), discriminator (``D.*``) and
  both Adam states (``opt_G.<index>.<slot>``, ``opt_D.*``), the position (epoch, batch, step)
  and the last epoch's record; written every epoch and every ``checkpoint_minutes``
  (safetensors only, never pickles).

:func:`check_resume` is the one rule both entry points (``python -m inference.pix2pix.train``
and ``manage.py train_generator``) apply to an ``out_dir`` that already holds a run.
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

from inference.pix2pix.checkpoints import read_weights
from inference.pix2pix.generator_config import SKETCH_INPUTS, GeneratorConfig
from inference.pix2pix.networks import NLayerDiscriminator, build_generator, init_weights
from inference.pix2pix.training.config import TrainConfig

RESUME_WEIGHTS = "resume.safetensors"
RESUME_STATE = "resume.json"


class ResumeRefused(ValueError):
    """An ``out_dir`` and a ``--resume`` flag that do not agree; the message says what to do."""


def check_resume(out_dir: Path | str, *, resume: bool) -> None:
    """A run in an ``out_dir`` that holds ``resume.json`` continues only when asked to
    (``resume``), and ``resume`` needs one: a finished or running plan is never continued by
    accident under another config. Raises ``ResumeRefused``."""
    held = (Path(out_dir) / RESUME_STATE).exists()
    if resume and not held:
        raise ResumeRefused(f"--resume, but {out_dir} holds no resume.json.")
    if held and not resume:
        raise ResumeRefused(
            f"{out_dir} already holds a run; pass --resume to continue it, or choose "
            "another out_dir."
        )


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
    """Everything needed to continue: both nets and both Adam states, as safetensors + JSON."""
    tensors = {f"G.{k}": v.cpu().contiguous() for k, v in nets.net_g.state_dict().items()}
    tensors |= {f"D.{k}": v.cpu().contiguous() for k, v in nets.net_d.state_dict().items()}
    groups = {}
    for name, opt in (("opt_G", nets.opt_g), ("opt_D", nets.opt_d)):
        saved = opt.state_dict()
        groups[name] = saved["param_groups"]
        for index, slot in saved["state"].items():
            for key, value in slot.items():
                tensors[f"{name}.{index}.{key}"] = torch.as_tensor(value).cpu().clone().contiguous()
    # Write beside, then rename: a crash mid-write never leaves a half resume file.
    weights, position = out / f"{RESUME_WEIGHTS}.tmp", out / f"{RESUME_STATE}.tmp"
    save_file(tensors, weights)
    position.write_text(json.dumps({**state, "param_groups": groups}, indent=2))
    weights.replace(out / RESUME_WEIGHTS)
    position.replace(out / RESUME_STATE)


def load_resume(out: Path, nets: Nets) -> dict[str, Any]:
    """Load ``resume.*`` from ``out`` if present; return the position to continue from."""
    if not (out / RESUME_STATE).exists():
        return {"epoch": 0, "batch": 0, "step": 0}
    state = json.loads((out / RESUME_STATE).read_text())
    groups = state.pop("param_groups")
    tensors = read_weights(out / RESUME_WEIGHTS)
    nets.net_g.load_state_dict({k[2:]: v for k, v in tensors.items() if k.startswith("G.")})
    nets.net_d.load_state_dict({k[2:]: v for k, v in tensors.items() if k.startswith("D.")})
    for name, opt in (("opt_G", nets.opt_g), ("opt_D", nets.opt_d)):
        slots: dict[int, dict[str, torch.Tensor]] = {}
        for key, value in tensors.items():
            if key.startswith(name + "."):
                _, index, field = key.split(".", 2)
                slots.setdefault(int(index), {})[field] = value
        opt.load_state_dict({"state": slots, "param_groups": groups[name]})
    print(f"resumed from epoch {state['epoch']} batch {state['batch']} step {state['step']}")
    return state


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


def compact_resume(run_dir: Path | str, dest: Path | str, *, keep: str = "") -> Path:
    """Copy a run's resume state to ``dest`` at half the size, to carry it to another machine
    (or commit it): every float tensor in bfloat16 except the Adam step counts, which stay
    exact; the position, config and loss log as they are. Loading casts the weights and Adam's
    moments back to float32, so ``train --resume`` continues from it (within bf16 rounding).
    ``keep`` (a key prefix such as ``"G."``) carries only those tensors."""
    import shutil

    run_dir, dest = Path(run_dir), Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    tensors = read_weights(run_dir / RESUME_WEIGHTS)
    small = {
        key: value.to(torch.bfloat16)
        if value.is_floating_point() and not key.endswith(".step")
        else value
        for key, value in tensors.items()
        if key.startswith(keep)
    }
    save_file(small, dest / RESUME_WEIGHTS)
    for name in (RESUME_STATE, "config.json", "losses.csv", "palette.json"):
        if (run_dir / name).exists():
            shutil.copyfile(run_dir / name, dest / name)
    return dest / RESUME_WEIGHTS
