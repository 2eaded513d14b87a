"""Sign-up, sign-in per device, devices, sign-out, password change; play tokens for a child.

Thin views: the rules are in ``accounts.services`` (accounts, PINs) and ``accounts.tokens``.
"""

from __future__ import annotations

import math
from typing import Any

from allauth.account.adapter import get_adapter
from axes.helpers import get_cool_off
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import guessing, lockout, pins, reauthentication, services, tokens, verification
from accounts.api import serializers as s
from accounts.api.throttles import (
    LeavePlayThrottle,
    PinThrottle,
    SignInEmailThrottle,
    SignInIPThrottle,
    SignUpThrottle,
)
from accounts.models import ApiToken, User
from accounts.permissions import IsParent, RecentlySignedIn, playing_child_or_none
from accounts.selectors import family_child
from core import error_codes as codes
from core.pagination import StrictCursorPagination

TAGS = ["account"]  # signing in and out, devices, and handing a device to a child
ERRORS = {
    400: OpenApiResponse(description="`{code, detail, field_errors}`: what to fix."),
    401: OpenApiResponse(description="`not_signed_in`: no token, or it was revoked or expired."),
    403: OpenApiResponse(description="`not_allowed`: this token may not do this."),
    429: OpenApiResponse(description="`throttled` or `locked`: try again after `Retry-After`."),
}


def _token_answer(issued: tokens.IssuedToken, request: Request, code: int) -> Response:
    data = {
        "token": issued.token,
        "expiry": issued.row.expiry,
        "row": issued.row,
        "kind": "child" if issued.row.child_id else "parent",
        "child_id": issued.row.child_id,
    }
    return Response(s.TokenSerializer(data, context={"request": request}).data, status=code)


class Locked(exceptions.APIException):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = codes.LOCKED

    def __init__(self, detail: str, wait_seconds: int) -> None:
        super().__init__(detail, code=codes.LOCKED)
        self.wait = wait_seconds


def _locked(django_request: HttpRequest) -> Locked:
    cool_off = get_cool_off(django_request)
    seconds = int(cool_off.total_seconds()) if cool_off else 15 * 60
    minutes = max(1, math.ceil(seconds / 60))
    return Locked(
        ngettext(
            "Too many wrong passwords, so signing in is paused for this account. "
            "Please try again in %(minutes)d minute.",
            "Too many wrong passwords, so signing in is paused for this account. "
            "Please try again in %(minutes)d minutes.",
            minutes,
        )
        % {"minutes": minutes},
        seconds,
    )


class IsParentToken(IsParent):
    """A parent acting as the parent (a token or the web session), never a play token."""

    pass


class SignUpView(APIView):
    """Create a family account. The answer is the same whether or not the email already has
    an account (nobody learns who has one). A link to confirm the address comes by mail (its
    last part is the key for ``POST /api/v1/auth/app/auth/email/verify``); then sign in with
    ``POST /api/v1/auth/signin/``."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes = [SignUpThrottle]

    @extend_schema(
        tags=TAGS,
        request=s.SignUpSerializer,
        responses={202: s.MessageSerializer, **ERRORS},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        form = s.SignUpSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        try:
            parent = services.sign_up_parent(**form.validated_data)
        except ValidationError as error:
            raise exceptions.ValidationError(error.message_dict) from error
        verification.send_sign_up_mail(
            request._request, parent=parent, email=form.validated_data["email"]
        )
        return Response(
            {
                "code": codes.SIGNED_UP,
                "detail": _(
                    "Check your email: open the link we sent to confirm the address, then sign in."
                ),
            },
            status=status.HTTP_202_ACCEPTED,
        )


class SignInView(APIView):
    """Email and password in, a token for this device out."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes = [SignInIPThrottle, SignInEmailThrottle]

    @extend_schema(
        tags=TAGS, request=s.SignInSerializer, responses={201: s.TokenSerializer, **ERRORS}, auth=[]
    )
    def post(self, request: Request) -> Response:
        form = s.SignInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        django_request = request._request
        wait = guessing.address_wait_seconds(django_request)
        if wait:
            raise Locked(lockout.slow_down_message(wait), wait)
        user = authenticate(
            django_request, username=data["email"].lower(), password=data["password"]
        )
        if getattr(django_request, "axes_locked_out", False):
            raise _locked(django_request)
        if not isinstance(user, User) or not user.is_active:
            guessing.record_failed_sign_in(django_request)
            raise exceptions.ValidationError(
                {"non_field_errors": [_("That email and password don't match an account.")]},
                code=codes.WRONG_CREDENTIALS,
            )
        if not verification.email_is_verified(parent=user):
            verification.send_link_again(django_request, parent=user)
            raise exceptions.PermissionDenied(
                _(
                    "Please confirm your email address first: open the link in the mail we "
                    "sent you (we have sent it again), then sign in."
                ),
                code=codes.EMAIL_NOT_VERIFIED,
            )
        _check_second_factor(user, data.get("code", ""))
        issued = tokens.issue_parent_token(parent=user, device_name=data.get("device_name", ""))
        return _token_answer(issued, request, status.HTTP_201_CREATED)


def _check_second_factor(user: User, code: str) -> None:
    """A parent with a second factor signs in with its code too (403 ``mfa_required`` without
    one, 400 ``wrong_code`` for a wrong one)."""
    if not reauthentication.has_second_factor(parent=user):
        return
    if not code:
        raise exceptions.PermissionDenied(
            _("Your account has a second factor: send the code from your authenticator app too."),
            code=codes.MFA_REQUIRED,
        )
    if not reauthentication.code_is_right(parent=user, code=code):
        raise exceptions.ValidationError(
            {"code": [_("That code is not right. Type the newest code from your app.")]},
            code=codes.WRONG_CODE,
        )


class ReauthenticateView(APIView):
    """Prove it's you again before a sensitive action (withdrawing consent, exporting, a new
    password): the password, or a code of the second factor. This device's token is then
    fresh for ``ACCOUNT_REAUTHENTICATION_TIMEOUT`` seconds (5 minutes)."""

    permission_classes = [IsAuthenticated, IsParentToken]
    throttle_classes = [SignInEmailThrottle]

    @extend_schema(tags=TAGS, request=s.ReauthenticateSerializer, responses={204: None, **ERRORS})
    def post(self, request: Request) -> Response:
        form = s.ReauthenticateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        user: User = request.user  # type: ignore[assignment]
        token = request.auth
        if not isinstance(token, ApiToken):
            raise exceptions.PermissionDenied(
                _("On the website, sign in again on the page that asks for it.")
            )
        if data.get("code"):
            if not reauthentication.has_second_factor(parent=user) or not (
                reauthentication.code_is_right(parent=user, code=data["code"])
            ):
                raise exceptions.ValidationError(
                    {"code": [_("That code is not right. Type the newest code from your app.")]},
                    code=codes.WRONG_CODE,
                )
        elif data.get("password"):
            verdict = guessing.check_parent_password(
                request._request, parent=user, password=data["password"]
            )
            if verdict is guessing.PasswordCheck.LOCKED:
                raise _locked(request._request)
            if verdict is not guessing.PasswordCheck.RIGHT:
                raise exceptions.ValidationError(
                    {"password": [_("That is not your current password.")]},
                    code=codes.WRONG_PASSWORD,
                )
        else:
            raise exceptions.ValidationError(
                {"password": [_("Type your password (or a code from your authenticator app).")]},
                code=codes.REQUIRED,
            )
        reauthentication.mark_token_fresh(token)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SignOutView(APIView):
    """Revoke the token of this request (a play token leaves with ``/play/leave/`` instead)."""

    permission_classes = [IsAuthenticated, IsParentToken]

    @extend_schema(tags=TAGS, request=None, responses={204: None, **ERRORS})
    def post(self, request: Request) -> Response:
        token = request.auth
        if isinstance(token, ApiToken):
            tokens.revoke(ApiToken.objects.filter(pk=token.pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class SignOutEverywhereView(APIView):
    """Sign out everywhere: every token of the parent (all devices, all play tokens) is
    revoked and every web session ends; their sockets close."""

    permission_classes = [IsAuthenticated, IsParentToken]

    @extend_schema(tags=TAGS, request=None, responses={204: None, **ERRORS})
    def post(self, request: Request) -> Response:
        tokens.sign_out_everywhere(parent=request.user)  # type: ignore[arg-type]
        return Response(status=status.HTTP_204_NO_CONTENT)


class DeviceCursor(StrictCursorPagination):
    ordering = ("-created", "-public_id")  # tokens.tokens_of's order: newest first
    page_size = 50  # at most API_TOKEN_MAX_PER_PARENT devices and the children's play tokens


class DeviceListView(generics.ListAPIView):
    """The parent's signed-in devices and live play tokens; ``current`` is this request's."""

    permission_classes = [IsAuthenticated, IsParentToken]
    serializer_class = s.DeviceSerializer
    pagination_class = DeviceCursor

    def get_queryset(self) -> QuerySet[ApiToken]:
        return tokens.tokens_of(parent=self.request.user)  # type: ignore[arg-type]

    @extend_schema(tags=TAGS, responses={200: s.DeviceSerializer(many=True), **ERRORS})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class DeviceDetailView(APIView):
    permission_classes = [IsAuthenticated, IsParentToken]

    @extend_schema(tags=TAGS, request=None, responses={204: None, 404: OpenApiResponse(), **ERRORS})
    def delete(self, request: Request, public_id: str) -> Response:
        rows = ApiToken.objects.filter(user=request.user, public_id=public_id)
        if not tokens.revoke(rows):
            raise exceptions.NotFound(_("There is no such device."))
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordChangeView(APIView):
    """Change the password: every token is revoked (all devices, all play tokens); the answer
    is a new token for this device. Needs a fresh sign-in; the parent gets a notice by mail."""

    permission_classes = [IsAuthenticated, IsParentToken, RecentlySignedIn]

    @extend_schema(
        tags=TAGS, request=s.PasswordChangeSerializer, responses={201: s.TokenSerializer, **ERRORS}
    )
    def post(self, request: Request) -> Response:
        form = s.PasswordChangeSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        user: User = request.user  # type: ignore[assignment]
        if not user.check_password(data["old_password"]):
            raise exceptions.ValidationError(
                {"old_password": [_("That is not your current password.")]},
                code=codes.WRONG_PASSWORD,
            )
        try:
            validate_password(data["new_password"], user=user)
        except ValidationError as error:
            raise exceptions.ValidationError({"new_password": error.messages}) from error
        with transaction.atomic():
            user.set_password(data["new_password"])
            user.save(update_fields=["password"])
            tokens.revoke_all(parent=user)
            tokens.recheck_web_sessions(parent_id=user.pk)  # the old password's sessions end
            issued = tokens.issue_parent_token(parent=user, device_name=data.get("device_name", ""))
        get_adapter(request._request).send_notification_mail("account/email/password_changed", user)
        return _token_answer(issued, request, status.HTTP_201_CREATED)


class PlayView(APIView):
    """Hand this device to one child: the parent's token and the child's PIN in, a play token
    out. The PIN's tries and lock are the web's (5 wrong tries lock the profile for a while)."""

    permission_classes = [IsAuthenticated, IsParentToken]
    throttle_classes = [PinThrottle]

    @extend_schema(
        tags=TAGS,
        request=s.PlaySerializer,
        responses={201: s.TokenSerializer, 404: OpenApiResponse(), **ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        child = family_child(parent=request.user, child_id=pk)  # type: ignore[arg-type]
        if child is None:
            raise exceptions.NotFound(_("There is no such child in your family."))
        form = s.PlaySerializer(data=request.data)
        form.is_valid(raise_exception=True)
        try:
            result = pins.verify_pin(child=child, pin=form.validated_data["pin"])
        except ValidationError as error:
            raise exceptions.ValidationError({"pin": error.messages}) from error
        if result.locked:
            left = (
                (result.locked_until - timezone.now()).total_seconds()
                if result.locked_until
                else 60
            )
            raise Locked(result.message, max(1, math.ceil(left)))
        if not result.accepted:
            raise exceptions.ValidationError({"pin": [result.message]}, code=codes.WRONG_PIN)
        issued = tokens.issue_play_token(
            child=child, device_name=form.validated_data.get("device_name", "")
        )
        return _token_answer(issued, request, status.HTTP_201_CREATED)


class LeavePlayView(APIView):
    """End play mode on this device: the parent's password, then the play token is revoked."""

    permission_classes = [IsAuthenticated]
    throttle_classes = [LeavePlayThrottle]

    @extend_schema(tags=TAGS, request=s.PasswordSerializer, responses={204: None, **ERRORS})
    def post(self, request: Request) -> Response:
        token = request.auth
        child = playing_child_or_none(request)
        if child is None or not isinstance(token, ApiToken):
            raise exceptions.PermissionDenied(_("This device is not in play mode."))
        form = s.PasswordSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        verdict = guessing.check_parent_password(
            request._request, parent=child.parent, password=form.validated_data["password"]
        )
        if verdict is guessing.PasswordCheck.LOCKED:
            raise _locked(request._request)
        if verdict is not guessing.PasswordCheck.RIGHT:
            raise exceptions.ValidationError(
                {"password": [_("That is not the parent's password.")]}, code=codes.WRONG_PASSWORD
            )
        tokens.revoke(ApiToken.objects.filter(pk=token.pk))
        return Response(status=status.HTTP_204_NO_CONTENT)
