"""A new parent's account life in a real browser, every mail read from the real SMTP server the
live site sends through:

sign up -> confirm the email from the mail -> add a child -> turn on TOTP -> sign out -> reset a
forgotten password by mail -> sign in with the new password and a TOTP code.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

from tests.fixtures.canvas import confirm_its_me, save_screenshot
from tests.fixtures.mail import SmtpServer

PASSWORD = "crayons-and-kites-42"
NEW_PASSWORD = "paper-boats-at-dawn-7"


def totp_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def submit(page: Any) -> None:
    page.click("main button[type=submit]")  # not the language switch in the top bar


def test_a_new_parent_signs_up_confirms_adds_a_child_turns_on_totp_and_resets_the_password(
    page: Any, smtp_server: SmtpServer
) -> None:
    email = f"new-{uuid.uuid4().hex[:8]}@example.com"
    mailbox = smtp_server.mailbox

    page.goto("/signup/")
    page.fill("input[name=email]", email)
    page.fill("input[name=display_name]", "Mum")
    page.fill("input[name=password]", PASSWORD)
    page.fill("input[name=password_confirm]", PASSWORD)
    submit(page)
    page.wait_for_url("**/accounts/confirm-email/")
    assert "open the link we sent" in page.locator(".messages").inner_text()

    # The link in the mail: confirm, and this browser (which signed up) is signed in.
    page.goto(mailbox.wait_for(email).link("/accounts/confirm-email/"))
    save_screenshot(page, "account-confirm-email")
    submit(page)
    page.wait_for_url("**/family/")
    page.goto("/family/children/add/")
    page.wait_for_url("**/family/children/add/")
    page.fill("input[name=nickname]", "Dami")
    page.locator("input[name=avatar][value=panda]").check(force=True)
    page.select_option("select[name=birth_year]", index=3)
    page.fill("input[name=pin]", "2468")
    page.fill("input[name=pin_confirm]", "2468")
    page.locator("input[name=consent]").check()
    submit(page)
    page.wait_for_url("**/family/")
    assert "Dami" in page.locator("main").inner_text()

    # A second factor: allauth asks for the password again, then shows the secret.
    page.goto("/accounts/2fa/totp/activate/")
    confirm_its_me(page, PASSWORD)
    secret = page.locator("#authenticator_secret").input_value()
    save_screenshot(page, "account-second-factor")
    page.fill("input[name=code]", totp_code(secret))
    submit(page)
    page.wait_for_url(lambda url: "/totp/activate/" not in url)
    assert "/accounts/2fa/" in page.url

    page.locator("header form.inline button[type=submit]").click()  # "Sign out"
    page.wait_for_url(lambda url: url.rstrip("/").endswith(("/", "")) and "/family" not in url)

    # Forgot the password: the link by mail, a new password.
    page.goto("/accounts/password/reset/")
    page.fill("input[name=email]", email)
    submit(page)
    reset_link = mailbox.wait_for(email, containing="/accounts/password/reset/key/").link(
        "/accounts/password/reset/key/"
    )
    page.goto(reset_link)
    page.fill("input[name=password1]", NEW_PASSWORD)
    page.fill("input[name=password2]", NEW_PASSWORD)
    submit(page)
    page.wait_for_url("**/accounts/password/reset/key/done/")

    # Sign in: the new password, then the code from the authenticator app.
    page.goto("/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", NEW_PASSWORD)
    submit(page)
    page.wait_for_url("**/accounts/2fa/authenticate/")
    page.fill("input[name=code]", totp_code(secret))
    submit(page)
    page.wait_for_url("**/family/")
    assert "Dami" in page.locator("main").inner_text()
