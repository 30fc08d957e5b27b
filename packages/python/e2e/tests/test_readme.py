# The pytest example of packages/python/README.md and the top-level README.md: the lines between
# README:begin and README:end are shown there verbatim, and crates/otpcatch/tests/readme.rs checks
# that they still are. `page` is pytest-playwright's fixture; this suite's conftest.py provides one
# of its own.
# README:begin
import os
import subprocess
import sys

import pytest
from playwright.sync_api import expect

import otpcatch

SITE = os.environ.get("OTPCATCH_EXAMPLE_SITE", "examples/site/site.py")  # the site under test


@pytest.fixture(scope="session")
def site(otpcatch_server):
    """The site under test, sending its mail to otpcatch's SMTP server."""
    env = {**os.environ, "OTPCATCH_SMTP_HOST": otpcatch_server.smtp_host,
           "OTPCATCH_SMTP_PORT": str(otpcatch_server.smtp_port)}
    server = subprocess.Popen([sys.executable, SITE, "--port", "0"], env=env, stdout=subprocess.PIPE, text=True)
    yield server.stdout.readline().strip().removeprefix("listening on ")
    server.terminate()
    server.wait()


def test_sign_up_with_the_emailed_code_then_turn_on_two_factor(page, site, mailbox):
    page.goto(site)
    page.fill("#email", mailbox.address)
    page.click("#signup")
    page.fill("#code", mailbox.code(subject="confirm", timeout="30s"))
    page.click("#verify")
    expect(page.locator("#status")).to_have_text("Account verified")

    page.goto(f"{site}/2fa?email={mailbox.address}")
    secret = page.text_content("#secret")
    page.fill("#totp", otpcatch.totp(secret, fresh="5s"))  # a code with 5 s or more to live
    page.click("#enable")
    expect(page.locator("#status")).to_have_text("Two-factor sign-in is on")


def test_sign_in_with_the_emailed_link(page, site, mailbox):
    page.goto(f"{site}/signin")
    page.fill("#email", mailbox.address)
    page.click("#send-link")
    page.goto(mailbox.link(subject="sign in", timeout="30s"))
    expect(page.locator("#who")).to_have_text(mailbox.address)
# README:end
