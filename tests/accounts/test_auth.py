"""Parents sign up, sign in and sign out with their email address."""

from __future__ import annotations

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import User
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "crayons-and-kites-42"


def _signup(client, **overrides):
    data = {
        "email": "Parent@Example.com",
        "display_name": "Mum",
        "password": GOOD_PASSWORD,
        "password_confirm": GOOD_PASSWORD,
        **overrides,
    }
    return client.post(reverse("accounts:signup"), data)


def test_signup_creates_the_parent_and_sends_the_link_to_confirm_the_email(client, mailbox):
    response = _signup(client)

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get()
    assert user.email == "parent@example.com"
    assert user.display_name == "Mum"
    assert user.check_password(GOOD_PASSWORD)
    assert SESSION_KEY not in client.session  # signing in proves the password once more
    page = client.get(response["Location"]).content.decode()
    assert "open the link we sent to your email" in page

    # Not confirmed yet: signing in sends the link again instead of opening the family page.
    unconfirmed = client.post(
        reverse("accounts:login"), {"username": "parent@example.com", "password": GOOD_PASSWORD}
    )
    assert unconfirmed["Location"] == reverse("account_email_verification_sent")
    assert SESSION_KEY not in client.session

    link = mailbox.wait_for("parent@example.com").link("/accounts/confirm-email/")
    confirmed = client.post(link)
    assert confirmed.status_code == 302
    signed_in = client.post(
        reverse("accounts:login"), {"username": "parent@example.com", "password": GOOD_PASSWORD}
    )
    family = client.get(signed_in["Location"])
    assert "Add your first child" in family.content.decode()


def test_signup_with_different_passwords_is_refused(client):
    response = _signup(client, password_confirm="something-else-42")

    assert response.status_code == 400
    assert "The two passwords are different." in response.content.decode()
    assert not User.objects.exists()


def test_signup_with_weak_password_is_refused(client):
    response = _signup(client, password="12345678", password_confirm="12345678")

    assert response.status_code == 400
    assert not User.objects.exists()
    assert response.context["form"].errors["password"]


@pytest.mark.parametrize(
    ("password", "why"),
    [("kites-and-42", None), ("kites-and-4", "at least 12 characters"), ("password1234", "common")],
)
def test_a_new_password_has_12_characters_and_is_not_a_common_one(client, password, why):
    response = _signup(client, password=password, password_confirm=password)
    if why is None:
        assert response.status_code == 302
        return
    assert response.status_code == 400
    assert not User.objects.exists()
    assert why in " ".join(response.context["form"].errors["password"])
    api = APIClient().post(
        "/api/v1/auth/signup/", {"email": "p@example.com", "password": password}, format="json"
    )
    assert api.status_code == 400 and api.json()["field_errors"]["password"]


def test_a_parent_with_an_older_shorter_password_still_signs_in(client):
    parent = UserFactory.create()
    parent.set_password("eight-ch")  # chosen before passwords needed 12 characters
    parent.save()
    signed_in = client.post(
        reverse("accounts:login"), {"username": parent.email, "password": "eight-ch"}
    )
    assert signed_in.status_code == 302 and client.session[SESSION_KEY] == str(parent.pk)


def test_signup_never_reveals_that_an_email_has_an_account(client, mailbox):
    owner = UserFactory.create(email="parent@example.com")
    new = _signup(Client(), email="someone-new@example.com")

    taken = _signup(client, email="PARENT@example.com")

    assert (taken.status_code, taken["Location"]) == (new.status_code, new["Location"])
    assert client.get(taken["Location"]).content.decode().count("open the link we sent")
    assert User.objects.filter(email__iexact="parent@example.com").count() == 1
    owner.refresh_from_db()
    assert not owner.check_password(GOOD_PASSWORD)  # the account is untouched
    # The owner hears of it by mail (only the owner of the address reads that).
    assert "/accounts/password/reset/" in mailbox.wait_for("parent@example.com").body


def test_signup_with_bad_email_is_a_form_error(client):
    response = _signup(client, email="not-an-email")

    assert response.status_code == 400
    assert response.context["form"].errors["email"]


def test_sign_in_with_email_in_any_case(client):
    user = UserFactory.create(email="dad@example.com")

    response = client.post(
        reverse("accounts:login"), {"username": "  Dad@Example.COM ", "password": DEFAULT_PASSWORD}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:family")
    assert client.session[SESSION_KEY] == str(user.pk)


def test_sign_in_with_wrong_password_shows_error(client):
    UserFactory.create(email="dad@example.com")

    response = client.post(
        reverse("accounts:login"), {"username": "dad@example.com", "password": "wrong-password"}
    )

    assert response.status_code == 400
    assert "do not match an account" in response.content.decode()
    assert SESSION_KEY not in client.session


def test_sign_in_follows_next(client):
    UserFactory.create(email="dad@example.com")
    target = reverse("accounts:child_add")

    response = client.post(
        f"{reverse('accounts:login')}?next={target}",
        {"username": "dad@example.com", "password": DEFAULT_PASSWORD},
    )

    assert response["Location"] == target


def test_sign_out_needs_post(client):
    client.force_login(UserFactory.create())

    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))

    assert response.status_code == 302
    assert SESSION_KEY not in client.session


def test_family_page_needs_sign_in(client):
    response = client.get(reverse("accounts:family"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_signed_in_parent_skips_signup_and_login(client):
    client.force_login(UserFactory.create())

    assert client.get(reverse("accounts:signup"))["Location"] == reverse("accounts:family")
    assert client.get(reverse("accounts:login"))["Location"] == reverse("accounts:family")
