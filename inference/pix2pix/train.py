"""Train a pix2pix generator: GAN + λ·L1, Adam 2e-4, β1 0.5, as in the paper.

    python -m inference.pix2pix.train --config run.json
    python -m inference.pix2pix.train --data-dir data/datasets/openmoji/train --epochs 20
    python manage.py train_generator --config docs/generators/kids7.train.json

Several data folders train one generator (``data_dirs``); ``max_per_source`` caps how many
pairs each folder gives to one epoch (a fresh random subset every epoch), so a big source (1500
avatar faces) does not swamp the small ones. ``init_from`` fine-tunes from shipped weights.

Everything a run writes lives in ``out_dir``:

* ``checkpoints/epoch-NNNN.safetensors`` + ``.json``: generator weights (fp32) and a card with
  the config, epoch, losses, held-out L1 and speed; these are what ``promote_generator`` ships;
* ``resume.safetensors`` + ``resume.json``: generator, discriminator and both Adam states,
  written every epoch and every ``checkpoint_minutes``; a rerun with the same ``out_dir``
  continues from it (safetensors only, never pickles);
* ``losses.csv``, ``samples/epoch-NNNN.png`` (sketch | output | target), ``config.json``.

The loop is kept lean: augmentation runs in DataLoader worker processes (``num_workers``),
losses stay on the device until a log interval (no per-step host syncs), and on CUDA the step
runs under ``torch.autocast`` (fp16) with a ``GradScaler``; the CPU stays fp32.

Plain torch, no Django, so the package can be copied to a GPU box.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import json
import math
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from safetensors.torch import load_file, save_file
from tqdm import tqdm

from inference.pix2pix.data import (
    SKETCH_STYLES,
    AlignedDataset,
    PairSource,
    find_pairs,
    find_pictures,
    to_tensor,
)
from inference.pix2pix.hints import split_sketch
from inference.pix2pix.imaging import batch_to_images
from inference.pix2pix.networks import (
    SKETCH_INPUTS,
    GeneratorConfig,
    NLayerDiscriminator,
    build_generator,
    init_weights,
    with_condition,
)
from inference.pix2pix.sketchify import sketchify_pair


@dataclass
class TrainConfig:
    """One training run; saved as ``config.json`` beside its checkpoints."""

    data_dir: str = "data/datasets/openmoji/train"
    data_dirs: list[str] | None = None  # several folders (``data_dir`` is ignored when set)
    # Folders of plain pictures (no sketches): sketches are extracted when the data loads, in
    # the ``sketch_styles`` other than ``given``.
    picture_dirs: list[str] | None = None
    # Which sketches a picture is seen with, one picked at random per read: ``given`` (the
    # pair's own line art), ``xdog``, ``canny`` (edges of the picture, HED-style clean-up).
    sketch_styles: list[str] = dataclasses.field(default_factory=lambda: ["given"])
    # Category slugs to condition the generator on (one input plane each); the category of a
    # pair comes from its file name, ``<slug>__...``. None: an unconditional generator.
    condition: list[str] | None = None
    condition_dropout: float = 0.15  # share of reads shown without their category
    # Draw each training sketch into its target picture, so the child's strokes stay dark lines
    # (pictures without outlines, e.g. Twemoji, otherwise teach that thin lines may vanish).
    ink_targets: bool = False
    # Colour hints: the generator reads the sketch's line and colour-hint planes, and training
    # draws child-like crayon lines and colouring-in from each picture's own shapes (implies
    # inked targets).
    colour_hints: bool = False
    embed_dim: int = 0  # > 0: learned label vectors instead of one-hot planes
    # A pair's label that is not in ``condition`` trains as this one instead (thing -> theme).
    condition_fallback: dict[str, str] | None = None
    # Each label is seen at least this many times an epoch (its pairs repeated): a panda with
    # four pictures among thousands is otherwise met once in a few epochs.
    min_per_label: int = 0
    # Pairs per folder per epoch: one number for all, or {folder: number}; None = all of them.
    max_per_source: int | dict[str, int] | None = None
    init_from: str | None = None  # safetensors generator state dict to fine-tune from
    out_dir: str = "data/runs/starter"
    val_dir: str | None = None  # held-out A|B pairs: L1 per epoch and rows in the samples
    sample_sketches_dir: str | None = None  # child-like sketches shown in every sample grid
    size: int = 256
    load_size: int = 272  # pix2pix jitter: resize up, random crop back to ``size``
    ngf: int = 16  # 32 trains ~2.5x slower on 2 CPU cores; the paper's 64 is 104 MiB in fp16
    ndf: int = 16
    num_downs: int = 8
    n_layers_D: int = 3  # noqa: N815 - the pix2pix reference's option names
    norm: str = "instance"
    use_dropout: bool = False
    augment: bool = True  # push sketches toward children's strokes (sketchify)
    batch_size: int = 4
    epochs: int = 20
    epochs_decay: int = 0  # the last this-many epochs decay lr linearly to 0 (pix2pix schedule)
    lr: float = 2e-4
    beta1: float = 0.5
    lambda_L1: float = 100.0  # noqa: N815
    gan_mode: str = "vanilla"  # vanilla | lsgan
    seed: int = 0
    threads: int = 2
    device: str = "cpu"  # cpu | cuda (fp16 autocast + GradScaler there)
    num_workers: int | None = None  # DataLoader workers; None: 1 on CPU, 4 on CUDA
    channels_last: bool = True  # 2-core CPU: +19% over 7 noisy paired timings (5 faster)
    checkpoint_minutes: float = 10.0
    max_steps: int | None = None  # stop early (timing runs, tests)
    log_every: int = 10
    quiet: bool = False  # no progress bars (tests)

    def __post_init__(self) -> None:
        unknown = sorted(set(self.sketch_styles) - set(SKETCH_STYLES))
        if not self.sketch_styles or unknown:
            choices = ", ".join(SKETCH_STYLES)
            raise ValueError(f"sketch_styles must be some of {choices}, not {self.sketch_styles}")
        if not 0.0 <= self.condition_dropout < 1.0:
            raise ValueError(f"condition_dropout must be in [0, 1), not {self.condition_dropout}")
        self.generator_config()  # a bad condition list is refused here, not after loading data

    def generator_config(self) -> GeneratorConfig:
        """The architecture the model card will record."""
        condition = tuple(self.condition or ())
        sketch_input = "hints" if self.colour_hints else "rgb"
        planes = (self.embed_dim or len(condition)) if condition else 0
        return GeneratorConfig(
            input_nc=SKETCH_INPUTS[sketch_input] + planes,
            num_downs=self.num_downs,
            ngf=self.ngf,
            norm=self.norm,
            use_dropout=self.use_dropout,
            condition=condition,
            sketch_input=sketch_input,
            embed_dim=self.embed_dim,
        )

    @property
    def planes(self) -> int:
        """Condition planes after the RGB sketch (0 when unconditional)."""
        return len(self.condition or ())

    def pair_folders(self) -> list[str]:
        """Folders of sketch/picture pairs: ``data_dirs`` when given, else ``[data_dir]``
        (none when only ``picture_dirs`` are given)."""
        if self.data_dirs:
            return list(self.data_dirs)
        return [] if self.picture_dirs else [self.data_dir]

    def folders(self) -> list[str]:
        """Every training folder: pair folders, then picture folders."""
        return self.pair_folders() + list(self.picture_dirs or [])

    def cap_for(self, folder: str) -> int | None:
        """How many pairs ``folder`` may give to one epoch (None: all)."""
        if isinstance(self.max_per_source, dict):
            return self.max_per_source.get(folder)
        return self.max_per_source


def gan_loss(logits: torch.Tensor, real: bool, mode: str) -> torch.Tensor:
    """The paper's adversarial loss (``vanilla``) or least squares (``lsgan``)."""
    target = torch.full_like(logits, 1.0 if real else 0.0)
    if mode == "lsgan":
        return F.mse_loss(logits, target)
    return F.binary_cross_entropy_with_logits(logits, target)


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
        progress=partial(tqdm, desc="loading pairs", unit="pair", **_bar_options()),
    )
    if cfg.condition:
        counts = torch.bincount(data.labels + 1, minlength=cfg.planes + 1).tolist()
        named = ", ".join(f"{slug} {n}" for slug, n in zip(cfg.condition, counts[1:], strict=True))
        print(f"pairs per category: {named}, none {counts[0]}", flush=True)
    return data, groups


def _bar_options() -> dict[str, Any]:
    # In a log file (nohup) a bar redrawn ten times a second is noise: update twice a minute.
    interactive = sys.stderr.isatty()
    return {"mininterval": 0.1 if interactive else 30.0, "dynamic_ncols": interactive}


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


def train(cfg: TrainConfig) -> dict[str, Any]:
    """Run (or resume) training; return the last epoch's record."""
    torch.set_num_threads(cfg.threads)
    torch.manual_seed(cfg.seed)
    device = torch.device(cfg.device)
    out = Path(cfg.out_dir)
    (out / "checkpoints").mkdir(parents=True, exist_ok=True)
    (out / "config.json").write_text(json.dumps(dataclasses.asdict(cfg), indent=2))
    data, groups = load_sources(cfg)
    nets = Nets.create(cfg)
    state = load_resume(out, nets)
    if state["step"] == 0 and cfg.init_from:
        load_initial_weights(nets.net_g, load_file(cfg.init_from))
        print(f"generator initialised from {cfg.init_from}", flush=True)
    nets.to(device, channels_last=cfg.channels_last)
    samples = SampleSet.load(cfg)
    workers = (
        cfg.num_workers if cfg.num_workers is not None else (4 if device.type == "cuda" else 1)
    )
    last_save, record = time.monotonic(), state.get("record", {})
    log = LossLog(out)

    for epoch in range(state["epoch"], cfg.epochs):
        data.epoch = epoch  # set before the workers fork, so they see it
        for group in (*nets.opt_g.param_groups, *nets.opt_d.param_groups):
            group["lr"] = learning_rate(cfg, epoch)
        order = epoch_order(cfg, groups, epoch, data.labels)
        batches = math.ceil(len(order) / cfg.batch_size)
        first = state["batch"] if epoch == state["epoch"] else 0
        loader = torch.utils.data.DataLoader(
            data,
            batch_size=cfg.batch_size,
            sampler=order[first * cfg.batch_size :].tolist(),
            num_workers=workers,
            pin_memory=device.type == "cuda",
        )
        tick, seen, speed = time.monotonic(), 0, 0.0
        sums = torch.zeros(3, device=device)
        bar = tqdm(
            total=batches, initial=first, desc=f"epoch {epoch + 1}/{cfg.epochs}", unit="batch",
            disable=cfg.quiet, **_bar_options(),
        )  # fmt: skip
        for b, (plain, target, labels) in enumerate(loader, start=first):
            if cfg.colour_hints:
                planes, picture = nets.inputs(split_sketch(plain), target)
                seen_by_d = with_condition(planes, labels, cfg.planes)
                losses = train_step(cfg, nets, planes, picture, labels=labels, seen_by_d=seen_by_d)
            else:
                sketch, picture = nets.inputs(with_condition(plain, labels, cfg.planes), target)
                losses = train_step(cfg, nets, sketch, picture)
            bar.update()
            state["step"] += 1
            seen += len(picture)
            sums += losses
            log.add(epoch=epoch, batch=b, step=state["step"], losses=losses)
            # Stopped mid-epoch (max_steps) or due a timed save: keep the exact position.
            stopping = bool(cfg.max_steps and state["step"] >= cfg.max_steps and b + 1 < batches)
            saving = time.monotonic() - last_save > cfg.checkpoint_minutes * 60
            if state["step"] % cfg.log_every == 0 or stopping or saving:
                speed = seen / (time.monotonic() - tick)
                d, g, l1 = log.flush(speed)  # the only host sync: once per log interval
                bar.set_postfix_str(f"D {d:.3f} G_gan {g:.3f} L1 {l1:.4f} {speed:.2f} img/s")
            if stopping or saving:
                position = {**state, "epoch": epoch, "batch": b + 1}
                save_resume(out, nets, state=position)
                last_save = time.monotonic()
            if stopping:
                bar.close()
                return record
        bar.close()
        speed = seen / max(1e-9, time.monotonic() - tick)
        log.flush(speed)
        means = (sums / max(1, math.ceil(seen / cfg.batch_size))).tolist()
        record = {
            "epoch": epoch + 1, "step": state["step"], "images_per_second": round(speed, 3),
            "lr": learning_rate(cfg, epoch), "images_seen": seen,
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


def train_step(
    cfg: TrainConfig,
    nets: Nets,
    sketch: torch.Tensor,
    picture: torch.Tensor,
    *,
    labels: torch.Tensor | None = None,
    seen_by_d: torch.Tensor | None = None,
) -> torch.Tensor:
    """One pix2pix update of D then G; returns ``[loss_D, loss_G_gan, loss_G_L1]`` as a
    detached tensor on the device (reading it is left to the log interval).

    ``sketch`` is the generator's input (with ``labels`` for a generator that embeds them);
    D sees ``seen_by_d`` (the sketch planes and one-hot labels) beside a picture, or
    ``sketch`` when that is not given."""
    net_g, net_d, opt_g, opt_d, scaler = nets.net_g, nets.net_d, nets.opt_g, nets.opt_d, nets.scaler
    condition = sketch if seen_by_d is None else seen_by_d
    autocast = torch.autocast("cuda", dtype=torch.float16, enabled=scaler is not None)
    with autocast:
        fake = net_g(sketch) if labels is None else net_g(sketch, labels)
        # D: real pairs up, generated pairs down
        loss_d = 0.5 * (
            gan_loss(net_d(torch.cat([condition, fake.detach()], 1)), False, cfg.gan_mode)
            + gan_loss(net_d(torch.cat([condition, picture], 1)), True, cfg.gan_mode)
        )
    opt_d.zero_grad(set_to_none=True)
    _step(loss_d, opt_d, scaler)
    net_d.requires_grad_(False)  # G's step needs no gradients for D's weights
    with autocast:  # G: fool D and stay close to the picture
        loss_g_gan = gan_loss(net_d(torch.cat([condition, fake], 1)), True, cfg.gan_mode)
        loss_g_l1 = F.l1_loss(fake.float(), picture)
    opt_g.zero_grad(set_to_none=True)
    _step(loss_g_gan + cfg.lambda_L1 * loss_g_l1, opt_g, scaler)
    net_d.requires_grad_(True)
    if scaler is not None:
        scaler.update()
    return torch.stack([loss_d, loss_g_gan, loss_g_l1]).detach().float()


def _step(loss: torch.Tensor, opt: torch.optim.Optimizer, scaler: torch.amp.GradScaler | None):
    if scaler is None:
        loss.backward()
        opt.step()
    else:
        scaler.scale(loss).backward()
        scaler.step(opt)


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
    save_file(tensors, out / "resume.safetensors.tmp")
    (out / "resume.json.tmp").write_text(json.dumps({**state, "param_groups": groups}, indent=2))
    (out / "resume.safetensors.tmp").replace(out / "resume.safetensors")
    (out / "resume.json.tmp").replace(out / "resume.json")


def load_resume(out: Path, nets: Nets) -> dict[str, Any]:
    """Load ``resume.*`` from ``out`` if present; return the position to continue from."""
    if not (out / "resume.json").exists():
        return {"epoch": 0, "batch": 0, "step": 0}
    state = json.loads((out / "resume.json").read_text())
    groups = state.pop("param_groups")
    tensors = load_file(out / "resume.safetensors")
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
        sketches, targets, categories = [], [], []
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
        wanted, fallback = cfg.condition or [], cfg.condition_fallback or {}
        labels = torch.tensor(
            [wanted.index(c) if c in wanted else
             wanted.index(fallback[c]) if fallback.get(c) in wanted else -1
             for c in categories]
        )  # fmt: skip
        if not sketches:
            return cls(torch.empty(0, 3, cfg.size, cfg.size), None, labels.long())
        stacked = torch.stack(sketches)
        return cls(stacked, torch.stack(targets) if targets else None, labels, cfg.planes)

    @torch.no_grad()
    def evaluate(self, net_g: torch.nn.Module, grid_path: Path) -> dict[str, float]:
        """Write the sample grid; return held-out L1 on clean and child-like sketches."""
        if len(self.sketches) == 0:
            return {}
        net_g.eval()
        device = next(net_g.parameters()).device
        outputs = torch.cat(
            [
                (net_g(chunk.to(device), labels) if self.planes else net_g(chunk.to(device)))
                .float()
                .cpu()
                for chunk, labels in zip(self.sketches.split(8), self.labels.split(8), strict=True)
            ]
        )
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


def _flag_bool(text: str) -> bool:
    return text.lower() in ("1", "true", "yes")


_FLAG_TYPES: dict[str, Callable[[str], Any]] = {"int": int, "float": float, "bool": _flag_bool}


def parse_config(argv: list[str] | None = None) -> TrainConfig:
    """``--config FILE.json`` and/or one ``--flag`` per field (flags win over the file)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--config", type=Path)
    fields = dataclasses.fields(TrainConfig)
    for field in fields:
        # Annotations are strings here ("int", "str | None"...); the first word is the type.
        kind = str(field.type).split(" ")[0]
        parser.add_argument(
            f"--{field.name.replace('_', '-')}",
            dest=field.name,
            type=_FLAG_TYPES.get(kind, str),
            nargs="+" if kind.startswith("list[") else None,
        )
    args = parser.parse_args(argv)
    values = json.loads(args.config.read_text()) if args.config else {}
    values |= {f.name: getattr(args, f.name) for f in fields if getattr(args, f.name) is not None}
    return TrainConfig(**values)


if __name__ == "__main__":
    train(parse_config())
