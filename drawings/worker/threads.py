"""Where a worker's blocking work runs, so its event loop (and, embedded, the site) never waits.

Three threads of its own: the generator's (torch), the PNG encoder's (so the generator draws the
next batch meanwhile) and the database's. On PostgreSQL the worker's writes run on its own
database thread, so in the embedded server they never queue behind the site's sync views on
Django's one shared thread (nor those behind them). On SQLite, which takes one writer at a time
anyway, they run on Django's shared sync thread, as the site's own database work does: a second
connection writing beside it would only meet "database is locked".
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from channels.db import database_sync_to_async
from django.db import close_old_connections, connections

T = TypeVar("T")


class WorkerThreads:
    """The generator, encoder and database threads of one worker."""

    def __init__(self) -> None:
        self._generator = ThreadPoolExecutor(max_workers=1, thread_name_prefix="inference")
        self._encoder = ThreadPoolExecutor(max_workers=1, thread_name_prefix="inference-png")
        self._database = ThreadPoolExecutor(max_workers=1, thread_name_prefix="inference-db")

    async def on_generator(self, function: Callable[..., T], /, *args: Any) -> T:
        """Run torch work (drawing, warming up) on the generator's thread."""
        return await asyncio.get_running_loop().run_in_executor(self._generator, function, *args)

    async def on_encoder(self, function: Callable[..., T], /, *args: Any) -> T:
        """Run image encoding on the encoder's thread."""
        return await asyncio.get_running_loop().run_in_executor(self._encoder, function, *args)

    async def db(self, function: Callable[..., T], /, **kwargs: Any) -> T:
        """Run a lifecycle action where this database wants it (see the module doc), with
        connections kept fresh."""
        if connections["default"].vendor == "sqlite":
            return await database_sync_to_async(function)(**kwargs)

        def call() -> T:
            close_old_connections()
            try:
                return function(**kwargs)
            finally:
                close_old_connections()

        return await asyncio.get_running_loop().run_in_executor(self._database, call)

    def close(self) -> None:
        """Stop taking work; the database thread closes its own connection last."""
        self._generator.shutdown(wait=False, cancel_futures=True)
        self._encoder.shutdown(wait=False, cancel_futures=True)
        self._database.submit(connections.close_all)
        self._database.shutdown(wait=False)
