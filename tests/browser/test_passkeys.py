"""A parent's passkey in a real browser: Chromium's virtual authenticator (the DevTools
protocol's WebAuthn domain) stands in for the phone's screen lock.

sign in with the password -> add a passkey from the family page -> sign out -> sign in with the
passkey alone, no password typed -> sign out -> the password, then the passkey as second factor.

The site is opened as http://localhost: browsers refuse a relying party that is an IP address,
and allow WebAuthn over plain http only on localhost.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.fixtures.browser import LiveSite
from tests.fixtures.canvas import DEMO_EMAIL, DEMO_PASSWORD, save_screenshot


@pytest.fixture
def passkey_page(browser: Any, live_site: LiveSite) -> Iterator[tuple[Any, Any, str]]:
    """A page on http://localhost with a platform authenticator that verifies its user (like a
    fingerprint), its DevTools session, and the authenticator's id."""
    base_url = live_site.url.replace("127.0.0.1", "localhost")
    context = browser.new_context(base_url=base_url, viewport={"width": 1024, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)
    devtools = context.new_cdp_session(page)
    devtools.send("WebAuthn.enable")
    added = devtools.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    yield page, devtools, added["authenticatorId"]
    context.close()


def test_a_parent_adds_a_passkey_then_signs_in_with_it_alone_and_as_a_second_factor(
    passkey_page: tuple[Any, Any, str],
) -> None:
    page, devtools, authenticator_id = passkey_page

    page.goto("/login/")
    page.fill("input[name=username]", DEMO_EMAIL)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/family/")
    child_names = page.locator("main").inner_text()

    # The family page's second-factor button leads to allauth's page, which offers a passkey.
    page.locator("a[href='/accounts/2fa/']").click()
    page.wait_for_url("**/accounts/2fa/")
    page.goto("/accounts/2fa/webauthn/add/")
    # Adding a factor needs a fresh sign-in, and signing in at the site's own page was one: no
    # password asked again.
    assert "/accounts/reauthenticate/" not in page.url
    page.wait_for_url("**/accounts/2fa/webauthn/add/")
    page.fill("input[name=name]", "Mum's phone")
    page.locator("input[name=passwordless]").check()
    page.click("#mfa_webauthn_add")  # the browser makes the passkey, the form sends it
    page.wait_for_url(lambda url: "/webauthn/add/" not in url)

    stored = devtools.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})
    assert len(stored["credentials"]) == 1
    assert stored["credentials"][0]["isResidentCredential"]
    assert stored["credentials"][0]["rpId"] == "localhost"
    page.goto("/accounts/2fa/webauthn/")
    assert "Mum's phone" in page.locator("main").inner_text()
    save_screenshot(page, "account-passkeys")

    page.goto("/family/")
    page.locator("header form.inline button[type=submit]").click()  # "Sign out"
    page.wait_for_url(lambda url: "/family" not in url)

    # Sign in with the passkey: no email, no password.
    page.goto("/login/")
    save_screenshot(page, "sign-in-with-a-passkey")
    page.click("#passkey_login")
    page.wait_for_url("**/family/")
    assert page.locator("main").inner_text() == child_names
    signed = devtools.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})
    assert signed["credentials"][0]["signCount"] >= 1

    # The passkey is also the second factor after the password.
    page.locator("header form.inline button[type=submit]").click()  # "Sign out"
    page.wait_for_url(lambda url: "/family" not in url)
    page.goto("/login/")
    page.fill("input[name=username]", DEMO_EMAIL)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/accounts/2fa/authenticate/")
    page.click("#mfa_webauthn_authenticate")  # "Use a security key"
    page.wait_for_url("**/family/")
    assert page.locator("main").inner_text() == child_names
