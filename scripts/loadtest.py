"""Load test: N children draw back to back over the mobile API, each waiting for its picture on
the websocket; the raw generator is timed in this process before and after, on the same path.

    .venv/bin/python scripts/loadtest.py --start embedded --children 16 --drawings-per-child 8
    .venv/bin/python scripts/loadtest.py --start scaleout --children 16 --drawings-per-child 8
    .venv/bin/python scripts/loadtest.py --base-url http://127.0.0.1:8000 --database-url sqlite:///db.sqlite3

The entry point of the documented command; the load test itself is the ``loadtesting`` package
next to this file (its docstring tells the whole story).
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, scripts/ is already on the path; loaded from its file (tests, faulttest), not.
_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

from loadtesting import *  # noqa: E402, F403 - the package's public names, as this module had them
from loadtesting import main  # noqa: E402

if __name__ == "__main__":
    main()
