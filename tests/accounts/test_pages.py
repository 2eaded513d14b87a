"""Every accounts page renders (templates compile, URLs resolve), admin included."""

from __future__ import annotations

import html

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import ConsentRecord, User
from tests.factories import ChildFactory
from tests.fixtures.site import play_as

pytestmark = pytest.mark.django_db


def test_home_welcomes_signed_out_visitors(client):
    response = client.get(reverse("home"))

    page = response.content.decode()
    assert response.status_code == 200
    assert reverse("accounts:signup") in page
    assert reverse("accounts:login") in page


@pytest.mark.parametrize("url_name", ["accounts:signup", "accounts:login"])
def test_signed_out_pages_render(client, url_name):
    response = client.get(reverse(url_name))

    assert response.status_code == 200
    assert "<form" in response.content.decode()


def test_parent_pages_render(client, child):
    client.force_login(child.parent)

    for url in (
        reverse("accounts:family"),
        reverse("accounts:child_add"),
        reverse("accounts:child_edit", args=[child.pk]),
        reverse("accounts:play"),
        reverse("accounts:play_pin", args=[child.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url


def test_avatar_picker_and_time_zones_render(client, child):
    client.force_login(child.parent)

    page = html.unescape(client.get(reverse("accounts:child_add")).content.decode())

    assert 'type="radio"' in page
    assert "🦖" in page
    assert page.index("Asia/Seoul") < page.index("Africa/Abidjan")
    assert "I am this child's parent or guardian" in page


def test_pin_page_has_a_pad_and_a_plain_input(client, child):
    client.force_login(child.parent)

    page = client.get(reverse("accounts:play_pin", args=[child.pk])).content.decode()

    assert 'name="pin"' in page
    assert 'inputmode="numeric"' in page
    assert "pin-pad" in page


def test_leave_page_renders_while_playing(child):
    response = play_as(Client(), child).get(reverse("accounts:leave_play"))

    assert response.status_code == 200
    assert 'name="password"' in response.content.decode()


def test_admin_pages_render_without_pin_hashes(client):
    admin = User.objects.create_superuser(email="staff@example.com", password="x")
    child = ChildFactory.create()
    consent = ConsentRecord.objects.create(
        parent=child.parent, child=child, method=ConsentRecord.Method.WEB_FORM, version="t"
    )
    client.force_login(admin)

    for url in (
        reverse("admin:accounts_user_changelist"),
        reverse("admin:accounts_user_add"),
        reverse("admin:accounts_user_change", args=[child.parent.pk]),
        reverse("admin:accounts_child_changelist"),
        reverse("admin:accounts_child_change", args=[child.pk]),
        reverse("admin:accounts_consentrecord_changelist"),
        reverse("admin:accounts_consentrecord_change", args=[consent.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert child.pin_hash not in response.content.decode()
    assert client.get(reverse("admin:accounts_child_add")).status_code == 403


def test_admin_creates_a_parent_by_email(client):
    admin = User.objects.create_superuser(email="staff@example.com", password="x")
    client.force_login(admin)

    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "New.Parent@Example.com",
            "usable_password": "true",
            "password1": "crayons-and-kites-42",
            "password2": "crayons-and-kites-42",
        },
    )

    assert response.status_code == 302
    assert User.objects.get(email="new.parent@example.com").check_password("crayons-and-kites-42")
