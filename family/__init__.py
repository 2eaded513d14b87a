"""The parents' side: a family-scoped Django admin over the apps below it.

Nothing here is for staff (they keep ``/admin/``); everything is scoped to the signed-in parent.
This package sits above ``drawings``, ``gamification`` and ``accounts`` and writes through
their services.
"""
