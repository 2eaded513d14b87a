"""A just-stored sketch's pixels, handed to the inference worker of the same process.

With the worker embedded in the web process (``INFERENCE_EMBEDDED_WORKER``, as ``make run`` and
the load test run), the worker would open the PNG the submission has just written and decode it
again, checks and all, to get back the very pixels the submission encoded it from (the stored
PNG is lossless: the same pixels, tested): about 2 ms of CPU a drawing. So the submission, once
its transaction commits, leaves those pixels here under the stored file's name (the storage
never reuses a name), and the worker takes them, once, instead of reading the file. A drawing
tried again, or claimed by another process's worker, reads its file as before. At most
:data:`KEPT` are kept (the oldest go first), so sketches another process draws, or that are
never drawn, cost memory only until pushed out; where the worker runs elsewhere
(``INFERENCE_EMBEDDED_WORKER=false``) nothing is kept.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from django.conf import settings
from PIL import Image

KEPT = 32  # 512 px RGB sketches: 24 MB at most

_lock = threading.Lock()
_kept: OrderedDict[str, Image.Image] = OrderedDict()


def keep(name: str, image: Image.Image) -> None:
    """Leave the pixels stored as ``name`` for this process's worker (with the worker
    embedded; otherwise nothing). ``image`` must not change afterwards."""
    if not settings.INFERENCE_EMBEDDED_WORKER or not name:
        return
    with _lock:
        _kept[name] = image
        _kept.move_to_end(name)
        while len(_kept) > KEPT:
            _kept.popitem(last=False)


def take(name: str) -> Image.Image | None:
    """The pixels stored as ``name`` if this process's submission left them (once), else None:
    read the file."""
    with _lock:
        return _kept.pop(name, None)


def forget_all() -> None:
    """Drop every kept sketch (tests)."""
    with _lock:
        _kept.clear()
