"""Who holds a running drawing: ``host:pid:token``, written on the row when a worker claims it.

A worker killed with ``kill -9`` cannot give its rows back. The worker that starts after it on
the same machine reads the dead one's id on those rows, sees that its process is gone and queues
them again at once, instead of waiting out their lease. Elsewhere, a heartbeat the holder renews
(``drawings.lifecycle``) tells a live worker's rows from a dead one's.

The host part is the hostname plus, on Linux, the PID namespace: two containers sharing a
hostname but not their process table never judge each other's processes. The random token tells
two workers that got the same pid apart.
"""

from __future__ import annotations

import functools
import os
import secrets
import socket


@functools.cache
def this_host() -> str:
    """This machine (and PID namespace), as written in the worker ids it starts."""
    host = socket.gethostname()[:64].replace(":", "-") or "localhost"
    try:
        namespace = os.stat("/proc/self/ns/pid").st_ino
    except OSError:
        return host
    return f"{host}+pidns{namespace}"


def new_worker_id() -> str:
    """A fresh id for one worker of this process: ``host:pid:token``."""
    return f"{this_host()}:{os.getpid()}:{secrets.token_hex(6)}"


def _process_is_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, someone else's
        return False
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            # A zombie has exited; only its parent has not read its status yet.
            return stat.read().rpartition(")")[2].split()[0] == "Z"
    except (OSError, IndexError):
        return False


def is_dead_here(worker_id: str) -> bool:
    """True when ``worker_id`` names a worker of this host whose process no longer runs.

    A worker of another host (or one whose id does not parse) is never judged here: its
    heartbeat decides. A pid taken again by another process reads as alive (the heartbeat
    then decides too), so a live worker's rows are never taken by this check.
    """
    host, _, rest = worker_id.partition(":")
    pid, _, token = rest.partition(":")
    if host != this_host() or not pid.isdigit() or not token:
        return False
    return _process_is_gone(int(pid))
