"""``manage.py retry_file_deletions``: delete the stored files whose deletion failed before.

Deleting a drawing (or a child's data, when consent is withdrawn) deletes its files once the
database commits; a file the storage refused is recorded, and this command tries it again.
It exits non-zero while any file still cannot be deleted, so a scheduler notices.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from drawings.erasure import retry_file_deletions


class Command(BaseCommand):
    help = "Retry deleting stored files of deleted drawings whose deletion failed."

    def handle(self, *args: Any, **options: Any) -> None:
        result = retry_file_deletions()
        self.stdout.write(f"Deleted {result.deleted} file(s) left from earlier deletions.")
        if result.still_failing:
            raise CommandError(
                f"{len(result.still_failing)} file(s) still cannot be deleted: "
                + ", ".join(result.still_failing[:20])
            )
