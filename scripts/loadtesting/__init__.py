"""Load test: N children draw back to back over the mobile API, each waiting for its picture on
the websocket; the raw generator is timed in this process before and after, on the same path.

    .venv/bin/python scripts/loadtest.py --start embedded --children 16 --drawings-per-child 8
    .venv/bin/python scripts/loadtest.py --start scaleout --children 16 --drawings-per-child 8
    .venv/bin/python scripts/loadtest.py --base-url http://127.0.0.1:8000 --database-url sqlite:///db.sqlite3

What it does, all over HTTP with no cookie (as the phone app does):

1. signs up ``children / --children-per-family`` parents, signs each in (a knox token), adds the
   children with a PIN and consent, and gets each child a play token with the PIN;
2. opens one socket per child (``Authorization: Bearer <play token>``) and submits one warm-up
   drawing per child (not counted: the workers load the generator on their first batch);
3. times the raw generator here (``raw_rates``, ``drawers``: the very call the worker makes and
   the fast copy of the same weights, at batch sizes 1, 2, 4, 8), then the load segment: every
   child submits a sketch (``POST /api/v1/drawings/``, multipart) and waits for its
   ``drawing.status`` ``done`` event before the next, then times the raw generator again;
4. reads the batches the workers formed from the database (drawings claimed together share the
   worker id and ``started_at``; without ``--database-url`` only the events' ``started_at``).

It prints drawings/s, p50/p95/max submit→event latency, the batch sizes, the raw images/s before
and after, the serving efficiency (drawings/s ÷ raw images/s of the served path at the batch
sizes formed) and every error (non-2xx, timeouts, failed drawings); ``--json`` prints the same as
one JSON object. ``--start embedded|scaleout`` starts the servers itself (embedded: one uvicorn
on port 8043 with the worker inside, its own SQLite database and media in a temporary
directory; scaleout: ``scripts/scaleout.py``'s 2 web + 2 workers on PostgreSQL ``icanvas_load``
and Redis database 7) and raises the sign-up, sign-in, PIN and submission throttles of *those*
servers through their environment variables (``RAISED_LIMITS``), since 16 scripted children
submit far faster than real ones may. Pointed at a running server (``--base-url``), its own
throttles apply, and 429s show up as errors.

The package, by concern: ``sketches`` (what the children draw), ``servers`` (the servers under
load), ``families`` (sign-up and sign-in over HTTP), ``children`` (a child's socket, submissions
and previews), ``raw`` (the bare generator, timed here), ``figures`` (batches, percentiles, CPU),
``run`` (one load run) and ``cli`` (the command line and the table). ``scripts/loadtest.py`` is
the entry point.
"""

from __future__ import annotations

from .children import (
    Sample,
    Socket,
    open_sockets,
    preview_summary,
    run_child,
    start_previews,
    submit_and_wait,
    thinking,
)
from .cli import main, parse_args, print_table
from .families import (
    PASSWORD,
    PIN,
    ChildSession,
    categories_of,
    play_token,
    sign_in_children,
    sign_up_family,
)
from .figures import (
    CpuMeter,
    batches_from_database,
    batches_from_events,
    cpu_seconds,
    histogram,
    percentile,
    rounded,
    start_profile,
    stop_profile,
)
from .raw import (
    SERVED_PATH,
    as_the_worker_reads,
    cpu_ms_at_batches,
    drawers,
    fast_path_setting,
    rate_at,
    rate_at_batches,
    raw_rates,
    raw_report,
    served_by_one_generator,
    torch_threads,
)
from .run import Options, bare_model, load, split_server_cpu
from .servers import (
    EMBEDDED_PORT,
    LOAD_DATABASE_URL,
    RAISED_LIMITS,
    EmbeddedServer,
    make_server,
    server_pids,
    setup_django,
    start_server,
)
from .sketches import CRAYONS, child_sketch, sketch_pool, small_sketches

__all__ = [
    "CRAYONS",
    "EMBEDDED_PORT",
    "LOAD_DATABASE_URL",
    "PASSWORD",
    "PIN",
    "RAISED_LIMITS",
    "SERVED_PATH",
    "ChildSession",
    "CpuMeter",
    "EmbeddedServer",
    "Options",
    "Sample",
    "Socket",
    "as_the_worker_reads",
    "bare_model",
    "batches_from_database",
    "batches_from_events",
    "categories_of",
    "child_sketch",
    "cpu_ms_at_batches",
    "cpu_seconds",
    "drawers",
    "fast_path_setting",
    "histogram",
    "load",
    "main",
    "make_server",
    "open_sockets",
    "parse_args",
    "percentile",
    "play_token",
    "preview_summary",
    "print_table",
    "rate_at",
    "rate_at_batches",
    "raw_rates",
    "raw_report",
    "rounded",
    "run_child",
    "served_by_one_generator",
    "server_pids",
    "setup_django",
    "sign_in_children",
    "sign_up_family",
    "sketch_pool",
    "small_sketches",
    "split_server_cpu",
    "start_previews",
    "start_profile",
    "start_server",
    "stop_profile",
    "submit_and_wait",
    "thinking",
    "torch_threads",
]
