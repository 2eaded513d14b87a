"""The family admin with every model registered: include ``family_site.urls`` in the URL map."""

from __future__ import annotations

from family import children, consent, gallery, sharing
from family.sites import family_site

__all__ = ["children", "consent", "family_site", "gallery", "sharing"]
