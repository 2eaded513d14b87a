"""Parents see every version of a picture ("New colours") in the family admin, and only theirs."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone

from drawings.models import Drawing, PictureVersion
from tests.factories import sketch_png
from tests.fixtures.family import Family

pytestmark = pytest.mark.django_db
GALLERY = "/family/admin/drawings/drawing/"


def rerolled(drawing: Drawing) -> Drawing:
    """The drawing as two presses of 🎲 leave it: three versions, the newest shown."""
    names = [drawing.result.name]
    for number in (1, 2):
        version = PictureVersion(drawing=drawing, number=number, created_at=timezone.now())
        version.picture.save(f"v{number}.png", ContentFile(sketch_png(seed=number)), save=False)
        version.save()
        names.append(version.picture.name)
    PictureVersion.objects.create(
        drawing=drawing, number=0, picture=names[0], created_at=timezone.now()
    )
    Drawing.objects.filter(pk=drawing.pk).update(version_count=3, version=2, result=names[2])
    return Drawing.objects.get(pk=drawing.pk)


def test_the_parent_sees_every_version_and_which_is_shown(
    parent_client: Client, mine: Family, theirs: Family
) -> None:
    drawing = rerolled(mine.drawings[0])
    listing = parent_client.get(GALLERY).content.decode()
    assert 'class="field-versions">3<' in listing
    page = parent_client.get(f"{GALLERY}{drawing.pk}/change/").content.decode()
    for number in range(3):
        assert f'src="/drawings/{drawing.pk}/versions/{number}.png"' in page
    assert "Version 3 (shown)" in page
    for number in range(3):
        image = parent_client.get(f"/drawings/{drawing.pk}/versions/{number}.png")
        assert image.status_code == 200 and image["Content-Type"] == "image/png"
    # Another family's versions: not found, like everything of theirs.
    other = rerolled(theirs.drawings[0])
    assert parent_client.get(f"/drawings/{other.pk}/versions/1.png").status_code == 404
    assert parent_client.get(f"{GALLERY}{other.pk}/change/").status_code in (302, 404)
