"""What one training run is: ``TrainConfig`` (saved as ``config.json`` beside its checkpoints)
and the command line that fills it, one ``--flag`` per field over an optional JSON file.

Every field keeps its name and meaning across versions: a run's ``config.json``, the epoch
cards and ``docs/generators/*.train.json`` are read back with it.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inference.serving.pix2pix.data import SKETCH_STYLES
from inference.serving.pix2pix.generator_config import SKETCH_INPUTS, GeneratorConfig

DESCRIPTION = "Train a pix2pix generator: GAN + λ·L1, Adam 2e-4, β1 0.5, as in the paper."


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


def _flag_bool(text: str) -> bool:
    return text.lower() in ("1", "true", "yes")


_FLAG_TYPES: dict[str, Callable[[str], Any]] = {"int": int, "float": float, "bool": _flag_bool}


def build_parser() -> argparse.ArgumentParser:
    """``--config FILE.json``, ``--resume`` and one ``--flag`` per ``TrainConfig`` field."""
    parser = argparse.ArgumentParser(description=DESCRIPTION)
    parser.add_argument("--config", type=Path)
    parser.add_argument(
        "--resume", action="store_true", help="Continue the run in out_dir (resume.json)."
    )
    for field in dataclasses.fields(TrainConfig):
        # Annotations are strings here ("int", "str | None"...); the first word is the type.
        kind = str(field.type).split(" ")[0]
        parser.add_argument(
            f"--{field.name.replace('_', '-')}",
            dest=field.name,
            type=_FLAG_TYPES.get(kind, str),
            nargs="+" if kind.startswith("list[") else None,
        )
    return parser


def config_from_args(args: argparse.Namespace) -> TrainConfig:
    """The config of parsed arguments: the ``--config`` file, then the flags over it."""
    values = json.loads(args.config.read_text()) if args.config else {}
    fields = dataclasses.fields(TrainConfig)
    values |= {f.name: getattr(args, f.name) for f in fields if getattr(args, f.name) is not None}
    return TrainConfig(**values)


def parse_config(argv: list[str] | None = None) -> TrainConfig:
    """``--config FILE.json`` and/or one ``--flag`` per field (flags win over the file)."""
    return config_from_args(build_parser().parse_args(argv))
