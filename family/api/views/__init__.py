"""The parents' REST endpoints: the family, its children, their drawings, the export.

Thin views over the services and selectors the family admin and the web pages use, so every
rule (PIN format, consent, hiding, deleting with the XP ledger kept) lives there once. Only a
parent acting as the parent gets in (a parent's token or the web session, never a play token),
and every object is looked up inside the parent's own family: another family's id is a 404.

One module per resource: ``me`` (the parent), ``children``, ``drawings``, ``files`` (downloads
and the export); ``base`` holds the parent-only view, the family-scoped look-ups and the error
texts every operation documents.
"""
