"""Many tests at once, over pytest-xdist's workers: each mailbox holds exactly its own mail, and
every worker was handed the one server that the controller started."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from otpcatch import Mailbox, Server

from mail import send


def server_parent(pid: int) -> int:
    """The parent PID of process ``pid`` (Linux's /proc)."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    return int(stat.rsplit(")", 1)[1].split()[1])


@pytest.mark.parametrize("n", range(24))
def test_each_mailbox_holds_exactly_its_own_messages(n: int, otpcatch_server: Server, mailbox: Mailbox) -> None:
    subjects = [f"Isolation {n}.{i} for {mailbox.address}" for i in range(3)]
    for i, subject in enumerate(subjects):
        send(otpcatch_server, mailbox.address, subject, f"Your verification code is {n:03d}{i:03d}.")
    assert mailbox.code(nth=3, timeout="20s") == f"{n:03d}002"
    held = mailbox.messages()
    assert sorted(m.subject for m in held) == sorted(subjects)
    assert {m.to for m in held} == {mailbox.address}


def test_every_worker_shares_the_one_server(otpcatch_server: Server, server_records: Path) -> None:
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    deadline = time.monotonic() + 60
    while len(list(server_records.glob("*.json"))) < workers and time.monotonic() < deadline:
        time.sleep(0.2)  # every worker notes its server when it starts its first test
    notes = [json.loads(path.read_text()) for path in sorted(server_records.glob("*.json"))]
    assert len(notes) == workers, f"only {len(notes)} of {workers} workers ran a test"
    assert {note["api_url"] for note in notes} == {otpcatch_server.api_url}
    assert len({note["pid"] for note in notes}) == workers
    if os.environ.get("OTPCATCH_API_URL"):
        assert otpcatch_server.api_url == os.environ["OTPCATCH_API_URL"]
        return
    assert otpcatch_server.pid is not None
    # The plugin started it in the controller (an xdist worker's parent) or, without xdist, here.
    expected_parent = os.getppid() if os.environ.get("PYTEST_XDIST_WORKER") else os.getpid()
    assert server_parent(otpcatch_server.pid) == expected_parent
