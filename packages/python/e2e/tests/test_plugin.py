"""The pytest plugin seen from outside: an inner pytest run (pytester, in a subprocess) with and
without pytest-xdist, and ``otpcatch serve`` failing to start."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from otpcatch import OtpcatchError, Server

pytest_plugins = ["pytester"]

INNER_TEST = '''
import json, os, smtplib
from email.message import EmailMessage


def send(server, to, subject):
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "tester@site.example.test", to, subject
    message.set_content("Nothing to type.")
    with smtplib.SMTP(server.smtp_host, server.smtp_port) as smtp:
        smtp.send_message(message)


def test_waits_for_a_code_that_never_comes(otpcatch_server, mailbox):
    with open(os.environ["INNER_RECORD"], "a") as record:
        record.write(json.dumps({"pid": otpcatch_server.pid, "token": otpcatch_server.env()["OTPCATCH_TOKEN"]}) + "\\n")
    send(otpcatch_server, mailbox.address, "Your weekly digest")
    mailbox.message(subject="digest")
    mailbox.code(subject="confirm", timeout="1s")


def test_passes(mailbox):
    assert "@" in mailbox.address
'''


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.parametrize("xdist", [[], ["-n", "2"]], ids=["plain", "xdist"])
def test_an_inner_run_reports_the_wait_stops_its_server_and_shows_no_token(
    pytester: pytest.Pytester, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, xdist: list[str]
) -> None:
    for name in ("OTPCATCH_API_URL", "OTPCATCH_TOKEN", "OTPCATCH_SMTP_HOST", "OTPCATCH_SMTP_PORT"):
        monkeypatch.delenv(name, raising=False)
    record = tmp_path / "record.jsonl"
    monkeypatch.setenv("INNER_RECORD", str(record))
    pytester.makepyfile(test_inner=INNER_TEST)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--tb=long", "--showlocals", *xdist)
    result.assert_outcomes(passed=1, failed=1)
    output = result.stdout.str() + result.stderr.str()
    assert "WaitTimeout" in output and 'subject "Your weekly digest"' in output
    notes = [json.loads(line) for line in record.read_text().splitlines()]
    assert len(notes) == 1
    token, pid = notes[0]["token"], notes[0]["pid"]
    assert token not in output, "a traceback showed the server's API token"
    assert pid is not None and not alive(pid), "the plugin left its otpcatch serve running"


def fake_binary(tmp_path: Path, script: str) -> str:
    path = tmp_path / "otpcatch"
    path.write_text("#!/bin/sh\n" + script)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


def test_a_server_that_dies_at_start_is_reported_with_its_stderr(tmp_path: Path) -> None:
    binary = fake_binary(tmp_path, 'echo "otpcatch: cannot listen on 127.0.0.1:0: denied" >&2\nexit 2\n')
    with pytest.raises(OtpcatchError) as caught:
        Server.start(binary=binary)
    message = str(caught.value)
    assert "exited with status 2 before it was ready" in message
    assert "cannot listen on 127.0.0.1:0: denied" in message


def test_a_server_that_is_never_ready_is_stopped_and_reported(tmp_path: Path) -> None:
    binary = fake_binary(tmp_path, 'echo "otpcatch: starting" >&2\nexec sleep 30\n')
    with pytest.raises(OtpcatchError) as caught:
        Server.start(binary=binary, ready_timeout=0.5)
    assert "was not ready within 0.5s" in str(caught.value) and "otpcatch: starting" in str(caught.value)
