import pytest


@pytest.fixture(autouse=True)
def _ordinary_day(ordinary_day: None) -> None:
    """Early-bird and weekend badges must not depend on when the suite happens to run."""
