"""The parents' account life on the web (allauth's pages in the site's frame), mails read from a
real SMTP server: a second factor at sign-in, reset by mail, notices, a new address confirmed
where it arrives, and a fresh sign-in before sensitive pages."""

from __future__ import annotations

import re
import time

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from accounts.models import ConsentRecord
from tests.factories import DEFAULT_PASSWORD, ChildFactory, UserFactory
from tests.fixtures.family import signed_in_again

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "paper-boats-at-dawn-7"


def _signed_in(parent, *, fresh: bool = False) -> Client:
    client = Client()
    client.force_login(parent)
    return signed_in_again(client) if fresh else client


def test_sign_in_asks_for_the_second_factor_before_the_session_starts():
    parent = UserFactory.create()
    secret = generate_totp_secret()
    TOTP.activate(parent, secret)
    client = Client()

    asked = client.post(
        reverse("accounts:login"), {"username": parent.email, "password": DEFAULT_PASSWORD}
    )

    assert asked["Location"] == reverse("mfa_authenticate")
    assert SESSION_KEY not in client.session
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    done = client.post(reverse("mfa_authenticate"), {"code": code})
    assert done.status_code == 302 and client.session[SESSION_KEY] == str(parent.pk)


def test_a_forgotten_password_is_reset_from_the_mail(mailbox):
    parent = UserFactory.create()
    client = Client()

    client.post(reverse("account_reset_password"), {"email": parent.email})
    link = mailbox.wait_for(parent.email).link("/accounts/password/reset/key/")
    form_page = client.get(link)  # allauth moves the key into the session, then shows the form
    reset = client.post(
        form_page["Location"], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )

    assert reset.status_code == 302
    parent.refresh_from_db()
    assert parent.check_password(NEW_PASSWORD)


def test_a_new_email_counts_only_once_confirmed_at_the_new_address_and_the_old_one_is_told(mailbox):
    parent = UserFactory.create(email="old@example.com")
    client = _signed_in(parent, fresh=True)

    client.post(reverse("account_email"), {"action_add": "", "email": "new@example.com"})

    parent.refresh_from_db()
    assert parent.email == "old@example.com"  # not before the new address is confirmed
    link = mailbox.wait_for("new@example.com").link("/accounts/confirm-email/")
    client.post(link)
    parent.refresh_from_db()
    assert parent.email == "new@example.com"
    assert EmailAddress.objects.get(user=parent, email="new@example.com").verified
    assert mailbox.to("old@example.com"), "the old address hears of the change"


def test_a_password_change_on_the_web_sends_a_notice(mailbox):
    parent = UserFactory.create()
    client = _signed_in(parent, fresh=True)

    client.post(
        reverse("account_change_password"),
        {"oldpassword": DEFAULT_PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    parent.refresh_from_db()
    assert parent.check_password(NEW_PASSWORD)
    assert "password" in mailbox.wait_for(parent.email).subject.lower()


def test_adding_a_child_waits_for_a_confirmed_email():
    parent = UserFactory.create(email_verified=False)
    client = _signed_in(parent)

    page = client.get(reverse("accounts:child_add"))

    assert page["Location"] == reverse("account_email")


def test_a_new_email_needs_a_fresh_sign_in(mailbox):
    parent = UserFactory.create(email="old@example.com")

    asked = _signed_in(parent).post(
        reverse("account_email"), {"action_add": "", "email": "new@example.com"}
    )

    assert asked["Location"].startswith(reverse("account_reauthenticate"))
    assert not mailbox.to("new@example.com")


@pytest.mark.parametrize(
    "page",
    [
        "/accounts/2fa/totp/deactivate/",
        "/accounts/password/change/",
        "/family/admin/accounts/child/{child}/withdraw-consent/",
        "/family/admin/drawings/drawing/export/",
        "/family/admin/sharing/sharelink/add/",
    ],
)
def test_sensitive_pages_ask_to_sign_in_again(page):
    child = ChildFactory.create()
    TOTP.activate(child.parent, generate_totp_secret())
    client = _signed_in(child.parent)

    answer = client.get(page.format(child=child.pk))

    assert answer.status_code == 302
    assert answer["Location"].startswith(reverse("account_reauthenticate"))


HANGUL = re.compile("[가-힣]")


def test_mails_and_pages_speak_the_parents_language(mailbox):
    korean = Client(HTTP_ACCEPT_LANGUAGE="ko")
    signed_up = korean.post(
        reverse("accounts:signup"),
        {
            "email": "eomma@example.com",
            "password": "crayons-and-kites-42",
            "password_confirm": "crayons-and-kites-42",
        },
    )

    page = korean.get(signed_up["Location"]).content.decode()
    assert "가족 계정이 거의 준비됐어요" in page
    mail = mailbox.wait_for("eomma@example.com")
    assert HANGUL.search(mail.subject) and HANGUL.search(mail.body), mail
    assert "/accounts/confirm-email/" in mail.body


@pytest.mark.parametrize(
    ("language", "unused"), [("ko", "아직 사용한 적 없어요."), ("en", "Not used yet.")]
)
def test_the_passkey_list_says_in_the_parents_language_that_a_key_is_not_used_yet(language, unused):
    """allauth's list wrote "Not used." as plain text: English on a Korean page."""
    parent = UserFactory.create()
    credential = {"clientExtensionResults": {"credProps": {"rk": True}}}
    Authenticator.objects.create(
        user=parent,
        type=Authenticator.Type.WEBAUTHN,
        data={"name": "Phone", "credential": credential},
    )
    client = _signed_in(parent, fresh=True)

    page = client.get(reverse("mfa_list_webauthn"), HTTP_ACCEPT_LANGUAGE=language)

    text = page.content.decode()
    assert page.status_code == 200 and "Phone" in text
    assert unused in text
    assert ("Not used" in text) == (language == "en")


def test_the_consent_records_show_the_verified_address_they_came_from(parent_client, mine):
    page = parent_client.get("/family/admin/accounts/consentrecord/").content.decode()

    assert mine.parent.email in page
    assert ConsentRecord.objects.get(child=mine.child).verified_email == mine.parent.email
