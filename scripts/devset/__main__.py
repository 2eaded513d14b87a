"""``python -m scripts.devset --out data/devsets/canvas``: the same as scripts/canvas_devset.py."""

import sys

from .cli import main

sys.exit(main())
