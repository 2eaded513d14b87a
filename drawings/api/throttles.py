"""Per-child and per-family throttles, counted in the cache (Redis in production, so across
processes), for the requests that cost the server a generator or classifier run.

Each submitted sketch costs a generator run, so a child may submit ``SUBMISSION_RATE_PER_CHILD``
sketches and a family ``SUBMISSION_RATE_PER_FAMILY`` (siblings on one parent's account share
it): generous for real children, who take longer than a few seconds to draw, and a stop for a
script or a stuck button. "What did you draw?" asks at most ``SUGGESTION_RATE`` per child. Over
a limit the API answers 429 with ``Retry-After`` and the site's sentence (core.api).
Only POSTs count: reading drawings is never throttled; retries of the same ``client_id`` count
too, so a retry loop is throttled like any other.
"""

from __future__ import annotations

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from accounts.permissions import playing_child_or_none


class PlayingChildThrottle(SimpleRateThrottle):
    """POSTs of the playing child counted per child (``per = "child"``) or per family."""

    setting = ""  # the name of the setting that holds the rate, e.g. "20/min"
    per = "child"

    def get_rate(self) -> str | None:
        return str(getattr(settings, self.setting))

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        child = playing_child_or_none(request)
        if request.method != "POST" or child is None:
            return None  # not throttled here (reads; anyone else is refused by permissions)
        ident = f"child-{child.pk}" if self.per == "child" else f"parent-{child.parent_id}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


class ChildSubmissionThrottle(PlayingChildThrottle):
    scope = "child_submissions"
    setting = "SUBMISSION_RATE_PER_CHILD"


class FamilySubmissionThrottle(PlayingChildThrottle):
    scope = "family_submissions"
    setting = "SUBMISSION_RATE_PER_FAMILY"
    per = "family"


class SuggestionThrottle(PlayingChildThrottle):
    scope = "suggestions"
    setting = "SUGGESTION_RATE"


class NewColoursThrottle(PlayingChildThrottle):
    """ "New colours" (🎲) per child: each is a generator run, and a child can press it fast."""

    scope = "new_colours"
    setting = "NEW_COLOURS_RATE"
