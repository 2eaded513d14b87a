"""How much memory the family ZIP export takes, for a family of N drawings and one ten times
bigger: the archive is streamed, so the peak should not grow with the family.

    python manage.py benchmark_export --drawings 50 500

Each run makes a throw-away family (PNG files of a real picture's size in storage), streams its
whole export through ``family.export.zip_chunks`` into a byte counter, samples the process's
resident memory (VmRSS) at every chunk, then erases the family (consent withdrawal).
"""

from __future__ import annotations

import io
import json
import secrets
import time
from pathlib import Path
from typing import Any

import numpy as np
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone
from PIL import Image

from accounts import services as accounts
from accounts.models import ConsentRecord, User
from accounts.verification import vouch_for_email
from drawings.models import Drawing, DrawingStatus
from family.export import zip_chunks
from family.services import withdraw_consent


def _rss_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def _picture_png(seed: int, side: int) -> bytes:
    # A smooth picture with some grain: about the size of a generator's 256 px output.
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[:side, :side] / side
    base = np.stack([xx, yy, (xx + yy) / 2], axis=-1) * 200 + rng.integers(0, 40, (side, side, 3))
    buffer = io.BytesIO()
    Image.fromarray(base.clip(0, 255).astype(np.uint8)).save(buffer, "PNG")
    return buffer.getvalue()


class Command(BaseCommand):
    help = "Peak memory of the streamed family export for families of different sizes."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--drawings", type=int, nargs="+", default=[50, 500])
        parser.add_argument("--side", type=int, default=256, help="pixel side of each PNG")

    def handle(self, *args: Any, **options: Any) -> None:
        pngs = [_picture_png(seed, options["side"]) for seed in range(8)]
        self.stdout.write(
            f"PNG files of about {sum(map(len, pngs)) // len(pngs) // 1024} KiB each\n"
            f"{'drawings':>9} {'archive MiB':>12} {'seconds':>8} {'RSS before MiB':>15} "
            f"{'peak RSS MiB':>13} {'growth MiB':>11}"
        )
        for count in options["drawings"]:
            self._run(count, pngs)

    def _run(self, count: int, pngs: list[bytes]) -> None:
        parent = User.objects.create_user(
            email=f"benchmark-export-{secrets.token_hex(4)}@icanvas.invalid",
            password=secrets.token_urlsafe(16),
        )
        vouch_for_email(parent=parent)
        try:
            child = accounts.add_child(
                parent=parent,
                nickname="Benchmark",
                avatar="panda",
                birth_year=2019,
                time_zone="Asia/Seoul",
                pin="1234",
                consent_method=ConsentRecord.Method.WEB_FORM,
            )
            for i in range(count):
                Drawing.objects.create(
                    child=child,
                    category="face",
                    client_id=f"benchmark-{i}",
                    sketch=ContentFile(pngs[i % len(pngs)], name="s.png"),
                    result=ContentFile(pngs[(i + 1) % len(pngs)], name="r.png"),
                    status=DrawingStatus.DONE,
                    finished_at=timezone.now(),
                )
            drawings = Drawing.objects.filter(child=child)
            before = peak = _rss_bytes()
            started = time.perf_counter()
            size = 0
            tail = b""
            for chunk in zip_chunks(drawings=drawings):
                size += len(chunk)
                tail = (tail + chunk)[-1_000_000:]
                peak = max(peak, _rss_bytes())
            seconds = time.perf_counter() - started
            self._check_tail(tail, count)
            mib = 1024 * 1024
            self.stdout.write(
                f"{count:>9} {size / mib:>12.1f} {seconds:>8.2f} {before / mib:>15.1f} "
                f"{peak / mib:>13.1f} {(peak - before) / mib:>11.1f}"
            )
            withdraw_consent(parent=parent, child_id=child.pk)
        finally:
            parent.delete()

    def _check_tail(self, tail: bytes, count: int) -> None:
        # The manifest is the archive's last entry: it must list every drawing.
        start = tail.rfind(b'{\n  "exported_at"')
        end = tail.find(b"\n}", start)
        if start < 0 or end < 0:
            self.stderr.write("the manifest was not found at the end of the archive")
            return
        listed = len(json.loads(tail[start : end + 2])["drawings"])
        if listed != count:
            self.stderr.write(f"the manifest lists {listed} drawings, not {count}")
