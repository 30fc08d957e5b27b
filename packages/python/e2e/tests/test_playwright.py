"""The example site's three flows in Chromium driven by Playwright for Python (sync API), with
the code, the link and the TOTP code from otpcatch."""

from __future__ import annotations

import urllib.parse
from typing import Any

from playwright.sync_api import expect

import otpcatch


def sign_up(page: Any, site_url: str, mailbox: otpcatch.Mailbox) -> None:
    page.goto(site_url)
    page.fill("#email", mailbox.address)
    page.click("#signup")
    expect(page.locator("#status")).to_have_text("Check your email")
    code = mailbox.code(subject="confirm", timeout="30s")
    assert code.isdigit() and len(code) == 6
    page.fill("#code", code)
    page.click("#verify")
    expect(page.locator("#status")).to_have_text("Account verified")


def test_sign_up_with_the_emailed_code(page: Any, site_url: str, mailbox: otpcatch.Mailbox) -> None:
    sign_up(page, site_url, mailbox)
    message = mailbox.message(subject="confirm")
    assert message.to == mailbox.address
    assert message.from_ == "Example Site <no-reply@site.example.test>"
    assert message.code is not None and message.code in message.text


def test_sign_in_with_the_emailed_link(page: Any, site_url: str, mailbox: otpcatch.Mailbox) -> None:
    page.goto(f"{site_url}/signin")
    page.fill("#email", mailbox.address)
    page.click("#send-link")
    expect(page.locator("#status")).to_have_text("Check your email")
    link = mailbox.link(subject="sign in", timeout="30s")
    assert link.startswith(f"{site_url}/magic?token=")
    page.goto(link)
    expect(page.locator("#who")).to_have_text(mailbox.address)
    page.goto(link)  # the link works once
    expect(page.locator("#status")).to_have_text("This link has expired")


def test_turn_on_two_factor_after_verifying(page: Any, site_url: str, mailbox: otpcatch.Mailbox) -> None:
    page.goto(f"{site_url}/2fa?" + urllib.parse.urlencode({"email": mailbox.address}))
    expect(page.locator("#status")).to_have_text("Verify your email first")
    sign_up(page, site_url, mailbox)
    page.goto(f"{site_url}/2fa?" + urllib.parse.urlencode({"email": mailbox.address}))
    secret = page.text_content("#secret")
    assert secret
    page.fill("#totp", otpcatch.totp(secret, fresh="5s"))
    page.click("#enable")
    expect(page.locator("#status")).to_have_text("Two-factor sign-in is on")
