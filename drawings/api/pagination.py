"""How the child's gallery is paged over REST: by cursor, newest first.

A cursor keeps its place while new pictures arrive at the top (a page number would shift and
show a picture twice) and costs the same on the hundredth page as on the first. The envelope is
``{next, previous, results}``, with no ``count``: ``next`` is the whole address of the next,
older page (null on the last one). The canvas JavaScript reads single drawings only, never the
list, so nothing on the web depends on the envelope.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.pagination import StrictCursorPagination


class DrawingCursorPagination(StrictCursorPagination):
    # The order of drawings.selectors.drawings_of_child; the id breaks ties of one instant.
    ordering = ("-created_at", "-id")
    page_size = 20
    # A lazy string, so the sentence is in the reader's language (the stubs say str).
    invalid_cursor_message = _(  # type: ignore[assignment]
        "This page of drawings can't be found: start from the first page."
    )
