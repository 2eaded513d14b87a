"""Fault test: the scale-out set (2 web + 2 inference workers on PostgreSQL + Redis) draws 100
drawings while one worker is killed with ``kill -9`` in the middle of a batch, three times, and
started again each time. Then the database must say: every drawing done, each paid exactly once,
and no stored file without a row (nor a row without its file).

    .venv/bin/python scripts/faulttest.py                 # 100 drawings, 3 kills
    .venv/bin/python scripts/faulttest.py --json

The children (signed in over HTTP like ``scripts/loadtest.py``'s) submit in four waves of 25;
each wave is released after the kill before it, so every kill finds work to interrupt. A kill
waits until a worker *holds* at least ``--min-held`` (3) running drawings (rows ``running`` with
that worker's id; any batch after 10 s without one), prefers the worker not killed last, waits
a random 0-250 ms (so the batch may be drawing, encoding or finishing), and counts only if the
dead worker still held drawings right after. The
checks, all through the database and the media folder:

* the 100 drawings are ``done`` (and the socket told each child);
* the XP ledger (``gamification.XPEvent``) has exactly one ``drawing`` entry per drawing, and
  each child's cached progress (``ChildProgress``: drawings done, XP total) agrees with it;
* every file under ``results/`` and ``sketches/`` is some drawing's ``result`` or ``sketch``,
  and every drawing's files exist.

Exit status 0 when all hold, 1 otherwise. The database is ``icanvas_fault`` (dropped and made
again), Redis database 7 (emptied), media in a temporary folder.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import signal
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from loadtesting import (  # the sibling package, found through the path above
    RAISED_LIMITS,
    ChildSession,
    Sample,
    Socket,
    categories_of,
    open_sockets,
    served_by_one_generator,
    setup_django,
    sign_in_children,
    sketch_pool,
    submit_and_wait,
)
from scaleout import DEFAULT_REDIS_URL, ScaleOut

FAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/icanvas_fault"


@dataclass
class Kill:
    worker: str
    pid: int
    held: int  # drawings running under that worker when it died
    at: float
    restarted_pid: int | None = None
    restart_seconds: float | None = None


@dataclass
class Plan:
    """Waves of submissions released by the kills, shared by the children and the killer."""

    total: int
    kills: int
    released: int = 0
    submitted: int = 0
    kills_done: list[Kill] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def release_wave(self) -> None:
        with self.lock:
            waves = self.kills + 1
            wave = len(self.kills_done) + 1
            self.released = min(self.total, round(self.total * wave / waves))

    def take(self) -> bool | None:
        """True: submit one now; False: wait for the next wave; None: all submitted."""
        with self.lock:
            if self.submitted >= self.total:
                return None
            if self.submitted >= self.released:
                return False
            self.submitted += 1
            return True


def held_by(pid: int) -> int:
    from drawings.models import Drawing, DrawingStatus

    return Drawing.objects.filter(
        status=DrawingStatus.RUNNING, worker_id__contains=f":{pid}:"
    ).count()


def killer(
    stack: ScaleOut, plan: Plan, deadline: float, stop: threading.Event, min_held: int
) -> None:
    """Kill a worker mid-batch ``plan.kills`` times, restarting it each time (in its own
    thread, so the other worker keeps drawing meanwhile)."""
    from django.db import close_old_connections

    restarts: list[threading.Thread] = []
    restarting: set[int] = set()  # workers being started again: not killed before they serve
    last = -1
    rng = random.Random(5)
    waiting_since = time.monotonic()
    try:
        while len(plan.kills_done) < plan.kills and time.monotonic() < deadline:
            if stop.is_set():
                return
            order = sorted(range(len(stack.inference)), key=lambda i: i == last)
            victim = None
            # A batch of several, unless none forms within a while (then any batch).
            wanted = min_held if time.monotonic() - waiting_since < 10 else 1
            for index in (i for i in order if i not in restarting):
                worker = stack.inference[index]
                if worker.alive() and worker.pid is not None and held_by(worker.pid) >= wanted:
                    victim = index
                    break
            if victim is None:
                time.sleep(0.005)
                continue
            # Somewhere in the batch's life: drawing, encoding, or storing and finishing.
            time.sleep(rng.uniform(0, 0.25))
            worker = stack.inference[victim]
            pid = stack.kill_worker(victim)
            waiting_since = time.monotonic()
            kill = Kill(worker=worker.name, pid=pid, held=held_by(pid), at=time.monotonic())
            if kill.held == 0:  # it finished the batch just before dying: not mid-batch
                print(f"  {worker.name} (pid {pid}) had just finished; killed anyway, not counted")
            else:
                plan.kills_done.append(kill)
                print(
                    f"  kill -9 {worker.name} (pid {pid}) holding {kill.held} drawing(s)",
                    flush=True,
                )
                plan.release_wave()
            last = victim

            def restart(index: int = victim, kill: Kill = kill) -> None:
                started = time.monotonic()
                try:
                    kill.restarted_pid = stack.restart_worker(index)
                    kill.restart_seconds = round(time.monotonic() - started, 1)
                finally:
                    restarting.discard(index)

            restarting.add(victim)
            thread = threading.Thread(target=restart, daemon=True)
            thread.start()
            restarts.append(thread)
        for thread in restarts:
            thread.join(timeout=max(1.0, deadline - time.monotonic()))
    finally:
        plan.released = plan.total  # whatever happened, let every drawing be submitted
        close_old_connections()


async def child_loop(
    client: httpx.AsyncClient,
    *,
    session: ChildSession,
    socket: Socket,
    plan: Plan,
    pool: list[bytes],
    categories: list[str],
    deadline: float,
) -> list[Sample]:
    samples: list[Sample] = []
    k = 0
    while time.monotonic() < deadline:
        go = plan.take()
        if go is None:
            return samples
        if not go:
            await asyncio.sleep(0.02)
            continue
        samples.append(
            await submit_and_wait(
                client,
                session=session,
                socket=socket,
                sketch=pool[(session.index * 5 + k) % len(pool)],
                category=categories[(session.index + k) % len(categories)],
                timeout=180,
            )
        )
        k += 1
    return samples


async def drive(stack: ScaleOut, args: argparse.Namespace) -> dict[str, Any]:
    plan = Plan(total=args.drawings, kills=args.kills)
    plan.release_wave()
    deadline = time.monotonic() + args.timeout
    stop = threading.Event()
    async with httpx.AsyncClient(timeout=60) as client:
        sessions = await sign_in_children(client, stack.base_urls, args.children, 5)
        categories = await asyncio.to_thread(
            served_by_one_generator, await categories_of(client, sessions[0])
        )
        pool = sketch_pool(40, seed=11)
        sockets = await open_sockets(sessions)
        kill_thread = threading.Thread(
            target=killer, args=(stack, plan, deadline, stop, args.min_held), daemon=True
        )
        kill_thread.start()
        try:
            per_child = await asyncio.gather(
                *(
                    child_loop(
                        client,
                        session=s,
                        socket=sock,
                        plan=plan,
                        pool=pool,
                        categories=categories,
                        deadline=deadline,
                    )
                    for s, sock in zip(sessions, sockets, strict=True)
                )
            )
        finally:
            stop.set()
            for sock in sockets:
                with contextlib.suppress(Exception):
                    await sock.close()
        await asyncio.to_thread(kill_thread.join, 60)
    samples = [s for child in per_child for s in child]
    return {
        "samples": samples,
        "kills": plan.kills_done,
        "child_ids": [s.child_id for s in sessions],
    }


def verify(child_ids: list[int], media_root: Path, expected: int) -> dict[str, Any]:
    from django.db.models import Count, Sum

    from drawings.models import Drawing, DrawingStatus
    from gamification.models import ChildProgress, XPEvent, XPSource

    drawings = list(
        Drawing.objects.filter(child_id__in=child_ids).values(
            "pk", "child_id", "status", "attempts", "sketch", "result"
        )
    )
    statuses = Counter(d["status"] for d in drawings)
    paid = Counter(
        dict(
            XPEvent.objects.filter(child_id__in=child_ids, source_type=XPSource.DRAWING)
            .values_list("source_id")
            .annotate(n=Count("id"))
            .values_list("source_id", "n")
        )
    )
    paid_twice = sorted(int(k) for k, n in paid.items() if n > 1)
    unpaid = sorted(d["pk"] for d in drawings if paid.get(str(d["pk"]), 0) == 0)
    progress_mismatch = []
    for child_id in child_ids:
        done = sum(
            1 for d in drawings if d["child_id"] == child_id and d["status"] == DrawingStatus.DONE
        )
        total = XPEvent.objects.filter(child_id=child_id).aggregate(t=Sum("amount"))["t"] or 0
        progress = ChildProgress.objects.filter(child_id=child_id).first()
        if progress is None or progress.drawings_done != done or progress.xp_total != total:
            progress_mismatch.append(child_id)
    referenced = {d["sketch"] for d in drawings} | {d["result"] for d in drawings if d["result"]}
    stored = {
        f"{folder}/{path.name}"
        for folder in ("sketches", "results")
        for path in (media_root / folder).glob("*")
        if path.is_file()
    }
    orphans = sorted(stored - referenced)
    missing = sorted(referenced - stored)
    checks = {
        f"{expected} drawings": len(drawings) == expected,
        "all done": statuses.get(DrawingStatus.DONE, 0) == expected,
        "each paid exactly once": not paid_twice and not unpaid,
        "progress agrees with the ledger": not progress_mismatch,
        "no stored file without a row": not orphans,
        "no row without its files": not missing,
    }
    return {
        "checks": checks,
        "drawings": len(drawings),
        "statuses": dict(statuses),
        "attempts": dict(sorted(Counter(d["attempts"] for d in drawings).items())),
        "paid_twice": paid_twice,
        "unpaid": unpaid,
        "progress_mismatch": progress_mismatch,
        "orphan_files": orphans,
        "missing_files": missing,
        "stored_files": len(stored),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--drawings", type=int, default=100)
    parser.add_argument("--children", type=int, default=10)
    parser.add_argument("--kills", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--min-held", type=int, default=3, help="kill a worker holding at least this many"
    )
    parser.add_argument("--worker-threads", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=300.0, help="the whole drawing part")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    media_root = Path(tempfile.mkdtemp(prefix="icanvas-fault-"))
    stack = ScaleOut(
        database_url=FAULT_DATABASE_URL,
        redis_url=DEFAULT_REDIS_URL,
        workers=args.workers,
        worker_threads=args.worker_threads,
        media_root=media_root,
        log_dir=media_root / "logs",
        extra_env=RAISED_LIMITS,
    )

    def on_signal(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    started = time.monotonic()
    with stack:
        stack.prepare(fresh=True)
        stack.start()
        stack.wait_ready()
        setup_django(FAULT_DATABASE_URL)
        print(f"fault test: {args.drawings} drawings, {args.kills} kills, logs in {stack.log_dir}")
        run = asyncio.run(drive(stack, args))
        # Let the workers finish whatever the last kill put back in the queue.
        from drawings.models import Drawing, DrawingStatus

        settle = time.monotonic() + 120
        while time.monotonic() < settle and (
            Drawing.objects.filter(child_id__in=run["child_ids"])
            .exclude(status__in=[DrawingStatus.DONE, DrawingStatus.FAILED])
            .exists()
        ):
            time.sleep(0.5)
        time.sleep(1.0)  # deletions run on commit; give the last one a moment
        report = verify(run["child_ids"], media_root, args.drawings)
    samples: list[Sample] = run["samples"]
    kills: list[Kill] = run["kills"]
    report["kills"] = [k.__dict__ for k in kills]
    report["checks"][f"{args.kills} kills mid-batch"] = len(kills) == args.kills
    report["events_done"] = sum(1 for s in samples if s.status == "done")
    report["errors"] = dict(Counter(s.error for s in samples if s.error))
    report["seconds"] = round(time.monotonic() - started, 1)
    report["throttles_raised"] = list(RAISED_LIMITS)
    passed = all(report["checks"].values())
    report["verdict"] = "PASS" if passed else "FAIL"
    if args.json:
        print(json.dumps(report, indent=2, default=str))
    else:
        for kill in kills:
            print(
                f"killed {kill.worker} pid {kill.pid} holding {kill.held}; restarted as pid "
                f"{kill.restarted_pid} in {kill.restart_seconds} s"
            )
        print(f"statuses {report['statuses']}, attempts {report['attempts']}")
        print(f"socket events 'done': {report['events_done']}, errors: {report['errors'] or 0}")
        for check, ok in report["checks"].items():
            print(f"  [{'ok' if ok else 'FAILED'}] {check}")
        for key in ("paid_twice", "unpaid", "progress_mismatch", "orphan_files", "missing_files"):
            if report[key]:
                print(f"  {key}: {report[key][:10]}")
        print(f"verdict: {report['verdict']} ({report['seconds']} s)")
    sys.exit(0 if passed else 1)


if __name__ == "__main__":
    main()
