"""Train a pix2pix generator from the command line (plain torch, no Django):

    python -m inference.lab.pix2pix.train --config run.json
    python -m inference.lab.pix2pix.train --config run.json --resume
    python -m inference.lab.pix2pix.train --data-dir data/datasets/openmoji/train --epochs 20

One ``--flag`` per ``TrainConfig`` field (flags win over the file). A run continues in an
``out_dir`` that already holds one only with ``--resume``, the rule ``manage.py
train_generator`` applies too (:func:`~inference.lab.pix2pix.training.resume.check_resume`).
The training itself lives in :mod:`inference.lab.pix2pix.training`.
"""

from __future__ import annotations

from inference.lab.pix2pix.training.config import build_parser, config_from_args
from inference.lab.pix2pix.training.loop import train
from inference.lab.pix2pix.training.resume import ResumeRefused, check_resume


def main(argv: list[str] | None = None) -> None:
    """Parse the command line, apply the resume rule, train."""
    parser = build_parser()
    args = parser.parse_args(argv)
    cfg = config_from_args(args)
    try:
        check_resume(cfg.out_dir, resume=args.resume)
    except ResumeRefused as exc:
        parser.error(str(exc))
    train(cfg)


if __name__ == "__main__":
    main()
