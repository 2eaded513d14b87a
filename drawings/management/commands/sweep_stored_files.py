"""``manage.py sweep_stored_files``: delete stored files no drawing refers to.

A worker killed between saving a picture and recording it leaves the picture behind; so can
an upload interrupted the same way. Files younger than ``--older-than-minutes`` (by default
STORED_FILES_SWEEP_GRACE_MINUTES) are left alone, so a worker about to record its picture is
never raced. Every inference worker's reaper runs the same sweep every
STORED_FILES_SWEEP_EVERY_SECONDS; this command is for a scheduler, or for a site without one.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from drawings.erasure import sweep_unreferenced_files


class Command(BaseCommand):
    help = "Delete stored sketch/result files that no drawing refers to (crash leftovers)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--older-than-minutes", type=float, default=settings.STORED_FILES_SWEEP_GRACE_MINUTES
        )

    def handle(self, *args: Any, **options: Any) -> None:
        swept = sweep_unreferenced_files(
            older_than=timedelta(minutes=options["older_than_minutes"])
        )
        self.stdout.write(f"Deleted {len(swept)} file(s) no drawing refers to.")
