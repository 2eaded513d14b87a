"""``manage.py seed_demo`` makes the demo family once and never resets it."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from accounts.management.commands.seed_demo import DEMO_EMAIL, DEMO_PASSWORD
from accounts.models import Child, ConsentRecord, User

pytestmark = pytest.mark.django_db


def _seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_seed_demo_creates_a_family_and_says_how_to_sign_in():
    output = _seed()

    parent = User.objects.get(email=DEMO_EMAIL)
    assert parent.check_password(DEMO_PASSWORD)
    children = {child.nickname: child for child in Child.objects.filter(parent=parent)}
    assert set(children) == {"Mina", "Joon"}
    assert children["Mina"].check_pin("1234")
    assert children["Joon"].check_pin("5678")
    assert (
        ConsentRecord.objects.filter(parent=parent, method=ConsentRecord.Method.DEMO_SEED).count()
        == 2
    )
    for text in (DEMO_EMAIL, DEMO_PASSWORD, "Mina: PIN 1234", "Joon: PIN 5678"):
        assert text in output


def test_seed_demo_twice_changes_nothing():
    _seed()
    parent = User.objects.get(email=DEMO_EMAIL)
    parent.set_password("the-parent-changed-it")
    parent.save()
    mina = Child.objects.get(nickname="Mina")
    mina.set_pin("4444")
    mina.save()

    output = _seed()

    assert "already exists" in output
    assert User.objects.count() == 1
    assert Child.objects.count() == 2
    assert ConsentRecord.objects.count() == 2
    parent.refresh_from_db()
    assert parent.check_password("the-parent-changed-it")
    mina.refresh_from_db()
    assert mina.check_pin("4444")


def test_seed_demo_restores_a_deleted_demo_child():
    _seed()
    Child.objects.filter(nickname="Joon").delete()

    _seed()

    assert set(Child.objects.values_list("nickname", flat=True)) == {"Mina", "Joon"}
