"""Run iCanvas as production does, on this machine: PostgreSQL + Redis, N web processes (uvicorn,
no worker inside) and M ``manage.py inference_worker`` processes.

    .venv/bin/python scripts/scaleout.py                        # 2 web (8041, 8042) + 2 workers
    .venv/bin/python scripts/scaleout.py --fresh --workers 3    # new database, three workers

Migrations run first (once, before anything serves). Every process gets the same environment
(``DATABASE_URL``, ``REDIS_URL``, ``MEDIA_ROOT``, ``SECRET_KEY``,
``INFERENCE_EMBEDDED_WORKER=false``) and its own log file. A process that dies is started
again (the fault test relies on the workers' recovery, not on this). Ctrl+C or SIGTERM stops
everything cleanly: SIGTERM to each process this script started, SIGKILL to whatever is still
there after ``--grace`` seconds.

``scripts/loadtest.py --start scaleout`` and ``scripts/faulttest.py`` use :class:`ScaleOut` from
here. Only processes this script started are ever signalled, by their own pid.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
UVICORN = str(ROOT / ".venv" / "bin" / "uvicorn")
# The same limits as `make run` (Makefile UVICORN_LIMITS).
UVICORN_LIMITS = [
    "--limit-concurrency",
    "256",
    "--timeout-keep-alive",
    "5",
    "--h11-max-incomplete-event-size",
    "16384",
    "--ws-max-size",
    "65536",
]
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/icanvas_load"
# redis-py 8 reads with a 5 s socket timeout by default, the same 5 s channels_redis blocks for
# on an idle channel (BZPOPMIN): the read times out first, and the error ends the websocket
# consumer (and the worker's receive). A longer socket timeout in the URL avoids it until the
# channel layer's settings set one (docs/deploy.md).
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/7?socket_timeout=15"
SCRATCH = Path(tempfile.gettempdir()) / "icanvas-scaleout"  # media and logs


@dataclass
class Managed:
    """One process this script started."""

    name: str
    argv: list[str]
    log_path: Path
    popen: subprocess.Popen[bytes] | None = None
    log: IO[bytes] | None = None
    starts: int = 0

    @property
    def pid(self) -> int | None:
        return self.popen.pid if self.popen is not None else None

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None


@dataclass
class ScaleOut:
    """The production process set on one machine; a context manager that stops what it started."""

    database_url: str = DEFAULT_DATABASE_URL
    redis_url: str = DEFAULT_REDIS_URL
    ports: tuple[int, ...] = (8041, 8042)
    workers: int = 2
    media_root: Path = SCRATCH
    log_dir: Path = SCRATCH / "logs"
    worker_threads: int = 1
    host: str = "127.0.0.1"
    extra_env: dict[str, str] = field(default_factory=dict)
    grace: float = 10.0
    webs: list[Managed] = field(default_factory=list)
    inference: list[Managed] = field(default_factory=list)

    # The environment -------------------------------------------------------------------------

    def env(self, **overrides: str) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            {
                "DATABASE_URL": self.database_url,
                "REDIS_URL": self.redis_url,
                "MEDIA_ROOT": str(self.media_root),
                "INFERENCE_EMBEDDED_WORKER": "false",
                # One key for every process: result file names are keyed hashes of it.
                "SECRET_KEY": env.get("SECRET_KEY", "scaleout-local-secret-not-for-production"),
                "PYTHONUNBUFFERED": "1",
            }
        )
        env.update(self.extra_env)
        env.update(overrides)
        return env

    @property
    def base_urls(self) -> list[str]:
        return [f"http://{self.host}:{port}" for port in self.ports]

    # Preparation ------------------------------------------------------------------------------

    def prepare(self, *, fresh: bool) -> None:
        """Create the database (dropped first with ``fresh``), empty this run's Redis database
        when ``fresh``, and migrate."""
        self.media_root.mkdir(parents=True, exist_ok=True)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        ensure_database(self.database_url, drop=fresh)
        if fresh:
            flush_redis_db(self.redis_url)
        subprocess.run(
            [PYTHON, "manage.py", "migrate", "--noinput", "--verbosity", "0"],
            cwd=ROOT,
            env=self.env(),
            check=True,
        )

    # Processes --------------------------------------------------------------------------------

    def start(self) -> None:
        for index, port in enumerate(self.ports):
            web = Managed(
                name=f"web{index + 1}",
                argv=[
                    UVICORN,
                    "icanvas_site.asgi:application",
                    "--host",
                    self.host,
                    "--port",
                    str(port),
                    "--lifespan",
                    "on",
                    "--ws",
                    "websockets-sansio",
                    *UVICORN_LIMITS,
                ],
                log_path=self.log_dir / f"web{index + 1}.log",
            )
            self.webs.append(web)
            self._spawn(web)
        for index in range(self.workers):
            worker = Managed(
                name=f"worker{index + 1}",
                argv=[PYTHON, "manage.py", "inference_worker"],
                log_path=self.log_dir / f"worker{index + 1}.log",
            )
            self.inference.append(worker)
            self._spawn(worker)

    def _spawn(self, proc: Managed) -> None:
        if proc.log is not None:
            proc.log.close()
        proc.log = proc.log_path.open("ab")
        proc.log.write(f"\n--- start {proc.starts + 1} at {time.time():.3f}\n".encode())
        proc.log.flush()
        extra = {}
        if proc.name.startswith("worker"):
            extra["CONN_MAX_AGE"] = "60"  # a worker reuses its connection (README)
            if self.worker_threads > 0:
                extra["INFERENCE_THREADS"] = str(self.worker_threads)
        proc.popen = subprocess.Popen(
            proc.argv,
            cwd=ROOT,
            env=self.env(**extra),
            stdout=proc.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl+C reaches this script only; it stops the rest
        )
        proc.starts += 1

    def wait_ready(self, timeout: float = 120.0) -> None:
        """Until every web process answers HTTP and every worker logged that it started."""
        deadline = time.monotonic() + timeout
        for url in self.base_urls:
            while not http_ok(url + "/api/schema/"):
                self._check_alive()
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{url} did not answer within {timeout:.0f} s")
                time.sleep(0.3)
        for worker in self.inference:
            self.wait_worker_started(worker, deadline=deadline)

    def wait_worker_started(self, worker: Managed, *, deadline: float) -> None:
        while True:
            text = worker.log_path.read_bytes()
            tail = text[text.rfind(b"--- start ") :]  # this start's lines only
            if b"inference worker" in tail and b" started (" in tail:
                return
            if not worker.alive():  # only this one: another may be down on purpose (a kill)
                raise RuntimeError(f"{worker.name} exited; see {worker.log_path}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"{worker.name} did not start in time")
            time.sleep(0.2)

    def _check_alive(self) -> None:
        for proc in [*self.webs, *self.inference]:
            if not proc.alive():
                raise RuntimeError(f"{proc.name} exited; see {proc.log_path}")

    def kill_worker(self, index: int) -> int:
        """``kill -9`` worker ``index`` (a process this script started); returns its pid."""
        worker = self.inference[index]
        assert worker.popen is not None
        pid = worker.popen.pid
        os.kill(pid, signal.SIGKILL)
        worker.popen.wait()
        return pid

    def restart_worker(self, index: int, *, wait: bool = True, timeout: float = 120.0) -> int:
        worker = self.inference[index]
        if worker.alive():
            raise RuntimeError(f"{worker.name} is still running")
        self._spawn(worker)
        if wait:
            self.wait_worker_started(worker, deadline=time.monotonic() + timeout)
        assert worker.pid is not None
        return worker.pid

    def supervise(self, *, stop_after: float | None = None) -> None:
        """Restart whatever dies, until interrupted (or ``stop_after`` seconds)."""
        started = time.monotonic()
        while stop_after is None or time.monotonic() - started < stop_after:
            for proc in [*self.webs, *self.inference]:
                if not proc.alive():
                    code = proc.popen.returncode if proc.popen is not None else None
                    print(f"{proc.name} exited ({code}); starting it again", flush=True)
                    self._spawn(proc)
            time.sleep(0.5)

    def stop(self) -> None:
        """SIGTERM to each started process, SIGKILL after ``grace`` seconds; workers first so
        no drawing is left half-finished behind a web process that is already gone."""
        for group in (self.inference, self.webs):
            for proc in group:
                if proc.alive():
                    assert proc.popen is not None
                    with contextlib.suppress(ProcessLookupError):
                        proc.popen.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + self.grace
            for proc in group:
                if proc.popen is None:
                    continue
                try:
                    proc.popen.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    with contextlib.suppress(ProcessLookupError):
                        proc.popen.kill()
                    proc.popen.wait()
                if proc.log is not None:
                    proc.log.close()
                    proc.log = None

    def __enter__(self) -> ScaleOut:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


# Helpers --------------------------------------------------------------------------------------


def http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - our own server
            return bool(response.status < 500)
    except urllib.error.HTTPError as exc:
        return exc.code < 500
    except (OSError, ValueError):
        return False


def ensure_database(database_url: str, *, drop: bool) -> None:
    """Create the PostgreSQL database named in ``database_url`` if missing (drop it first with
    ``drop``). SQLite URLs need nothing."""
    parts = urllib.parse.urlsplit(database_url)
    if not parts.scheme.startswith("postgres"):
        return
    import psycopg
    from psycopg import sql

    name = parts.path.lstrip("/")
    admin_url = urllib.parse.urlunsplit(parts._replace(path="/postgres", scheme="postgresql"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if drop:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def flush_redis_db(redis_url: str) -> None:
    """Empty the one Redis database this run uses (never database 0)."""
    import redis

    client: Any = redis.Redis.from_url(redis_url)
    if int(client.connection_pool.connection_kwargs.get("db", 0)) == 0:
        raise SystemExit("refusing to flush Redis database 0; use a database of your own (/7)")
    client.flushdb()
    client.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    parser.add_argument("--ports", default="8041,8042", help="one web process per port")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--worker-threads",
        type=int,
        default=1,
        help="INFERENCE_THREADS of each worker (0: torch's default, all cores)",
    )
    parser.add_argument("--media-root", type=Path, default=SCRATCH)
    parser.add_argument("--fresh", action="store_true", help="drop and recreate the database")
    parser.add_argument("--grace", type=float, default=10.0)
    args = parser.parse_args()

    stack = ScaleOut(
        database_url=args.database_url,
        redis_url=args.redis_url,
        ports=tuple(int(p) for p in args.ports.split(",")),
        workers=args.workers,
        media_root=args.media_root,
        log_dir=args.media_root / "logs",
        worker_threads=args.worker_threads,
        grace=args.grace,
    )

    def on_signal(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    print(f"migrating {args.database_url} ...", flush=True)
    stack.prepare(fresh=args.fresh)
    with stack:
        stack.start()
        stack.wait_ready()
        print("serving:", " ".join(stack.base_urls), flush=True)
        for proc in [*stack.webs, *stack.inference]:
            print(f"  {proc.name}: pid {proc.pid}, log {proc.log_path}", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            stack.supervise()
        print("stopping ...", flush=True)
    print("stopped", flush=True)
    sys.exit(0)


if __name__ == "__main__":
    main()
