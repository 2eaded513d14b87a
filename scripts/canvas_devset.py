"""Build the child-like dev set: drawings made with the mouse on the real canvas page.

The entry point of the documented command; the builder itself is the ``devset`` package next to
this file (its docstring tells the whole story):

    .venv/bin/python scripts/canvas_devset.py --out data/devsets/canvas [--seeds 2]
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, scripts/ is already on the path; loaded from its file (the browser test), not.
_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

from devset import *  # noqa: E402, F403 - the package's public names, as this module had them
from devset import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
