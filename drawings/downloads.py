"""A drawing's stored PNG (its sketch, its picture or one version of it) as a file response:
the one way every view, API and admin page hands a drawing's file to a browser.

Who may see the file, and which 404 a refusal is (Django's or the API's), stays with the view.
"""

from __future__ import annotations

from django.db.models.fields.files import FieldFile
from django.http import FileResponse

# A drawing's file as its owners fetch it: kept an hour by their browser, by no shared cache.
PRIVATE_HOUR = "private, max-age=3600"


class MissingFile(Exception):
    """The drawing names a file that the storage does not have (any more)."""


def png_response(field: FieldFile, *, filename: str, cache: str | None = None) -> FileResponse:
    """``field``'s PNG, shown inline and saved as ``filename``; ``cache`` is the
    ``Cache-Control`` header (none: the site's default). ``MissingFile`` when it cannot be
    read."""
    try:
        handle = field.open("rb")
    except OSError as error:  # FileNotFoundError among them
        raise MissingFile(field.name) from error
    response = FileResponse(handle, content_type="image/png")
    if cache is not None:
        response["Cache-Control"] = cache
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
