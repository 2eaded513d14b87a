"""Watching a run: ``losses.csv`` and its plot, the per-epoch sample grid with held-out L1 on
clean and child-like sketches, and the progress bar with the latest losses and speed.

Losses stay on the device until a log interval, so a step never waits for the host.
"""

from __future__ import annotations

import csv
import math
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from PIL import Image
from tqdm import tqdm

from inference.lab.pix2pix.training.config import TrainConfig
from inference.serving.pix2pix.data import PairSource, find_pairs, to_tensor
from inference.serving.pix2pix.drawing import draw_chunks
from inference.serving.pix2pix.imaging import batch_to_images
from inference.serving.pix2pix.sketchify import sketchify_pair


def bar_options() -> dict[str, Any]:
    # In a log file (nohup) a bar redrawn ten times a second is noise: update twice a minute.
    interactive = sys.stderr.isatty()
    return {"mininterval": 0.1 if interactive else 30.0, "dynamic_ncols": interactive}


def plot_losses(csv_path: Path, png_path: Path, window: int = 50) -> None:
    """Draw the losses of ``losses.csv`` (running means over ``window`` steps) as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with csv_path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    if not rows:
        return
    steps = np.array([int(r["step"]) for r in rows])
    figure, axes = plt.subplots(1, 3, figsize=(12, 3.2), constrained_layout=True)
    panels = (("loss_D", "discriminator"), ("loss_G_gan", "G adversarial"), ("loss_G_L1", "G L1"))
    for ax, (column, title) in zip(axes, panels, strict=True):
        values = np.array([float(r[column]) for r in rows])
        span = max(1, min(window, len(values) // 5 or 1))
        smooth = np.convolve(values, np.ones(span) / span, mode="valid")
        ax.plot(steps, values, color="#c8c8c8", linewidth=0.6)
        ax.plot(steps[span - 1 :], smooth, color="#d2482b", linewidth=1.4)
        ax.set_title(title)
        ax.set_xlabel("step")
        ax.grid(alpha=0.3)
    epochs = sorted({int(r["epoch"]) for r in rows})
    figure.suptitle(f"{csv_path.parent.name}: epochs {epochs[0] + 1}-{epochs[-1] + 1}")
    figure.savefig(png_path, dpi=90)
    plt.close(figure)


class LossLog:
    """``losses.csv`` rows, one per step, kept on the device and written at log intervals."""

    def __init__(self, out: Path) -> None:
        self.path = out / "losses.csv"
        self.pending: list[tuple[int, int, int, torch.Tensor, float]] = []

    def add(self, *, epoch: int, batch: int, step: int, losses: torch.Tensor) -> None:
        """Remember one step's losses (no sync)."""
        self.pending.append((epoch, batch, step, losses, time.time()))

    def flush(self, speed: float) -> list[float]:
        """Write the pending rows; return the last row's ``[loss_D, loss_G_gan, loss_G_L1]``."""
        if not self.pending:
            return [math.nan] * 3
        values = torch.stack([row[3] for row in self.pending]).tolist()
        new = not self.path.exists()
        with self.path.open("a", newline="") as handle:
            writer = csv.writer(handle)
            if new:
                writer.writerow(["epoch", "batch", "step", "loss_D", "loss_G_gan", "loss_G_L1",
                                 "images_per_second", "time"])  # fmt: skip
            for (epoch, batch, step, _, when), losses in zip(self.pending, values, strict=True):
                writer.writerow([epoch, batch, step, *(f"{v:.5f}" for v in losses),
                                 f"{speed:.3f}", f"{when:.0f}"])  # fmt: skip
        self.pending = []
        return values[-1]


class EpochMeter:
    """One epoch's progress: the bar, pictures seen, loss sums (on the device) and speed."""

    def __init__(
        self, cfg: TrainConfig, log: LossLog, *, epoch: int, batches: int, first: int
    ) -> None:
        self.log, self.batch_size = log, cfg.batch_size
        self.tick, self.seen = time.monotonic(), 0
        self.sums = torch.zeros(3, device=torch.device(cfg.device))
        self.bar = tqdm(
            total=batches, initial=first, desc=f"epoch {epoch + 1}/{cfg.epochs}", unit="batch",
            disable=cfg.quiet, **bar_options(),
        )  # fmt: skip

    def add(self, *, epoch: int, batch: int, step: int, losses: torch.Tensor, seen: int) -> None:
        """Count one step (no host sync)."""
        self.bar.update()
        self.seen += seen
        self.sums += losses
        self.log.add(epoch=epoch, batch=batch, step=step, losses=losses)

    def report(self) -> None:
        """Write the pending loss rows and show the latest on the bar (the only host sync)."""
        speed = self.seen / (time.monotonic() - self.tick)
        d, g, l1 = self.log.flush(speed)
        self.bar.set_postfix_str(f"D {d:.3f} G_gan {g:.3f} L1 {l1:.4f} {speed:.2f} img/s")

    def close(self) -> tuple[float, list[float]]:
        """Finish the epoch: its speed (pictures a second) and mean ``[D, G_gan, G_L1]``."""
        self.bar.close()
        speed = self.seen / max(1e-9, time.monotonic() - self.tick)
        self.log.flush(speed)
        return speed, (self.sums / max(1, math.ceil(self.seen / self.batch_size))).tolist()


@dataclass
class SampleSet:
    """Fixed sketches for the per-epoch grid and the held-out L1 (clean and child-like)."""

    sketches: torch.Tensor  # N x 3 x S x S
    targets: torch.Tensor | None  # held-out pictures for the first len(targets) sketches
    labels: torch.Tensor  # each sketch's condition plane (-1: none)
    planes: int = 0

    @classmethod
    def load(cls, cfg: TrainConfig) -> SampleSet:
        """Held-out pairs (clean and sketchified with a fixed seed) plus child-like sketches."""
        sketches, targets = [], []
        categories: list[str | None] = []
        if cfg.val_dir and Path(cfg.val_dir).is_dir():
            for i, source in enumerate(find_pairs(Path(cfg.val_dir))):
                a, b = (to_tensor(im) for im in source.load(cfg.size))
                child, b_child = sketchify_pair(a, b, np.random.default_rng(10_000 + i))
                sketches += [a, child]
                targets += [b, b_child]
                categories += [source.category] * 2
        if cfg.sample_sketches_dir and Path(cfg.sample_sketches_dir).is_dir():
            for path in sorted(Path(cfg.sample_sketches_dir).glob("*.png")):
                source = PairSource(path, path)
                sketches.append(to_tensor(source.load(cfg.size)[0]))
                categories.append(source.category)
        labels = torch.tensor([_label(cfg, category) for category in categories])
        if not sketches:
            return cls(torch.empty(0, 3, cfg.size, cfg.size), None, labels.long())
        stacked = torch.stack(sketches)
        return cls(stacked, torch.stack(targets) if targets else None, labels, cfg.planes)

    def evaluate(self, net_g: torch.nn.Module, grid_path: Path) -> dict[str, float]:
        """Write the sample grid; return held-out L1 on clean and child-like sketches."""
        if len(self.sketches) == 0:
            return {}
        net_g.eval()
        device = next(net_g.parameters()).device
        labels = self.labels if self.planes else None
        chunks = draw_chunks(net_g, self.sketches, labels, batch=8, device=device)
        outputs = torch.cat([chunk.float().cpu() for chunk in chunks])
        net_g.train()
        metrics = {}
        if self.targets is not None:
            n = len(self.targets)
            errors = (outputs[:n] - self.targets).abs().mean(dim=(1, 2, 3))
            metrics = {"val_L1_clean": errors[0::2].mean().item(),
                       "val_L1_childlike": errors[1::2].mean().item()}  # fmt: skip
        columns = [self.sketches, outputs]
        if self.targets is not None:
            pad = torch.ones(len(self.sketches) - len(self.targets), *self.targets.shape[1:])
            columns.append(torch.cat([self.targets, pad]))
        write_grid(grid_path, columns)
        return metrics


def _label(cfg: TrainConfig, category: str | None) -> int:
    """The condition plane a sample sketch of ``category`` is drawn with (its fallback's when
    it has none of its own; -1: none)."""
    wanted, fallback = cfg.condition or [], cfg.condition_fallback or {}
    if category is None:
        return -1
    if category in wanted:
        return wanted.index(category)
    theme = fallback.get(category)
    return wanted.index(theme) if theme is not None and theme in wanted else -1


def write_grid(path: Path, columns: list[torch.Tensor], per_row: int = 4) -> None:
    """Save rows of ``sketch | output | target`` cells, ``per_row`` triplets across."""
    cells = list(zip(*(batch_to_images(c) for c in columns), strict=True))
    side, width = cells[0][0].width, len(columns)
    rows = math.ceil(len(cells) / per_row)
    sheet = Image.new("RGB", (per_row * width * side, rows * side), "white")
    for i, cell in enumerate(cells):
        for j, image in enumerate(cell):
            sheet.paste(image, (((i % per_row) * width + j) * side, (i // per_row) * side))
    path.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(path)
