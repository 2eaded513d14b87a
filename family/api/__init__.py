"""The parents' side of the REST API: the family, its children, their drawings."""
