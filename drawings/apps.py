from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# A part's headers (Content-Disposition with the file's name...) may be this long. Django's
# multipart parser allows 1,024 bytes, so a phone's 950-character file name refused a valid
# PNG; the name is never used (files get random names), and the body guard still caps the
# whole request, so a longer part header costs nothing.
MULTIPART_PART_HEADER_MAX_BYTES = 8192


class DrawingsConfig(AppConfig):
    name = "drawings"
    verbose_name = _("Drawings and pictures")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.http import multipartparser

        current = getattr(multipartparser, "MAX_TOTAL_HEADER_SIZE", 0)
        multipartparser.MAX_TOTAL_HEADER_SIZE = max(current, MULTIPART_PART_HEADER_MAX_BYTES)  # type: ignore[attr-defined]
