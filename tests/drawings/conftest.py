import pytest


@pytest.fixture(autouse=True)
def _generators(generators_dir):
    """Every drawing test has a registry with the 'face' and 'panda' categories."""
    return generators_dir
