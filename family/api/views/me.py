"""The signed-in parent and the family at a glance."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from accounts import selectors as accounts_selectors
from drawings import selectors as drawings_selectors
from family import selectors
from family.api import serializers as s
from family.api.views.base import ERRORS, TAGS, ParentView, parent_of


class MeView(ParentView):
    @extend_schema(
        tags=TAGS,
        summary="The signed-in parent and the family at a glance",
        description="Who is signed in, and how many children and drawings the family has; "
        "`new_pictures` counts finished pictures since the parent last opened the family "
        "gallery, `asked_to_look` the pictures a child asked a grown-up to see.",
        responses={200: s.MeSerializer, **ERRORS},
    )
    def get(self, request: Request) -> Response:
        parent = parent_of(request)
        news = selectors.what_is_new(parent=parent)
        data = {
            "email": parent.email,
            "display_name": parent.display_name,
            "date_joined": parent.date_joined,
            "counts": {
                "children": accounts_selectors.family_children(parent=parent).count(),
                "drawings": drawings_selectors.drawings_of_family(parent=parent).count(),
                "new_pictures": news.new_pictures,
                "asked_to_look": news.asked_to_look,
            },
        }
        return Response(s.MeSerializer(data).data)
