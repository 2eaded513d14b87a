"""Train a palette U-Net: class-rebalanced cross-entropy over palette colours, resumable.

The data are the generators' own (:func:`inference.lab.pix2pix.training.loop.load_sources`: every
source folder, child-like strokes, crayon lines and colouring-in drawn afresh on every read);
the target of each pixel is the nearest palette colour of the (repainted) picture, and pixels
under the child's lines are left out of the loss (the painter draws the child's own lines
there). No discriminator: the painter decides one colour per shape, so texture is not the
network's job, and a step costs about a third of a pix2pix step.

A run writes to ``out_dir``: ``palette.json`` (fitted once, from the training pictures),
``checkpoints/epoch-NNNN.safetensors`` + ``.json`` cards, ``losses.csv``, and
``resume.safetensors`` + ``resume.json`` every epoch and every ``checkpoint_minutes`` (network
and Adam state, the position), so a stopped run continues where it was with ``--resume``.
"""

from __future__ import annotations

import dataclasses
import json
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from safetensors.torch import save_file

from inference.lab.pix2pix.training.config import TrainConfig
from inference.lab.pix2pix.training.loop import epoch_order, load_sources
from inference.lab.pix2pix.training.resume import compact_resume, load_state, save_state
from inference.serving.palette.colours import Palette, fit_palette
from inference.serving.palette.network import PaletteNetConfig, PaletteUnet, build_palette_net
from inference.serving.pix2pix.data import AlignedDataset, PairSource, find_pairs
from inference.serving.pix2pix.hints import split_sketch

IGNORE = -100


@dataclass
class PaletteTrainConfig:
    """One run; ``data`` holds the data options of :class:`TrainConfig` (folders, caps,
    sketch styles, labels as ``condition``, ``min_per_label``...)."""

    data: dict[str, Any] = field(default_factory=dict)
    out_dir: str = "data/runs/kids3"
    val_dir: str | None = None
    val_pairs: int = 96
    colours: int = 64
    rebalance: float = 0.5
    palette_pictures: int = 3000
    ngf: int = 32
    max_channels: int = 256
    embed_dim: int = 16
    downs: int = 8  # 2**downs must be the data's side (256)
    batch_size: int = 8
    epochs: int = 40
    epochs_decay: int = 15
    lr: float = 2e-4
    beta1: float = 0.9
    seed: int = 3
    threads: int = 2
    num_workers: int = 1
    checkpoint_minutes: float = 10.0
    log_every: int = 25
    max_steps: int | None = None
    # bf16 autocast for the network (about twice as fast where the CPU has native bf16,
    # much slower where it has not); None: on exactly when it is native.
    bf16: bool | None = None

    def data_config(self) -> TrainConfig:
        return TrainConfig(
            **{"colour_hints": True, "seed": self.seed, "threads": self.threads, **self.data}
        )

    def net_config(self) -> PaletteNetConfig:
        return PaletteNetConfig(
            colours=self.colours,
            labels=tuple(self.data.get("condition") or ()),
            embed_dim=self.embed_dim,
            ngf=self.ngf,
            max_channels=self.max_channels,
            downs=self.downs,
        )

    @classmethod
    def load(cls, path: Path) -> PaletteTrainConfig:
        return cls(**json.loads(Path(path).read_text(encoding="utf-8")))


def targets_of(picture: torch.Tensor, planes: torch.Tensor, palette: Palette) -> torch.Tensor:
    """Palette index of every pixel of one ``3 x S x S`` [-1, 1] picture at half its side (the
    network's output size), ``IGNORE`` where a 2 x 2 cell holds some of the child's lines (the
    line plane of ``planes`` darker than half)."""
    rgb = ((picture.permute(1, 2, 0).numpy() + 1.0) * 127.5).round().clip(0, 255)
    indices = torch.from_numpy(palette.nearest(rgb.astype(np.uint8))[::2, ::2].copy())
    lines = F.max_pool2d((planes[None, 0:1] < 0.0).float(), 2)[0, 0] > 0
    indices[lines] = IGNORE
    return indices


class PaletteSamples(torch.utils.data.Dataset[tuple[torch.Tensor, torch.Tensor, torch.Tensor]]):
    """``(planes, targets, embedding row)`` for each read of an :class:`AlignedDataset`: the
    split and the targets are made here, in the loader's worker, beside the training step."""

    def __init__(self, data: AlignedDataset, palette: Palette) -> None:
        self.data, self.palette = data, palette

    def __len__(self) -> int:
        return len(self.data)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        sketch, picture, label = self.data[index]
        planes = split_sketch(sketch[None])[0]
        return planes, targets_of(picture, planes, self.palette), label + 1


def palette_loss(
    logits: torch.Tensor, targets: torch.Tensor, weights: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """Rebalanced cross-entropy, and the share of counted pixels right."""
    loss = F.cross_entropy(logits, targets, weight=weights, ignore_index=IGNORE)
    counted = targets != IGNORE
    right = (logits.argmax(dim=1) == targets) & counted
    return loss, right.sum() / counted.sum().clamp(min=1)


def learning_rate(cfg: PaletteTrainConfig, epoch: int) -> float:
    """Constant, then linear decay over the last ``epochs_decay`` epochs."""
    decaying = max(0, epoch - (cfg.epochs - cfg.epochs_decay))
    return cfg.lr * (1.0 - decaying / (cfg.epochs_decay + 1))


def _palette(cfg: PaletteTrainConfig, data: AlignedDataset, out: Path) -> Palette:
    path = out / "palette.json"
    if path.exists():
        return Palette.from_dict(json.loads(path.read_text()))
    rng = np.random.default_rng(cfg.seed)
    chosen = rng.choice(len(data), size=min(cfg.palette_pictures, len(data)), replace=False)
    pictures = data.pictures[torch.from_numpy(np.sort(chosen))].permute(0, 2, 3, 1).numpy()
    palette = fit_palette(pictures, size=cfg.colours, rebalance=cfg.rebalance, seed=cfg.seed)
    path.write_text(json.dumps(palette.to_dict()))
    return palette


def carry_state(run_dir: Path | str, dest: Path | str) -> Path:
    """A run's resume state small enough to commit (:func:`compact_resume`): the network in
    bfloat16, the position, the plan, the palette and the loss log — not Adam's moments (twice
    the network's size), which a continued run rebuilds within a few hundred steps."""
    return compact_resume(run_dir, dest, keep="G.")


def save_checkpoint(
    out: Path, net: PaletteUnet, cfg: PaletteTrainConfig, palette: Palette, record: dict
) -> Path:
    """One epoch's weights (fp32 safetensors) and their card."""
    stem = out / "checkpoints" / f"epoch-{record['epoch']:04d}"
    save_file({k: v.detach().cpu().contiguous() for k, v in net.state_dict().items()},
              f"{stem}.safetensors")  # fmt: skip
    card = {
        "architecture": net.config.to_dict(),
        "palette": palette.to_dict(),
        "config": dataclasses.asdict(cfg),
        **record,
    }
    Path(f"{stem}.json").write_text(json.dumps(card, indent=2))
    return Path(f"{stem}.safetensors")


@torch.no_grad()
def validate(
    net: PaletteUnet, val: AlignedDataset | None, palette: Palette, weights: torch.Tensor
) -> dict[str, float]:
    """Mean loss and pixel accuracy on the held-out pairs (drawn with the epoch-0 strokes)."""
    if val is None:
        return {}
    net.eval()
    samples = PaletteSamples(val, palette)
    losses, accuracies = [], []
    for start in range(0, len(val), 16):
        batch = [samples[i] for i in range(start, min(start + 16, len(val)))]
        planes, targets, labels = (torch.stack(t) for t in zip(*batch, strict=True))
        loss, accuracy = palette_loss(net(planes, labels), targets, weights)
        losses.append(float(loss))
        accuracies.append(float(accuracy))
    net.train()
    return {"val_loss": round(float(np.mean(losses)), 4),
            "val_accuracy": round(float(np.mean(accuracies)), 4)}  # fmt: skip


def _val_data(cfg: PaletteTrainConfig, data_cfg: TrainConfig) -> AlignedDataset | None:
    if not cfg.val_dir:
        return None
    pairs: list[PairSource] = find_pairs(Path(cfg.val_dir))
    rng = np.random.default_rng(cfg.seed)
    chosen = sorted(rng.choice(len(pairs), size=min(cfg.val_pairs, len(pairs)), replace=False))
    return AlignedDataset(
        [pairs[i] for i in chosen],
        size=data_cfg.size,
        load_size=data_cfg.size,
        flip=False,
        seed=cfg.seed,
        styles=("given",),
        condition=tuple(data_cfg.condition or ()),
        colouring=True,
        label_fallback=data_cfg.condition_fallback,
    )


def native_bf16() -> bool:
    """Whether this CPU computes bf16 natively (AVX-512 BF16 or AMX), where autocast pays."""
    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False


def _one_thread(worker: int) -> None:
    torch.set_num_threads(1)  # the training step has the other threads


def _epoch_loader(
    cfg: PaletteTrainConfig,
    data: AlignedDataset,
    groups: list[torch.Tensor],
    palette: Palette,
    *,
    epoch: int,
    first: int,
) -> tuple[torch.utils.data.DataLoader, int]:
    """The epoch's loader from batch ``first`` on, and the epoch's length in batches."""
    data.epoch = epoch  # set before the worker forks, so it sees it
    order = epoch_order(cfg.data_config(), groups, epoch, data.labels)
    loader = torch.utils.data.DataLoader(
        PaletteSamples(data, palette),
        batch_size=cfg.batch_size,
        sampler=order[first * cfg.batch_size :].tolist(),
        num_workers=cfg.num_workers,
        worker_init_fn=_one_thread,
    )
    return loader, math.ceil(len(order) / cfg.batch_size)


def _step(
    net: PaletteUnet,
    opt: torch.optim.Optimizer,
    batch: tuple[torch.Tensor, torch.Tensor, torch.Tensor],
    weights: torch.Tensor,
    *,
    bf16: bool,
) -> tuple[float, float]:
    """One optimiser step on a batch (planes, targets, embedding rows); loss and accuracy."""
    planes, targets, labels = batch
    with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
        logits = net(planes, labels)
    loss, accuracy = palette_loss(logits.float(), targets, weights)
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()
    return loss.item(), accuracy.item()


def train(cfg: PaletteTrainConfig) -> dict[str, Any]:
    """Run (or continue) the plan ``cfg``; return the last epoch's record."""
    torch.set_num_threads(cfg.threads)
    torch.manual_seed(cfg.seed)
    out = Path(cfg.out_dir)
    (out / "checkpoints").mkdir(parents=True, exist_ok=True)
    (out / "config.json").write_text(json.dumps(dataclasses.asdict(cfg), indent=2))
    data_cfg = cfg.data_config()
    data, groups = load_sources(data_cfg)
    val = _val_data(cfg, data_cfg)
    palette = _palette(cfg, data, out)
    weights = torch.from_numpy(palette.weights)
    net = build_palette_net(cfg.net_config())
    opt = torch.optim.Adam(net.parameters(), lr=cfg.lr, betas=(cfg.beta1, 0.999))
    # The resume state names them as pix2pix does its generator and its optimiser.
    nets, optimisers = {"G": net}, {"opt_G": opt}
    state = load_state(out, nets=nets, optimisers=optimisers)
    bf16 = native_bf16() if cfg.bf16 is None else cfg.bf16
    print(f"bf16 autocast: {'on' if bf16 else 'off'}", flush=True)
    record: dict[str, Any] = state.get("record", {})
    log = (out / "losses.csv").open("a", encoding="utf-8")
    last_save = time.monotonic()
    for epoch in range(state["epoch"], cfg.epochs):
        first = state["batch"] if epoch == state["epoch"] else 0
        for group in opt.param_groups:
            group["lr"] = learning_rate(cfg, epoch)
        loader, batches = _epoch_loader(cfg, data, groups, palette, epoch=epoch, first=first)
        started, seen, sums = time.monotonic(), 0, np.zeros(2)
        for b, batch in enumerate(loader, start=first):
            loss, accuracy = _step(net, opt, batch, weights, bf16=bf16)
            state["step"] += 1
            seen += len(batch[0])
            sums += (loss, accuracy)
            if state["step"] % cfg.log_every == 0:
                speed = seen / (time.monotonic() - started)
                log.write(f"{epoch},{b},{state['step']},{loss:.4f},{accuracy:.4f},{speed:.2f}\n")
                log.flush()
                print(f"epoch {epoch + 1} batch {b + 1}/{batches} loss {loss:.3f} "
                      f"acc {accuracy:.3f} {speed:.1f} img/s", flush=True)  # fmt: skip
            stopping = bool(cfg.max_steps and state["step"] >= cfg.max_steps)
            if stopping or time.monotonic() - last_save > cfg.checkpoint_minutes * 60:
                save_state(
                    out,
                    nets=nets,
                    optimisers=optimisers,
                    state={**state, "epoch": epoch, "batch": b + 1},
                )
                last_save = time.monotonic()
            if stopping:
                return record
        steps = max(1, batches - first)
        record = {
            "epoch": epoch + 1,
            "step": state["step"],
            "lr": learning_rate(cfg, epoch),
            "images_per_second": round(seen / (time.monotonic() - started), 3),
            "loss": round(float(sums[0]) / steps, 4),
            "accuracy": round(float(sums[1]) / steps, 4),
            **validate(net, val, palette, weights),
        }
        state.update(epoch=epoch + 1, batch=0, record=record)
        save_checkpoint(out, net, cfg, palette, record)
        save_state(out, nets=nets, optimisers=optimisers, state=state)
        last_save = time.monotonic()
        print(json.dumps(record), flush=True)
    return record
