"""The load test's own arithmetic: the figures it prints are only as good as these."""

from __future__ import annotations

import importlib.util
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"


@pytest.fixture(scope="module")
def loadtest() -> Iterator[Any]:
    sys.path.insert(0, str(SCRIPTS))
    try:
        spec = importlib.util.spec_from_file_location("loadtest", SCRIPTS / "loadtest.py")
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules["loadtest"] = module  # its dataclasses look themselves up there
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.modules.pop("loadtest", None)
        sys.path.remove(str(SCRIPTS))


def busy(seconds: float) -> None:
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass


def test_cpu_seconds_counts_what_a_process_burns(loadtest: Any) -> None:
    before = loadtest.cpu_seconds(os.getpid())
    busy(0.3)
    after = loadtest.cpu_seconds(os.getpid())
    assert before is not None and after is not None
    assert 0.2 <= after - before <= 2.0
    assert loadtest.cpu_seconds(2**22 + 12345) is None  # no such process


def test_the_cpu_meter_splits_server_and_client_per_drawing(loadtest: Any) -> None:
    # This process plays the server: its CPU is both the "server" and the client here.
    meter = loadtest.CpuMeter([os.getpid()], profile=None)
    busy(0.2)
    meter.stop()
    report = meter.report(done=4)
    assert report["server_cpu_s"] >= 0.15
    assert report["client_cpu_s"] >= 0.15
    assert report["server_cpu_ms_per_drawing"] == pytest.approx(
        1000 * report["server_cpu_s"] / 4, abs=3
    )
    assert 0 < report["server_cores_busy"] <= (os.cpu_count() or 1) + 0.1
    assert loadtest.CpuMeter([], profile=None).report(done=0)["server_cpu_ms_per_drawing"] is None


def test_serving_efficiency_is_end_to_end_over_raw_at_the_batches_formed(loadtest: Any) -> None:
    before = {"runtime": {1: 50.0, 8: 100.0}}
    after = {"runtime": {1: 30.0, 8: 60.0}}
    raw = loadtest.raw_report(["runtime"], before, after, claim_sizes=[8, 8], drawings_per_s=40.0)
    figures = raw["runtime"]
    assert figures["at_batches_formed_before"] == 100.0
    assert figures["at_batches_formed_after"] == 60.0
    assert figures["serving_efficiency"] == 0.5  # 40 / mean(100, 60)
    assert figures["serving_efficiency_vs_best"] == 0.4  # 40 / 100


def test_server_cpu_a_drawing_splits_into_the_generator_and_the_rest(loadtest: Any) -> None:
    generator = {"runtime": {1: 30.0, 4: 20.0}, "exact": {1: 60.0}}
    # Claims of 1, 4 and 3 (costed as the nearest size measured, 4), per picture.
    assert loadtest.cpu_ms_at_batches(generator["runtime"], [1, 4, 3]) == 21.25  # 170 / 8
    cpu = loadtest.split_server_cpu({"server_cpu_ms_per_drawing": 80.0}, generator, [4, 4])
    assert cpu["generator_cpu_ms_per_drawing"] == 20.0
    assert cpu["other_cpu_ms_per_drawing"] == 60.0
    nothing = loadtest.split_server_cpu({"server_cpu_ms_per_drawing": None}, {}, [])
    assert nothing["generator_cpu_ms_per_drawing"] is None


def test_the_report_keeps_the_bare_exact_model_at_batch_1(loadtest: Any) -> None:
    before = {"runtime": {1: 60.0}, "exact": {1: 20.0, 4: 25.0}}
    after = {"runtime": {1: 50.0}, "exact": {1: 30.0}}
    figures = loadtest.bare_model(before, after, drawings_per_s=30.0)
    assert figures == {"bare_model_images_per_s": 25.0, "drawings_per_s_vs_bare_model": 1.2}
    assert loadtest.bare_model({}, {}, 1.0)["bare_model_images_per_s"] is None


def test_think_time_is_none_or_around_its_mean(loadtest: Any) -> None:
    assert loadtest.thinking(0, seed=1) is None
    pause = loadtest.thinking(2.0, seed=1)
    pauses = [pause() for _ in range(200)]
    assert all(1.0 <= p <= 3.0 for p in pauses)
    assert 1.8 < sum(pauses) / len(pauses) < 2.2


def test_the_raw_timing_draws_with_a_palette_painter(loadtest: Any, registry_dir: Path) -> None:
    # kids3, the default generator, is a palette painter: no module to call, its exact
    # reference is the painter with its network's sure areas (the load test crashed on it).
    from loadtesting import raw
    from PIL import Image

    from inference.lab.testing import write_random_painter

    write_random_painter(registry_dir, name="painter")
    name, paths = raw.drawers("sun", compile_fast=False, names=["runtime", "exact"])
    assert name == "painter" and set(paths) == {"runtime", "exact"}
    sketch = Image.new("RGB", (256, 256), "white")
    for draw in paths.values():
        (picture,) = draw([sketch], ["sun"])
        assert picture.size == (512, 512)
    with pytest.raises(ValueError, match="palette painter"):
        raw.drawers("sun", compile_fast=False, names=["fast"])
