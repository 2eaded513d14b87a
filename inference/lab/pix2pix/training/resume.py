"""A training run's resume state: ``resume.safetensors`` + ``resume.json`` in its ``out_dir``.

One layout for every trainer (the pix2pix generator and discriminator, the palette painter):

* ``resume.safetensors``: each network's weights under its prefix (``G.*``, ``D.*``) and each
  Adam state as ``<optimiser>.<index>.<slot>`` (``opt_G.3.exp_avg``): safetensors only, never
  pickles;
* ``resume.json``: the position (epoch, batch, step), the last epoch's record, and the
  optimisers' ``param_groups`` — the one optimiser's list when the run has one (the palette
  painter), by optimiser name when it has several (pix2pix's ``opt_G`` and ``opt_D``).

:func:`compact_resume` carries it to another machine at half the size; :func:`load_state`
reads that too (weights and Adam's moments back to float32). :func:`check_resume` is the one
rule the training entry points apply to an ``out_dir`` that already holds a run.

Plain torch, no Django.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import save_file

from inference.serving.pix2pix.checkpoints import read_weights

RESUME_WEIGHTS = "resume.safetensors"
RESUME_STATE = "resume.json"
# What a run folder holds besides the tensors and is carried with them.
CARRIED_FILES = (RESUME_STATE, "config.json", "losses.csv", "palette.json")


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


def save_state(
    out: Path,
    *,
    nets: Mapping[str, torch.nn.Module],
    optimisers: Mapping[str, torch.optim.Optimizer],
    state: dict[str, Any],
) -> None:
    """Everything needed to continue: ``nets`` (by prefix) and ``optimisers`` (by name) as
    safetensors, ``state`` (the position) as JSON; written beside and renamed, so a crash
    mid-write never leaves half a resume state."""
    tensors = {
        f"{prefix}.{k}": v.detach().cpu().contiguous()
        for prefix, net in nets.items()
        for k, v in net.state_dict().items()
    }
    groups = {}
    for name, opt in optimisers.items():
        saved = opt.state_dict()
        groups[name] = saved["param_groups"]
        for index, slot in saved["state"].items():
            for key, value in slot.items():
                tensors[f"{name}.{index}.{key}"] = torch.as_tensor(value).cpu().clone().contiguous()
    param_groups = next(iter(groups.values())) if len(groups) == 1 else groups
    weights, position = out / f"{RESUME_WEIGHTS}.tmp", out / f"{RESUME_STATE}.tmp"
    save_file(tensors, weights)
    position.write_text(json.dumps({**state, "param_groups": param_groups}, indent=2))
    weights.replace(out / RESUME_WEIGHTS)
    position.replace(out / RESUME_STATE)


def load_state(
    out: Path,
    *,
    nets: Mapping[str, torch.nn.Module],
    optimisers: Mapping[str, torch.optim.Optimizer],
) -> dict[str, Any]:
    """Load ``resume.*`` of ``out`` into ``nets`` and ``optimisers`` (named as they were saved)
    if it is there; return the position to continue from (the start when it is not).

    A carried state (:func:`compact_resume`) comes back in float32; one carried without an
    optimiser's moments leaves that Adam to start afresh from the loaded weights.
    """
    if not (out / RESUME_STATE).exists():
        return {"epoch": 0, "batch": 0, "step": 0}
    state = json.loads((out / RESUME_STATE).read_text())
    groups = state.pop("param_groups")
    tensors = read_weights(out / RESUME_WEIGHTS)
    for prefix, net in nets.items():
        net.load_state_dict(
            {
                k.removeprefix(f"{prefix}."): v.float() if v.is_floating_point() else v
                for k, v in tensors.items()
                if k.startswith(f"{prefix}.")
            }
        )
    for name, opt in optimisers.items():
        slots: dict[int, dict[str, torch.Tensor]] = {}
        for key, value in tensors.items():
            if key.startswith(f"{name}."):
                _, index, slot = key.split(".", 2)
                slots.setdefault(int(index), {})[slot] = (
                    value if slot == "step" or not value.is_floating_point() else value.float()
                )
        if not slots:
            print("the carried state has no Adam moments: Adam starts afresh from these weights")
        own_groups = groups[name] if isinstance(groups, dict) else groups
        opt.load_state_dict({"state": slots, "param_groups": own_groups})
    print(f"resumed from epoch {state['epoch']} batch {state['batch']} step {state['step']}")
    return state


def compact_resume(run_dir: Path | str, dest: Path | str, *, keep: str = "") -> Path:
    """Copy a run's resume state to ``dest`` at half the size, to carry it to another machine
    (or commit it): every float tensor in bfloat16 except the Adam step counts, which stay
    exact; the position, config and loss log as they are. Loading casts the weights and Adam's
    moments back to float32, so ``train --resume`` continues from it (within bf16 rounding).
    ``keep`` (a key prefix such as ``"G."``) carries only those tensors."""
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
    for name in CARRIED_FILES:
        if (run_dir / name).exists():
            shutil.copyfile(run_dir / name, dest / name)
    return dest / RESUME_WEIGHTS
