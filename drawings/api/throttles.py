"""Submission throttles, counted in the cache (Redis in production, so across processes).

Each submitted sketch costs a generator run, so a child may submit ``SUBMISSION_RATE_PER_CHILD``
sketches and a family ``SUBMISSION_RATE_PER_FAMILY`` (siblings on one parent's account share
it): generous for real children, who take longer than a few seconds to draw, and a stop for a
script or a stuck button. Over the limit the API answers 429 with ``Retry-After`` and the
site's sentence (drawings.api.errors). Reading drawings is never throttled; retries of the
same ``client_id`` count as POSTs too, so a retry loop is throttled like any other.
"""

from __future__ import annotations

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from accounts.permissions import playing_child_or_none


class _SubmissionThrottle(SimpleRateThrottle):
    setting = ""

    def get_rate(self) -> str | None:
        return str(getattr(settings, self.setting))

    def ident_for(self, request: Request) -> str | None:
        raise NotImplementedError

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        if request.method != "POST":
            return None  # reading drawings is free
        ident = self.ident_for(request)
        return None if ident is None else self.cache_format % {"scope": self.scope, "ident": ident}


class ChildSubmissionThrottle(_SubmissionThrottle):
    scope = "child_submissions"
    setting = "SUBMISSION_RATE_PER_CHILD"

    def ident_for(self, request: Request) -> str | None:
        child = playing_child_or_none(request)
        return None if child is None else f"child-{child.pk}"


class FamilySubmissionThrottle(_SubmissionThrottle):
    scope = "family_submissions"
    setting = "SUBMISSION_RATE_PER_FAMILY"

    def ident_for(self, request: Request) -> str | None:
        child = playing_child_or_none(request)
        return None if child is None else f"parent-{child.parent_id}"
