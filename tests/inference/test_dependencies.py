"""What each kind of machine installs (pyproject's lists) and what each really imports.

A web process installs the base list only (``tests/drawings/test_web_without_torch.py`` serves
everything without importing any of the extras); a worker adds ``worker``; the ``lab`` extra
(datasets, training, export, judging) is on neither: a worker serving every installed generator
and the guesser imports none of it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib

import pytest

from tests.servers import ROOT, module_report

# Distribution name in pyproject -> the top-level module it installs.
MODULES = {
    "torch": "torch",
    "torchvision": "torchvision",
    "onnx": "onnx",
    "onnxruntime": "onnxruntime",
    "opencv-python-headless": "cv2",
    "safetensors": "safetensors",
    "tqdm": "tqdm",
    "matplotlib": "matplotlib",
    "cairosvg": "cairosvg",
    "scikit-image": "skimage",
    "python-avatars": "python_avatars",
}


def _names(requirements: list[str]) -> set[str]:
    return {
        r.split("==")[0].split("[")[0].split(">")[0].strip()
        for r in requirements
        if not r.startswith("icanvas")
    }


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def test_the_web_installs_no_engine_and_no_training_library() -> None:
    project = _project()
    base = _names(project["dependencies"])
    assert not base & set(MODULES), base & set(MODULES)
    extras = project["optional-dependencies"]
    assert {"torch", "onnxruntime", "opencv-python-headless", "safetensors"} <= _names(
        extras["worker"]
    )
    assert "icanvas[worker]" in extras["lab"]  # the lab can serve what it trains
    assert not _names(extras["worker"]) & _names(extras["lab"])  # each package in one list


@pytest.mark.slow
def test_a_worker_serving_every_generator_imports_nothing_of_the_lab() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(
        DJANGO_SETTINGS_MODULE="icanvas_site.settings",
        GENERATORS_DIR=str(ROOT / "generators"),
        INFERENCE_WARM_UP="false",
        PYTHONWARNINGS="ignore",
    )
    report = module_report("tests.inference.worker_imports", env, timeout=600)
    assert len(report["drawn"]) >= 2 and report["guessed"] > 1  # it really served
    lab = {MODULES[name] for name in _names(_project()["optional-dependencies"]["lab"])}
    # torch itself tries some optional packages (``torch.hub`` uses tqdm when it is there);
    # those are torch's choice, not a need of ours.
    torch_alone = subprocess.run(
        [sys.executable, "-c", "import sys, torch; print(' '.join(sys.modules))"],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    ).stdout.split()
    ours = set(report["modules"]) - {name.partition(".")[0] for name in torch_alone}
    assert not lab & ours, sorted(lab & ours)
