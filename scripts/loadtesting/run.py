"""One load run: sign in, warm up, time the raw generator, the load segment, time it again, and the
figures.
"""

from __future__ import annotations

import asyncio
import contextlib
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from .children import (
    open_sockets,
    preview_summary,
    run_child,
    start_previews,
    submit_and_wait,
    thinking,
)
from .families import categories_of, sign_in_children
from .figures import (
    CpuMeter,
    batches_from_database,
    batches_from_events,
    histogram,
    percentile,
    rounded,
)
from .raw import (
    SERVED_PATH,
    as_the_worker_reads,
    cpu_ms_at_batches,
    drawers,
    fast_path_setting,
    raw_rates,
    raw_report,
    served_by_one_generator,
    torch_threads,
)
from .sketches import sketch_pool


@dataclass
class Options:
    base_urls: list[str]
    children: int
    per_child: int
    per_family: int
    timeout: float
    max_seconds: float
    raw_sizes: list[int]
    raw_seconds: float
    raw_rounds: int
    compile_fast: bool
    raw_paths: list[str]
    use_database: bool
    seed: int
    previews: bool = False
    # Mean seconds a child spends drawing between submissions (0: back to back), each pause
    # drawn uniformly from half to one and a half times it.
    think: float = 0.0
    # The server processes (this script's own, when it started them): their CPU time during the
    # load segment is reported, and ``profile`` records them with py-spy meanwhile.
    server_pids: list[int] = field(default_factory=list)
    profile: Path | None = None


async def load(options: Options) -> dict[str, Any]:
    limits = httpx.Limits(max_connections=4 * options.children + 8, max_keepalive_connections=64)
    async with httpx.AsyncClient(timeout=options.timeout, limits=limits) as client:
        sessions = await sign_in_children(
            client, options.base_urls, options.children, options.per_family
        )
        offered = await categories_of(client, sessions[0])
        categories = await asyncio.to_thread(served_by_one_generator, offered)
        pool = sketch_pool(max(32, options.children * 2), options.seed)
        sockets = await open_sockets(sessions)
        try:
            # Warm-up: one drawing per child, not counted (the workers load the generator).
            warm = await asyncio.gather(
                *(
                    submit_and_wait(
                        client,
                        session=s,
                        socket=sock,
                        sketch=pool[s.index],
                        category=categories[0],
                        timeout=180,
                    )
                    for s, sock in zip(sessions, sockets, strict=True)
                )
            )
            warm_errors = [w.error for w in warm if w.error]
            if warm_errors:
                raise RuntimeError(f"warm-up failed: {Counter(warm_errors)}")

            name, paths = await asyncio.to_thread(
                drawers,
                categories[0],
                compile_fast=options.compile_fast,
                names=[SERVED_PATH, *(p for p in options.raw_paths if p != SERVED_PATH)],
            )
            served = SERVED_PATH
            images = await asyncio.to_thread(as_the_worker_reads, categories[0], pool)
            generator_cpu: dict[str, dict[int, float]] = {}
            before = await asyncio.to_thread(
                raw_rates,
                paths,
                images,
                categories,
                options.raw_sizes,
                rounds=options.raw_rounds,
                seconds=options.raw_seconds,
                cpu_ms=generator_cpu,
            )

            if options.previews:  # every child also peeks while drawing
                start_previews(sessions, sockets, pool, categories[0])
            meter = CpuMeter(options.server_pids, options.profile)
            started = time.perf_counter()
            per_child = await asyncio.gather(
                *(
                    run_child(
                        client,
                        s,
                        sock,
                        sketches=pool,
                        categories=categories,
                        count=options.per_child,
                        timeout=options.timeout,
                        stop_at=started + options.max_seconds,
                        think=thinking(options.think, options.seed + s.index),
                    )
                    for s, sock in zip(sessions, sockets, strict=True)
                )
            )
            samples = [sample for child in per_child for sample in child]
            ended = max([s.event for s in samples if s.event] or [time.perf_counter()])
            meter.stop()
            for sock in sockets:
                sock.stop_previews()

            after = await asyncio.to_thread(
                raw_rates,
                paths,
                images,
                categories,
                options.raw_sizes,
                rounds=options.raw_rounds,
                seconds=options.raw_seconds,
            )
        finally:
            for sock in sockets:
                with contextlib.suppress(Exception):
                    await sock.close()

    done = [s for s in samples if s.status == "done" and s.event is not None]
    latencies = [(s.event - s.submitted) * 1000 for s in done if s.event is not None]
    post_ms = [(s.answered - s.submitted) * 1000 for s in samples if s.answered is not None]
    elapsed = ended - started
    ids = [s.drawing_id for s in samples if s.drawing_id is not None]
    if options.use_database:
        batches = await asyncio.to_thread(batches_from_database, ids)
    else:
        batches = batches_from_events(done)
    claim_sizes: list[int] = batches["claim_sizes"]
    drawings_per_s = len(done) / elapsed if elapsed > 0 else 0.0

    raw = raw_report(paths, before, after, claim_sizes, drawings_per_s)
    worker_ms = batches.get("worker_ms_per_picture")
    served_rate = raw[SERVED_PATH]["at_batches_formed"]
    worker_vs_raw = (
        round(worker_ms / (1000 / served_rate), 2) if worker_ms and served_rate else None
    )
    errors = Counter(s.error for s in samples if s.error)
    previews = {"previews": preview_summary(sockets)} if options.previews else {}
    cpu = split_server_cpu(meter.report(len(done)), generator_cpu, claim_sizes)
    return {
        **previews,
        "cpu": cpu,
        "children": options.children,
        "drawings_per_child": options.per_child,
        "think_seconds": options.think,
        "base_urls": options.base_urls,
        "generator": name,
        "categories": categories,
        "categories_left_out": [c for c in offered if c not in categories],
        "submitted": len(samples),
        "done": len(done),
        "seconds": round(elapsed, 2),
        "drawings_per_s": round(drawings_per_s, 2),
        "latency_ms": {
            "p50": rounded(percentile(latencies, 50)),
            "p95": rounded(percentile(latencies, 95)),
            "max": rounded(max(latencies) if latencies else None),
            "mean": rounded(statistics.fmean(latencies) if latencies else None),
        },
        "post_ms_p50": rounded(percentile(post_ms, 50)),
        "batches": {
            **batches,
            "claim_sizes": histogram(claim_sizes),
            "mean_claim_size": round(statistics.fmean(claim_sizes), 2) if claim_sizes else None,
            **(
                {"categories_per_claim": histogram(batches["categories_per_claim"])}
                if "categories_per_claim" in batches
                else {}
            ),
        },
        "served_path": served,
        **bare_model(before, after, drawings_per_s),
        "raw": raw,
        "serving_efficiency": raw[served]["serving_efficiency"],
        # The worker's generator time per picture inside the server ÷ the raw ms per image of
        # the same path at the same batch sizes measured here (target: within 1.3).
        "worker_draw_vs_raw": worker_vs_raw,
        "errors": dict(errors),
        "inference_path_setting": fast_path_setting(),
        "raw_measured_in": "this process, torch threads "
        f"{torch_threads()}, batch sizes {options.raw_sizes}, median of >= {options.raw_rounds} "
        f"interleaved rounds and >= {options.raw_seconds:.1f} s",
    }


def bare_model(
    before: dict[str, dict[int, float]], after: dict[str, dict[int, float]], drawings_per_s: float
) -> dict[str, Any]:
    """The exact torch path's raw images/s at batch 1 (the "bare model", mean of the timings
    before and after the load) and the end-to-end drawings/s against it (target >= 1.2)."""
    rates = [timing.get("exact", {}).get(1) for timing in (before, after)]
    if not all(rates):
        return {"bare_model_images_per_s": None, "drawings_per_s_vs_bare_model": None}
    bare = statistics.fmean(r for r in rates if r)
    return {
        "bare_model_images_per_s": round(bare, 2),
        "drawings_per_s_vs_bare_model": round(drawings_per_s / bare, 3),
    }


def split_server_cpu(
    cpu: dict[str, Any], generator_cpu: dict[str, dict[int, float]], claim_sizes: list[int]
) -> dict[str, Any]:
    """``cpu`` with the server's CPU a drawing split: the generator's own (the served path's
    CPU a picture, measured raw in this process at the batches the workers formed) and
    everything else (the web side, the worker's bookkeeping, the event)."""
    generator_ms = cpu_ms_at_batches(generator_cpu.get(SERVED_PATH, {}), claim_sizes)
    server_ms = cpu["server_cpu_ms_per_drawing"]
    return {
        **cpu,
        "generator_cpu_ms_per_drawing": round(generator_ms, 1) if generator_ms else None,
        "other_cpu_ms_per_drawing": (
            round(server_ms - generator_ms, 1) if server_ms and generator_ms else None
        ),
    }
