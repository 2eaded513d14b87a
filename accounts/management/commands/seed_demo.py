"""Create the demo family used by ``make run``; safe to run again and again."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts import services, verification
from accounts.models import Avatar, ConsentRecord, User

DEMO_EMAIL = "demo@icanvas.local"
DEMO_PASSWORD = "draw-together"  # noqa: S105 - a published demo password, never a real account
# (nickname, avatar, age, PIN)
DEMO_CHILDREN = [
    ("Mina", Avatar.PANDA, 7, "1234"),
    ("Joon", Avatar.DINOSAUR, 5, "5678"),
]


class Command(BaseCommand):
    help = (
        "Create a demo parent (demo@icanvas.local) with two children, Mina and Joon. "
        "Existing demo accounts are left as they are: nothing is duplicated or reset."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            parent = User.objects.filter(email=DEMO_EMAIL).first()
            if parent is None:
                parent = services.register_parent(
                    email=DEMO_EMAIL, password=DEMO_PASSWORD, display_name="Demo parent"
                )
                self.stdout.write(self.style.SUCCESS(f"Created demo parent {DEMO_EMAIL}."))
                password_note = DEMO_PASSWORD
            else:
                self.stdout.write(f"Demo parent {DEMO_EMAIL} already exists: left unchanged.")
                password_note = f"{DEMO_PASSWORD} (unless someone changed it)"
            verification.vouch_for_email(parent=parent)  # a made-up address no mail reaches

            this_year = timezone.localdate().year
            for nickname, avatar, age, pin in DEMO_CHILDREN:
                if parent.children.filter(nickname__iexact=nickname).exists():
                    self.stdout.write(f"Child {nickname} already exists: left unchanged.")
                    continue
                services.add_child(
                    parent=parent,
                    nickname=nickname,
                    avatar=avatar,
                    birth_year=this_year - age,
                    time_zone="Asia/Seoul",
                    pin=pin,
                    consent_method=ConsentRecord.Method.DEMO_SEED,
                )
                self.stdout.write(self.style.SUCCESS(f"Created child {nickname}."))

        self.stdout.write("")
        self.stdout.write("Sign in at /login/ with:")
        self.stdout.write(f"  email:    {DEMO_EMAIL}")
        self.stdout.write(f"  password: {password_note}")
        self.stdout.write("Then choose “Play mode” and pick a child:")
        for nickname, _avatar, _age, pin in DEMO_CHILDREN:
            self.stdout.write(f"  {nickname}: PIN {pin}")
        self.stdout.write("To leave play mode, click “Grown-ups” and type the parent's password.")
