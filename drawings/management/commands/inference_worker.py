"""``manage.py inference_worker``: a standalone worker for production.

Run any number of these, on any machine that reaches the database, the Redis
channel layer and the media storage. Set INFERENCE_EMBEDDED_WORKER=false on the
web servers when you do.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from drawings.remote_suggestions import SuggestionResponder
from drawings.selectors import installed_categories
from drawings.worker import InferenceWorker
from inference.serving.runtime import get_runtime


class Command(BaseCommand):
    help = "Run an inference worker that turns queued sketches into pictures."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--batch-size", type=int, default=None)
        parser.add_argument("--batch-window-ms", type=int, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        if "InMemoryChannelLayer" in settings.CHANNEL_LAYERS["default"]["BACKEND"]:
            raise CommandError(
                "The in-memory channel layer only works inside one process. Set REDIS_URL "
                "so this worker and the web server share a channel layer (or use `make run`, "
                "which runs the worker inside the server)."
            )
        cards = get_runtime().cards(refresh=True)
        if not cards:
            self.stderr.write(
                f"Warning: no generators installed in {settings.GENERATORS_DIR}; "
                "queued drawings will fail with a friendly message."
            )
        worker = InferenceWorker(
            batch_size=options["batch_size"], batch_window_ms=options["batch_window_ms"]
        )
        self.stdout.write(
            f"inference worker {worker.worker_id}: {len(cards)} generator(s), categories "
            f"{', '.join(c.slug for c in installed_categories()) or '-'}"
        )
        asyncio.run(self._run(worker))

    async def _run(self, worker: InferenceWorker) -> None:
        task = asyncio.create_task(worker.run())
        # The web's "What did you draw?" requests, answered beside the drawings.
        guesses = asyncio.create_task(SuggestionResponder().run())
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, task.cancel)
        with contextlib.suppress(asyncio.CancelledError):
            await task
        guesses.cancel()
        # Bounded: channels_redis may linger in its receive cleanup after a cancel (seen in
        # tests/drawings/test_remote_suggestions.py); a stopping worker does not wait on it.
        await asyncio.wait([guesses], timeout=2)
        self.stdout.write("inference worker stopped")
