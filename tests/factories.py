"""factory_boy factories shared by every suite."""

from __future__ import annotations

import io
from typing import Any

import factory
from allauth.account.models import EmailAddress
from django.core.files.base import ContentFile
from PIL import Image, ImageDraw

from accounts.models import Avatar, Child, User
from drawings import lifecycle
from drawings.models import Drawing

DEFAULT_PASSWORD = "draw-with-me-2026"
DEFAULT_PIN = "1234"


def sketch_png(size: tuple[int, int] = (256, 256), *, seed: int = 0) -> bytes:
    """A black-on-white line drawing, the kind of image a child submits."""
    image = Image.new("RGB", size, "white")
    pen = ImageDraw.Draw(image)
    w, h = size
    offset = seed % 17
    pen.ellipse((w // 5 + offset, h // 5, 4 * w // 5, 4 * h // 5), outline="black", width=4)
    pen.line((w // 4, h // 2 + offset, 3 * w // 4, h // 2), fill="black", width=4)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"parent{n}@example.com")
    display_name = factory.Sequence(lambda n: f"Parent {n}")
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def _save(obj: Any, create: bool, extracted: object, **kwargs: object) -> None:  # noqa: N805
        # factory_boy passes the built model instance, not the factory.
        if create:
            obj.save()

    @factory.post_generation
    def email_verified(obj: Any, create: bool, extracted: object, **kwargs: object) -> None:  # noqa: N805
        # A parent who has confirmed the address (consent counts only then); pass
        # ``email_verified=False`` for one who has not yet.
        if create and extracted is not False:
            EmailAddress.objects.create(user=obj, email=obj.email, primary=True, verified=True)


class ChildFactory(factory.django.DjangoModelFactory[Child]):
    class Meta:
        model = Child
        skip_postgeneration_save = True

    parent = factory.SubFactory(UserFactory)
    nickname = factory.Sequence(lambda n: f"Artist{n}")
    avatar = Avatar.PANDA
    birth_year = 2019
    time_zone = "Asia/Seoul"
    pin = factory.PostGenerationMethodCall("set_pin", DEFAULT_PIN)

    @factory.post_generation
    def _save(obj: Any, create: bool, extracted: object, **kwargs: object) -> None:  # noqa: N805
        # factory_boy passes the built model instance, not the factory.
        if create:
            obj.save()


class DrawingFactory(factory.django.DjangoModelFactory[Drawing]):
    class Meta:
        model = Drawing

    child = factory.SubFactory(ChildFactory)
    category = "face"
    client_id = factory.Sequence(lambda n: f"client-{n}")
    sketch = factory.LazyAttribute(lambda _: ContentFile(sketch_png(), name="sketch.png"))


def finish_claim(
    *, claim: lifecycle.Claim, picture_png: bytes, generator_name: str, inference_ms: int
) -> lifecycle.Finished | None:
    """Finish one claim as a worker would: its picture, a batch of one (``finish_drawings``)."""
    picture = lifecycle.Picture(
        claim=claim, png=picture_png, generator_name=generator_name, inference_ms=inference_ms
    )
    return lifecycle.finish_drawings(pictures=[picture])[0]
