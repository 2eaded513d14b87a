"""Fixtures live in ``tests/fixtures/``, one module per concern, registered here once.

Test modules never import each other (nor a conftest): what two suites share is a fixture or a
helper in one of these modules. Add a suite's own module to the list, one line each.
"""

pytest_plugins = [
    "tests.fixtures.site",
    "tests.fixtures.events",
    "tests.fixtures.live",
    "tests.fixtures.gamification",
    "tests.fixtures.mail",  # before browser, which imports it
    "tests.fixtures.browser",
    "tests.fixtures.canvas",
    "tests.fixtures.inference",
    "tests.fixtures.family",
    "tests.fixtures.api",
    "tests.fixtures.s3",
]
