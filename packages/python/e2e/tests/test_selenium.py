"""The example site's three flows in Chrome driven by Selenium, with the code, the link and the
TOTP code from otpcatch."""

from __future__ import annotations

import urllib.parse
from typing import Any

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

import otpcatch


def status_becomes(driver: Any, text: str) -> None:
    WebDriverWait(driver, 15).until(EC.text_to_be_present_in_element((By.ID, "status"), text))
    assert driver.find_element(By.ID, "status").text == text


def sign_up(driver: Any, site_url: str, mailbox: otpcatch.Mailbox) -> None:
    driver.get(site_url)
    driver.find_element(By.ID, "email").send_keys(mailbox.address)
    driver.find_element(By.ID, "signup").click()
    WebDriverWait(driver, 15).until(EC.presence_of_element_located((By.ID, "code")))
    code = mailbox.code(subject="confirm", timeout="30s")
    assert code.isdigit() and len(code) == 6
    driver.find_element(By.ID, "code").send_keys(code)
    driver.find_element(By.ID, "verify").click()
    status_becomes(driver, "Account verified")


def test_sign_up_with_the_emailed_code(driver: Any, site_url: str, mailbox: otpcatch.Mailbox) -> None:
    sign_up(driver, site_url, mailbox)
    [message] = mailbox.messages()
    assert message.subject == "Confirm your Example Site account"


def test_sign_in_with_the_emailed_link(driver: Any, site_url: str, mailbox: otpcatch.Mailbox) -> None:
    driver.get(f"{site_url}/signin")
    driver.find_element(By.ID, "email").send_keys(mailbox.address)
    driver.find_element(By.ID, "send-link").click()
    status_becomes(driver, "Check your email")
    link = mailbox.link(subject="sign in", timeout="30s")
    assert link.startswith(f"{site_url}/magic?token=")
    driver.get(link)
    status_becomes(driver, "Signed in")
    assert driver.find_element(By.ID, "who").text == mailbox.address


def test_turn_on_two_factor_after_verifying(driver: Any, site_url: str, mailbox: otpcatch.Mailbox) -> None:
    sign_up(driver, site_url, mailbox)
    driver.get(f"{site_url}/2fa?" + urllib.parse.urlencode({"email": mailbox.address}))
    secret = driver.find_element(By.ID, "secret").text
    driver.find_element(By.ID, "totp").send_keys(otpcatch.totp(secret, fresh="5s"))
    driver.find_element(By.ID, "enable").click()
    status_becomes(driver, "Two-factor sign-in is on")
