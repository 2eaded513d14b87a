"""The training loop: pix2pix (GAN + λ·L1, Adam 2e-4, β1 0.5, as in the paper), resumable.

Several data folders train one generator (``data_dirs``); ``max_per_source`` caps how many
pairs each folder gives to one epoch (a fresh random subset every epoch), so a big source (1500
avatar faces) does not swamp the small ones; ``min_per_label`` repeats the pairs of rare
labels. ``init_from`` fine-tunes from shipped weights. What a run writes in ``out_dir`` is
described in :mod:`.checkpoints` and :mod:`.monitor`.

The loop is kept lean: augmentation runs in DataLoader worker processes (``num_workers``),
losses stay on the device until a log interval (no per-step host syncs), and on CUDA the step
runs under ``torch.autocast`` (fp16) with a ``GradScaler``; the CPU stays fp32.
"""

from __future__ import annotations

import dataclasses
import json
import math
import time
from functools import partial
from pathlib import Path
from typing import Any

import torch
from tqdm import tqdm

from inference.lab.pix2pix.training.checkpoints import (
    Nets,
    load_initial_weights,
    load_resume,
    save_checkpoint,
    save_resume,
)
from inference.lab.pix2pix.training.config import TrainConfig
from inference.lab.pix2pix.training.losses import fit_batch
from inference.lab.pix2pix.training.monitor import (
    EpochMeter,
    LossLog,
    SampleSet,
    bar_options,
    plot_losses,
)
from inference.serving.pix2pix.checkpoints import read_weights
from inference.serving.pix2pix.data import AlignedDataset, PairSource, find_pairs, find_pictures
from inference.serving.pix2pix.sketchify import sketchify_pair


def train(cfg: TrainConfig) -> dict[str, Any]:
    """Run (or resume, from ``out_dir/resume.*``) training; return the last epoch's record."""
    out, nets, data, groups, state = _start(cfg)
    samples, log = SampleSet.load(cfg), LossLog(out)
    last_save, record = time.monotonic(), state.get("record", {})
    for epoch in range(state["epoch"], cfg.epochs):
        first = state["batch"] if epoch == state["epoch"] else 0
        loader, batches = _epoch_loader(cfg, nets, data, groups, epoch=epoch, first=first)
        meter = EpochMeter(cfg, log, epoch=epoch, batches=batches, first=first)
        for b, (plain, target, labels) in enumerate(loader, start=first):
            losses, seen = fit_batch(cfg, nets, plain, target, labels)
            state["step"] += 1
            meter.add(epoch=epoch, batch=b, step=state["step"], losses=losses, seen=seen)
            # Stopped mid-epoch (max_steps) or due a timed save: keep the exact position.
            stopping = bool(cfg.max_steps and state["step"] >= cfg.max_steps and b + 1 < batches)
            saving = time.monotonic() - last_save > cfg.checkpoint_minutes * 60
            if state["step"] % cfg.log_every == 0 or stopping or saving:
                meter.report()
            if stopping or saving:
                save_resume(out, nets, state={**state, "epoch": epoch, "batch": b + 1})
                last_save = time.monotonic()
            if stopping:
                meter.bar.close()
                return record
        speed, means = meter.close()
        record = {
            "epoch": epoch + 1, "step": state["step"], "images_per_second": round(speed, 3),
            "lr": learning_rate(cfg, epoch), "images_seen": meter.seen,
            "loss_D": means[0], "loss_G_gan": means[1], "loss_G_L1": means[2],
            **samples.evaluate(nets.net_g, out / "samples" / f"epoch-{epoch + 1:04d}.png"),
        }  # fmt: skip
        state.update(epoch=epoch + 1, batch=0, record=record)
        save_checkpoint(out, nets.net_g, cfg, record)
        save_resume(out, nets, state=state)
        plot_losses(out / "losses.csv", out / "losses.png")
        last_save = time.monotonic()
        print(json.dumps(record), flush=True)
        if cfg.max_steps and state["step"] >= cfg.max_steps:
            break
    return record


def _start(
    cfg: TrainConfig,
) -> tuple[Path, Nets, AlignedDataset, list[torch.Tensor], dict[str, Any]]:
    """Seed, write ``config.json``, load the data, build (or resume, or fine-tune) the nets."""
    torch.set_num_threads(cfg.threads)
    torch.manual_seed(cfg.seed)
    out = Path(cfg.out_dir)
    (out / "checkpoints").mkdir(parents=True, exist_ok=True)
    (out / "config.json").write_text(json.dumps(dataclasses.asdict(cfg), indent=2))
    data, groups = load_sources(cfg)
    nets = Nets.create(cfg)
    state = load_resume(out, nets)
    if state["step"] == 0 and cfg.init_from:
        load_initial_weights(nets.net_g, read_weights(cfg.init_from))
        print(f"generator initialised from {cfg.init_from}", flush=True)
    nets.to(torch.device(cfg.device), channels_last=cfg.channels_last)
    return out, nets, data, groups, state


def _epoch_loader(
    cfg: TrainConfig,
    nets: Nets,
    data: AlignedDataset,
    groups: list[torch.Tensor],
    *,
    epoch: int,
    first: int,
) -> tuple[torch.utils.data.DataLoader, int]:
    """The epoch's loader from batch ``first`` on (its learning rate set), and its length."""
    device = torch.device(cfg.device)
    workers = (
        cfg.num_workers if cfg.num_workers is not None else (4 if device.type == "cuda" else 1)
    )
    data.epoch = epoch  # set before the workers fork, so they see it
    for group in (*nets.opt_g.param_groups, *nets.opt_d.param_groups):
        group["lr"] = learning_rate(cfg, epoch)
    order = epoch_order(cfg, groups, epoch, data.labels)
    loader = torch.utils.data.DataLoader(
        data,
        batch_size=cfg.batch_size,
        sampler=order[first * cfg.batch_size :].tolist(),
        num_workers=workers,
        pin_memory=device.type == "cuda",
    )
    return loader, math.ceil(len(order) / cfg.batch_size)


def learning_rate(cfg: TrainConfig, epoch: int) -> float:
    """Constant ``lr``, then a linear decay over the last ``epochs_decay`` epochs."""
    decaying = max(0, epoch - (cfg.epochs - cfg.epochs_decay))
    return cfg.lr * (1.0 - decaying / (cfg.epochs_decay + 1))


def load_sources(cfg: TrainConfig) -> tuple[AlignedDataset, list[torch.Tensor]]:
    """All pairs of every folder in one dataset, and each folder's indices into it."""
    pairs: list[PairSource] = []
    groups = []
    pair_folders = cfg.pair_folders()
    for folder in cfg.folders():
        found = find_pairs(Path(folder)) if folder in pair_folders else find_pictures(Path(folder))
        groups.append(torch.arange(len(pairs), len(pairs) + len(found)))
        pairs += found
    data = AlignedDataset(
        pairs,
        size=cfg.size,
        load_size=cfg.load_size,
        augment=sketchify_pair if cfg.augment else None,
        seed=cfg.seed,
        styles=tuple(cfg.sketch_styles),
        condition=tuple(cfg.condition or ()),
        label_dropout=cfg.condition_dropout if cfg.condition else 0.0,
        ink_targets=cfg.ink_targets,
        colouring=cfg.colour_hints,
        label_fallback=cfg.condition_fallback,
        progress=partial(tqdm, desc="loading pairs", unit="pair", **bar_options()),
    )
    if cfg.condition:
        counts = torch.bincount(data.labels + 1, minlength=cfg.planes + 1).tolist()
        named = ", ".join(f"{slug} {n}" for slug, n in zip(cfg.condition, counts[1:], strict=True))
        print(f"pairs per category: {named}, none {counts[0]}", flush=True)
    return data, groups


def epoch_order(
    cfg: TrainConfig, groups: list[torch.Tensor], epoch: int, labels: torch.Tensor | None = None
) -> torch.Tensor:
    """The indices one epoch visits, shuffled: each folder's pairs up to its cap (a fresh
    random subset each epoch, reproducible from ``seed`` and ``epoch``), then, with
    ``min_per_label``, pairs of rare labels added until each label is met that often."""
    rng = torch.Generator().manual_seed(cfg.seed + epoch)
    chosen = []
    for folder, indices in zip(cfg.folders(), groups, strict=True):
        cap = cfg.cap_for(folder)
        if cap is not None and cap < len(indices):
            chosen.append(indices[torch.randperm(len(indices), generator=rng)[:cap]])
        else:
            chosen.append(indices)
    everything = torch.cat(chosen)
    if cfg.min_per_label and labels is not None:
        extra = []
        counts = torch.bincount(labels[everything] + 1, minlength=int(labels.max()) + 2)
        for label in labels.unique().tolist():
            if label < 0:
                continue
            short = cfg.min_per_label - int(counts[label + 1])
            if short > 0:
                pool = torch.nonzero(labels == label).flatten()
                extra.append(pool[torch.randint(len(pool), (short,), generator=rng)])
        everything = torch.cat([everything, *extra])
    return everything[torch.randperm(len(everything), generator=rng)]
