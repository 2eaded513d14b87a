"""Fetch a package from the npm registry once, with the ordinary npm client, and unpack it."""

from __future__ import annotations

import shutil
import subprocess
import tarfile
from pathlib import Path


def fetch_npm_package(name: str, version: str, cache_dir: Path) -> Path:
    """Download (once) and unpack ``name@version`` with ``npm pack``; return its ``package/``.

    The tarball and the unpacked tree stay in ``cache_dir``, so later builds work offline. The
    tree is unpacked beside its final place and renamed, so an interrupted unpack is redone
    rather than half-used. Raises ``CalledProcessError`` when npm cannot fetch it.
    """
    cache_dir.mkdir(parents=True, exist_ok=True)
    stem = f"{name.lstrip('@').replace('/', '-')}-{version}"  # npm pack's own tarball name
    root = cache_dir / stem
    if (root / "package" / "package.json").exists():
        return root / "package"
    tarball = cache_dir / f"{stem}.tgz"
    if not tarball.exists():
        subprocess.run(  # noqa: S603 - fixed argv, no shell
            ["npm", "pack", f"{name}@{version}", "--pack-destination", str(cache_dir)],  # noqa: S607
            check=True,
            capture_output=True,
        )
    partial = cache_dir / f"{stem}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    with tarfile.open(tarball) as archive:
        archive.extractall(partial, filter="data")
    shutil.rmtree(root, ignore_errors=True)
    partial.replace(root)
    return root / "package"
