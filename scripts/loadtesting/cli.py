"""The command line and the table it prints (``--json``: the same as one JSON object)."""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from scaleout import (  # the sibling script: scripts/ is on the path
    ScaleOut,
)

from .run import Options, load
from .servers import (
    EMBEDDED_PORT,
    RAISED_LIMITS,
    make_server,
    server_pids,
    setup_django,
    start_server,
)


def print_table(result: dict[str, Any]) -> None:
    lat = result["latency_ms"]
    batches = result["batches"]
    rows = [
        ("mode", result.get("mode", "external")),
        ("children x drawings", f"{result['children']} x {result['drawings_per_child']}"),
        ("think time between drawings s", result["think_seconds"] or "none (back to back)"),
        ("done / submitted", f"{result['done']} / {result['submitted']}"),
        ("seconds", result["seconds"]),
        ("drawings/s (end to end)", result["drawings_per_s"]),
        ("submit->event p50/p95/max ms", f"{lat['p50']} / {lat['p95']} / {lat['max']}"),
        ("POST answered p50 ms", result["post_ms_p50"]),
        ("claims formed (size: count)", batches["claim_sizes"]),
        ("mean claim size", batches["mean_claim_size"]),
    ]
    if "categories_per_claim" in batches:
        rows.append(("categories in a claim (n: claims)", batches["categories_per_claim"]))
        rows.append(("drawings per worker", batches["drawings_per_worker_process"]))
    if result.get("bare_model_images_per_s"):
        rows.append(
            (
                "bare model (exact, batch 1) img/s",
                f"{result['bare_model_images_per_s']}; drawings/s are "
                f"{result['drawings_per_s_vs_bare_model']}x that",
            )
        )
    for path, figures in result["raw"].items():
        mark = " (served)" if path == result["served_path"] else ""
        rows.append((f"raw {path}{mark} before img/s", figures["before_images_per_s"]))
        rows.append((f"raw {path}{mark} after img/s", figures["after_images_per_s"]))
        rows.append(
            (
                f"raw {path}{mark} at batches formed",
                f"{figures['at_batches_formed_before']} before, "
                f"{figures['at_batches_formed_after']} after",
            )
        )
        rows.append(
            (
                f"serving efficiency vs {path}{mark}",
                f"{figures['serving_efficiency']} (mean of before/after), "
                f"{figures['serving_efficiency_vs_best']} (vs the faster)",
            )
        )
    if "previews" in result:
        peek = result["previews"]
        ms = peek["sent_to_shown_ms"]
        rows.append(("previews sent / shown", f"{peek['sent']} / {peek['shown']}"))
        rows.append(
            ("preview sent->shown p50/p95/max ms", f"{ms['p50']} / {ms['p95']} / {ms['max']}")
        )
        rows.append(("previews answered busy", peek["busy"] or "none"))
    if batches.get("worker_ms_per_picture"):
        rows.append(
            (
                "worker's draw ms/picture vs raw",
                f"{batches['worker_ms_per_picture']} ms, {result['worker_draw_vs_raw']}x raw",
            )
        )
    cpu = result["cpu"]
    if cpu["server_cpu_s"]:
        rows.append(
            (
                "server CPU during the load",
                f"{cpu['server_cpu_s']} s = {cpu['server_cores_busy']} of {cpu['cores']} cores, "
                f"{cpu['server_cpu_ms_per_drawing']} ms a drawing",
            )
        )
        if cpu.get("generator_cpu_ms_per_drawing"):
            rows.append(
                (
                    "server CPU a drawing: generator / the rest",
                    f"{cpu['generator_cpu_ms_per_drawing']} / {cpu['other_cpu_ms_per_drawing']} ms",
                )
            )
    rows.append(
        (
            "load-test client CPU",
            f"{cpu['client_cpu_s']} s = {cpu['client_cores_busy']} cores, "
            f"{cpu['client_cpu_ms_per_drawing']} ms a drawing",
        )
    )
    rows.append(("errors", result["errors"] or "none"))
    if result.get("raised_limits"):
        rows.append(("throttles raised (env)", ", ".join(result["raised_limits"])))
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"{label:<{width}}  {value}")


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    package_doc = sys.modules[__package__ or "loadtesting"].__doc__ or ""
    parser = argparse.ArgumentParser(description=package_doc.split("\n\n")[0])
    parser.add_argument("--children", type=int, default=16)
    parser.add_argument("--drawings-per-child", type=int, default=8)
    parser.add_argument("--children-per-family", type=int, default=4)
    parser.add_argument("--start", choices=["embedded", "scaleout", "none"], default="none")
    parser.add_argument(
        "--port", type=int, default=EMBEDDED_PORT, help="--start embedded: the server's port"
    )
    parser.add_argument(
        "--base-url", default="", help="comma-separated, for a running server (--start none)"
    )
    parser.add_argument(
        "--database-url", default="", help="the running server's database, to read its batches"
    )
    parser.add_argument("--timeout", type=float, default=60.0, help="per drawing, seconds")
    parser.add_argument("--max-seconds", type=float, default=240.0, help="the load segment's cap")
    parser.add_argument("--raw-sizes", default="1,2,4,8")
    parser.add_argument("--raw-rounds", type=int, default=5, help="rounds of the raw timing")
    parser.add_argument("--raw-seconds", type=float, default=3.0, help="raw timing, at least")
    parser.add_argument(
        "--raw-paths",
        default="runtime,exact",
        help="runtime (always), exact (the bare model's reference), fast (the torch fast copy)",
    )
    parser.add_argument("--compile-fast", action="store_true", help="torch.compile the fast copy")
    parser.add_argument("--workers", type=int, default=2, help="--start scaleout")
    parser.add_argument("--worker-threads", type=int, default=1, help="--start scaleout")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--previews",
        action="store_true",
        help="every child also sends a Peek preview every 0.5 s while it draws",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--think",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="mean time each child draws between submissions (0: back to back); with "
        "--previews the child peeks all the while, as on the canvas",
    )
    parser.add_argument(
        "--profile",
        type=Path,
        help="with --start: py-spy records each server process during the load segment into "
        "PROFILE.PID.txt (collapsed stacks; needs py-spy, in the dev extras)",
    )
    args = parser.parse_args(argv)
    if args.children < 1 or args.drawings_per_child < 1:
        parser.error("--children and --drawings-per-child must be at least 1")
    if args.start == "none" and not args.base_url:
        parser.error("--base-url is needed without --start")
    return args


def _stop_on_sigterm(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # so the servers this script started are stopped too


def main() -> None:
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    args = parse_args()
    server = make_server(args)
    database_url = server.database_url if server is not None else args.database_url
    try:
        base_urls = start_server(server, args)
        use_database = setup_django(database_url or None)
        options = Options(
            base_urls=base_urls,
            children=args.children,
            per_child=args.drawings_per_child,
            per_family=args.children_per_family,
            timeout=args.timeout,
            max_seconds=args.max_seconds,
            raw_sizes=[int(s) for s in args.raw_sizes.split(",")],
            raw_seconds=args.raw_seconds,
            raw_rounds=args.raw_rounds,
            compile_fast=args.compile_fast,
            raw_paths=args.raw_paths.split(","),
            use_database=use_database,
            seed=args.seed,
            previews=args.previews,
            think=args.think,
            server_pids=server_pids(server),
            profile=args.profile,
        )
        result = asyncio.run(load(options))
    finally:
        if server is not None:
            server.stop()
    result["mode"] = args.start if args.start != "none" else "external"
    result["raised_limits"] = list(RAISED_LIMITS) if server is not None else []
    if isinstance(server, ScaleOut):
        result["scaleout"] = {"web": len(server.webs), "workers": len(server.inference)}
        result["worker_threads"] = args.worker_threads
    if args.json:
        print(json.dumps(result, indent=2, default=str))
    else:
        print_table(result)
