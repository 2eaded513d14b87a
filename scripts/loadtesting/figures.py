"""The arithmetic of the report: the batches the workers formed, percentiles, and the CPU the
servers and this client burn.
"""

from __future__ import annotations

import math
import os
import signal
import statistics
import subprocess
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scaleout import (  # the sibling script: scripts/ is on the path
    PYTHON,
)

if TYPE_CHECKING:  # children use the figures too
    from .children import Sample


def batches_from_database(drawing_ids: Sequence[int]) -> dict[str, Any]:
    """Claims read back from the rows: a worker claims a micro-batch in one UPDATE, so the
    drawings of one claim share ``worker_id`` and ``started_at``; a worker draws a claim in one
    generator call per generator, whatever its categories (``categories_per_claim``: how mixed
    those calls were)."""
    from drawings.models import Drawing

    rows = Drawing.objects.filter(pk__in=list(drawing_ids)).values(
        "pk", "worker_id", "started_at", "category", "attempts", "status", "inference_ms"
    )
    claims: Counter[tuple[str, Any]] = Counter()
    kinds: defaultdict[tuple[str, Any], set[str]] = defaultdict(set)
    workers: Counter[str] = Counter()
    attempts: Counter[int] = Counter()
    drawn_ms: list[int] = []
    for row in rows:
        if row["inference_ms"] is not None:
            drawn_ms.append(row["inference_ms"])
        claims[(row["worker_id"], row["started_at"])] += 1
        kinds[(row["worker_id"], row["started_at"])].add(row["category"])
        workers[row["worker_id"].rsplit(":", 1)[0]] += 1
        attempts[row["attempts"]] += 1
    return {
        "source": "database rows (worker_id, started_at)",
        "claim_sizes": sorted(claims.values()),
        "categories_per_claim": sorted(len(k) for k in kinds.values()),
        "drawings_per_worker_process": dict(workers),
        "attempts": dict(sorted(attempts.items())),
        # The worker's own generator time per picture (its batch's call ÷ its size, whole ms).
        "worker_ms_per_picture": round(statistics.fmean(drawn_ms), 2) if drawn_ms else None,
    }


def batches_from_events(samples: Sequence[Sample]) -> dict[str, Any]:
    claims: Counter[str] = Counter(s.started_at for s in samples if s.started_at)
    return {
        "source": "events' started_at (no database: workers not told apart)",
        "claim_sizes": sorted(claims.values()),
    }


def histogram(sizes: Sequence[int]) -> dict[int, int]:
    return dict(sorted(Counter(sizes).items()))


def percentile(values: Sequence[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, math.ceil(q / 100 * len(ordered)) - 1))
    return ordered[rank]


def rounded(value: float | None) -> float | None:
    return round(value, 1) if value is not None else None


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds a process (all its threads) has used so far; None if gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_profile(pids: Sequence[int], out: Path) -> list[subprocess.Popen[bytes]]:
    """``py-spy record`` (raw collapsed stacks, 100 Hz, active samples only) of each pid into
    ``out.PID.txt`` until :func:`stop_profile`."""
    spy = Path(PYTHON).with_name("py-spy")
    if not spy.exists():
        raise SystemExit(f"--profile needs py-spy ({spy}): pip install py-spy")
    return [
        subprocess.Popen(
            [
                str(spy),
                "record",
                "--pid",
                str(pid),
                "--rate",
                "100",
                "--format",
                "raw",
                "--output",
                f"{out}.{pid}.txt",
                "--nonblocking",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for pid in pids
    ]


def stop_profile(spies: Sequence[subprocess.Popen[bytes]]) -> None:
    for spy in spies:
        spy.send_signal(signal.SIGINT)  # py-spy writes its file on SIGINT
    for spy in spies:
        try:
            spy.wait(timeout=30)
        except subprocess.TimeoutExpired:
            spy.kill()


class CpuMeter:
    """Where the cores go during the load segment: the servers' CPU time and this client's,
    and (``profile``) py-spy recording the servers meanwhile."""

    def __init__(self, pids: Sequence[int], profile: Path | None) -> None:
        self.pids = list(pids)
        self.spies = start_profile(self.pids, profile) if profile else []
        self.before = {pid: cpu_seconds(pid) for pid in self.pids}
        self.own_before = time.process_time()
        self.started = time.perf_counter()
        self.server = self.own = self.elapsed = 0.0

    def stop(self) -> None:
        self.own = time.process_time() - self.own_before
        self.elapsed = time.perf_counter() - self.started
        for pid in self.pids:
            now, then = cpu_seconds(pid), self.before[pid]
            if now is not None and then is not None:
                self.server += now - then
        stop_profile(self.spies)

    def report(self, done: int) -> dict[str, Any]:
        def busy(seconds: float) -> float | None:
            return round(seconds / self.elapsed, 2) if self.elapsed > 0 else None

        def per_drawing(seconds: float) -> float | None:
            return round(1000 * seconds / done, 1) if done else None

        return {
            "cores": os.cpu_count(),
            "server_cpu_s": round(self.server, 2),
            "client_cpu_s": round(self.own, 2),
            "server_cores_busy": busy(self.server),
            "client_cores_busy": busy(self.own),
            "server_cpu_ms_per_drawing": per_drawing(self.server),
            "client_cpu_ms_per_drawing": per_drawing(self.own),
        }
