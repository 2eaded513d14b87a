"""Fixtures for the accounts suite."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    # Real hashing (PBKDF2) costs ~0.3 s per password and PIN; the behaviour under test
    # does not depend on the algorithm, only on hashes never equalling the secret.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
