"""A family's drawings as one ZIP, streamed: every sketch and picture as PNG, and manifest.json.

The archive is written as it is sent: one file at a time, read in small chunks through the
storage API (local or S3), so memory stays flat however many drawings there are. Under ASGI the
chunks are produced off the event loop and handed over as an async iterator (Django would
otherwise collect a sync iterator into memory first).
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import AsyncIterator, Iterator
from typing import Any

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.db.models import QuerySet
from django.http import HttpRequest, StreamingHttpResponse
from django.utils import timezone

from drawings.models import Drawing
from gamification.selectors import xp_paid_for_drawings

CHUNK_BYTES = 64 * 1024
MANIFEST_NAME = "manifest.json"


class _Pipe:
    """The file ``zipfile`` writes into: it keeps only what was written since the last take.

    Without ``seek`` zipfile writes a streamable archive (sizes after each entry).
    """

    def __init__(self) -> None:
        self._chunks: list[bytes] = []
        self._position = 0

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        self._chunks.append(chunk)
        self._position += len(chunk)
        return len(chunk)

    def tell(self) -> int:
        return self._position

    def flush(self) -> None:
        return None

    def take(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        return data


def _folder_name(nickname: str) -> str:
    """A nickname as a folder name any unzip tool accepts: letters (any script), digits,
    spaces, '-' and '_' only; never empty, never a dot name, never a path."""
    cleaned = "".join(c if c.isalnum() or c in " -_" else "_" for c in nickname)
    return " ".join(cleaned.split()).strip("_ ")[:60] or "child"


class _ChildFolders:
    """One folder per child, named after the nickname; two children whose names clean up to
    the same folder get "Name", "Name (2)", … in the order they first appear."""

    def __init__(self) -> None:
        self._by_child: dict[int, str] = {}
        self._taken: set[str] = set()

    def __call__(self, drawing: Drawing) -> str:
        if drawing.child_id not in self._by_child:
            base = name = _folder_name(drawing.child.nickname)
            n = 1
            while name.casefold() in self._taken:
                n += 1
                name = f"{base} ({n})"
            self._taken.add(name.casefold())
            self._by_child[drawing.child_id] = name
        return self._by_child[drawing.child_id]


def _entry_name(folder: str, drawing: Drawing, kind: str) -> str:
    return f"{folder}/{drawing.pk}-{drawing.category}-{kind}.png"


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def zip_chunks(*, drawings: QuerySet[Drawing]) -> Iterator[bytes]:
    """The bytes of the archive, chunk by chunk. One PNG per stored sketch and picture."""
    pipe = _Pipe()
    manifest: list[dict[str, Any]] = []
    rows = drawings.select_related("child").order_by("created_at", "id")
    xp = xp_paid_for_drawings(drawings=drawings)
    folder_of = _ChildFolders()
    with zipfile.ZipFile(pipe, "w", compression=zipfile.ZIP_STORED) as archive:  # type: ignore[call-overload]
        for drawing in rows.iterator(chunk_size=200):
            files: dict[str, str | None] = {"sketch": None, "picture": None}
            for kind, field in (("sketch", drawing.sketch), ("picture", drawing.result)):
                if not field.name:
                    continue
                name = _entry_name(folder_of(drawing), drawing, kind)
                when = timezone.localtime(drawing.created_at).timetuple()[:6]
                try:
                    source = field.storage.open(field.name, "rb")
                except OSError:
                    continue  # listed with no file: the manifest says it is missing
                with source, archive.open(zipfile.ZipInfo(name, date_time=when), "w") as target:
                    while chunk := source.read(CHUNK_BYTES):
                        target.write(chunk)
                        if data := pipe.take():
                            yield data
                files[kind] = name
                if data := pipe.take():
                    yield data
            manifest.append(
                {
                    "id": drawing.pk,
                    "child": drawing.child.nickname,
                    "category": drawing.category,
                    "status": drawing.status,
                    "hidden_from_child": drawing.hidden,
                    "created_at": _iso(drawing.created_at),
                    "finished_at": _iso(drawing.finished_at),
                    "xp": xp.get(drawing.pk, 0),
                    "sketch": files["sketch"],
                    "picture": files["picture"],
                }
            )
        document = {"exported_at": timezone.now().isoformat(), "drawings": manifest}
        archive.writestr(MANIFEST_NAME, json.dumps(document, ensure_ascii=False, indent=2))
    if data := pipe.take():
        yield data


def _next_chunk(chunks: Iterator[bytes]) -> bytes | None:
    return next(chunks, None)


async def _handed_over(chunks: Iterator[bytes]) -> AsyncIterator[bytes]:
    step = sync_to_async(_next_chunk, thread_sensitive=True)
    while (chunk := await step(chunks)) is not None:
        yield chunk


def zip_response(
    request: HttpRequest, *, drawings: QuerySet[Drawing], filename: str
) -> StreamingHttpResponse:
    """Stream the archive to the browser as a download."""
    chunks = zip_chunks(drawings=drawings)
    content: Any = _handed_over(chunks) if isinstance(request, ASGIRequest) else chunks
    response = StreamingHttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
