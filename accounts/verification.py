"""A parent's email address: verified before consent counts (django-allauth keeps the addresses).

Sign-up sends the mail allauth would: a link confirming a new address, or, for an address that
already has an account, a mail saying so (the page answers the same either way, so nobody learns
who has an account). Everything later (confirming, a new address, reset by mail) is allauth's.
"""

from __future__ import annotations

from allauth.account import app_settings
from allauth.account.adapter import get_adapter
from allauth.account.internal.flows.email_verification import (
    consume_email_verification_rate_limit,
)
from allauth.account.internal.flows.signup import complete_signup, prevent_enumeration
from allauth.account.models import EmailAddress
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from accounts.models import User


def email_is_verified(*, parent: User) -> bool:
    """Whether the parent's sign-in address has been confirmed from a mail we sent to it."""
    return EmailAddress.objects.filter(
        user=parent, email__iexact=parent.email, verified=True
    ).exists()


def start_web_sign_up(request: HttpRequest, *, parent: User | None, email: str) -> HttpResponse:
    """The sign-up page's next step, through allauth's sign-up stages: the confirmation link for
    a new account (confirming it in this browser then signs it in), or the mail to the owner of
    an address that already had one; both answer with the same "check your email" page."""
    if parent is None:
        return prevent_enumeration(request, email=email.strip().lower())
    _primary_address(parent)
    return complete_signup(
        request,
        user=parent,
        email_verification=app_settings.EMAIL_VERIFICATION,
        redirect_url=reverse("accounts:family"),
    )


def send_sign_up_mail(request: HttpRequest, *, parent: User | None, email: str) -> None:
    """After a sign-up over the API (no session): the confirmation link for a new account
    (``parent``), or, when the address already had one (``parent`` None), a mail telling its
    owner so."""
    if parent is None:
        if email:
            get_adapter(request).send_account_already_exists_mail(email.strip().lower())
        return
    _send_link(request, _primary_address(parent), signup=True)


def vouch_for_email(*, parent: User) -> None:
    """Record the parent's address as verified without a mail: only for accounts the operator
    makes on the machine itself (the demo family, benchmarks), never for a sign-up."""
    EmailAddress.objects.update_or_create(
        user=parent, email=parent.email.lower(), defaults={"verified": True, "primary": True}
    )


def send_link_again(request: HttpRequest, *, parent: User) -> None:
    """A parent signing in before confirming gets the link again (allauth limits how often)."""
    address = _primary_address(parent)  # made here for an account from before confirming
    if not address.verified:
        _send_link(request, address, signup=False)


def _send_link(request: HttpRequest, address: EmailAddress, *, signup: bool) -> None:
    # allauth's own sending, without the page's flash message (the API answers in JSON and sets
    # no cookie); at most one link per address every few minutes (allauth's rate limit).
    if consume_email_verification_rate_limit(request, address.email):
        address.send_confirmation(request, signup=signup)


def _primary_address(parent: User) -> EmailAddress:
    address, _created = EmailAddress.objects.get_or_create(
        user=parent,
        email=parent.email.lower(),
        defaults={"primary": True, "verified": False},
    )
    return address
