"""Parents' pages (sign-up, family, child profiles) and play mode.

Views stay thin: forms read the input, ``accounts.services`` applies the rules.
A form sent with mistakes comes back with its errors and a 400 status; a locked
PIN answers 429. Another family's child is a 404, never a hint that it exists.
"""

from __future__ import annotations

from typing import Any

from allauth.account import app_settings
from allauth.account.utils import perform_login
from allauth.mfa import app_settings as mfa_settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts import (
    forms,
    guessing,
    lockout,
    pins,
    reauthentication,
    selectors,
    services,
    tokens,
    verification,
)
from accounts.models import Child, ConsentRecord, User
from accounts.permissions import parent_required
from accounts.playmode import (
    enter_play_mode,
    leave_play_mode,
    leave_wait_seconds,
    record_failed_leave_attempt,
)
from accounts.rules import ProfileRejected

BAD_INPUT = 400
TOO_MANY_TRIES = 429


def _attach(form: Form, error: ProfileRejected) -> None:
    """Show a service's refusal next to the form's field of the same name."""
    for field, sentences in error.field_errors.items():
        form.add_error(field if field in form.fields else None, sentences)


def _parent(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # guaranteed by parent_required / login_required
    return user


def _own_child(request: HttpRequest, child_id: int) -> Child:
    child = selectors.family_child(parent=_parent(request), child_id=child_id)
    if child is None:
        raise Http404("No such child in your family.")
    return child


# --- parents ---------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("accounts:family")
    form = forms.SignupForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                # None for an email that already has an account: the page answers the same.
                parent = services.sign_up_parent(
                    email=form.cleaned_data["email"],
                    password=form.cleaned_data["password"],
                    display_name=form.cleaned_data["display_name"],
                )
            except ProfileRejected as error:
                _attach(form, error)
            else:
                messages.success(
                    request,
                    _(
                        "Your family account is almost ready: open the link we sent to your "
                        "email to confirm it, then sign in and add your first child."
                    ),
                )
                return verification.start_web_sign_up(
                    request, parent=parent, email=form.cleaned_data["email"]
                )
        return render(request, "accounts/signup.html", {"form": form}, status=BAD_INPUT)
    return render(request, "accounts/signup.html", {"form": form})


class SignInView(LoginView):
    """Email + password sign-in, or a passkey; a signed-in parent goes straight to the family
    page."""

    template_name = "accounts/login.html"
    authentication_form = forms.EmailAuthenticationForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        # A passkey alone also signs in (allauth's mfa_login_webauthn, its own form and script).
        return {
            **super().get_context_data(**kwargs),
            "PASSKEY_LOGIN_ENABLED": mfa_settings.PASSKEY_LOGIN_ENABLED,
        }

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        wait = guessing.address_wait_seconds(request)
        if wait:
            return lockout.slowed_down(request, wait)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: Any) -> HttpResponse:
        # allauth's sign-in stages: an unconfirmed email gets its link again (and no session),
        # a parent with a second factor is asked for a code before the session starts. The
        # password is recorded as allauth's own sign-in records it (a fresh sign-in).
        reauthentication.record_password_sign_in(self.request, form.get_user())
        return perform_login(
            self.request,
            form.get_user(),
            email_verification=app_settings.EMAIL_VERIFICATION,
            redirect_url=self.get_success_url(),
        )

    def form_invalid(self, form: Any) -> HttpResponse:
        if form.has_error("__all__", "invalid_login"):
            guessing.record_failed_sign_in(self.request)
        response = super().form_invalid(form)
        response.status_code = BAD_INPUT
        return response


@parent_required
def family(request: HttpRequest) -> HttpResponse:
    children = list(selectors.family_children(parent=_parent(request)))
    return render(request, "accounts/family.html", {"children": children})


@parent_required
@require_http_methods(["GET", "POST"])
def child_add(request: HttpRequest) -> HttpResponse:
    if not verification.email_is_verified(parent=_parent(request)):
        messages.warning(
            request,
            _(
                "Please confirm your email address first: open the link in the mail we sent "
                "you (or send it again here). Then you can add your child."
            ),
        )
        return redirect("account_email")
    form = forms.ChildAddForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                child = services.add_child(
                    parent=_parent(request),
                    nickname=data["nickname"],
                    avatar=data["avatar"],
                    birth_year=data["birth_year"],
                    time_zone=data["time_zone"],
                    pin=data["pin"],
                    consent_method=ConsentRecord.Method.WEB_FORM,
                )
            except ProfileRejected as error:
                _attach(form, error)
            else:
                messages.success(
                    request,
                    _("%(nickname)s is ready to draw!") % {"nickname": child.nickname},
                )
                return redirect("accounts:family")
        return render(
            request, "accounts/child_form.html", {"form": form, "adding": True}, status=BAD_INPUT
        )
    return render(request, "accounts/child_form.html", {"form": form, "adding": True})


@parent_required
@require_http_methods(["GET", "POST"])
def child_edit(request: HttpRequest, child_id: int) -> HttpResponse:
    child = _own_child(request, child_id)
    form = forms.ChildEditForm(request.POST or None, child=child)
    context = {"form": form, "adding": False, "child": child}
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.update_child(
                    child=child,
                    nickname=data["nickname"],
                    avatar=data["avatar"],
                    birth_year=data["birth_year"],
                    time_zone=data["time_zone"],
                    new_pin=data.get("new_pin") or None,
                )
            except ProfileRejected as error:
                _attach(form, error)
            else:
                messages.success(request, _("Saved."))
                return redirect("accounts:family")
        return render(request, "accounts/child_form.html", context, status=BAD_INPUT)
    return render(request, "accounts/child_form.html", context)


# --- play mode -------------------------------------------------------------------


@parent_required
def play(request: HttpRequest) -> HttpResponse:
    children = list(selectors.family_children(parent=_parent(request)))
    if not children:
        messages.info(request, _("Add a child first, then start play mode."))
        return redirect("accounts:child_add")
    return render(request, "accounts/play_start.html", {"children": children})


@parent_required
@require_http_methods(["GET", "POST"])
def play_pin(request: HttpRequest, child_id: int) -> HttpResponse:
    child = _own_child(request, child_id)
    form = forms.PinForm(request.POST or None)
    context: dict[str, Any] = {"form": form, "child": child, "locked_message": ""}
    if request.method == "POST":
        if form.is_valid():
            result = pins.verify_pin(child=child, pin=form.cleaned_data["pin"])
            if result.accepted:
                enter_play_mode(request, child=child)
                return redirect("drawings:canvas")
            if result.locked:
                context["locked_message"] = result.message
                return render(request, "accounts/play_pin.html", context, status=TOO_MANY_TRIES)
            form.add_error("pin", result.message)
        return render(request, "accounts/play_pin.html", context, status=BAD_INPUT)
    locked_until = pins.pin_locked_until(child=child)
    if locked_until is not None:
        context["locked_message"] = pins.PinResult(
            accepted=False, locked_until=locked_until
        ).message
    return render(request, "accounts/play_pin.html", context)


def _after_leaving_play(request: HttpRequest, then: str) -> HttpResponse:
    if then == "sign-out":  # "Sign out" pressed while playing: the password came first
        logout(request)
        return redirect("home")
    messages.success(request, _("Play mode is off."))
    if then == "review":  # the family admin's gallery
        return redirect("family_admin:drawings_drawing_changelist")
    return redirect("accounts:family")


@login_required
@require_http_methods(["GET", "POST"])
def leave_play(request: HttpRequest) -> HttpResponse:
    if getattr(request, "child", None) is None:
        return redirect("accounts:family")
    form = forms.LeavePlayForm(request.POST or None, user=_parent(request))
    then = request.POST.get("then") or request.GET.get("then") or ""
    context = {"form": form, "then_sign_out": then == "sign-out"}
    if request.method == "POST":
        wait = leave_wait_seconds(request.session)
        if wait:
            form.add_error(
                None,
                _("Please wait %(seconds)d seconds, then type the password again.")
                % {"seconds": wait},
            )
            response = render(request, "accounts/leave_play.html", context, status=429)
            response["Retry-After"] = str(wait)
            return response
        if form.is_valid():
            leave_play_mode(request)
            # The play session's key changed (and signing out ends it): its socket closes.
            tokens.recheck_web_sessions(parent_id=_parent(request).pk)
            return _after_leaving_play(request, then)
        record_failed_leave_attempt(request.session)
        return render(request, "accounts/leave_play.html", context, status=BAD_INPUT)
    return render(request, "accounts/leave_play.html", context)
