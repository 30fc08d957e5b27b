"""The Python API against the wheel's binary: TOTP, waits, their errors, and where the binary
comes from."""

from __future__ import annotations

import base64
import os
import re
import subprocess
import sys
import sysconfig
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

import otpcatch
from otpcatch import Mailbox, Server

from mail import send

# RFC 6238, appendix B: the seeds are ASCII strings of 20, 32 and 64 bytes.
SEEDS = {
    "SHA1": b"12345678901234567890",
    "SHA256": b"12345678901234567890123456789012",
    "SHA512": b"1234567890123456789012345678901234567890123456789012345678901234",
}
VECTORS = [
    (59, "94287082", "46119246", "90693936"),
    (1111111109, "07081804", "68084774", "25091201"),
    (1111111111, "14050471", "67062674", "99943326"),
    (1234567890, "89005924", "91819424", "93441116"),
    (2000000000, "69279037", "90698825", "38618901"),
    (20000000000, "65353130", "77737706", "47863826"),
]


def b32(seed: bytes) -> str:
    return base64.b32encode(seed).decode()


def test_the_sha1_seed_is_the_documented_base32() -> None:
    assert b32(SEEDS["SHA1"]) == "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"


@pytest.mark.parametrize("at,sha1,sha256,sha512", VECTORS)
def test_totp_matches_rfc_6238_appendix_b(at: int, sha1: str, sha256: str, sha512: str) -> None:
    for algorithm, expected in (("SHA1", sha1), ("SHA256", sha256), ("SHA512", sha512)):
        assert otpcatch.totp(b32(SEEDS[algorithm]), digits=8, algorithm=algorithm, at=at) == expected


def test_totp_takes_a_datetime_and_an_otpauth_uri() -> None:
    secret = b32(SEEDS["SHA256"])
    at = datetime(2005, 3, 18, 1, 58, 29, tzinfo=timezone.utc)  # 1111111109
    assert otpcatch.totp(secret, digits=8, algorithm="sha256", at=at) == "68084774"
    unpadded = secret.rstrip("=")  # as otpauth URIs carry it
    uri = f"otpauth://totp/Example:alice@example.test?secret={unpadded}&digits=8&algorithm=SHA256&issuer=Example"
    assert otpcatch.totp(uri, at=59) == "46119246"
    assert otpcatch.totp(b32(SEEDS["SHA1"]), at=59) == "287082"  # 6 digits by default


def test_totp_fresh_leaves_time_to_use_the_code() -> None:
    secret = b32(SEEDS["SHA1"])
    code = otpcatch.totp(secret, fresh="5s")
    left = 30 - time.time() % 30
    assert left > 4  # at least 5 s were left of its window when it was made
    assert len(code) == 6 and code.isdigit()


def test_a_bad_secret_is_a_usage_error_that_does_not_show_it() -> None:
    with pytest.raises(otpcatch.OtpcatchError) as caught:
        otpcatch.totp("not base32 at all: 0189!")
    assert caught.value.exit_code == 2 and isinstance(caught.value, otpcatch.UsageError)
    assert "0189!" not in str(caught.value) and "0189!" not in " ".join(caught.value.argv)


def test_a_timeout_names_the_subject_of_the_mail_that_did_arrive(otpcatch_server: Server, mailbox: Mailbox) -> None:
    send(otpcatch_server, mailbox.address, "Your weekly digest", "Nothing to confirm here.")
    mailbox.message(subject="digest", timeout="10s")  # it has arrived
    started = time.monotonic()
    with pytest.raises(otpcatch.WaitTimeout) as caught:
        mailbox.code(subject="confirm", timeout=1.5)
    assert time.monotonic() - started < 10
    error = caught.value
    assert error.exit_code == 3 and not isinstance(error, otpcatch.NothingExtracted)
    assert "Your weekly digest" in str(error)
    assert "1 other message(s) arrived" in str(error)
    assert str(error) == error.stderr.strip()
    assert error.argv[1:] == ("wait-for-code", "--address", mailbox.address, "--subject", "confirm",
                              "--timeout", "1500ms", "--json")


def test_a_matching_message_without_a_code_is_nothing_extracted(otpcatch_server: Server, mailbox: Mailbox) -> None:
    send(otpcatch_server, mailbox.address, "Confirm your account", "Welcome aboard, there is nothing to type.")
    message = mailbox.message(subject=re.compile(r"conf\w+"), timeout=timedelta(seconds=10))
    assert message.code is None and message.subject == "Confirm your account"
    with pytest.raises(otpcatch.NothingExtracted) as caught:
        mailbox.code(subject="confirm", timeout="1s")
    assert caught.value.exit_code == 4 and isinstance(caught.value, otpcatch.WaitTimeout)


def test_expect_none_passes_then_raises_unexpected_message(otpcatch_server: Server, mailbox: Mailbox) -> None:
    mailbox.expect_none(for_="1s")
    send(otpcatch_server, mailbox.address, "Password changed", "Your password was changed.")
    mailbox.expect_none(for_=0.5, subject="confirm")  # a filter that the mail does not match
    with pytest.raises(otpcatch.UnexpectedMessage) as caught:
        mailbox.expect_none(for_="3s")
    assert caught.value.exit_code == 3
    assert "Password changed" in str(caught.value)


def test_a_resent_code_with_after_id_and_nth(otpcatch_server: Server, mailbox: Mailbox) -> None:
    send(otpcatch_server, mailbox.address, "Confirm your account", "Your verification code is 111111.")
    first = mailbox.message(subject="confirm")
    assert first.code == "111111"
    send(otpcatch_server, mailbox.address, "Confirm your account", "Your verification code is 222222.")
    assert mailbox.code(subject="confirm", after_id=first, timeout="10s") == "222222"
    assert mailbox.code(subject="confirm", after_id=first.id) == "222222"
    assert mailbox.code(subject="confirm", nth=2) == "222222"
    assert mailbox.code(subject="confirm", latest=True) == "222222"
    assert [m.subject for m in mailbox.messages()] == ["Confirm your account"] * 2
    assert mailbox.code(subject="confirm", nth=1, delete=True) == "111111"
    assert [m.id for m in mailbox.messages()] != [first.id]
    assert first.id not in [m.id for m in mailbox.messages()]


def test_a_bad_filter_is_a_usage_error(mailbox: Mailbox) -> None:
    with pytest.raises(otpcatch.UsageError) as caught:
        mailbox.code(subject="(", timeout="1s")
    assert caught.value.exit_code == 2 and "subject" in str(caught.value)


def test_extract_reads_an_email_file(tmp_path: Path) -> None:
    eml = tmp_path / "signup.eml"
    eml.write_text("From: a@site.example.test\r\nTo: b@otpcatch.test\r\nSubject: Your code\r\n\r\n"
                   "Your verification code is 481923.\r\n")
    found = otpcatch.extract(eml)
    assert found.code == "481923" and found.rule == "generic"
    empty = tmp_path / "empty.txt"
    empty.write_text("Hello, nothing here.\n")
    with pytest.raises(otpcatch.NothingExtracted) as caught:
        otpcatch.extract(str(empty))
    assert caught.value.exit_code == 4 and "no code or link found" in str(caught.value)


def test_a_refused_token_is_an_auth_error_that_never_shows_it(otpcatch_server: Server) -> None:
    token = "wrong-token-0123456789abcdef"
    client = otpcatch.Client(api_url=otpcatch_server.api_url, token=token)
    assert token not in repr(client)
    with pytest.raises(otpcatch.AuthError) as caught:
        client.new_address()
    error = caught.value
    assert error.exit_code == 5
    for shown in (str(error), repr(error), error.stderr, " ".join(error.argv)):
        assert token not in shown


def test_the_server_and_its_client_never_show_the_token(otpcatch_server: Server) -> None:
    token = otpcatch_server.env()["OTPCATCH_TOKEN"]
    assert len(token) >= 16
    assert token not in repr(otpcatch_server) and token not in repr(otpcatch_server.client)


def test_the_module_functions_read_the_environment_at_each_call(
    otpcatch_server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in otpcatch_server.env().items():
        monkeypatch.setenv(name, value)
    address = otpcatch.new_address()
    assert address.endswith("@otpcatch.test")
    send(otpcatch_server, address, "Confirm your account", "Your verification code is 333333.")
    assert otpcatch.wait_for_code(address, subject="confirm", timeout="10s") == "333333"
    assert otpcatch.wait_for_message(address).code == "333333"
    assert [m.subject for m in otpcatch.inbox(address)] == ["Confirm your account"]
    monkeypatch.setenv("OTPCATCH_TOKEN", "changed-" + os.urandom(8).hex())
    with pytest.raises(otpcatch.AuthError):
        otpcatch.inbox(address)


def test_the_server_fixture(otpcatch_server: Server) -> None:
    assert otpcatch_server.api_url.startswith("http://127.0.0.1:")
    assert otpcatch_server.smtp_host == "127.0.0.1"
    assert isinstance(otpcatch_server.smtp_port, int) and otpcatch_server.smtp_port > 0
    if os.environ.get("OTPCATCH_API_URL"):  # under `otpcatch run`: its server, not one of ours
        assert otpcatch_server.api_url == os.environ["OTPCATCH_API_URL"]
        assert otpcatch_server.pid is None
    else:
        assert otpcatch_server.pid is not None


def test_the_binary_is_the_one_installed_from_the_wheel() -> None:
    assert "OTPCATCH_BINARY" not in os.environ, "the harness must test the wheel's own binary"
    assert sys.prefix != sys.base_prefix, "run in the virtual environment the wheel went into"
    binary = otpcatch.find_binary()
    assert binary == os.path.join(sysconfig.get_path("scripts"), "otpcatch")
    assert Path(binary).resolve().is_relative_to(Path(sys.prefix).resolve())
    assert Path(otpcatch.__file__).resolve().is_relative_to(Path(sys.prefix).resolve())
    assert otpcatch.Client().binary == binary
    version = subprocess.run([sys.executable, "-m", "otpcatch", "--version"], capture_output=True, text=True,
                             check=True).stdout
    assert version.startswith("otpcatch ") and otpcatch.__version__ in version


def test_a_missing_override_binary_is_reported(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("OTPCATCH_BINARY", str(tmp_path / "nowhere" / "otpcatch"))
    with pytest.raises(otpcatch.BinaryNotFound) as caught:
        otpcatch.totp(b32(SEEDS["SHA1"]))
    assert "OTPCATCH_BINARY" in str(caught.value)
