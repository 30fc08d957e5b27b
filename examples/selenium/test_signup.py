"""Sign up on the example site in headless Chromium with Selenium, read the
verification code with `otpcatch wait-for-code`, type it in, and check the
account is verified.

Run it under otpcatch, which starts a local mail server and sets
OTPCATCH_API_URL, OTPCATCH_TOKEN and the SMTP address:

    otpcatch run -- python3 -m unittest discover -s examples/selenium -v
"""

import os
import pathlib
import subprocess
import unittest

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

SITE = pathlib.Path(__file__).resolve().parent.parent / "site" / "site.py"


def otpcatch(*args):
    return subprocess.run(["otpcatch", *args], check=True, capture_output=True, text=True).stdout.strip()


class SignupTest(unittest.TestCase):
    def setUp(self):
        self.site = subprocess.Popen(["python3", str(SITE), "--port", "0"], stdout=subprocess.PIPE, text=True)
        self.url = self.site.stdout.readline().strip().removeprefix("listening on ")
        options = webdriver.ChromeOptions()
        options.binary_location = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
        for flag in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]:
            options.add_argument(flag)
        service = Service(executable_path=os.environ.get("CHROMEDRIVER_PATH", "/usr/bin/chromedriver"))
        self.driver = webdriver.Chrome(options=options, service=service)

    def tearDown(self):
        self.driver.quit()
        self.site.terminate()
        self.site.wait()
        self.site.stdout.close()

    def test_a_new_user_verifies_their_email(self):
        address = otpcatch("new-address")
        self.driver.get(self.url)
        self.driver.find_element(By.ID, "email").send_keys(address)
        self.driver.find_element(By.ID, "signup").click()
        WebDriverWait(self.driver, 10).until(expected_conditions.presence_of_element_located((By.ID, "code")))

        code = otpcatch("wait-for-code", "--address", address, "--subject", "confirm", "--timeout", "30s")
        self.assertRegex(code, r"^\d{6}$")

        self.driver.find_element(By.ID, "code").send_keys(code)
        self.driver.find_element(By.ID, "verify").click()
        verified = expected_conditions.text_to_be_present_in_element((By.ID, "status"), "Account verified")
        self.assertTrue(WebDriverWait(self.driver, 10).until(verified))


if __name__ == "__main__":
    unittest.main()
