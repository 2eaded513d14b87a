"""What every parents' endpoint shares: the parent-only view, the look-ups inside the parent's
own family (another family's id is a 404), and the documented meaning of each error status."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import exceptions
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.views import APIView

from accounts.models import Child, User
from accounts.permissions import IsParent
from drawings import selectors as drawings_selectors
from drawings.models import Drawing
from family import selectors

TAGS = ["family"]


# The body of every error is the one shape (``ApiError``, added to each operation by
# icanvas_site.api_schema, answered by core.api); here each operation says what its statuses mean.
ERRORS = {
    401: OpenApiResponse(description="`not_signed_in`: no token, or it was revoked or expired."),
    403: OpenApiResponse(
        description="`permission_denied`: this needs the parent; a child's play token "
        "(or play mode on the web) may not."
    ),
}
NOT_FOUND = {
    404: OpenApiResponse(description="`not_found`: there is no such thing in your family.")
}
BAD_INPUT = {
    400: OpenApiResponse(description="`{code, detail, field_errors}`: what to fix, input by input.")
}


# A file is chosen by its address and the Accept header; ``?format=`` is left undocumented.
NO_FORMAT = OpenApiParameter("format", exclude=True)


def parent_of(request: Request) -> User:
    """The signed-in parent making the request."""
    user = request.user
    if not isinstance(user, User):  # IsParent let only a signed-in parent through
        raise exceptions.NotAuthenticated()
    return user


class ParentView(APIView):
    permission_classes = [IsAuthenticated, IsParent]


def own_child(request: Request, pk: int) -> Child:
    """The parent's child ``pk`` at a glance (XP, streak, drawings), or a 404."""
    child = selectors.children_at_a_glance(parent=parent_of(request)).filter(pk=pk).first()
    if child is None:
        raise exceptions.NotFound(_("There is no such child in your family."))
    return child


def family_drawings(request: Request) -> QuerySet[Drawing]:
    """Every drawing of the parent's children, hidden ones included."""
    return drawings_selectors.drawings_of_family(parent=parent_of(request))


def own_drawing(request: Request, pk: int) -> QuerySet[Drawing]:
    """The one drawing as a queryset (the services write through querysets), or a 404."""
    drawing = family_drawings(request).filter(pk=pk)
    if not drawing.exists():
        raise exceptions.NotFound(_("There is no such drawing in your family."))
    return drawing
